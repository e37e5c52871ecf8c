using Microsoft.Extensions.Options;
using Switchboard.Accounts;
using Switchboard.Carriers;
using Switchboard.Carriers.Simulated;
using Switchboard.Storage;
using Switchboard.TwiML;

namespace Switchboard.Calls.Engine;

/// <summary>What every partition uses, shared (all thread-safe).</summary>
internal sealed record EngineServices(
    TimeProvider Time,
    StoreWriter Writer,
    CarrierRouter Router,
    TwimlFetcher Fetcher,
    AccountRegistry Accounts,
    CallsPerSecondGate Gate,
    IOptions<SimulationOptions> Simulation,
    CallMetrics Metrics,
    ILogger Logger);
