using Switchboard.Testing;
using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Carriers;

/// <summary>
/// SIP trunk behaviours beyond the compliance suite, each against a real sipp scenario on 127.0.0.1:
/// decline, failover, digest challenges, early media, the callee's BYE and the API hang-up.
/// </summary>
public sealed class SipCarrierSippTests : CarrierTestBase
{
    private const string To = "+14155550123";

    private async Task<SippProcess> StartAsync(string scenario, Dictionary<string, string>? variables = null, string? username = null, string? password = null)
    {
        SippFarEnd.RequireSipp();
        var sipp = Own(SippProcess.StartUas(SippFarEnd.Scenario(scenario), variables: variables));
        await StartServerAsync(SippFarEnd.Trunk(0, "sipp", sipp.Address, username, password));
        return sipp;
    }

    [Fact]
    public async Task Decline_RingsThen603_NoAnswerWith603()
    {
        var sipp = await StartAsync("uas-decline.xml");
        var call = await Host.CreateCallAsync(To, Receiver);

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "no-answer");
        Assert.Equal("603", callbacks[^1]["SipResponseCode"]);
        await SippFarEnd.AssertPassedAsync(sipp);
    }

    [Fact]
    public async Task Unavailable_FirstTrunk503_FailsOverToSecondTrunkAndCompletes()
    {
        SippFarEnd.RequireSipp();
        var first = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-unavailable.xml")));
        var second = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-answer.xml"), variables: new Dictionary<string, string> { ["ring_ms"] = "300" }));
        var settings = SippFarEnd.FailoverRoute("+1", "primary", first.Address, "backup", second.Address);
        await StartServerAsync(settings);

        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Pause length=\"1\"/></Response>");
        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        await SippFarEnd.AssertPassedAsync(first);
        await SippFarEnd.AssertPassedAsync(second);
        Assert.Equal("backup", (await StoredCallAsync(call.Sid)).Carrier);
    }

    [Fact]
    public async Task NoResponse_TimerBOnFirstTrunk_FailsOverToSecondTrunk()
    {
        SippFarEnd.RequireSipp();
        var silent = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-no-response.xml"), variables: new Dictionary<string, string> { ["quiet_ms"] = "8000" }));
        var second = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-answer.xml"), variables: new Dictionary<string, string> { ["ring_ms"] = "300" }));
        var settings = SippFarEnd.FailoverRoute("", "silent", silent.Address, "backup", second.Address);
        // T1 = 50 ms: Timer B (64*T1) fires after 3.2 s.
        settings["Carriers:Sip:T1"] = "00:00:00.050";
        await StartServerAsync(settings);

        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Pause length=\"1\"/></Response>");
        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        await SippFarEnd.AssertPassedAsync(second);
        Assert.Equal("backup", (await StoredCallAsync(call.Sid)).Carrier);
    }

    [Fact]
    public async Task NoResponse_OnlyTrunk_FailedWith408()
    {
        SippFarEnd.RequireSipp();
        var silent = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-no-response.xml"), variables: new Dictionary<string, string> { ["quiet_ms"] = "6000" }));
        var settings = SippFarEnd.Trunk(0, "silent", silent.Address);
        settings["Carriers:Sip:T1"] = "00:00:00.050";
        await StartServerAsync(settings);

        var call = await Host.CreateCallAsync(To, Receiver);
        // No response at all is a failure (reference: Timer B → failed 408), unlike a 408 the far end sends.
        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "failed");
        Assert.Equal("408", callbacks[^1]["SipResponseCode"]);
    }

    [Fact]
    public async Task DigestChallenge401_GoodCredentials_CompletesWith200()
    {
        var sipp = await StartAsync("uas-auth.xml", username: "alice", password: "secret");
        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Pause length=\"1\"/></Response>");

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        await SippFarEnd.AssertPassedAsync(sipp);
        Assert.Contains("Authorization: Digest", sipp.Messages(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DigestChallenge401_WrongPassword_FailedWith403()
    {
        await StartAsync("uas-auth.xml", username: "alice", password: "wrong");
        var call = await Host.CreateCallAsync(To, Receiver);

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "failed");
        Assert.Equal("403", callbacks[^1]["SipResponseCode"]);
    }

    [Fact]
    public async Task DigestChallenge401_NoCredentials_FailedWith401()
    {
        await StartAsync("uas-auth.xml");
        var call = await Host.CreateCallAsync(To, Receiver);

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "failed");
        Assert.Equal("401", callbacks[^1]["SipResponseCode"]);
    }

    [Fact]
    public async Task DigestChallenge407_GoodCredentials_CompletesWith200()
    {
        var sipp = await StartAsync("uas-proxy-auth.xml", username: "alice", password: "secret");
        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Pause length=\"1\"/></Response>");

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        await SippFarEnd.AssertPassedAsync(sipp);
        Assert.Contains("Proxy-Authorization: Digest", sipp.Messages(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EarlyMedia183_ThenAnswer_RingingThenCompleted()
    {
        var sipp = await StartAsync("uas-early-media.xml", new Dictionary<string, string> { ["ring_ms"] = "500" });
        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Pause length=\"1\"/></Response>");

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        await SippFarEnd.AssertPassedAsync(sipp);
        Assert.Contains("SIP/2.0 183 Session Progress", sipp.Messages(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CalleeHangsUp_ByeFromTrunk_CompletedWith200()
    {
        var sipp = await StartAsync("uas-callee-hangup.xml", new Dictionary<string, string> { ["ring_ms"] = "300", ["talk_ms"] = "1500" });
        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Pause length=\"30\"/></Response>");

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        Assert.InRange(int.Parse(callbacks[^1]["CallDuration"]), 1, 3);
        await SippFarEnd.AssertPassedAsync(sipp);
    }

    [Fact]
    public async Task ApiHangup_WhileInProgress_SendsByeAndCompletes()
    {
        var sipp = await StartAsync("uas-answer.xml", new Dictionary<string, string> { ["ring_ms"] = "300" });
        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Pause length=\"30\"/></Response>");
        await Receiver.WaitForStatusAsync(call.Sid, "in-progress", StatusWait);

        var updated = await CallResource.UpdateAsync(pathSid: call.Sid, status: CallResource.UpdateStatusEnum.Completed, client: Host.Client);
        Assert.Equal(CallResource.StatusEnum.Completed, updated.Status);
        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        await SippFarEnd.AssertPassedAsync(sipp);
        Assert.Contains("BYE sip:", sipp.Messages(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeLimit_Elapses_SendsByeAndCompletes()
    {
        var sipp = await StartAsync("uas-answer.xml", new Dictionary<string, string> { ["ring_ms"] = "300" });
        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Pause length=\"30\"/></Response>", timeLimit: 1);

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        // TimeLimit=1 on the real clock: the BYE leaves one second after the answer (rounded, Twilio's duration).
        Assert.InRange(int.Parse(callbacks[^1]["CallDuration"]), 1, 2);
        await SippFarEnd.AssertPassedAsync(sipp);
        Assert.Contains("BYE sip:", sipp.Messages(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwimlHangup_Answered_SendsByeAndCompletes()
    {
        var sipp = await StartAsync("uas-answer.xml", new Dictionary<string, string> { ["ring_ms"] = "300" });
        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Hangup/></Response>");

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        await SippFarEnd.AssertPassedAsync(sipp);
    }

    [Fact]
    public async Task TcpTrunk_Answered_CompletesOverTcp()
    {
        SippFarEnd.RequireSipp();
        var sipp = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-answer.xml"), variables: new Dictionary<string, string> { ["ring_ms"] = "300" },
            extraArguments: ["-t", "t1"]));
        // Over TCP nothing retransmits the INVITE: wait until sipp listens (a busy machine starts it slowly).
        await WaitUntilListeningAsync(sipp.Port);
        var settings = SippFarEnd.Trunk(0, "sipp", sipp.Address);
        settings["Carriers:Trunks:0:Transport"] = "tcp";
        await StartServerAsync(settings);
        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Pause length=\"1\"/></Response>");

        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        await SippFarEnd.AssertPassedAsync(sipp);
        Assert.Contains("SIP/2.0/TCP", sipp.Messages(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TransportError_FirstTrunkRefusesTcp_FailsOverToSecondTrunk()
    {
        SippFarEnd.RequireSipp();
        var second = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-answer.xml"), variables: new Dictionary<string, string> { ["ring_ms"] = "300" }));
        // Nothing listens on this TCP port: the connection is refused before any response.
        var closedPort = FreeTcpPort();
        var settings = SippFarEnd.FailoverRoute("", "down", $"127.0.0.1:{closedPort}", "backup", second.Address);
        settings["Carriers:Trunks:0:Transport"] = "tcp";
        await StartServerAsync(settings);

        var call = await Host.CreateCallAsync(To, Receiver, twiml: "<Response><Pause length=\"1\"/></Response>");
        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "ringing", "in-progress", "completed");
        Assert.Equal("200", callbacks[^1]["SipResponseCode"]);
        await SippFarEnd.AssertPassedAsync(second);
        Assert.Equal("backup", (await StoredCallAsync(call.Sid)).Carrier);
    }

    [Fact]
    public async Task ApiCancel_BeforeAnyResponse_CanceledAndNothingReportedLater()
    {
        var sipp = await StartAsync("uas-no-response.xml", new Dictionary<string, string> { ["quiet_ms"] = "6000" });
        var call = await Host.CreateCallAsync(To, Receiver, timeout: 30);
        await Receiver.WaitForStatusAsync(call.Sid, "initiated", StatusWait);

        var updated = await CallResource.UpdateAsync(pathSid: call.Sid, status: CallResource.UpdateStatusEnum.Canceled, client: Host.Client);
        Assert.Equal(CallResource.StatusEnum.Canceled, updated.Status);
        var callbacks = await ExpectStatusesAsync(call.Sid, "initiated", "canceled");
        Assert.Equal("487", callbacks[^1]["SipResponseCode"]);
        // The CANCEL waits for a provisional that never comes (RFC 3261 9.1); sipp stays silent until it exits.
        await SippFarEnd.AssertPassedAsync(sipp);
        Assert.Equal(["initiated", "canceled"], Receiver.StatusCallbacks(call.Sid).Select(c => c["CallStatus"]));
        Assert.DoesNotContain("CANCEL sip:", sipp.Messages(), StringComparison.Ordinal);
    }

    private static int FreeTcpPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Waits (bounded) until a TCP socket listens on 127.0.0.1:<paramref name="port"/>, read from /proc/net/tcp without connecting.</summary>
    private static async Task WaitUntilListeningAsync(int port)
    {
        var hex = $":{port:X4} ";
        for (var i = 0; i < 300; i++)
        {
            var lines = await File.ReadAllLinesAsync("/proc/net/tcp");
            // Column 2 is local_address:port, column 4 the state (0A = LISTEN).
            if (lines.Any(l => l.Contains(hex, StringComparison.Ordinal) && l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var local, _, "0A", ..] && local.EndsWith(hex.TrimEnd(), StringComparison.Ordinal)))
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"sipp did not listen on TCP port {port} within 15 s");
    }
}
