using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Callbacks;

/// <summary>The outcome of a replay request: what was queued again, and how many were already waiting.</summary>
internal sealed record ReplayOutcome(IReadOnlyList<OutboxEntry> Replayed, int AlreadyPending);

internal sealed partial class CallbackDispatcher
{
    private readonly HashSet<(CallSid, int)> _replaying = [];

    /// <summary>
    /// Delivers callbacks again. A replayed callback keeps its idempotency token (it is the same callback),
    /// is signed afresh on each attempt, gets a fresh retry window and attempt budget, and goes through its
    /// call's queue, so per-call order holds: it waits for an earlier callback of its call still pending.
    /// One that is already queued or in flight is left alone rather than sent twice. The row is durably
    /// pending before it is queued, so a replay survives a restart.
    /// </summary>
    public async Task<ReplayOutcome> ReplayAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        var replayed = new List<OutboxEntry>();
        var alreadyPending = 0;
        lock (_lock)
        {
            foreach (var entry in entries)
            {
                var key = (entry.CallSid, entry.SequenceNumber);
                if ((_queues.TryGetValue(entry.CallSid, out var queue) && queue.Contains(entry.SequenceNumber)) || !_replaying.Add(key))
                {
                    alreadyPending++;
                    continue;
                }
                replayed.Add(entry with
                {
                    State = CallbackState.Pending,
                    NextAttemptAt = now,
                    LastError = null,
                    ReplayedAt = now,
                    AttemptsBeforeReplay = entry.Attempts,
                });
            }
        }
        var commits = replayed.Select(e => _writer.SubmitAndWaitAsync(new StoreWrite
        {
            Progress = new CallbackProgress(e.CallSid, e.SequenceNumber, CallbackState.Pending, e.Attempts, now, null) { ReplayedAt = now },
            Committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
        })).ToList();
        try
        {
            // Not cancelled with the request: a row made pending must be queued, or it would wait for the next start.
            await Task.WhenAll(commits);
        }
        finally
        {
            var committed = replayed.Where((_, i) => commits[i].IsCompletedSuccessfully).ToList();
            Enqueue(committed);
            _metrics.Replayed(committed.Count);
            foreach (var entry in committed)
            {
                CallbacksLog.Replayed(_logger, entry.CallSid.Value, entry.SequenceNumber);
            }
            lock (_lock)
            {
                foreach (var entry in replayed)
                {
                    _replaying.Remove((entry.CallSid, entry.SequenceNumber));
                }
            }
        }
        return new ReplayOutcome(replayed, alreadyPending);
    }

    /// <summary>Whether the callback is queued or in flight now.</summary>
    public bool IsPending(CallSid callSid, int sequenceNumber)
    {
        lock (_lock)
        {
            return _queues.TryGetValue(callSid, out var queue) && queue.Contains(sequenceNumber);
        }
    }
}
