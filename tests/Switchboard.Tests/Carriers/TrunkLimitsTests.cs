using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Switchboard.Testing;
using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Carriers;

/// <summary>
/// Per-trunk calls-per-second and concurrent-call limits: calls over them wait in <c>queued</c>, in order,
/// with <c>queue_time</c>; a queued call canceled while waiting sends nothing. Simulated trunks on a fake clock.
/// </summary>
public sealed class TrunkLimitsTests : IAsyncLifetime
{
    private const string RingsForever = "+14155550102";
    private SwitchboardHost? _host;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync() => _receiver = await WebhookReceiver.StartAsync(SwitchboardHost.DefaultAuthToken);

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        await _receiver.DisposeAsync();
    }

    private async Task<SwitchboardHost> StartAsync(string cps = "0", string maxConcurrent = "0", string accountCps = "0") =>
        _host = await SwitchboardHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Calls:CallsPerSecond"] = accountCps,
            ["Carriers:Trunks:0:Name"] = "lab",
            ["Carriers:Trunks:0:Kind"] = "sim",
            ["Carriers:Trunks:0:CallsPerSecond"] = cps,
            ["Carriers:Trunks:0:MaxConcurrentCalls"] = maxConcurrent,
        });

    /// <summary>The current value of a per-trunk gauge for trunk <c>lab</c>, as an exporter would read it.</summary>
    private int TrunkGauge(string instrument)
    {
        using var collector = new MetricCollector<int>(_host!.Services.GetRequiredService<IMeterFactory>(), "Switchboard", instrument);
        collector.RecordObservableInstruments();
        return collector.GetMeasurementSnapshot().Single(m => Equals(m.Tags["trunk"], "lab")).Value;
    }

    private async Task<CallResource.StatusEnum?> StatusAsync(string sid) =>
        (await CallResource.FetchAsync(pathSid: sid, client: _host!.Client)).Status;

    [Fact]
    public async Task TrunkCallsPerSecond_BurstOfFour_DialedAtTheLimitInOrder()
    {
        var host = await StartAsync(cps: "2");
        var calls = new List<CallResource>();
        for (var i = 0; i < 4; i++)
        {
            calls.Add(await host.CreateCallAsync(RingsForever, _receiver, timeout: 60));
        }
        Assert.Equal(["0", "500", "1000", "1500"], calls.Select(c => c.QueueTime));
        Assert.All(calls, c => Assert.Equal(CallResource.StatusEnum.Queued, c.Status));

        for (var i = 0; i < 4; i++)
        {
            await _receiver.WaitForStatusAsync(calls[i].Sid, "initiated");
            for (var later = i + 1; later < 4; later++)
            {
                Assert.Equal(CallResource.StatusEnum.Queued, await StatusAsync(calls[later].Sid));
            }
            host.Advance(0.5);
        }
    }

    [Theory]
    [InlineData("1", "4", new[] { "0", "1000", "2000" })]
    [InlineData("4", "1", new[] { "0", "1000", "2000" })]
    [InlineData("2", "4", new[] { "0", "500", "1000" })]
    public async Task AccountAndTrunkCallsPerSecond_Both_TheStricterSpacesTheCalls(string accountCps, string trunkCps, string[] queueTimes)
    {
        var host = await StartAsync(cps: trunkCps, accountCps: accountCps);
        var calls = new List<CallResource>();
        for (var i = 0; i < 3; i++)
        {
            calls.Add(await host.CreateCallAsync(RingsForever, _receiver, timeout: 60));
        }
        Assert.Equal(queueTimes, calls.Select(c => c.QueueTime));
    }

    [Fact]
    public async Task TrunkMaxConcurrentCalls_Full_NextCallWaitsQueuedUntilALegEnds()
    {
        var host = await StartAsync(maxConcurrent: "2");
        var first = await host.CreateCallAsync(RingsForever, _receiver, timeout: 5);
        var second = await host.CreateCallAsync(RingsForever, _receiver, timeout: 30);
        var third = await host.CreateCallAsync(RingsForever, _receiver, timeout: 30);

        await _receiver.WaitForStatusAsync(first.Sid, "ringing");
        await _receiver.WaitForStatusAsync(second.Sid, "ringing");
        Assert.Equal(CallResource.StatusEnum.Queued, await StatusAsync(third.Sid));
        Assert.Equal(2, TrunkGauge("switchboard.trunk.active"));
        Assert.Equal(1, TrunkGauge("switchboard.trunk.waiting"));

        host.Advance(5);
        await _receiver.WaitForStatusAsync(first.Sid, "no-answer");
        await _receiver.WaitForStatusAsync(third.Sid, "initiated");
        var fetched = await CallResource.FetchAsync(pathSid: third.Sid, client: host.Client);
        Assert.Equal("5000", fetched.QueueTime);
        Assert.Equal(CallResource.StatusEnum.Ringing, await StatusAsync(second.Sid));
    }

    [Fact]
    public async Task TrunkMaxConcurrentCalls_Full_DialLegStartsInitiatedAndFails503()
    {
        // The parent holds the trunk's only line; its <Dial> leg finds none free and fails as a congested network would.
        var host = await StartAsync(maxConcurrent: "1");
        var parent = await host.CreateCallAsync("+14155550100", _receiver, twiml:
            $"<Response><Dial action=\"{_receiver.Url("action")}\"><Number statusCallback=\"{_receiver.Url("child")}\" " +
            "statusCallbackEvent=\"initiated ringing answered completed\">+14155550111</Number></Dial></Response>");
        await _receiver.WaitForStatusAsync(parent.Sid, "ringing");
        host.Advance(1);

        var action = await _receiver.WaitForAsync(r => r.Path == "/action", what: "the action request");
        Assert.Equal("failed", action["DialCallStatus"]);
        // The child's callbacks go through the outbox: they may come after the action request.
        await _receiver.WaitForAsync(r => r.Path == "/child" && r.Get("CallStatus") == "failed", what: "the child's failed callback");
        var child = _receiver.Received.Where(r => r.Path == "/child").ToList();
        Assert.Equal(["initiated", "failed"], child.Select(c => c["CallStatus"]));
        Assert.Equal("503", child[^1]["SipResponseCode"]);
        var fetched = await CallResource.FetchAsync(pathSid: child[0]["CallSid"], client: host.Client);
        Assert.Equal(CallResource.StatusEnum.Failed, fetched.Status);
        Assert.NotNull(fetched.StartTime);
    }

    [Fact]
    public async Task DialLeg_NoRouteForItsNumber_StartsInitiatedAndFails404()
    {
        _host = await SwitchboardHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Carriers:Trunks:0:Name"] = "us",
            ["Carriers:Trunks:0:Kind"] = "sim",
            ["Carriers:Routes:0:Prefix"] = "+1",
            ["Carriers:Routes:0:Trunks:0"] = "us",
        });
        var parent = await _host.CreateCallAsync("+14155550100", _receiver, twiml:
            $"<Response><Dial action=\"{_receiver.Url("action")}\"><Number statusCallback=\"{_receiver.Url("child")}\" " +
            "statusCallbackEvent=\"initiated completed\">+442075550100</Number></Dial></Response>");
        await _receiver.WaitForStatusAsync(parent.Sid, "ringing");
        _host.Advance(1);

        Assert.Equal("failed", (await _receiver.WaitForAsync(r => r.Path == "/action", what: "the action request"))["DialCallStatus"]);
        // The child's callbacks go through the outbox: they may come after the action request.
        await _receiver.WaitForAsync(r => r.Path == "/child" && r.Get("CallStatus") == "failed", what: "the child's failed callback");
        var child = _receiver.Received.Where(r => r.Path == "/child").ToList();
        Assert.Equal(["initiated", "failed"], child.Select(c => c["CallStatus"]));
        Assert.Equal("404", child[^1]["SipResponseCode"]);
    }

    [Fact]
    public async Task TrunkMaxConcurrentCalls_WaitingCallCanceled_NoCallbacksAndTheSlotGoesToTheNext()
    {
        var host = await StartAsync(maxConcurrent: "1");
        var first = await host.CreateCallAsync(RingsForever, _receiver, timeout: 5);
        var second = await host.CreateCallAsync(RingsForever, _receiver, timeout: 30);
        var third = await host.CreateCallAsync(RingsForever, _receiver, timeout: 30);
        await _receiver.WaitForStatusAsync(first.Sid, "ringing");
        Assert.Equal(CallResource.StatusEnum.Queued, await StatusAsync(second.Sid));

        var canceled = await CallResource.UpdateAsync(pathSid: second.Sid, status: CallResource.UpdateStatusEnum.Canceled, client: host.Client);
        Assert.Equal(CallResource.StatusEnum.Canceled, canceled.Status);

        host.Advance(5);
        await _receiver.WaitForStatusAsync(first.Sid, "no-answer");
        await _receiver.WaitForStatusAsync(third.Sid, "ringing");
        Assert.DoesNotContain(_receiver.Received, r => r.Get("CallSid") == second.Sid);
        Assert.Equal(CallResource.StatusEnum.Canceled, await StatusAsync(second.Sid));
    }

    [Fact]
    public void TrunkLimiter_SlotsFreed_GoToWaitersInArrivalOrder()
    {
        var limiter = new Switchboard.Carriers.TrunkLimiter(1);
        var woken = new List<string>();
        Assert.True(limiter.TryAdmit("CA1", () => woken.Add("CA1")));
        Assert.True(limiter.TryTake("CA1"));
        Assert.False(limiter.TryAdmit("CA2", () => woken.Add("CA2")));
        Assert.False(limiter.TryAdmit("CA3", () => woken.Add("CA3")));
        // A failover leg may not jump the line either.
        Assert.False(limiter.TryTake("CA9"));

        limiter.Release();
        Assert.Equal(["CA2"], woken);
        limiter.Withdraw("CA2");
        Assert.Equal(["CA2", "CA3"], woken);
        Assert.True(limiter.TryAdmit("CA3", () => { }));
        Assert.True(limiter.TryTake("CA3"));
        Assert.Equal(1, limiter.Active);
        Assert.Equal(0, limiter.Waiting);
    }
}
