using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Switchboard.Accounts;
using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Callbacks;

/// <summary>
/// Delivers the outbox (DESIGN decision 4): at least once, strictly in <c>SequenceNumber</c> order per call,
/// calls in parallel. Each call has its own queue drained by one task at a time, so a callback being
/// retried holds back the later callbacks of its call only; the concurrency limits are global and per
/// destination host, so a slow endpoint cannot starve the others. Rows arrive after they commit.
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
    private readonly Dictionary<CallSid, CallQueue> _queues = [];
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _global;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _hosts = new(StringComparer.OrdinalIgnoreCase);
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
            foreach (var (callSid, queue) in _queues)
            {
                StartDraining(callSid, queue);
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
            StartDraining(entry.CallSid, queue);
        }
    }

    private void StartDraining(CallSid callSid, CallQueue queue)
    {
        if (_started && !queue.Draining)
        {
            queue.Draining = true;
            Track(Task.Run(() => DrainAsync(callSid)));
        }
    }

    private void Track(Task task)
    {
        _running[task] = true;
        task.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task DrainAsync(CallSid callSid)
    {
        while (!_stopping.IsCancellationRequested)
        {
            OutboxEntry? head;
            lock (_lock)
            {
                var queue = _queues[callSid];
                head = queue.Peek();
                if (head is null)
                {
                    _queues.Remove(callSid);
                    return;
                }
            }
            try
            {
                await DeliverAsync(head, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A bug, not a delivery failure: keep the loop and the order; the row stays pending for the next start.
                CallbacksLog.DeliveryCrashed(_logger, callSid.Value, head.SequenceNumber, ex);
            }
            lock (_lock)
            {
                // By number, not position: a replay of an earlier callback may have been queued ahead of it meanwhile.
                _queues[callSid].Remove(head.SequenceNumber);
                _metrics.Queued(-1);
            }
        }
    }

    private async Task DeliverAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var (url, overrides) = ConnectionOverrides.Split(entry.Url);
        var policy = overrides.RetryPolicy ?? (RetryOn.Connect | RetryOn.Read | RetryOn.Status5xx);
        var maxAttempts = overrides.RetryCount is { } rc ? Math.Min(rc + 1, _options.MaxAttempts) : _options.MaxAttempts;
        // The writer hands over the parameters it encoded; only rows loaded after a restart are parsed.
        var parameters = entry.Parameters ?? ParseBody(entry.Body);
        var account = _accounts.Find(entry.AccountSid);
        if (account is null)
        {
            await CommitAsync(new StoreWrite
            {
                Progress = new CallbackProgress(entry.CallSid, entry.SequenceNumber, CallbackState.DeadLettered, entry.Attempts, _time.GetUtcNow(),
                    $"Unknown account {entry.AccountSid}"),
            });
            return;
        }
        var host = Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.Authority : "";
        var hostGate = _hosts.GetOrAdd(host, _ => new SemaphoreSlim(_options.MaxConcurrencyPerHost));
        // A replay starts a fresh window and attempt budget (see ReplayAsync).
        var windowStart = entry.ReplayedAt ?? entry.CreatedAt;
        var attempts = entry.Attempts;
        var request = new WebhookRequest
        {
            Url = url,
            Method = entry.Method,
            Parameters = parameters,
            FormBody = entry.Body,
            AuthToken = account.AuthToken,
            IdempotencyToken = entry.IdempotencyToken,
            Overrides = overrides,
        };

        while (true)
        {
            var wait = entry.NextAttemptAt - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken);
            }

            WebhookResult result;
            // The gates are waited for without the stop token: a cancelable wait that cannot be served at once
            // costs a registration, a promise and an extra continuation per waiter (the profile of a busy
            // dispatcher showed them). On stop, requests in flight are canceled and free their slots, and each
            // waiter then finds the token canceled in SendAsync.
            await _global.WaitAsync(CancellationToken.None);
            try
            {
                await hostGate.WaitAsync(CancellationToken.None);
                try
                {
                    _metrics.InFlight(1);
                    result = await _client.SendAsync(request, cancellationToken);
                }
                finally
                {
                    _metrics.InFlight(-1);
                    hostGate.Release();
                }
            }
            finally
            {
                _global.Release();
            }

            attempts++;
            var now = _time.GetUtcNow();
            // The attempt's Events row and the row's new state go in one write (one writer row per attempt).
            var attempt = CallEvents.From(entry.CallSid, entry.AccountSid, now, parameters, result);

            if (result.Succeeded)
            {
                _metrics.Delivered(now - windowStart, attempts);
                CallbacksLog.Delivered(_logger, entry.CallSid.Value, entry.SequenceNumber, result.StatusCode ?? 0, attempts);
                await CommitAsync(new StoreWrite
                {
                    Event = attempt,
                    Progress = new CallbackProgress(entry.CallSid, entry.SequenceNumber, CallbackState.Delivered, attempts, now, null),
                });
                return;
            }

            var delay = RetryDelay(attempts - entry.AttemptsBeforeReplay);
            var next = now + delay;
            if (result.IsRetryable(policy) && attempts - entry.AttemptsBeforeReplay < maxAttempts && next <= windowStart + _options.RetryWindow)
            {
                _metrics.Retried();
                CallbacksLog.WillRetry(_logger, entry.CallSid.Value, entry.SequenceNumber, attempts, result.Error ?? "", delay);
                entry = entry with { Attempts = attempts, NextAttemptAt = next, LastError = result.Error };
                _writer.Submit(new StoreWrite
                {
                    Event = attempt,
                    Progress = new CallbackProgress(entry.CallSid, entry.SequenceNumber, CallbackState.Pending, attempts, next, result.Error),
                });
                continue;
            }

            _metrics.DeadLettered();
            CallbacksLog.GaveUp(_logger, entry.CallSid.Value, entry.SequenceNumber, attempts, result.Error ?? "");
            // Twilio logs warning 15003 when a status callback gets a non-2xx answer (reference §9.1, §12.3).
            await CommitAsync(new StoreWrite
            {
                Event = attempt,
                Notification = Notifications.For(entry.CallSid, entry.AccountSid, now,
                    result.Failure == WebhookFailure.Status ? 15003 : 11205, log: 1,
                    $"Status callback to {url} failed: {result.Error}", result),
                Progress = new CallbackProgress(entry.CallSid, entry.SequenceNumber, CallbackState.DeadLettered, attempts, now, result.Error),
            });
            return;
        }
    }

    /// <summary>Exponential backoff with ±20 % jitter, so retries of many calls to one host spread out.</summary>
    internal TimeSpan RetryDelay(int attempts)
    {
        var exponent = Math.Min(attempts - 1, 30);
        var baseDelay = Math.Min(_options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, exponent), _options.MaxRetryDelay.TotalMilliseconds);
        var jitter = 0.8 + Random.Shared.NextDouble() * 0.4;
        return TimeSpan.FromMilliseconds(baseDelay * jitter);
    }

    private Task CommitAsync(StoreWrite write) => _writer.SubmitAndWaitAsync(new StoreWrite
    {
        Event = write.Event,
        Notification = write.Notification,
        Progress = write.Progress,
        Committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
    });

    internal static List<KeyValuePair<string, string>> ParseBody(string body)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            list.Add(new(Uri.UnescapeDataString(key), Uri.UnescapeDataString(value)));
        }
        return list;
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

        public bool Draining { get; set; }

        public bool Add(OutboxEntry entry) => _entries.TryAdd(entry.SequenceNumber, entry);

        public OutboxEntry? Peek() => _entries.Count > 0 ? _entries.Values[0] : null;

        public bool Contains(int sequenceNumber) => _entries.ContainsKey(sequenceNumber);

        public void Remove(int sequenceNumber) => _entries.Remove(sequenceNumber);
    }
}
