using Switchboard.Storage;

namespace Switchboard.Insights;

/// <summary>
/// Loads the calls in flight into the read model and subscribes the insights observers. Runs after
/// storage opens and before the store writer starts, so no committed change falls between the load
/// and the first observed batch.
/// </summary>
internal sealed class InsightsStartup(ICallStore store, StoreWriter writer, LiveCallView live, StatusEventFeed feed,
    InsightsMetrics metrics, ILogger<InsightsStartup> logger)
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var unfinished = await store.LoadUnfinishedCallsAsync(cancellationToken);
        live.Load(unfinished);
        InsightsLog.Loaded(logger, unfinished.Count);
        writer.OnCommitted(live.Apply);
        writer.OnCommitted(metrics.Apply);
        writer.OnCommitted(feed.Apply);
    }
}
