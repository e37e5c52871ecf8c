using Switchboard.Testing;
using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Calls;

/// <summary>Every row of the simulated network's table, end to end through the SDK and a real receiver, on a fake clock.</summary>
public sealed class SimulatedNetworkTests : IAsyncLifetime
{
    private SwitchboardHost _host = null!;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await SwitchboardHost.StartAsync();
        _receiver = await WebhookReceiver.StartAsync(_host.AuthToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    /// <summary>Waits for each expected status in turn and advances the fake clock after it.</summary>
    private async Task<IReadOnlyList<ReceivedWebhook>> RunAsync(string callSid, params (string Status, double AdvanceAfter)[] steps)
    {
        foreach (var (status, advance) in steps)
        {
            await _receiver.WaitForStatusAsync(callSid, status);
            if (advance > 0)
            {
                _host.Advance(advance);
            }
        }
        var callbacks = _receiver.StatusCallbacks(callSid);
        Assert.Equal(steps.Select(s => s.Status), callbacks.Select(c => c["CallStatus"]));
        Assert.Equal(Enumerable.Range(0, steps.Length).Select(i => i.ToString()), callbacks.Select(c => c["SequenceNumber"]));
        Assert.All(callbacks, c => Assert.True(c.SignatureValid, $"bad signature on {c["CallStatus"]}"));
        return callbacks;
    }

    [Fact]
    public async Task Number00_RingsOneSecondAndAnswers_CompletesWhenTwimlEnds()
    {
        var call = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Pause length=\"3\"/></Response>");
        Assert.Equal(CallResource.StatusEnum.Queued, call.Status);
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("ringing", 1), ("in-progress", 3), ("completed", 0));

        var completed = callbacks[^1];
        Assert.Equal("3", completed["CallDuration"]);
        Assert.Equal("1", completed["Duration"]);
        Assert.Equal("200", completed["SipResponseCode"]);
        Assert.Equal("outbound-api", completed["Direction"]);
        Assert.Equal("2010-04-01", completed["ApiVersion"]);
        Assert.Equal("call-progress-events", completed["CallbackSource"]);
        Assert.Equal("+14155550100", completed["To"]);
        Assert.Equal("+14155550100", completed["Called"]);
        Assert.Equal("+14155550199", completed["From"]);
        Assert.Equal("+14155550199", completed["Caller"]);
        Assert.Equal(_host.AccountSid, completed["AccountSid"]);
        Assert.Equal("Wed, 01 Jul 2026 12:00:04 +0000", completed["Timestamp"]);
        Assert.Null(callbacks[0].Get("CallDuration"));
        Assert.Null(callbacks[0].Get("ParentCallSid"));

        var fetched = await CallResource.FetchAsync(pathSid: call.Sid, client: _host.Client);
        Assert.Equal(CallResource.StatusEnum.Completed, fetched.Status);
        Assert.Equal("3", fetched.Duration);
        Assert.NotNull(fetched.StartTime);
        Assert.NotNull(fetched.EndTime);
    }

    [Fact]
    public async Task Number01_RingsThenBusy_EndsBusy486()
    {
        var call = await _host.CreateCallAsync("+442075550101", _receiver);
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("ringing", 1), ("busy", 0));
        Assert.Equal("486", callbacks[^1]["SipResponseCode"]);
        Assert.Equal("0", callbacks[^1]["CallDuration"]);
    }

    [Fact]
    public async Task Number02_RingsUntilTimeout_EndsNoAnswer487()
    {
        var call = await _host.CreateCallAsync("+14155550102", _receiver, timeout: 15);
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("ringing", 15), ("no-answer", 0));
        Assert.Equal("487", callbacks[^1]["SipResponseCode"]);
        Assert.Equal("Wed, 01 Jul 2026 12:00:15 +0000", callbacks[^1]["Timestamp"]);
    }

    [Fact]
    public async Task Number02_BeforeTimeout_IsStillRinging()
    {
        var call = await _host.CreateCallAsync("+14155550102", _receiver, timeout: 15);
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(14);
        var fetched = await CallResource.FetchAsync(pathSid: call.Sid, client: _host.Client);
        Assert.Equal(CallResource.StatusEnum.Ringing, fetched.Status);
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(call.Sid, "no-answer");
    }

    [Fact]
    public async Task Number03_Unreachable_FailsAtOnceWithoutRinging404()
    {
        var call = await _host.CreateCallAsync("+61255550103", _receiver);
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("failed", 0));
        Assert.Equal("404", callbacks[^1]["SipResponseCode"]);
    }

    [Fact]
    public async Task Number04_CalleeHangsUpAfterTwoSeconds_CompletesWithDuration2()
    {
        var call = await _host.CreateCallAsync("+14155550104", _receiver);
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("ringing", 1), ("in-progress", 2), ("completed", 0));
        Assert.Equal("2", callbacks[^1]["CallDuration"]);
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
    }

    [Fact]
    public async Task Number05_AnsweredByMachine_ReportsAnsweredByWithMachineDetection()
    {
        var call = await _host.CreateCallAsync("+14155550105", _receiver, twiml: "<Response><Hangup/></Response>", machineDetection: "Enable");
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("ringing", 1), ("in-progress", 0), ("completed", 0));
        Assert.Equal("machine_start", callbacks[^1]["AnsweredBy"]);
        var fetched = await CallResource.FetchAsync(pathSid: call.Sid, client: _host.Client);
        Assert.Equal("machine_start", fetched.AnsweredBy);
    }

    [Fact]
    public async Task Number05_MachineDetectionWithSendDigits_IsIgnored()
    {
        var sid = await CreateRawAsync(new()
        {
            ["To"] = "+14155550105", ["Twiml"] = "<Response><Hangup/></Response>", ["MachineDetection"] = "Enable", ["SendDigits"] = "1234#",
        });
        var callbacks = await RunAsync(sid, ("initiated", 0), ("ringing", 1), ("in-progress", 0), ("completed", 0));
        Assert.Null(callbacks[^1].Get("AnsweredBy"));
        Assert.Null((await CallResource.FetchAsync(pathSid: sid, client: _host.Client)).AnsweredBy);
    }

    [Theory]
    [InlineData("601")]
    [InlineData("99999999999999999999")]
    public async Task Number02_TimeoutOver600_RingsFor600Seconds(string timeout)
    {
        var sid = await CreateRawAsync(new() { ["To"] = "+14155550102", ["Twiml"] = "<Response><Hangup/></Response>", ["Timeout"] = timeout });
        await _receiver.WaitForStatusAsync(sid, "ringing");
        _host.Advance(599);
        Assert.Equal(CallResource.StatusEnum.Ringing, (await CallResource.FetchAsync(pathSid: sid, client: _host.Client)).Status);
        _host.Advance(1);
        var callbacks = await RunAsync(sid, ("initiated", 0), ("ringing", 0), ("no-answer", 0));
        Assert.Equal("Wed, 01 Jul 2026 12:10:00 +0000", callbacks[^1]["Timestamp"]);
    }

    /// <summary>Creates a call with a form the SDK cannot send (an int-overflowing Timeout, SendDigits), with every status callback.</summary>
    private async Task<string> CreateRawAsync(Dictionary<string, string> form)
    {
        var fields = form.Concat([new("From", "+14155550199"), new("StatusCallback", _receiver.Url("status"))])
            .Concat(IntegrationExtensions.AllEvents.Select(e => new KeyValuePair<string, string>("StatusCallbackEvent", e)));
        using var response = await _host.Http.PostAsync(_host.CallsPath, new FormUrlEncodedContent(fields));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("sid").GetString()!;
    }

    [Fact]
    public async Task Number05_WithoutMachineDetection_HasNoAnsweredBy()
    {
        var call = await _host.CreateCallAsync("+14155550105", _receiver, twiml: "<Response><Hangup/></Response>");
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("ringing", 1), ("in-progress", 0), ("completed", 0));
        Assert.Null(callbacks[^1].Get("AnsweredBy"));
    }

    [Fact]
    public async Task Number06_Congestion_Fails503()
    {
        var call = await _host.CreateCallAsync("+14155550106", _receiver);
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("failed", 0));
        Assert.Equal("503", callbacks[^1]["SipResponseCode"]);
    }

    [Fact]
    public async Task Number07_CalleeDeclines_EndsNoAnswer603()
    {
        var call = await _host.CreateCallAsync("+14155550107", _receiver);
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("ringing", 1), ("no-answer", 0));
        Assert.Equal("603", callbacks[^1]["SipResponseCode"]);
    }

    [Fact]
    public async Task Number08_RingsFiveSeconds_ThenAnswers()
    {
        var call = await _host.CreateCallAsync("+14155550108", _receiver, twiml: "<Response><Hangup/></Response>");
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(4);
        Assert.Equal(CallResource.StatusEnum.Ringing, (await CallResource.FetchAsync(pathSid: call.Sid, client: _host.Client)).Status);
        _host.Advance(1);
        await RunAsync(call.Sid, ("initiated", 0), ("ringing", 0), ("in-progress", 0), ("completed", 0));
    }

    [Fact]
    public async Task AnyOtherNumber_BehavesLike00()
    {
        var call = await _host.CreateCallAsync("+33612345678", _receiver, twiml: "<Response><Hangup/></Response>");
        await RunAsync(call.Sid, ("initiated", 0), ("ringing", 1), ("in-progress", 0), ("completed", 0));
    }

    [Fact]
    public async Task SipUri_UserPartIsTheNumber_BusyLike01()
    {
        var call = await _host.CreateCallAsync("sip:+14155550101@pbx.example.com;transport=tcp", _receiver);
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("ringing", 1), ("busy", 0));
        Assert.Equal("486", callbacks[^1]["SipResponseCode"]);
        Assert.Equal("sip:+14155550101@pbx.example.com;transport=tcp", callbacks[^1]["To"]);
    }

    [Fact]
    public async Task ClientIdentity_EndingIn5550103_UnreachableLike03()
    {
        var call = await _host.CreateCallAsync("client:5550103", _receiver);
        var callbacks = await RunAsync(call.Sid, ("initiated", 0), ("failed", 0));
        Assert.Equal("404", callbacks[^1]["SipResponseCode"]);
    }

    [Theory]
    [InlineData("+14155550101", "+14155550101")]
    [InlineData("sip:+14155550101@pbx.example.com", "+14155550101")]
    [InlineData("SIPS:4155550106@pbx.example.com:5061;transport=tls", "4155550106")]
    [InlineData("sip:alice;x=y@example.com", "alice")]
    [InlineData("sip:example.com", "example.com")]
    [InlineData("client:alice", "alice")]
    public void Dialed_ReadsTheNumberOfADestination(string to, string dialed) =>
        Assert.Equal(dialed, Switchboard.Carriers.Simulated.SimulatedRules.Dialed(to));

    [Fact]
    public async Task CompletedOnly_ByDefault_SendsOneCallbackNumberedZero()
    {
        var call = await _host.CreateCallAsync("+14155550102", _receiver, events: [], timeout: 5);
        await _host.AdvanceUntilAsync(() => _receiver.StatusCallbacks(call.Sid).Count > 0, 30, "the completed callback");
        var completed = await _receiver.WaitForStatusAsync(call.Sid, "no-answer");
        Assert.Equal("0", completed["SequenceNumber"]);
        Assert.Single(_receiver.StatusCallbacks(call.Sid));
    }
}
