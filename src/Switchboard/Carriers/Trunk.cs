namespace Switchboard.Carriers;

/// <summary>A configured trunk: its network, and the limits calls through it wait for.</summary>
public sealed class Trunk(string name, ICarrier carrier, double callsPerSecond, int maxConcurrentCalls)
{
    public string Name { get; } = name;

    public ICarrier Carrier { get; } = carrier;

    /// <summary>Calls per second; 0 means unlimited.</summary>
    public double CallsPerSecond { get; } = callsPerSecond;

    public TrunkLimiter Limiter { get; } = new(maxConcurrentCalls);
}
