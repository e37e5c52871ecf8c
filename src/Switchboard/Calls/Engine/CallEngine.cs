using Microsoft.Extensions.Options;
using Switchboard.Accounts;
using Switchboard.Carriers;
using Switchboard.Carriers.Simulated;
using Switchboard.Storage;
using Switchboard.TwiML;

namespace Switchboard.Calls.Engine;

/// <summary>
/// The front of the engine: routes each operation to the partition that owns the CallSid (a stable
/// hash), and recovers unfinished calls at start.
/// </summary>
internal sealed class CallEngine : IAsyncDisposable
{
    private readonly EnginePartition[] _partitions;
    private readonly ICallStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<CallEngine> _logger;

    public CallEngine(IOptions<CallOptions> options, TimeProvider time, StoreWriter writer, CarrierRouter router,
        TwimlFetcher fetcher, AccountRegistry accounts, CallsPerSecondGate gate, IOptions<SimulationOptions> simulation,
        CallMetrics metrics, ICallStore store, ILogger<CallEngine> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
        var count = options.Value.Partitions > 0 ? options.Value.Partitions : Math.Max(2, Environment.ProcessorCount);
        var services = new EngineServices(time, writer, router, fetcher, accounts, gate, simulation, metrics, logger);
        _partitions = Enumerable.Range(0, count).Select(i => new EnginePartition(i, services, IndexOf)).ToArray();
        metrics.ObserveActive(() => LiveCalls);
    }

    public int LiveCalls => _partitions.Sum(p => p.LiveCount);

    internal EnginePartition PartitionOf(CallSid sid) => _partitions[IndexOf(sid)];

    // The SID's hex digits are random: its last 8 are a uniform, stable hash.
    private int IndexOf(CallSid sid) => (int)(Convert.ToUInt32(sid.Value[^8..], 16) % (uint)_partitions.Length);

    /// <summary>Creates a call; completes once it is durable (the API's 201 waits for this).</summary>
    public async Task<Call> CreateAsync(NewCall request)
    {
        var sid = CallSid.New(_time.GetUtcNow());
        return await PartitionOf(sid).CreateAsync(sid, request);
    }

    /// <summary>Modifies a live call; null when the call is not live (ended, unknown, or another account's).</summary>
    public async Task<Call?> UpdateAsync(string accountSid, CallSid sid, CallUpdate update)
    {
        if (await PartitionOf(sid).UpdateAsync(accountSid, sid, update) is not { } result)
        {
            return null;
        }
        await result.Committed;
        return result.Call;
    }

    public Task<bool> IsLiveAsync(CallSid sid) => PartitionOf(sid).IsLiveAsync(sid);

    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var calls = await _store.LoadUnfinishedCallsAsync(cancellationToken);
        await Task.WhenAll(calls.Select(c => PartitionOf(c.Sid).AdoptAsync(c)));
        if (calls.Count > 0)
        {
            EngineLog.Recovered(_logger, calls.Count);
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        foreach (var partition in _partitions)
        {
            await partition.DisposeAsync();
        }
    }
}
