namespace Switchboard.Carriers;

/// <summary>
/// Picks the carrier for a destination. For now every call goes to the default carrier (the simulated
/// network); prefix routes and failover plug in here.
/// </summary>
public sealed class CarrierRouter(IEnumerable<ICarrier> carriers)
{
    private readonly ICarrier? _default = carriers.FirstOrDefault();

    public ICarrier? Route(string to) => _default;
}
