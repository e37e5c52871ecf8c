namespace Switchboard.Tests.Carriers;

/// <summary><see cref="CarrierCompliance"/> on the simulated network, as a configured <c>sim</c> trunk.</summary>
public sealed class SimulatedCarrierCompliance : CarrierCompliance
{
    protected override string TrunkName => "lab";

    protected override async Task<string> ConnectAsync(FarEnd behaviour)
    {
        await StartServerAsync(new Dictionary<string, string?>
        {
            ["Carriers:Trunks:0:Name"] = "lab",
            ["Carriers:Trunks:0:Kind"] = "sim",
        });
        return behaviour switch
        {
            FarEnd.Answers => "+14155550100",
            FarEnd.Busy => "+14155550101",
            FarEnd.RingsForever => "+14155550102",
            FarEnd.Unavailable => "+14155550106",
            _ => throw new ArgumentOutOfRangeException(nameof(behaviour)),
        };
    }

    protected override Task VerifyFarEndAsync() => Task.CompletedTask;
}
