using System.Net;
using System.Text.Json;
using Switchboard.Testing;
using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Insights;

/// <summary>
/// Analytics figures and call summaries against seven calls with known outcomes on the simulated
/// network, run step by step on the fake clock so every figure is exact.
/// </summary>
public sealed class AnalyticsApiTests(AnalyticsScenario scenario) : IClassFixture<AnalyticsScenario>
{
    private readonly SwitchboardHost _host = scenario.Host;
    private readonly Dictionary<string, string> _sids = scenario.Sids;

    private string MetricsPath => $"/2010-04-01/Accounts/{_host.AccountSid}/Insights/Calls/Metrics.json";

    private string SummaryPath(string name) => $"/2010-04-01/Accounts/{_host.AccountSid}/Insights/Calls/{_sids[name]}/Summary.json";

    [Fact]
    public async Task Metrics_KnownOutcomes_ExactCountsRatiosAndDistributions()
    {
        var m = await _host.GetJsonAsync(MetricsPath + "?StartTime=2026-07-01T12:00:00Z&EndTime=2026-07-01T12:01:00Z");

        Assert.Equal(7, m.GetProperty("calls").GetInt32());
        Assert.Equal(0, m.GetProperty("in_flight").GetInt32());
        var byStatus = m.GetProperty("by_status");
        Assert.Equal(3, byStatus.GetProperty("completed").GetInt32());
        Assert.Equal(1, byStatus.GetProperty("busy").GetInt32());
        Assert.Equal(1, byStatus.GetProperty("no-answer").GetInt32());
        Assert.Equal(1, byStatus.GetProperty("failed").GetInt32());
        Assert.Equal(1, byStatus.GetProperty("canceled").GetInt32());
        // Every call was dialed; three were answered.
        Assert.Equal(7, m.GetProperty("seizures").GetInt32());
        Assert.Equal(3, m.GetProperty("answered").GetInt32());
        Assert.Equal(0.4286, m.GetProperty("answer_seizure_ratio").GetDouble());
        // Talk times 3, 2 and 2 s.
        Assert.Equal(2.333, m.GetProperty("average_duration").GetDouble());

        // The simulated network rings at once: six calls rang, each 0 s after dialing.
        var pdd = m.GetProperty("post_dial_delay");
        Assert.Equal(6, pdd.GetProperty("count").GetInt32());
        Assert.Equal(0, pdd.GetProperty("max").GetDouble());

        var tta = m.GetProperty("time_to_answer");
        Assert.Equal(3, tta.GetProperty("count").GetInt32());
        Assert.Equal(1, tta.GetProperty("min").GetDouble());
        Assert.Equal(5, tta.GetProperty("max").GetDouble());
        Assert.Equal(1, tta.GetProperty("p50").GetDouble());
        Assert.Equal(2.333, tta.GetProperty("average").GetDouble());
        Assert.Equal([0, 2, 0, 0, 1, 0, 0, 0, 0, 0], Histogram(tta));

        // Ring times: canceled 0, answered 1, 1, busy 1, rang out 3, slow answer 5.
        var ring = m.GetProperty("ring_time");
        Assert.Equal(6, ring.GetProperty("count").GetInt32());
        Assert.Equal(1.833, ring.GetProperty("average").GetDouble());
        Assert.Equal(1, ring.GetProperty("p50").GetDouble());
        Assert.Equal(5, ring.GetProperty("p95").GetDouble());
        Assert.Equal([1, 3, 0, 1, 1, 0, 0, 0, 0, 0], Histogram(ring));

        // Each callback was delivered before the fake clock moved on.
        var callbacks = m.GetProperty("callbacks");
        Assert.Equal(23, callbacks.GetProperty("delivered").GetInt32());
        Assert.Equal(0, callbacks.GetProperty("pending").GetInt32());
        var latency = m.GetProperty("callback_latency");
        Assert.Equal(23, latency.GetProperty("count").GetInt32());
        Assert.Equal(0, latency.GetProperty("max").GetDouble());

        var minute = Assert.Single(m.GetProperty("calls_per_minute").EnumerateArray());
        Assert.Equal("2026-07-01T12:00:00.000Z", minute.GetProperty("minute").GetString());
        Assert.Equal(3, minute.GetProperty("completed").GetInt32());
        Assert.Equal(1, minute.GetProperty("canceled").GetInt32());
    }

    [Fact]
    public async Task Metrics_WindowEndingBeforeTheCalls_CountsNothing()
    {
        var m = await _host.GetJsonAsync(MetricsPath + "?StartTime=2026-07-01T11:00:00Z&EndTime=2026-07-01T12:00:00Z");
        Assert.Equal(0, m.GetProperty("calls").GetInt32());
        Assert.Equal(JsonValueKind.Null, m.GetProperty("answer_seizure_ratio").ValueKind);
        Assert.Equal(0, m.GetProperty("time_to_answer").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Metrics_ByDestinationPrefixAndCarrier_SplitsTheFigures()
    {
        var m = await _host.GetJsonAsync(MetricsPath + "?GroupBy=to_prefix&PrefixLength=3");
        var groups = m.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("key").GetString()!);
        Assert.Equal(["+14", "+44"], groups.Keys.Order());
        Assert.Equal(6, groups["+14"].GetProperty("calls").GetInt32());
        Assert.Equal(0.5, groups["+14"].GetProperty("answer_seizure_ratio").GetDouble());
        Assert.Equal(1, groups["+44"].GetProperty("by_status").GetProperty("busy").GetInt32());
        Assert.Equal(0, groups["+44"].GetProperty("answer_seizure_ratio").GetDouble());
        Assert.Equal(3, groups["+44"].GetProperty("callbacks").GetProperty("delivered").GetInt32());

        var uk = await _host.GetJsonAsync(MetricsPath + "?ToPrefix=%2B44");
        Assert.Equal(1, uk.GetProperty("calls").GetInt32());

        var byCarrier = await _host.GetJsonAsync(MetricsPath + "?GroupBy=carrier");
        var simulated = Assert.Single(byCarrier.GetProperty("groups").EnumerateArray());
        Assert.Equal("simulated", simulated.GetProperty("key").GetString());
        Assert.Equal(7, simulated.GetProperty("calls").GetInt32());
        var none = await _host.GetJsonAsync(MetricsPath + "?Carrier=elsewhere");
        Assert.Equal(0, none.GetProperty("calls").GetInt32());
    }

    [Fact]
    public async Task Metrics_BadParameters_AreTwilioErrors()
    {
        using var badTime = await _host.Http.GetAsync(MetricsPath + "?StartTime=yesterday", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badTime.StatusCode);
        using var badGroup = await _host.Http.GetAsync(MetricsPath + "?GroupBy=colour", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, badGroup.StatusCode);
        using var other = await _host.Http.GetAsync("/2010-04-01/Accounts/AC00000000000000000000000000000000/Insights/Calls/Metrics.json",
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Summary_CalleeHangsUp_DisconnectedByCalleeWithTimings()
    {
        var s = await _host.GetJsonAsync(SummaryPath("calleeHangsUp"));
        Assert.Equal("completed", s.GetProperty("call_state").GetString());
        Assert.Equal("complete", s.GetProperty("processing_state").GetString());
        Assert.Equal(3, s.GetProperty("duration").GetInt32());
        Assert.Equal(2, s.GetProperty("connect_duration").GetInt32());
        Assert.Equal("simulated", s.GetProperty("carrier").GetString());
        var p = s.GetProperty("properties");
        Assert.Equal("callee", p.GetProperty("disconnected_by").GetString());
        Assert.Equal("answered", p.GetProperty("disposition").GetString());
        Assert.Equal(0, p.GetProperty("pdd_ms").GetInt32());
        Assert.Equal(1000, p.GetProperty("ring_time_ms").GetInt32());
        Assert.Equal(1000, p.GetProperty("time_to_answer_ms").GetInt32());
        Assert.Equal(200, p.GetProperty("last_sip_response_num").GetInt32());
        Assert.Equal("remote-hangup", p.GetProperty("end_cause").GetString());

        var timeline = s.GetProperty("timeline").EnumerateArray()
            .Select(e => (e.GetProperty("status").GetString(), e.GetProperty("timestamp").GetString())).ToList();
        Assert.Equal([
            ("queued", "2026-07-01T12:00:00.000Z"), ("initiated", "2026-07-01T12:00:00.000Z"), ("ringing", "2026-07-01T12:00:00.000Z"),
            ("in-progress", "2026-07-01T12:00:01.000Z"), ("completed", "2026-07-01T12:00:03.000Z")], timeline);
        var callbacks = s.GetProperty("callbacks").EnumerateArray().ToList();
        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], callbacks.Select(c => c.GetProperty("call_status").GetString()));
        Assert.All(callbacks, c => Assert.Equal("delivered", c.GetProperty("state").GetString()));
    }

    [Fact]
    public async Task Summary_EachOutcome_WhoHungUpAndDisposition()
    {
        async Task<(string?, string?, int?)> Of(string name)
        {
            var p = (await _host.GetJsonAsync(SummaryPath(name))).GetProperty("properties");
            var sip = p.GetProperty("last_sip_response_num");
            return (p.GetProperty("disconnected_by").GetString(), p.GetProperty("disposition").GetString(),
                sip.ValueKind == JsonValueKind.Null ? null : sip.GetInt32());
        }

        Assert.Equal(("caller", "answered", 200), await Of("answered3s"));
        Assert.Equal(("callee", "busy", 486), await Of("busy"));
        Assert.Equal(("callee", "failed", 404), await Of("notFound"));
        Assert.Equal(("caller", "no-answer", (int?)null), (await Of("ringsOut")) with { Item3 = null });
        Assert.Equal("caller", (await Of("canceled")).Item1);
        Assert.Equal("canceled", (await Of("canceled")).Item2);

        var notFound = (await _host.GetJsonAsync(SummaryPath("notFound"))).GetProperty("properties");
        Assert.Equal(JsonValueKind.Null, notFound.GetProperty("pdd_ms").ValueKind);
        var slow = (await _host.GetJsonAsync(SummaryPath("slowAnswer"))).GetProperty("properties");
        Assert.Equal(5000, slow.GetProperty("ring_time_ms").GetInt32());
    }

    [Fact]
    public async Task Summary_UnknownCall_IsNotFound()
    {
        using var response = await _host.Http.GetAsync(
            $"/2010-04-01/Accounts/{_host.AccountSid}/Insights/Calls/CA00000000000000000000000000000000/Summary.json",
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static int[] Histogram(JsonElement distribution) =>
        [.. distribution.GetProperty("histogram").EnumerateArray().Select(b => b.GetProperty("count").GetInt32())];
}

/// <summary>The seven calls, run once for the class.</summary>
public sealed class AnalyticsScenario : IAsyncLifetime
{
    private SwitchboardHost _host = null!;
    private WebhookReceiver _receiver = null!;

    public SwitchboardHost Host => _host;
    public Dictionary<string, string> Sids { get; } = [];

    public async ValueTask InitializeAsync()
    {
        _host = await SwitchboardHost.StartAsync();
        _receiver = await WebhookReceiver.StartAsync(_host.AuthToken);
        await RunScenarioAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    /// <summary>All calls are created at 12:00:00; each step waits for what it expects before the clock moves.</summary>
    private async Task RunScenarioAsync()
    {
        async Task Create(string name, string to, string twiml = "<Response><Pause length=\"10\"/></Response>", int? timeout = null) =>
            Sids[name] = (await _host.CreateCallAsync(to, _receiver, twiml: twiml, timeout: timeout)).Sid;
        async Task Wait(params (string Name, string Status)[] expected)
        {
            foreach (var (name, status) in expected)
            {
                await _receiver.WaitForStatusAsync(Sids[name], status);
            }
        }

        await Create("answered3s", "+14155550100", "<Response><Pause length=\"3\"/></Response>");
        await Create("calleeHangsUp", "+14155550104");
        await Create("busy", "+442075550101");
        await Create("notFound", "+14155550103");
        await Create("slowAnswer", "+14155550108", "<Response><Pause length=\"2\"/></Response>");
        await Create("ringsOut", "+14155550102", timeout: 3);
        await Create("canceled", "+14155550102");
        await Wait(("answered3s", "ringing"), ("calleeHangsUp", "ringing"), ("busy", "ringing"), ("notFound", "failed"),
            ("slowAnswer", "ringing"), ("ringsOut", "ringing"), ("canceled", "ringing"));
        await CallResource.UpdateAsync(pathSid: Sids["canceled"], status: CallResource.UpdateStatusEnum.Canceled, client: _host.Client);
        await Wait(("canceled", "canceled"));
        await _host.WaitForCallbacksDeliveredAsync(15);

        _host.Advance(1); // 12:00:01
        await Wait(("answered3s", "in-progress"), ("calleeHangsUp", "in-progress"), ("busy", "busy"));
        await _host.WaitForCallbacksDeliveredAsync(18);
        _host.Advance(1); // 12:00:02
        _host.Advance(1); // 12:00:03
        await Wait(("calleeHangsUp", "completed"), ("ringsOut", "no-answer"));
        await _host.WaitForCallbacksDeliveredAsync(20);
        _host.Advance(1); // 12:00:04
        await Wait(("answered3s", "completed"));
        await _host.WaitForCallbacksDeliveredAsync(21);
        _host.Advance(1); // 12:00:05
        await Wait(("slowAnswer", "in-progress"));
        await _host.WaitForCallbacksDeliveredAsync(22);
        _host.Advance(2); // 12:00:07
        await Wait(("slowAnswer", "completed"));
        await _host.WaitForCallbacksDeliveredAsync(23);
    }
}
