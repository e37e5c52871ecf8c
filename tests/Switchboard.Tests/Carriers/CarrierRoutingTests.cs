using Microsoft.Extensions.DependencyInjection;
using Switchboard.Calls;
using Switchboard.Storage;
using Switchboard.Testing;

namespace Switchboard.Tests.Carriers;

/// <summary>Routes by longest number prefix, failover between trunks, and the trunk recorded on the call; simulated trunks on a fake clock.</summary>
public sealed class CarrierRoutingTests : IAsyncLifetime
{
    private SwitchboardHost _host = null!;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync(SwitchboardHost.DefaultAuthToken);
        _host = await SwitchboardHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Carriers:Trunks:0:Name"] = "main",
            ["Carriers:Trunks:1:Name"] = "uk",
            ["Carriers:Trunks:2:Name"] = "backup",
            ["Carriers:Trunks:2:CallsPerSecond"] = "1",
            ["Carriers:Routes:0:Prefix"] = "+1",
            ["Carriers:Routes:0:Trunks:0"] = "main",
            ["Carriers:Routes:0:Trunks:1"] = "backup",
            ["Carriers:Routes:1:Prefix"] = "+44",
            ["Carriers:Routes:1:Trunks:0"] = "main",
            ["Carriers:Routes:2:Prefix"] = "+4420",
            ["Carriers:Routes:2:Trunks:0"] = "uk",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<Call> StoredAsync(string sid) =>
        await _host.Services.GetRequiredService<ICallStore>().GetCallAsync(CallSid.Parse(sid), CancellationToken.None)
        ?? throw new InvalidOperationException($"{sid} is not in the store");

    [Theory]
    [InlineData("+442075550101", "uk")]
    [InlineData("+441615550101", "main")]
    [InlineData("+14155550101", "main")]
    public async Task Route_LongestPrefixMatches_CallRecordsThatTrunk(string to, string trunk)
    {
        var call = await _host.CreateCallAsync(to, _receiver);
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(call.Sid, "busy");
        Assert.Equal(trunk, (await StoredAsync(call.Sid)).Carrier);
    }

    [Fact]
    public async Task Route_NoPrefixMatches_FailedWith404WithoutDialing()
    {
        var call = await _host.CreateCallAsync("+33155550100", _receiver);
        var failed = await _receiver.WaitForStatusAsync(call.Sid, "failed");
        Assert.Equal("404", failed["SipResponseCode"]);
        Assert.DoesNotContain(_receiver.StatusCallbacks(call.Sid), c => c["CallStatus"] == "initiated");
    }

    [Fact]
    public async Task Failover_503BeforeRinging_TriesNextTrunkAndRecordsIt()
    {
        // 06 answers 503 at once on every simulated trunk: main, then backup; the outcome is backup's.
        var call = await _host.CreateCallAsync("+14155550106", _receiver);
        var failed = await _receiver.WaitForStatusAsync(call.Sid, "failed");
        Assert.Equal("503", failed["SipResponseCode"]);
        Assert.Equal(["initiated", "failed"], _receiver.StatusCallbacks(call.Sid).Select(c => c["CallStatus"]));
        Assert.Equal("backup", (await StoredAsync(call.Sid)).Carrier);
    }

    [Fact]
    public async Task Failover_ToATrunkAtItsCallsPerSecond_WaitsForItsNextSlot()
    {
        // backup takes 1 call per second; main takes any. Two calls that main refuses (503, number 06) at once:
        // the first goes out on backup at once, the second one second later, when the fake clock gets there.
        var first = await _host.CreateCallAsync("+14155550106", _receiver);
        var second = await _host.CreateCallAsync("+14155550106", _receiver);
        var firstFailed = await _receiver.WaitForStatusAsync(first.Sid, "failed");
        await _receiver.WaitForStatusAsync(second.Sid, "initiated");
        _host.Advance(1);
        var secondFailed = await _receiver.WaitForStatusAsync(second.Sid, "failed");

        // The fake clock starts at 12:00:00: the first call's leg went out on backup then, the second's a second later.
        Assert.Equal("Wed, 01 Jul 2026 12:00:00 +0000", firstFailed["Timestamp"]);
        Assert.Equal("Wed, 01 Jul 2026 12:00:01 +0000", secondFailed["Timestamp"]);
        Assert.Equal("503", secondFailed["SipResponseCode"]);
        Assert.Equal("backup", (await StoredAsync(second.Sid)).Carrier);
    }

    [Fact]
    public async Task Failover_BusyAfterRinging_DoesNotTryNextTrunk()
    {
        var call = await _host.CreateCallAsync("+14155550101", _receiver);
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(1);
        var busy = await _receiver.WaitForStatusAsync(call.Sid, "busy");
        Assert.Equal("486", busy["SipResponseCode"]);
        Assert.Equal("main", (await StoredAsync(call.Sid)).Carrier);
    }

    [Theory]
    [InlineData("Carriers:Routes:0:Trunks:0", "nowhere", "unknown trunk 'nowhere'")]
    [InlineData("Carriers:Trunks:0:Kind", "carrier-pigeon", "unknown Kind 'carrier-pigeon'")]
    [InlineData("Carriers:Trunks:0:Kind", "sip", "needs an Address")]
    [InlineData("Carriers:TrunkCallRingTimeout", "00:00:00", "TrunkCallRingTimeout must be positive")]
    public async Task Configuration_Invalid_StartFailsWithTheReason(string key, string value, string reason)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Carriers:Trunks:0:Name"] = "main",
            ["Carriers:Routes:0:Prefix"] = "",
            ["Carriers:Routes:0:Trunks:0"] = "main",
            [key] = value,
        };
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => SwitchboardHost.StartAsync(settings: settings));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }
}
