using Switchboard.Accounts;
using Switchboard.Callbacks;
using Switchboard.Calls.Engine;
using Switchboard.Insights;
using Switchboard.Storage;

namespace Switchboard;

/// <summary>
/// Opens storage, loads accounts, recovers unfinished calls and resumes the outbox before the server
/// takes requests (hosted services start before Kestrel listens); stops the engine on shutdown.
/// </summary>
internal sealed class SwitchboardStartup(ICallStore store, AccountRegistry accounts, StoreWriter writer, CallEngine engine,
    CallbackDispatcher dispatcher, Readiness readiness, InsightsStartup insights, IConfiguration configuration,
    ILogger<SwitchboardStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        StorageLog.Opened(logger, "sqlite", configuration.GetConnectionString("Switchboard") ?? SwitchboardApp.DefaultConnectionString);
        await insights.StartAsync(cancellationToken);
        writer.Start();
        await accounts.InitializeAsync(cancellationToken);
        await engine.RecoverAsync(cancellationToken);
        await dispatcher.StartAsync(cancellationToken);
        readiness.IsReady = true;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        readiness.IsReady = false;
        await engine.DisposeAsync();
        await dispatcher.DisposeAsync();
        await writer.FlushAsync();
        await writer.DisposeAsync();
        if (store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }
}
