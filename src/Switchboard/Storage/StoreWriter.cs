using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Switchboard.Storage;

/// <summary>
/// Group commit (DESIGN decision 3): one writer drains whatever has queued up while the previous
/// transaction was committing and applies it as the next transaction. No timer, no added latency:
/// under light load a batch is one write; under heavy load batches grow to <see cref="MaxBatch"/>.
/// Writes are applied in submission order, so a call's rows never overtake each other.
/// </summary>
/// <remarks>
/// The writer is a dedicated thread, not a thread-pool loop: a batch is synchronous SQLite work ending in
/// an <c>fsync</c>, and while it ran on a pool worker it held one of the few workers that serve requests.
/// It sleeps only when the queue is empty, and a producer wakes it only then: one wake per idle period,
/// not one per write.
/// </remarks>
internal sealed class StoreWriter : IAsyncDisposable
{
    // Measured on this machine: SQLite WAL+FULL does ~3.9k single-row commits/s but ~188k rows/s in
    // batches of 256 (DESIGN.md); past 256 the gain flattens while the tail latency of a batch grows.
    private const int MaxBatch = 256;

    // A write nobody waits for (a transition with its callbacks, a delivery's progress) that fails alone is tried
    // again after these pauses before it is given up: a store that refuses for a moment (a lock held past the busy
    // timeout, a short I/O error) then costs a pause of the writes behind it, in order, instead of the write. A
    // write someone waits for (a new call's 201) fails at once: its waiter answers the error.
    private static readonly TimeSpan[] RetryDelays =
        [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1600)];

    private readonly ICallStore _store;
    private readonly TimeProvider _time;
    private readonly Counter<long> _retries;
    // Canceled when the writer is asked to stop (the flag the loop reads, and the end of a retry's wait); never
    // disposed (it has no timer or link to release), so that a second stop is harmless.
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger<StoreWriter> _logger;
    private readonly ConcurrentQueue<StoreWrite> _queue = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Action<IReadOnlyList<StoreWrite>>> _afterCommit = [];
    private Thread? _thread;
    // 1 while the writer sleeps or is about to: the producer that swaps it to 0 wakes it.
    private int _sleeping;
    private volatile bool _exited;

    public StoreWriter(ICallStore store, TimeProvider time, IMeterFactory meters, ILogger<StoreWriter> logger)
    {
        _store = store;
        _time = time;
        _retries = meters.Create(Telemetry.MeterName).CreateCounter<long>("switchboard.store.write_retries", "{attempt}",
            "Writes the store refused that are tried again");
        _logger = logger;
    }

    /// <summary>Observers told of each committed batch (the callback dispatcher, insights).</summary>
    public void OnCommitted(Action<IReadOnlyList<StoreWrite>> observer) => _afterCommit.Add(observer);

    public void Start()
    {
        if (_thread is not null)
        {
            return;
        }
        _thread = new Thread(Run) { IsBackground = true, Name = "Switchboard store writer" };
        _thread.Start();
    }

    /// <summary>Queues a write; it commits with the next batch.</summary>
    public void Submit(StoreWrite write)
    {
        if (_exited)
        {
            Fail(write, new InvalidOperationException("The store writer is stopped"));
            return;
        }
        _queue.Enqueue(write);
        if (_exited)
        {
            // The writer left after its last look at the queue: nothing will commit what is still in it.
            FailQueued();
            return;
        }
        Wake();
    }

    private void Wake()
    {
        if (Volatile.Read(ref _sleeping) == 1 && Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            _wake.Release();
        }
    }

    /// <summary>Queues a write and completes when it is durable.</summary>
    public Task SubmitAndWaitAsync(StoreWrite write)
    {
        var committed = write.Committed ?? throw new ArgumentException("The write has no completion", nameof(write));
        Submit(write);
        return committed.Task;
    }

    private void Run()
    {
        var batch = new List<StoreWrite>(MaxBatch);
        try
        {
            while (true)
            {
                batch.Clear();
                while (batch.Count < MaxBatch && _queue.TryDequeue(out var write))
                {
                    batch.Add(write);
                }
                if (batch.Count > 0)
                {
                    // The SQLite store completes synchronously; a store that does not is waited for here.
                    CommitAsync(batch).GetAwaiter().GetResult();
                    continue;
                }
                if (_stop.IsCancellationRequested)
                {
                    break;
                }
                Interlocked.Exchange(ref _sleeping, 1);
                if (!_queue.IsEmpty || _stop.IsCancellationRequested)
                {
                    // Work arrived (or stop was asked) between the last look and the flag: go on, and take
                    // back the wake a producer may have given meanwhile.
                    if (Interlocked.Exchange(ref _sleeping, 0) == 0)
                    {
                        _wake.Wait();
                    }
                    continue;
                }
                _wake.Wait();
            }
        }
        finally
        {
            _exited = true;
            // A producer enqueues, then reads _exited; the writer writes _exited, then reads the queue. The
            // barrier keeps the two from both missing each other (a volatile write may pass a later read).
            Interlocked.MemoryBarrier();
            FailQueued();
            _stopped.TrySetResult();
        }
    }

    /// <summary>A write that will never be committed: its awaiter gets the exception, its source hears of it.</summary>
    private static void Fail(StoreWrite write, Exception ex)
    {
        write.Committed?.TrySetException(ex);
        (write.Committed as ICommitFailureObserver)?.CommitFailed();
    }

    private void FailQueued()
    {
        while (_queue.TryDequeue(out var write))
        {
            Fail(write, new InvalidOperationException("The store writer is stopped"));
        }
    }

    private async Task CommitAsync(List<StoreWrite> batch)
    {
        try
        {
            await _store.ApplyAsync(batch, CancellationToken.None);
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            // One bad write must not sink the others: retry them one by one to isolate it.
            StorageLog.BatchFailed(_logger, batch.Count, ex);
            foreach (var write in batch)
            {
                await CommitAsync([write]);
            }
            return;
        }
        catch (Exception ex)
        {
            if (!await RetryAloneAsync(batch, ex))
            {
                return;
            }
        }

        foreach (var observer in _afterCommit)
        {
            try
            {
                observer(batch);
            }
            catch (Exception ex)
            {
                StorageLog.ObserverFailed(_logger, ex);
            }
        }
        foreach (var write in batch)
        {
            write.Committed?.TrySetResult();
        }
    }

    /// <summary>Tries a write that failed alone again (see <see cref="RetryDelays"/>); gives it up when it still fails.</summary>
    private async Task<bool> RetryAloneAsync(List<StoreWrite> alone, Exception ex)
    {
        if (alone[0].Committed is null)
        {
            foreach (var delay in RetryDelays)
            {
                StorageLog.WriteRetrying(_logger, delay, ex);
                _retries.Add(1);
                try
                {
                    await Task.Delay(delay, _time, _stop.Token);
                    await _store.ApplyAsync(alone, CancellationToken.None);
                    return true;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception again)
                {
                    ex = again;
                }
            }
        }
        StorageLog.WriteFailed(_logger, ex);
        Fail(alone[0], ex);
        return false;
    }

    /// <summary>Completes once everything submitted so far is committed.</summary>
    public Task FlushAsync()
    {
        var write = new StoreWrite { Committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        return SubmitAndWaitAsync(write);
    }

    public async ValueTask DisposeAsync()
    {
        // The request is set before CancelAsync returns; a write waiting to be tried again is then given up at once
        // (the stop does not wait for the store to recover).
        await _stop.CancelAsync();
        // As above: the writer flags that it sleeps, then reads the stop; this side sets the stop, then reads the flag.
        Interlocked.MemoryBarrier();
        if (_thread is null)
        {
            _exited = true;
            FailQueued();
            return;
        }
        Wake();
        await _stopped.Task;
        _wake.Dispose();
    }
}
