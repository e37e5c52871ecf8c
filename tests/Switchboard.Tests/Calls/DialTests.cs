using System.Text.Json;
using Switchboard.Testing;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Switchboard.Tests.Calls;

/// <summary>TwiML &lt;Dial&gt; end to end: child legs, their callbacks, the action URL, on a fake clock.</summary>
public sealed class DialTests : IAsyncLifetime
{
    private SwitchboardHost _host = null!;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await SwitchboardHost.StartAsync();
        _receiver = await WebhookReceiver.StartAsync(_host.AuthToken);
        _receiver.ServeTwiml("action", "<Response><Hangup/></Response>");
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    private string Noun(string kind, string target, string events = "initiated ringing answered completed", string extra = "") =>
        $"<{kind} statusCallback=\"{_receiver.Url("child")}\" statusCallbackEvent=\"{events}\" {extra}>{target}</{kind}>";

    /// <summary>Creates a parent that answers after 1 s and runs <paramref name="twiml"/>; returns once it is in progress.</summary>
    private async Task<CallResource> AnsweredParentAsync(string twiml)
    {
        var parent = await _host.CreateCallAsync("+14155550100", _receiver, twiml: twiml);
        await _receiver.WaitForStatusAsync(parent.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(parent.Sid, "in-progress");
        return parent;
    }

    private ReceivedWebhook? ChildCallback(string status, string? to = null) =>
        _receiver.Received.FirstOrDefault(r => r.Path == "/child" && r.Get("CallStatus") == status && (to is null || r.Get("To") == to));

    private Task<ReceivedWebhook> WaitChildAsync(string status, string? to = null) =>
        _receiver.WaitForAsync(r => r.Path == "/child" && r.Get("CallStatus") == status && (to is null || r.Get("To") == to),
            what: $"child {to} {status}");

    private Task<ReceivedWebhook> WaitActionAsync() => _receiver.WaitForAsync(r => r.Path == "/action", what: "the action request");

    [Fact]
    public async Task DialNumber_AllEvents_ChildSkipsQueuedAndActionGetsDialParameters()
    {
        var parent = await AnsweredParentAsync(
            $"<Response><Dial action=\"{_receiver.Url("action")}\">{Noun("Number", "+14155550104")}</Dial></Response>");
        var initiated = await WaitChildAsync("initiated");
        await WaitChildAsync("ringing");
        _host.Advance(1);
        await WaitChildAsync("in-progress");
        Assert.Equal(CallResource.StatusEnum.InProgress, (await CallResource.FetchAsync(pathSid: parent.Sid, client: _host.Client)).Status);
        _host.Advance(2);
        var completed = await WaitChildAsync("completed");
        var action = await WaitActionAsync();
        await _receiver.WaitForStatusAsync(parent.Sid, "completed");

        var childSid = initiated["CallSid"];
        var childCallbacks = _receiver.StatusCallbacks(childSid);
        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], childCallbacks.Select(c => c["CallStatus"]));
        Assert.Equal(["0", "1", "2", "3"], childCallbacks.Select(c => c["SequenceNumber"]));
        Assert.All(childCallbacks, c =>
        {
            Assert.Equal(parent.Sid, c["ParentCallSid"]);
            Assert.Equal("outbound-dial", c["Direction"]);
            Assert.True(c.SignatureValid);
        });
        Assert.Equal("2", completed["CallDuration"]);

        Assert.True(action.SignatureValid);
        Assert.Equal(parent.Sid, action["CallSid"]);
        Assert.Equal("completed", action["DialCallStatus"]);
        Assert.Equal(childSid, action["DialCallSid"]);
        Assert.Equal("2", action["DialCallDuration"]);
        Assert.Equal("true", action["DialBridged"]);
        Assert.Equal("in-progress", action["CallStatus"]);

        var child = await CallResource.FetchAsync(pathSid: childSid, client: _host.Client);
        Assert.Equal("outbound-dial", child.Direction);
        Assert.Equal(parent.Sid, child.ParentCallSid);
        Assert.Equal("+14155550104", child.To);
        Assert.Equal("+14155550199", child.From);
        var listed = await CallResource.ReadAsync(parentCallSid: parent.Sid, client: _host.Client);
        Assert.Equal([childSid], listed.Select(c => c.Sid));
    }

    [Fact]
    public async Task DialSequential_EachNounInTurnUntilOneAnswers()
    {
        // Rings out after the dial's 5 s, then busy after 1 s, then answers after 1 s: each is dialed only once the one
        // before has ended.
        var parent = await AnsweredParentAsync(
            $"<Response><Dial sequential=\"true\" timeout=\"5\" timeLimit=\"2\" action=\"{_receiver.Url("action")}\">" +
            $"{Noun("Number", "+14155550102")}{Noun("Number", "+14155550101")}{Noun("Number", "+14155550100")}</Dial></Response>");
        await WaitChildAsync("ringing", "+14155550102");
        Assert.Single(await CallResource.ReadAsync(parentCallSid: parent.Sid, client: _host.Client));
        _host.Advance(5);
        var noAnswer = await WaitChildAsync("no-answer", "+14155550102");
        var second = await WaitChildAsync("initiated", "+14155550101");
        Assert.Equal(noAnswer["Timestamp"], second["Timestamp"]);
        await WaitChildAsync("ringing", "+14155550101");
        _host.Advance(1);
        var busy = await WaitChildAsync("busy", "+14155550101");
        var third = await WaitChildAsync("initiated", "+14155550100");
        Assert.Equal(busy["Timestamp"], third["Timestamp"]);
        await WaitChildAsync("ringing", "+14155550100");
        _host.Advance(1);
        await WaitChildAsync("in-progress", "+14155550100");
        _host.Advance(2);

        var action = await WaitActionAsync();
        Assert.Equal("completed", action["DialCallStatus"]);
        Assert.Equal(third["CallSid"], action["DialCallSid"]);
        Assert.Equal("2", action["DialCallDuration"]);
        Assert.Equal(3, (await CallResource.ReadAsync(parentCallSid: parent.Sid, client: _host.Client)).Count());
    }

    [Fact]
    public async Task DialSequential_NoneAnswers_ActionAfterTheLast()
    {
        await AnsweredParentAsync(
            $"<Response><Dial sequential=\"true\" action=\"{_receiver.Url("action")}\">" +
            $"{Noun("Number", "+14155550103")}{Noun("Number", "+14155550101")}</Dial></Response>");
        // Unreachable at once, so the second is dialed in the same instant; it rings 1 s, then busy.
        var failed = await WaitChildAsync("failed", "+14155550103");
        var second = await WaitChildAsync("initiated", "+14155550101");
        Assert.Equal(failed["Timestamp"], second["Timestamp"]);
        await WaitChildAsync("ringing", "+14155550101");
        _host.Advance(1);

        var action = await WaitActionAsync();
        Assert.Equal("busy", action["DialCallStatus"]);
        await WaitChildAsync("busy", "+14155550101");
    }

    [Fact]
    public async Task DialSequential_ParentHangsUp_TheRestIsNeverDialed()
    {
        var parent = await AnsweredParentAsync(
            $"<Response><Dial sequential=\"true\">{Noun("Number", "+14155550102")}{Noun("Number", "+14155550100")}</Dial></Response>");
        await WaitChildAsync("ringing", "+14155550102");

        await CallResource.UpdateAsync(pathSid: parent.Sid, status: CallResource.UpdateStatusEnum.Completed, client: _host.Client);
        await WaitChildAsync("canceled", "+14155550102");
        await _receiver.WaitForStatusAsync(parent.Sid, "completed");
        _host.Advance(60);
        var children = await CallResource.ReadAsync(parentCallSid: parent.Sid, client: _host.Client);
        Assert.Equal(["+14155550102"], children.Select(c => c.To));
    }

    [Fact]
    public async Task DialSipAndClient_AnswerAndReportSipParameters()
    {
        await AnsweredParentAsync(
            $"<Response><Dial action=\"{_receiver.Url("action")}\" timeLimit=\"3\">{Noun("Sip", "sip:alice@example.com")}</Dial></Response>");
        await WaitChildAsync("ringing", "sip:alice@example.com");
        _host.Advance(1);
        await WaitChildAsync("in-progress", "sip:alice@example.com");
        _host.Advance(3);
        var action = await WaitActionAsync();
        Assert.Equal("completed", action["DialCallStatus"]);
        Assert.Equal("3", action["DialCallDuration"]);
        Assert.Equal("200", action["DialSipResponseCode"]);
        Assert.EndsWith("@switchboard", action["DialSipCallId"], StringComparison.Ordinal);

        // A sips: URI is a <Sip> destination as well.
        await AnsweredParentAsync(
            $"<Response><Dial action=\"{_receiver.Url("secure-action")}\" timeLimit=\"1\">{Noun("Sip", "sips:bob@example.com")}</Dial></Response>");
        await WaitChildAsync("ringing", "sips:bob@example.com");
        _host.Advance(1);
        await WaitChildAsync("in-progress", "sips:bob@example.com");
        _host.Advance(1);
        var secure = await _receiver.WaitForAsync(r => r.Path == "/secure-action", what: "the sips: dial's action request");
        Assert.Equal("200", secure["DialSipResponseCode"]);
        Assert.EndsWith("@switchboard", secure["DialSipCallId"], StringComparison.Ordinal);

        var second = await AnsweredParentAsync($"<Response><Dial timeLimit=\"2\">{Noun("Client", "alice")}</Dial></Response>");
        var ringing = await WaitChildAsync("ringing", "client:alice");
        Assert.Equal("+14155550199", ringing["From"]);
        _host.Advance(1);
        await WaitChildAsync("in-progress", "client:alice");
        _host.Advance(2);
        // Without action, the parent continues after <Dial>: the document ends and it hangs up.
        await _receiver.WaitForStatusAsync(second.Sid, "completed");
    }

    [Fact]
    public async Task SimultaneousDial_BusyNoAnswerAndAnswering_BridgesTheAnsweringOneAndCancelsTheRest()
    {
        await AnsweredParentAsync(
            $"<Response><Dial action=\"{_receiver.Url("action")}\" timeout=\"20\">" +
            Noun("Number", "+14155550101") + Noun("Number", "+14155550102") + Noun("Number", "+14155550108") +
            "</Dial></Response>");
        await WaitChildAsync("ringing", "+14155550108");
        _host.Advance(1);
        await WaitChildAsync("busy", "+14155550101");
        _host.Advance(4);
        var answered = await WaitChildAsync("in-progress", "+14155550108");
        var canceled = await WaitChildAsync("canceled", "+14155550102");
        Assert.Equal("487", canceled["SipResponseCode"]);
        Assert.Null(ChildCallback("no-answer", "+14155550102"));

        var hangup = await _host.Http.PostAsync($"/2010-04-01/Accounts/{_host.AccountSid}/Calls/{answered["CallSid"]}.json",
            new FormUrlEncodedContent([new("Status", "completed")]));
        Assert.True(hangup.IsSuccessStatusCode);
        var action = await WaitActionAsync();
        Assert.Equal("completed", action["DialCallStatus"]);
        Assert.Equal(answered["CallSid"], action["DialCallSid"]);
        Assert.Equal("true", action["DialBridged"]);
    }

    [Theory]
    [InlineData("+14155550101", 2, "busy")]
    [InlineData("+14155550102", 6, "no-answer")]
    [InlineData("+14155550103", 0, "failed")]
    [InlineData("+14155550107", 2, "no-answer")]
    public async Task DialOutcome_ReachesActionUrl(string number, int advance, string dialCallStatus)
    {
        var parent = await AnsweredParentAsync(
            $"<Response><Dial action=\"{_receiver.Url("action")}\" timeout=\"5\">{Noun("Number", number)}</Dial></Response>");
        await WaitChildAsync("initiated", number);
        await _host.AdvanceUntilAsync(() => _receiver.Received.Any(r => r.Path == "/action"), advance + 5, "the action request");
        var action = await WaitActionAsync();
        Assert.Equal(dialCallStatus, action["DialCallStatus"]);
        Assert.Equal("false", action["DialBridged"]);
        Assert.Equal("0", action["DialCallDuration"]);
        Assert.True(action.SignatureValid);
        await _receiver.WaitForStatusAsync(parent.Sid, "completed");
    }

    [Fact]
    public async Task ParentHungUpWhileChildRings_ChildCanceledAndActionToldCanceled()
    {
        var parent = await AnsweredParentAsync(
            $"<Response><Dial action=\"{_receiver.Url("action")}\">{Noun("Number", "+14155550102")}</Dial></Response>");
        await WaitChildAsync("ringing");
        await CallResource.UpdateAsync(pathSid: parent.Sid, status: CallResource.UpdateStatusEnum.Completed, client: _host.Client);
        await WaitChildAsync("canceled");
        var action = await WaitActionAsync();
        Assert.Equal("canceled", action["DialCallStatus"]);
        Assert.Equal("completed", action["CallStatus"]);
        await _receiver.WaitForStatusAsync(parent.Sid, "completed");
    }

    [Fact]
    public async Task ParentHungUpWhileBridged_HangsUpTheChild()
    {
        var parent = await AnsweredParentAsync($"<Response><Dial>{Noun("Number", "+14155550100")}</Dial></Response>");
        await WaitChildAsync("ringing");
        _host.Advance(1);
        await WaitChildAsync("in-progress");
        _host.Advance(7);
        await CallResource.UpdateAsync(pathSid: parent.Sid, status: CallResource.UpdateStatusEnum.Completed, client: _host.Client);
        var child = await WaitChildAsync("completed");
        Assert.Equal("7", child["CallDuration"]);
        await _receiver.WaitForStatusAsync(parent.Sid, "completed");
    }

    [Fact]
    public async Task ChildHangsUpWithoutAction_ParentContinuesAfterDial()
    {
        var parent = await AnsweredParentAsync($"<Response><Dial>{Noun("Number", "+14155550104")}</Dial><Pause length=\"3\"/></Response>");
        await WaitChildAsync("ringing");
        _host.Advance(1);
        await WaitChildAsync("in-progress");
        _host.Advance(2);
        await WaitChildAsync("completed");
        Assert.Equal(CallResource.StatusEnum.InProgress, (await CallResource.FetchAsync(pathSid: parent.Sid, client: _host.Client)).Status);
        _host.Advance(3);
        var completed = await _receiver.WaitForStatusAsync(parent.Sid, "completed");
        Assert.Equal("6", completed["CallDuration"]);
    }

    [Fact]
    public async Task RedirectDuringDial_EndsDialTellsActionAndRunsNewTwiml()
    {
        _receiver.ServeTwiml("next", "<Response><Hangup/></Response>");
        var parent = await AnsweredParentAsync(
            $"<Response><Dial action=\"{_receiver.Url("action")}\">{Noun("Number", "+14155550100")}</Dial></Response>");
        await WaitChildAsync("ringing");
        _host.Advance(1);
        await WaitChildAsync("in-progress");
        await CallResource.UpdateAsync(pathSid: parent.Sid, url: new Uri(_receiver.Url("next")), client: _host.Client);
        await WaitChildAsync("completed");
        var action = await WaitActionAsync();
        Assert.Equal("completed", action["DialCallStatus"]);
        var next = await _receiver.WaitForAsync(r => r.Path == "/next", what: "the redirect");
        Assert.Equal(parent.Sid, next["CallSid"]);
        await _receiver.WaitForStatusAsync(parent.Sid, "completed");
    }

    [Fact]
    public async Task Whisper_RunsOnTheChildBeforeBridging()
    {
        _receiver.ServeTwiml("whisper", "<Response><Say>You have a call</Say></Response>");
        await AnsweredParentAsync(
            $"<Response><Dial action=\"{_receiver.Url("action")}\" timeLimit=\"10\">{Noun("Number", "+14155550100", extra: $"url=\"{_receiver.Url("whisper")}\"")}</Dial></Response>");
        await WaitChildAsync("ringing");
        _host.Advance(1);
        var answered = await WaitChildAsync("in-progress");
        var whisper = await _receiver.WaitForAsync(r => r.Path == "/whisper", what: "the whisper fetch");
        Assert.Equal(answered["CallSid"], whisper["CallSid"]);
        Assert.Equal(answered["ParentCallSid"], whisper["ParentCallSid"]);
        await _host.AdvanceUntilAsync(() => _receiver.Received.Any(r => r.Path == "/action"), 20, "the action request");
        Assert.Equal("true", (await WaitActionAsync())["DialBridged"]);
    }

    [Theory]
    [InlineData("<Dial></Dial>", "12200")]
    [InlineData("<Dial>banana</Dial>", "13224")]
    [InlineData("<Dial><Conference>room</Conference></Dial>", "12200")]
    [InlineData("<Dial><Number><Junk/>+14155550100</Number></Dial>", "12200")]
    public async Task MalformedDial_EndsTheCallWithANotification(string dial, string code)
    {
        var parent = await AnsweredParentAsync($"<Response><Say>hi</Say>{dial}</Response>");
        await _receiver.WaitForStatusAsync(parent.Sid, "completed");
        var notifications = JsonDocument.Parse(await _host.Http.GetStringAsync(
            $"/2010-04-01/Accounts/{_host.AccountSid}/Calls/{parent.Sid}/Notifications.json"));
        Assert.Contains(notifications.RootElement.GetProperty("notifications").EnumerateArray(),
            n => n.GetProperty("error_code").GetString() == code);
        Assert.DoesNotContain(_receiver.Received, r => r.Path == "/child");
    }
}
