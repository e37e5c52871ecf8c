using Switchboard.Testing;

namespace Switchboard.Tests.Carriers;

/// <summary><see cref="CarrierCompliance"/> on a SIP trunk with a real sipp as the far end on 127.0.0.1.</summary>
public sealed class SipCarrierCompliance : CarrierCompliance
{
    private SippProcess? _sipp;

    protected override string TrunkName => "sipp";

    protected override async Task<string> ConnectAsync(FarEnd behaviour)
    {
        SippFarEnd.RequireSipp();
        var (scenario, variables) = behaviour switch
        {
            FarEnd.Answers => ("uas-answer.xml", new Dictionary<string, string> { ["ring_ms"] = "800" }),
            FarEnd.Busy => ("uas-busy.xml", new Dictionary<string, string> { ["ring_ms"] = "300" }),
            FarEnd.RingsForever => ("uas-no-answer.xml", new Dictionary<string, string>()),
            FarEnd.Unavailable => ("uas-unavailable.xml", new Dictionary<string, string>()),
            _ => throw new ArgumentOutOfRangeException(nameof(behaviour)),
        };
        _sipp = Own(SippProcess.StartUas(SippFarEnd.Scenario(scenario), variables: variables));
        await StartServerAsync(SippFarEnd.Trunk(0, "sipp", _sipp.Address));
        return "+14155550123";
    }

    protected override Task VerifyFarEndAsync() => SippFarEnd.AssertPassedAsync(_sipp!);
}
