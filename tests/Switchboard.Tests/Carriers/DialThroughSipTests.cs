using Switchboard.Testing;

namespace Switchboard.Tests.Carriers;

/// <summary>&lt;Dial&gt; legs that go out through a SIP trunk: real INVITEs to sipp, with the child's own callbacks.</summary>
public sealed class DialThroughSipTests : CarrierTestBase
{
    private async Task<SippProcess> StartAsync(string routePrefix, string scenario = "uas-answer.xml")
    {
        SippFarEnd.RequireSipp();
        var sipp = Own(SippProcess.StartUas(SippFarEnd.Scenario(scenario), variables: new Dictionary<string, string> { ["ring_ms"] = "300" }));
        var settings = SippFarEnd.Trunk(0, "sipp", sipp.Address);
        settings["Carriers:Trunks:1:Name"] = "sim";
        settings["Carriers:Trunks:1:Kind"] = "sim";
        // The parent rings on the simulated network; the dialed party is reached through the SIP trunk.
        settings["Carriers:Routes:0:Prefix"] = "+1415";
        settings["Carriers:Routes:0:Trunks:0"] = "sim";
        settings["Carriers:Routes:1:Prefix"] = routePrefix;
        settings["Carriers:Routes:1:Trunks:0"] = "sipp";
        await StartServerAsync(settings);
        return sipp;
    }

    private string Twiml(string noun) =>
        $"<Response><Dial action=\"{Receiver.Url("action")}\" timeLimit=\"1\">{noun}</Dial></Response>";

    private string Callbacks => $"statusCallback=\"{Receiver.Url("child")}\" statusCallbackEvent=\"initiated ringing answered completed\"";

    [Fact]
    public async Task DialNumber_ThroughSipTrunk_InvitesAndBridgesThenByeAtTimeLimit()
    {
        var sipp = await StartAsync("+1555");
        Receiver.ServeTwiml("action", "<Response><Hangup/></Response>");
        var parent = await Host.CreateCallAsync("+14155550100", Receiver, twiml: Twiml($"<Number {Callbacks}>+15550001234</Number>"));

        var action = await Receiver.WaitForAsync(r => r.Path == "/action", StatusWait, "the action request");
        Assert.Equal("completed", action["DialCallStatus"]);
        Assert.Equal("true", action["DialBridged"]);
        // The child's completed callback and the action request travel separately: wait for both.
        await Receiver.WaitForAsync(r => r.Path == "/child" && r.Get("CallStatus") == "completed", StatusWait, "the child's completed callback");
        var child = Receiver.Received.Where(r => r.Path == "/child").ToList();
        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], child.Select(c => c["CallStatus"]));
        Assert.All(child, c => Assert.Equal(parent.Sid, c["ParentCallSid"]));
        Assert.Equal("200", child[^1]["SipResponseCode"]);
        Assert.Equal("sipp", (await StoredCallAsync(child[0]["CallSid"])).Carrier);
        await Receiver.WaitForStatusAsync(parent.Sid, "completed", StatusWait);
        await SippFarEnd.AssertPassedAsync(sipp);
    }

    [Theory]
    [InlineData("secret", "completed", "200")]
    [InlineData("wrong", "failed", "403")]
    public async Task DialSip_UsernameAndPassword_AnswerTheFarEndsDigestChallenge(string password, string dialStatus, string sipCode)
    {
        // The trunk has no credentials of its own: the <Sip> noun's are the ones sipp's 401 gets.
        var sipp = await StartAsync("sip:", "uas-auth.xml");
        Receiver.ServeTwiml("action", "<Response><Hangup/></Response>");
        await Host.CreateCallAsync("+14155550100", Receiver,
            twiml: Twiml($"<Sip {Callbacks} username=\"alice\" password=\"{password}\">sip:bob@{sipp.Address}</Sip>"));

        var action = await Receiver.WaitForAsync(r => r.Path == "/action", StatusWait, "the action request");
        Assert.Equal(dialStatus, action["DialCallStatus"]);
        Assert.Equal(sipCode, action["DialSipResponseCode"]);
        if (dialStatus == "completed")
        {
            await SippFarEnd.AssertPassedAsync(sipp);
            Assert.Contains("Authorization: Digest username=\"alice\"", sipp.Messages(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DialSip_ThroughSipTrunk_ReportsTheRealCallIdAndResponseCode()
    {
        var sipp = await StartAsync("sip:");
        Receiver.ServeTwiml("action", "<Response><Hangup/></Response>");
        await Host.CreateCallAsync("+14155550100", Receiver, twiml: Twiml($"<Sip {Callbacks}>sip:bob@{sipp.Address}</Sip>"));

        var action = await Receiver.WaitForAsync(r => r.Path == "/action", StatusWait, "the action request");
        Assert.Equal("completed", action["DialCallStatus"]);
        Assert.Equal("200", action["DialSipResponseCode"]);
        Assert.DoesNotContain("@switchboard", action["DialSipCallId"], StringComparison.Ordinal);
        await SippFarEnd.AssertPassedAsync(sipp);
        // The Call-ID the action reports is the one sipp saw on the INVITE.
        Assert.Contains(action["DialSipCallId"], sipp.Messages(), StringComparison.Ordinal);
    }
}
