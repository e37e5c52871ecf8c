using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Switchboard.Carriers.Sip;
using Switchboard.Calls.Engine;
using Switchboard.Carriers.Simulated;

namespace Switchboard.Carriers;

/// <summary>
/// Picks the route for a destination: the configured route with the longest matching number prefix,
/// each an ordered list of trunks (<see cref="CarrierOptions"/>). With no configuration, one trunk
/// <c>simulated</c> takes every call.
/// </summary>
internal sealed class CarrierRouter
{
    public const string DefaultTrunkName = "simulated";

    private readonly RouteCarrier[] _routes;

    public const string TrunkTag = "trunk";

    public CarrierRouter(IOptions<CarrierOptions> options, SimulatedCarrier simulated, SipEndpointProvider sip, CallsPerSecondGate gate,
        TimeProvider time, ILoggerFactory loggers, IMeterFactory meters)
    {
        var logger = loggers.CreateLogger<CarrierRouter>();
        var config = options.Value;
        if (config.TrunkCallRingTimeout <= TimeSpan.Zero)
        {
            throw Invalid($"Carriers:TrunkCallRingTimeout must be positive ('{config.TrunkCallRingTimeout}').");
        }
        // A sip trunk with AcceptFrom and no Address only originates trunk calls: no leg can go out through it.
        var placeable = config.Trunks.Where(t => !IsSourceOnly(t)).ToList();
        var trunkOptions = placeable.Count > 0
            ? placeable
            : [new TrunkOptions { Name = DefaultTrunkName, Kind = TrunkKinds.Simulated }];
        var trunks = new Dictionary<string, Trunk>(StringComparer.OrdinalIgnoreCase);
        foreach (var t in trunkOptions)
        {
            if (string.IsNullOrWhiteSpace(t.Name) || trunks.ContainsKey(t.Name))
            {
                throw new OptionsValidationException(nameof(CarrierOptions), typeof(CarrierOptions), [$"Carriers:Trunks: every trunk needs a unique Name ('{t.Name}')."]);
            }
            ICarrier carrier = t.Kind.ToLowerInvariant() switch
            {
                TrunkKinds.Simulated or "simulated" => new NamedCarrier(t.Name, simulated),
                TrunkKinds.Sip when !string.IsNullOrWhiteSpace(t.Address) => new SipCarrier(t, sip, logger),
                TrunkKinds.Sip => throw Invalid($"Carriers:Trunks: SIP trunk '{t.Name}' needs an Address."),
                _ => throw Invalid($"Carriers:Trunks: trunk '{t.Name}' has unknown Kind '{t.Kind}' (sim or sip)."),
            };
            trunks[t.Name] = new Trunk(t.Name, carrier, t.CallsPerSecond, t.MaxConcurrentCalls);
            CarriersLog.TrunkConfigured(logger, t.Name, t.Kind, t.CallsPerSecond, t.MaxConcurrentCalls);
        }

        var routes = config.Routes.Count > 0
            ? config.Routes
            : [new RouteOptions { Prefix = "", Trunks = [trunkOptions[0].Name] }];
        _routes = routes
            .Select(r => new RouteCarrier(r.Prefix ?? "", r.Trunks.Count == 0
                ? throw Invalid($"Carriers:Routes: route '{r.Prefix}' lists no trunk.")
                : r.Trunks.Select(name => trunks.TryGetValue(name, out var trunk)
                    ? trunk
                    : throw Invalid($"Carriers:Routes: route '{r.Prefix}' names unknown trunk '{name}'.")).ToArray(), gate, time))
            // Longest prefix first: the first match is the longest.
            .OrderByDescending(r => r.Prefix.Length)
            .ToArray();
        Trunks = trunks.Values.ToArray();
        var meter = meters.Create(Telemetry.MeterName);
        meter.CreateObservableGauge("switchboard.trunk.active", () => Trunks.Select(t => new Measurement<int>(t.Limiter.Active, new KeyValuePair<string, object?>(TrunkTag, t.Name))),
            "{call}", "Calls up on a trunk (and slots held for calls about to dial)");
        meter.CreateObservableGauge("switchboard.trunk.waiting", () => Trunks.Select(t => new Measurement<int>(t.Limiter.Waiting, new KeyValuePair<string, object?>(TrunkTag, t.Name))),
            "{call}", "Queued calls waiting for a slot under a trunk's MaxConcurrentCalls");
        if (config.Trunks.Any(t => string.Equals(t.Kind, TrunkKinds.Sip, StringComparison.OrdinalIgnoreCase) || t.AcceptFrom.Count > 0))
        {
            // Bind now: a port in use or a bad address stops the start rather than failing the first call.
            _ = sip.Endpoint;
        }
    }

    /// <summary>Every configured trunk.</summary>
    public IReadOnlyList<Trunk> Trunks { get; }

    /// <summary>
    /// Whether any route is configured (whatever its prefix): at least one number can be dialed. The constructor falls back
    /// to one route to the default trunk and refuses a route without trunks, so a router that was built has one.
    /// </summary>
    public bool HasRoutes => _routes.Length > 0;

    /// <summary>The route for <paramref name="to"/>, or null when no route matches (the call fails 404).</summary>
    public RouteCarrier? Route(string to) => _routes.FirstOrDefault(r => to.StartsWith(r.Prefix, StringComparison.OrdinalIgnoreCase));

    private static bool IsSourceOnly(TrunkOptions trunk) =>
        trunk.AcceptFrom.Count > 0 && string.Equals(trunk.Kind, TrunkKinds.Sip, StringComparison.OrdinalIgnoreCase) && string.IsNullOrWhiteSpace(trunk.Address);

    private static OptionsValidationException Invalid(string message) =>
        new(nameof(CarrierOptions), typeof(CarrierOptions), [message]);

    /// <summary>A shared network (the simulated one) under a trunk's name.</summary>
    private sealed class NamedCarrier(string name, ICarrier inner) : ICarrier
    {
        public string Name => name;

        public ICarrierLeg Place(LegRequest request, ILegEvents events) => inner.Place(request, events);
    }
}
