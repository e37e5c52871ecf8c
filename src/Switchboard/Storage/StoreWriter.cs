using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Switchboard.Storage;

/// <summary>
/// Group commit (DESIGN decision 3): one writer drains whatever has queued up while the previous
/// transaction was committing and applies it as the next transaction. No timer, no added latency for a
/// write anyone waits on or that carries a call's state: under light load a batch is one write; under heavy
/// load batches grow to <see cref="MaxBatch"/>. A batch of writes that may wait (<see cref="StoreWrite.MayWait"/>:
/// the outcomes of callback deliveries) waits for company up to the shortest of their times, on the real clock (it
/// batches disk work, like a socket deadline, and is not engine time), so a stream of deliveries shares a few
/// commits instead of paying one each. Writes are applied in submission order, so a call's rows
/// never overtake each other.
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

    // Values of _sleeping: awake; asleep until any write arrives; gathering writes that may wait until one that may not arrives.
    private const int Awake = 0;
    private const int Idle = 1;
    private const int Gathering = 2;

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
    // Idle while the writer sleeps or is about to, Gathering while it gathers writes that may wait: the producer that
    // swaps it to Awake wakes it (a write that may wait wakes an idle writer only).
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
        if (write.MayWait > TimeSpan.Zero)
        {
            if (Volatile.Read(ref _sleeping) == Idle && Interlocked.CompareExchange(ref _sleeping, Awake, Idle) == Idle)
            {
                _wake.Release();
            }
            return;
        }
        Wake();
    }

    private void Wake()
    {
        if (Volatile.Read(ref _sleeping) != Awake && Interlocked.Exchange(ref _sleeping, Awake) != Awake)
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
                var mayWait = Drain(batch);
                if (batch.Count is > 0 and < MaxBatch && mayWait > TimeSpan.Zero)
                {
                    GatherCompany(batch, mayWait);
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
                Interlocked.Exchange(ref _sleeping, Idle);
                if (!_queue.IsEmpty || _stop.IsCancellationRequested)
                {
                    // Work arrived (or stop was asked) between the last look and the flag: go on.
                    TakeBackWake();
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

    /// <summary>
    /// Moves queued writes to the batch (up to <see cref="MaxBatch"/>); the shortest time any of them may wait
    /// (<see cref="TimeSpan.MaxValue"/> when none was queued).
    /// </summary>
    private TimeSpan Drain(List<StoreWrite> batch)
    {
        var shortest = TimeSpan.MaxValue;
        while (batch.Count < MaxBatch && _queue.TryDequeue(out var write))
        {
            batch.Add(write);
            shortest = write.MayWait < shortest ? write.MayWait : shortest;
        }
        return shortest;
    }

    /// <summary>
    /// Lets a batch of writes that may wait (up to <paramref name="mayWait"/>, the shortest of their times) gather
    /// company: until that time has passed since the writer took the first, the batch is full, a write that may not
    /// wait arrives (it commits them all at once, in order) or the writer is asked to stop.
    /// </summary>
    private void GatherCompany(List<StoreWrite> batch, TimeSpan mayWait)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            Interlocked.Exchange(ref _sleeping, Gathering);
            // Drained again after the flag: a write queued before it did not know to wake the writer.
            var shortest = Drain(batch);
            mayWait = shortest < mayWait ? shortest : mayWait;
            var left = mayWait - Stopwatch.GetElapsedTime(started);
            if (batch.Count >= MaxBatch || _stop.IsCancellationRequested || left <= TimeSpan.Zero || !_wake.Wait(left))
            {
                TakeBackWake();
                // What was queued meanwhile goes too (writes that may wait did not wake the writer).
                Drain(batch);
                return;
            }
            // Woken: a write that may not wait (or the stop) arrived; the producer set the flag to Awake.
        }
    }

    /// <summary>Sets the flag back to awake; when a producer swapped it first, its wake is on its way and is taken back.</summary>
    private void TakeBackWake()
    {
        if (Interlocked.Exchange(ref _sleeping, Awake) == Awake)
        {
            _wake.Wait();
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
