using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Switchboard.Accounts;
using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Callbacks;

/// <summary>
/// Delivers the outbox (DESIGN decision 4): at least once, strictly in <c>SequenceNumber</c> order per call,
/// calls in parallel. Each call has its own queue whose head alone is being delivered (or waits for its retry
/// time); the next callback of the call becomes ready only once the head's outcome is known and queued for the
/// store, ahead of anything the next one writes. Ready calls wait in a lane per destination host, worked by at
/// most <c>MaxConcurrencyPerHost</c> workers that exist only while the lane has work, under a global limit, so a
/// slow endpoint holds its own lane only and a retry waits on a timer, not in a worker. Rows arrive after they
/// commit.
/// </summary>
internal sealed partial class CallbackDispatcher : IAsyncDisposable
{
    private readonly WebhookClient _client;
    private readonly StoreWriter _writer;
    private readonly ICallStore _store;
    private readonly AccountRegistry _accounts;
    private readonly TimeProvider _time;
    private readonly CallbackOptions _options;
    private readonly CallbackMetrics _metrics;
    private readonly ILogger<CallbackDispatcher> _logger;
    // Under _lock: the calls with callbacks to deliver, and the lanes of ready calls by destination host.
    private readonly Dictionary<CallSid, CallQueue> _queues = [];
    private readonly Dictionary<string, HostLane> _lanes = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _global;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, bool> _running = new();
    private bool _started;

    public CallbackDispatcher(WebhookClient client, StoreWriter writer, ICallStore store, AccountRegistry accounts,
        TimeProvider time, IOptions<CallbackOptions> options, CallbackMetrics metrics, ILogger<CallbackDispatcher> logger)
    {
        _client = client;
        _writer = writer;
        _store = store;
        _accounts = accounts;
        _time = time;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _global = new SemaphoreSlim(_options.MaxConcurrency);
        writer.OnCommitted(OnCommitted);
    }

    /// <summary>Resumes the outbox left by the previous run (DESIGN decision 5).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var pending = await _store.LoadPendingCallbacksAsync(cancellationToken);
        if (pending.Count > 0)
        {
            CallbacksLog.Resumed(_logger, pending.Count);
        }
        // Callbacks committed by the restart itself (calls recovered before this) were queued but not sent:
        // the previous run's pending ones of the same call have lower sequence numbers and must go first.
        lock (_lock)
        {
            _started = true;
            EnqueueLocked(pending);
            foreach (var (callSid, queue) in _queues.ToList())
            {
                ScheduleLocked(callSid, queue);
            }
        }
    }

    private void OnCommitted(IReadOnlyList<StoreWrite> batch)
    {
        foreach (var write in batch)
        {
            if (write.Callbacks.Count > 0)
            {
                Enqueue(write.Callbacks);
            }
        }
    }

    /// <summary>Queues callbacks for delivery; a callback already queued is not queued twice.</summary>
    public void Enqueue(IEnumerable<OutboxEntry> entries)
    {
        lock (_lock)
        {
            EnqueueLocked(entries);
        }
    }

    private void EnqueueLocked(IEnumerable<OutboxEntry> entries)
    {
        foreach (var entry in entries)
        {
            if (!_queues.TryGetValue(entry.CallSid, out var queue))
            {
                queue = new CallQueue();
                _queues.Add(entry.CallSid, queue);
            }
            if (!queue.Add(entry))
            {
                continue;
            }
            _metrics.Queued(1);
            ScheduleLocked(entry.CallSid, queue);
        }
    }

    /// <summary>
    /// Makes the call's head callback ready (now, or at its retry time) unless one of its callbacks is under way.
    /// A head due now for <paramref name="worker"/>'s host is handed back to that worker instead of its lane.
    /// </summary>
    private OutboxEntry? ScheduleLocked(CallSid callSid, CallQueue queue, HostLane? worker = null)
    {
        if (!_started || queue.Busy || _stopping.IsCancellationRequested)
        {
            return null;
        }
        if (queue.Peek() is not { } head)
        {
            _queues.Remove(callSid);
            return null;
        }
        queue.Busy = true;
        var wait = head.NextAttemptAt - _time.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            Track(ReadyAfterAsync(callSid, wait));
            return null;
        }
        if (worker is not null && HostSpan(head.Url).Equals(worker.Host, StringComparison.OrdinalIgnoreCase))
        {
            return head;
        }
        ReadyLocked(callSid, head);
        return null;
    }

    private async Task ReadyAfterAsync(CallSid callSid, TimeSpan wait)
    {
        try
        {
            await Task.Delay(wait, _time, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        lock (_lock)
        {
            // The head is read again: a replay of an earlier callback of the call may have been queued meanwhile.
            if (_queues.TryGetValue(callSid, out var queue) && queue.Peek() is { } head)
            {
                ReadyLocked(callSid, head);
            }
        }
    }

    private void ReadyLocked(CallSid callSid, OutboxEntry head)
    {
        var host = HostOf(head.Url);
        if (!_lanes.TryGetValue(host, out var lane))
        {
            lane = new HostLane(host);
            _lanes.Add(host, lane);
        }
        lane.Ready.Enqueue(callSid);
        if (lane.Workers < _options.MaxConcurrencyPerHost)
        {
            lane.Workers++;
            Track(Task.Run(() => WorkAsync(lane)));
        }
    }

    /// <summary>The authority of a URL (what a lane is kept by); a URL without one shares the "" lane.</summary>
    internal static string HostOf(string url) => HostSpan(url).ToString();

    private static ReadOnlySpan<char> HostSpan(string url)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return [];
        }
        var rest = url.AsSpan(scheme + 3);
        var end = rest.IndexOfAny('/', '?', '#');
        return end < 0 ? rest : rest[..end];
    }

    private void Track(Task task)
    {
        _running[task] = true;
        task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>
    /// One of a lane's workers: takes ready calls one by one and makes one attempt of each head; when that ends
    /// the callback and the call's next one is due, it goes on with that one (a call's callbacks then follow each
    /// other without queueing behind other calls, and their outcomes tend to share a commit and the row's page).
    /// </summary>
    private async Task WorkAsync(HostLane lane)
    {
        OutboxEntry? next = null;
        while (true)
        {
            OutboxEntry head;
            if (next is not null)
            {
                head = next;
                next = null;
            }
            else
            {
                lock (_lock)
                {
                    if (_stopping.IsCancellationRequested || !lane.Ready.TryDequeue(out var ready))
                    {
                        // The last worker of an idle lane takes it away: hosts seen once are not kept forever.
                        if (--lane.Workers == 0 && lane.Ready.Count == 0)
                        {
                            _lanes.Remove(lane.Host);
                        }
                        return;
                    }
                    head = _queues[ready].Peek()!;
                }
            }
            try
            {
                next = await AttemptAsync(head, lane);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                // Stopping: the row stays pending for the next start.
                lock (_lock)
                {
                    lane.Workers--;
                }
                return;
            }
            catch (Exception ex)
            {
                // A bug, not a delivery failure: keep the order and go on; the row stays pending for the next start.
                CallbacksLog.DeliveryCrashed(_logger, head.CallSid.Value, head.SequenceNumber, ex);
                Finish(head.CallSid, head.SequenceNumber, lane: null);
            }
        }
    }

    /// <summary>
    /// The callback's outcome is known and queued for the store (or never will be): its call's next callback may
    /// go. Given the caller's lane, a next callback that is due now for the same host is handed back to the caller
    /// to send at once instead of being queued in the lane.
    /// </summary>
    private OutboxEntry? Finish(CallSid callSid, int sequenceNumber, HostLane? lane)
    {
        lock (_lock)
        {
            if (!_queues.TryGetValue(callSid, out var queue))
            {
                return null;
            }
            // By number, not position: a replay of an earlier callback may have been queued ahead of it meanwhile.
            queue.Remove(sequenceNumber);
            _metrics.Queued(-1);
            queue.Busy = false;
            return ScheduleLocked(callSid, queue, lane);
        }
    }

    /// <summary>
    /// One attempt to deliver a call's head callback. A final outcome (delivered, given up) is submitted and the
    /// callback finished, so no worker waits for the disk; a retry is submitted and the head made ready again at
    /// its retry time.
    /// </summary>
    private async Task<OutboxEntry?> AttemptAsync(OutboxEntry entry, HostLane lane)
    {
        var (url, overrides) = ConnectionOverrides.Split(entry.Url);
        var policy = overrides.RetryPolicy ?? (RetryOn.Connect | RetryOn.Read | RetryOn.Status5xx);
        var maxAttempts = overrides.RetryCount is { } rc ? Math.Min(rc + 1, _options.MaxAttempts) : _options.MaxAttempts;
        // The writer hands over the parameters it encoded; only rows loaded after a restart are parsed.
        var parameters = entry.Parameters ?? OutboxEntry.ParseBody(entry.Body);
        var account = _accounts.Find(entry.AccountSid);
        if (account is null)
        {
            return SubmitFinal(lane, new CallbackProgress(entry.CallSid, entry.SequenceNumber, CallbackState.DeadLettered, entry.Attempts, _time.GetUtcNow(),
                $"Unknown account {entry.AccountSid}"));
        }
        // A replay starts a fresh window and attempt budget (see ReplayAsync).
        var windowStart = entry.ReplayedAt ?? entry.CreatedAt;
        var request = new WebhookRequest
        {
            Url = url,
            Method = entry.Method,
            Parameters = parameters,
            FormBody = entry.Body,
            AuthToken = account.AuthToken,
            IdempotencyToken = entry.IdempotencyToken,
            Overrides = overrides,
            UsesBody = false,
        };

        WebhookResult result;
        // Waited for without the stop token: a cancelable wait that cannot be served at once costs a
        // registration, a promise and an extra continuation. On stop, requests in flight are canceled and free
        // their slots, and each waiter then finds the token canceled in SendAsync.
        await _global.WaitAsync(CancellationToken.None);
        try
        {
            _metrics.InFlight(1);
            result = await _client.SendAsync(request, _stopping.Token);
        }
        finally
        {
            _metrics.InFlight(-1);
            _global.Release();
        }

        var attempts = entry.Attempts + 1;
        var now = _time.GetUtcNow();
        // The attempt goes with the row's new state: the outbox row keeps it as its latest attempt (Call Events).
        var attempt = CallEvents.From(entry.CallSid, entry.AccountSid, now, parameters, result);

        if (result.Succeeded)
        {
            _metrics.Delivered(now - windowStart, attempts);
            CallbacksLog.Delivered(_logger, entry.CallSid.Value, entry.SequenceNumber, result.StatusCode ?? 0, attempts);
            return SubmitFinal(lane, new CallbackProgress(entry.CallSid, entry.SequenceNumber, CallbackState.Delivered, attempts, now, null) { Attempt = attempt });
        }

        var delay = RetryDelay(attempts - entry.AttemptsBeforeReplay);
        var next = now + delay;
        if (result.IsRetryable(policy) && attempts - entry.AttemptsBeforeReplay < maxAttempts && next <= windowStart + _options.RetryWindow)
        {
            _metrics.Retried();
            CallbacksLog.WillRetry(_logger, entry.CallSid.Value, entry.SequenceNumber, attempts, result.Error ?? "", delay);
            _writer.Submit(new StoreWrite
            {
                Progress = new CallbackProgress(entry.CallSid, entry.SequenceNumber, CallbackState.Pending, attempts, next, result.Error) { Attempt = attempt },
                MayWait = _options.OutcomeCommitWindow,
            });
            var retry = entry with { Attempts = attempts, NextAttemptAt = next, LastError = result.Error, Parameters = parameters };
            lock (_lock)
            {
                _queues[entry.CallSid].Replace(retry);
            }
            Track(ReadyAfterAsync(entry.CallSid, delay));
            return null;
        }

        _metrics.DeadLettered();
        CallbacksLog.GaveUp(_logger, entry.CallSid.Value, entry.SequenceNumber, attempts, result.Error ?? "");
        // Twilio logs warning 15003 when a status callback gets a non-2xx answer (reference §9.1, §12.3).
        return SubmitFinal(lane,
            new CallbackProgress(entry.CallSid, entry.SequenceNumber, CallbackState.DeadLettered, attempts, now, result.Error) { Attempt = attempt },
            Notifications.For(entry.CallSid, entry.AccountSid, now,
                result.Failure == WebhookFailure.Status ? 15003 : 11205, log: 1,
                $"Status callback to {url} failed: {result.Error}", result));
    }

    /// <summary>Exponential backoff with ±20 % jitter, so retries of many calls to one host spread out.</summary>
    internal TimeSpan RetryDelay(int attempts)
    {
        var exponent = Math.Min(attempts - 1, 30);
        var baseDelay = Math.Min(_options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, exponent), _options.MaxRetryDelay.TotalMilliseconds);
        var jitter = 0.8 + Random.Shared.NextDouble() * 0.4;
        return TimeSpan.FromMilliseconds(baseDelay * jitter);
    }

    /// <summary>
    /// Submits a callback's final outcome and finishes it: its call's next callback may go at once. The outcome
    /// may wait to share a commit with others (<see cref="CallbackOptions.OutcomeCommitWindow"/>), queued before the next
    /// callback is even ready, so outcomes commit in each call's order: whatever a crash loses is a suffix of a
    /// call's outcomes, and those callbacks are sent again, in order (at least once).
    /// </summary>
    private OutboxEntry? SubmitFinal(HostLane lane, CallbackProgress progress, NotificationRecord? notification = null)
    {
        _writer.Submit(new StoreWrite { Progress = progress, Notification = notification, MayWait = _options.OutcomeCommitWindow });
        return Finish(progress.CallSid, progress.SequenceNumber, lane);
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await _stopping.CancelAsync();
        await Task.WhenAll(_running.Keys);
        _stopping.Dispose();
    }

    /// <summary>The callbacks of one call waiting for delivery, in sequence order.</summary>
    private sealed class CallQueue
    {
        private readonly SortedList<int, OutboxEntry> _entries = [];

        /// <summary>Whether the head is under way: ready, in flight, waiting for its retry time or for its outcome to commit.</summary>
        public bool Busy { get; set; }

        public bool Add(OutboxEntry entry) => _entries.TryAdd(entry.SequenceNumber, entry);

        public OutboxEntry? Peek() => _entries.Count > 0 ? _entries.Values[0] : null;

        public bool Contains(int sequenceNumber) => _entries.ContainsKey(sequenceNumber);

        public void Remove(int sequenceNumber) => _entries.Remove(sequenceNumber);

        /// <summary>Puts back an entry with its new attempt state (a retry).</summary>
        public void Replace(OutboxEntry entry) => _entries[entry.SequenceNumber] = entry;
    }

    /// <summary>The calls whose head callback is ready for one destination host, and the workers serving them.</summary>
    private sealed class HostLane(string host)
    {
        public string Host { get; } = host;
        public Queue<CallSid> Ready { get; } = new();
        public int Workers { get; set; }
    }
}
