using System.Threading.Channels;

namespace Switchboard.Storage;

/// <summary>
/// Group commit (DESIGN decision 3): one writer drains whatever has queued up while the previous
/// transaction was committing and applies it as the next transaction. No timer, no added latency:
/// under light load a batch is one write; under heavy load batches grow to <see cref="MaxBatch"/>.
/// Writes are applied in submission order, so a call's rows never overtake each other.
/// </summary>
internal sealed class StoreWriter : IAsyncDisposable
{
    // Measured on this machine: SQLite WAL+FULL does ~3.9k single-row commits/s but ~188k rows/s in
    // batches of 256 (DESIGN.md); past 256 the gain flattens while the tail latency of a batch grows.
    private const int MaxBatch = 256;

    private readonly ICallStore _store;
    private readonly ILogger<StoreWriter> _logger;
    private readonly Channel<StoreWrite> _queue = Channel.CreateUnbounded<StoreWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Action<IReadOnlyList<StoreWrite>>> _afterCommit = [];
    private Task? _loop;

    public StoreWriter(ICallStore store, ILogger<StoreWriter> logger)
    {
        _store = store;
        _logger = logger;
    }

    /// <summary>Observers told of each committed batch (the callback dispatcher, insights).</summary>
    public void OnCommitted(Action<IReadOnlyList<StoreWrite>> observer) => _afterCommit.Add(observer);

    public void Start() => _loop ??= Task.Run(RunAsync);

    /// <summary>Queues a write; it commits with the next batch.</summary>
    public void Submit(StoreWrite write)
    {
        if (!_queue.Writer.TryWrite(write))
        {
            write.Committed?.TrySetException(new InvalidOperationException("The store writer is stopped"));
        }
    }

    /// <summary>Queues a write and completes when it is durable.</summary>
    public Task SubmitAndWaitAsync(StoreWrite write)
    {
        var committed = write.Committed ?? throw new ArgumentException("The write has no completion", nameof(write));
        Submit(write);
        return committed.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<StoreWrite>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < MaxBatch && reader.TryRead(out var write))
            {
                batch.Add(write);
            }
            await CommitAsync(batch);
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
            StorageLog.WriteFailed(_logger, ex);
            batch[0].Committed?.TrySetException(ex);
            return;
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

    /// <summary>Completes once everything submitted so far is committed.</summary>
    public Task FlushAsync()
    {
        var write = new StoreWrite { Committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        return SubmitAndWaitAsync(write);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (_loop is null)
        {
            return;
        }
        if (_loop is not null)
        {
            await _loop;
        }
    }
}
