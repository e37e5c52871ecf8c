using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Calls;
using Switchboard.Carriers;
using Switchboard.Carriers.Sip;
using Switchboard.Carriers.Trunking;
using Switchboard.Storage;
using Switchboard.Testing;
using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Carriers;

/// <summary>
/// Trunk calls end to end: sipp plays the PBX behind a source trunk and calls our SIP endpoint; the call
/// is routed and bridged to a second sipp or to the simulated network. Real time, as the other sipp tests.
/// </summary>
public sealed class TrunkCallTests : CarrierTestBase
{
    private const string Dialed = "+15550001234";

    private readonly TaskCompletionSource<Call> _recorded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int SipPort => Host.Services.GetRequiredService<SipEndpointProvider>().Endpoint.LocalEndPoint.Port;

    private string OurAddress => $"127.0.0.1:{SipPort}";

    /// <summary>A source trunk <c>pbx</c> accepting <paramref name="acceptFrom"/>, and a route for +1 to <paramref name="termination"/>.</summary>
    private async Task StartAsync(Dictionary<string, string?> termination, string acceptFrom = "127.0.0.1", bool withCredentials = false)
    {
        var settings = new Dictionary<string, string?>(termination)
        {
            ["Carriers:Trunks:0:AcceptUsername"] = withCredentials ? "alice" : null,
            ["Carriers:Trunks:0:AcceptPassword"] = withCredentials ? "secret" : null,
            ["Carriers:Trunks:0:Name"] = "pbx",
            ["Carriers:Trunks:0:Kind"] = "sip",
            ["Carriers:Trunks:0:AcceptFrom:0"] = acceptFrom,
            ["Carriers:Sip:ListenAddress"] = "127.0.0.1",
            ["Carriers:Sip:ListenPort"] = "0",
            ["Carriers:Routes:0:Prefix"] = "+1",
            ["Carriers:Routes:0:Trunks:0"] = "carrier",
        };
        await StartServerAsync(settings);
        // The store writer tells when the trunk call's one row is durable: no polling.
        Host.Services.GetRequiredService<StoreWriter>().OnCommitted(batch =>
        {
            if (batch.Select(w => w.Call).FirstOrDefault(c => c?.TrunkSid is not null) is { } call)
            {
                _recorded.TrySetResult(call);
            }
        });
    }

    private static Dictionary<string, string?> SippTermination(SippProcess uas) => new()
    {
        ["Carriers:Trunks:1:Name"] = "carrier",
        ["Carriers:Trunks:1:Kind"] = "sip",
        ["Carriers:Trunks:1:Address"] = uas.Address,
    };

    private static Dictionary<string, string?> SimulatedTermination() => new()
    {
        ["Carriers:Trunks:1:Name"] = "carrier",
        ["Carriers:Trunks:1:Kind"] = "sim",
    };

    private SippProcess Caller(string scenario, int holdMilliseconds = 0, string dialed = Dialed) =>
        Own(SippProcess.StartUac(SippFarEnd.Scenario(scenario), OurAddress, dialed, holdMilliseconds));

    /// <summary>The caller scenario that expects <paramref name="code"/> as the final answer to its INVITE.</summary>
    private SippProcess RejectedCaller(int code, string dialed = Dialed)
    {
        var template = File.ReadAllText(SippFarEnd.Scenario("uac-trunk-reject.tmpl.xml"));
        var path = Path.Combine(Path.GetTempPath(), $"uac-trunk-reject-{code}-{Guid.NewGuid():N}.xml");
        File.WriteAllText(path, template.Replace("REJECT_CODE", code.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        return Own(SippProcess.StartUac(path, OurAddress, dialed));
    }

    private async Task<Call> RecordedAsync()
    {
        try
        {
            return await _recorded.Task.WaitAsync(StatusWait);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No trunk call was recorded within {StatusWait.TotalSeconds} s.");
        }
    }

    /// <summary>The list the API returns, and proof that nothing was sent or queued for the call.</summary>
    private async Task<CallResource> ListedWithoutCallbacksAsync(Call recorded)
    {
        var listed = Assert.Single(await CallResource.ReadAsync(client: Host.Client));
        Assert.Equal(recorded.Sid.Value, listed.Sid);
        var store = Host.Services.GetRequiredService<ICallStore>();
        Assert.Empty(await store.ListCallbacksAsync(recorded.Sid, CancellationToken.None));
        Assert.Empty(await store.ListEventsAsync(recorded.Sid, 0, 10, CancellationToken.None));
        Assert.Empty(Receiver.Received);
        return listed;
    }

    private static void AssertTrunkCall(CallResource listed, string status, int? minDuration = null)
    {
        Assert.Equal(status, listed.Status.ToString());
        Assert.Equal("trunking-terminating", listed.Direction);
        Assert.Equal(SourceTrunks.SidFor("pbx"), listed.TrunkSid);
        Assert.Equal(Dialed, listed.To);
        Assert.Equal("+14155559999", listed.From);
        Assert.Equal(SwitchboardHost.DefaultAccountSid, listed.AccountSid);
        Assert.NotNull(listed.StartTime);
        Assert.NotNull(listed.EndTime);
        if (minDuration is { } seconds)
        {
            Assert.InRange(int.Parse(listed.Duration, CultureInfo.InvariantCulture), seconds, seconds + 5);
        }
        else
        {
            Assert.Equal("0", listed.Duration);
        }
    }

    [Fact]
    public async Task TrunkCall_ToSippThatAnswers_BridgesBothDialogsAndIsListedOnlyOnceCompleted()
    {
        SippFarEnd.RequireSipp();
        var callee = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-answer.xml"), variables: new Dictionary<string, string> { ["ring_ms"] = "300" }));
        await StartAsync(SippTermination(callee));
        var caller = Caller("uac-trunk-call.xml", holdMilliseconds: 2000);

        // While the leg is up the call is not in the log (Twilio shows trunk calls once they are over).
        var trunk = Host.Services.GetRequiredService<CarrierRouter>().Trunks.Single(t => t.Name == "carrier");
        await WaitUntilAsync(() => trunk.Limiter.Active == 1, "the leg to the callee");
        Assert.Empty(await CallResource.ReadAsync(client: Host.Client));

        await SippFarEnd.AssertPassedAsync(caller);
        await SippFarEnd.AssertPassedAsync(callee);
        var recorded = await RecordedAsync();
        var listed = await ListedWithoutCallbacksAsync(recorded);
        AssertTrunkCall(listed, "completed", minDuration: 2);
        Assert.Equal(200, recorded.State.SipResponseCode);
        Assert.Equal("carrier", recorded.Carrier);
        // The record carries the caller's Call-ID; the callee saw the caller's SDP offer, passed through.
        Assert.Contains("Call-ID: " + recorded.SipCallId, caller.Messages(), StringComparison.Ordinal);
        Assert.Contains("o=pbx 53655765", callee.Messages(), StringComparison.Ordinal);
        Assert.Equal(listed.Sid, (await CallResource.FetchAsync(listed.Sid, client: Host.Client)).Sid);
    }

    [Fact]
    public async Task TrunkCall_CalleeEarlyMedia_183WithTheCalleesSdpReachesTheCaller()
    {
        SippFarEnd.RequireSipp();
        var callee = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-early-media.xml"), variables: new Dictionary<string, string> { ["ring_ms"] = "300" }));
        await StartAsync(SippTermination(callee));
        var caller = Caller("uac-trunk-call.xml", holdMilliseconds: 300);

        await SippFarEnd.AssertPassedAsync(caller);
        await SippFarEnd.AssertPassedAsync(callee);
        // The 183 the caller got carries the callee's SDP (its o= line; sipp's media port varies), not ours.
        var messages = caller.Messages();
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(messages,
            @"SIP/2\.0 183 Session Progress(?:(?!SIP/2\.0 \d).)*o=callee 2890844527", System.Text.RegularExpressions.RegexOptions.Singleline), messages);
        Assert.DoesNotContain("m=audio 10000", messages, StringComparison.Ordinal);
        AssertTrunkCall(await ListedWithoutCallbacksAsync(await RecordedAsync()), "completed", minDuration: 0);
    }

    [Fact]
    public async Task TrunkCall_ToSippThatIsBusy_RelaysTheBusyAndRecordsBusy()
    {
        SippFarEnd.RequireSipp();
        var callee = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-busy.xml"), variables: new Dictionary<string, string> { ["ring_ms"] = "200" }));
        await StartAsync(SippTermination(callee));
        var caller = RejectedCaller(486);

        await SippFarEnd.AssertPassedAsync(caller);
        await SippFarEnd.AssertPassedAsync(callee);
        var recorded = await RecordedAsync();
        AssertTrunkCall(await ListedWithoutCallbacksAsync(recorded), "busy");
        Assert.Equal(486, recorded.State.SipResponseCode);
        Assert.Contains("SIP/2.0 180 Ringing", caller.Messages(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrunkCall_SippCalleeHangsUp_ByeReachesTheCallerAndRecordsCompleted()
    {
        SippFarEnd.RequireSipp();
        var callee = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-callee-hangup.xml"),
            variables: new Dictionary<string, string> { ["ring_ms"] = "200", ["talk_ms"] = "1200" }));
        await StartAsync(SippTermination(callee));
        var caller = Caller("uac-trunk-callee-hangup.xml");

        await SippFarEnd.AssertPassedAsync(caller);
        await SippFarEnd.AssertPassedAsync(callee);
        var recorded = await RecordedAsync();
        AssertTrunkCall(await ListedWithoutCallbacksAsync(recorded), "completed", minDuration: 1);
    }

    [Fact]
    public async Task TrunkCall_CallerCancelsWhileRinging_CancelsTheLegAndRecordsCanceled()
    {
        SippFarEnd.RequireSipp();
        var callee = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-no-answer.xml")));
        await StartAsync(SippTermination(callee));
        var caller = Caller("uac-trunk-cancel.xml", holdMilliseconds: 500);

        await SippFarEnd.AssertPassedAsync(caller);
        // The callee saw our CANCEL and ended its INVITE with 487.
        await SippFarEnd.AssertPassedAsync(callee);
        Assert.Contains("CANCEL sip:", callee.Messages(), StringComparison.Ordinal);
        var recorded = await RecordedAsync();
        AssertTrunkCall(await ListedWithoutCallbacksAsync(recorded), "canceled");
        Assert.Equal(487, recorded.State.SipResponseCode);
    }

    [Fact]
    public async Task TrunkCall_UnansweredForTheRingTimeout_CancelsTheLegAnswersTheCaller408AndRecordsNoAnswer()
    {
        SippFarEnd.RequireSipp();
        // The callee rings until it is canceled; the caller never gives up by itself.
        var callee = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-no-answer.xml")));
        var termination = SippTermination(callee);
        termination["Carriers:TrunkCallRingTimeout"] = "00:00:01";
        await StartAsync(termination);
        var caller = RejectedCaller(408);

        await SippFarEnd.AssertPassedAsync(caller);
        await SippFarEnd.AssertPassedAsync(callee);
        Assert.Contains("CANCEL sip:", callee.Messages(), StringComparison.Ordinal);
        var recorded = await RecordedAsync();
        AssertTrunkCall(await ListedWithoutCallbacksAsync(recorded), "no-answer");
        Assert.Equal(408, recorded.State.SipResponseCode);
        Assert.Contains("SIP/2.0 180 Ringing", caller.Messages(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrunkCall_ToTheSimulatedNetwork_AnsweredThenCallerHangsUp()
    {
        SippFarEnd.RequireSipp();
        await StartAsync(SimulatedTermination());
        // +1415555 0100: rings 1 s, then answers.
        var caller = Caller("uac-trunk-call.xml", holdMilliseconds: 1000, dialed: "+14155550100");

        await SippFarEnd.AssertPassedAsync(caller);
        var recorded = await RecordedAsync();
        var listed = await ListedWithoutCallbacksAsync(recorded);
        Assert.Equal(("completed", "+14155550100"), (listed.Status.ToString(), listed.To));
        Assert.Equal("trunking-terminating", listed.Direction);
        Assert.InRange(int.Parse(listed.Duration, CultureInfo.InvariantCulture), 1, 6);
        // Without an SDP from the simulated network, the caller gets the endpoint's own answer.
        Assert.Matches(new System.Text.RegularExpressions.Regex(
            @"SIP/2\.0 200 OK(?:(?!SIP/2\.0 \d).)*CSeq: 1 INVITE(?:(?!SIP/2\.0 \d).)*m=audio 10000", System.Text.RegularExpressions.RegexOptions.Singleline), caller.Messages());
    }

    /// <summary>Starts with the simulated network behind a 1-CPS trunk; the queue fills with every trunk call recorded.</summary>
    private async Task<System.Collections.Concurrent.ConcurrentQueue<Call>> StartOneCpsAsync()
    {
        var termination = SimulatedTermination();
        termination["Carriers:Trunks:1:CallsPerSecond"] = "1";
        await StartAsync(termination);
        var recorded = new System.Collections.Concurrent.ConcurrentQueue<Call>();
        Host.Services.GetRequiredService<StoreWriter>().OnCommitted(batch =>
        {
            foreach (var call in batch.Select(w => w.Call).Where(c => c?.TrunkSid is not null))
            {
                recorded.Enqueue(call!);
            }
        });
        return recorded;
    }

    [Fact]
    public async Task TrunkCall_TwoAtOnceThroughAOneCpsTrunk_TheSecondLegWaitsForItsSlot()
    {
        SippFarEnd.RequireSipp();
        var recorded = await StartOneCpsAsync();
        // +1415555 0100: rings 1 s, then answers; each caller hangs up half a second later.
        var first = Caller("uac-trunk-call.xml", holdMilliseconds: 500, dialed: "+14155550100");
        var second = Caller("uac-trunk-call.xml", holdMilliseconds: 500, dialed: "+14155550100");

        await SippFarEnd.AssertPassedAsync(first);
        await SippFarEnd.AssertPassedAsync(second);
        await WaitUntilAsync(() => recorded.Count == 2, "both trunk calls recorded");
        var calls = recorded.OrderBy(c => c.DateCreated).ToList();
        Assert.Equal(2, calls.Count);
        Assert.All(calls, c => Assert.Equal(CallStatus.Completed, c.Status));

        // Each leg went out at its INVITE's arrival plus its queue time; at 1 CPS, a second apart at least.
        var placed = calls.Select(c => c.DateCreated + TimeSpan.FromMilliseconds(c.QueueTime)).ToList();
        Assert.True(placed[1] - placed[0] >= TimeSpan.FromMilliseconds(990), $"legs placed {(placed[1] - placed[0]).TotalMilliseconds} ms apart");
        Assert.Equal(0, calls[0].QueueTime);
        if (calls[1].DateCreated - calls[0].DateCreated < TimeSpan.FromMilliseconds(990))
        {
            // The INVITEs came closer together than the limit allows: the second waited, and says so (queue_time).
            Assert.InRange(calls[1].QueueTime, 1, 1000);
        }
        var listed = await CallResource.ReadAsync(client: Host.Client);
        Assert.Contains(listed, c => c.Sid == calls[1].Sid.Value && c.QueueTime == calls[1].QueueTime.ToString(CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task TrunkCall_CallerCancelsWhileItsLegWaitsForTheTrunksSlot_CanceledWithoutALeg()
    {
        SippFarEnd.RequireSipp();
        var recorded = await StartOneCpsAsync();
        // The first call takes this second's slot; the second caller gives up 300 ms later, before its own.
        var first = Caller("uac-trunk-call.xml", holdMilliseconds: 1500, dialed: "+14155550100");
        var limiter = Host.Services.GetRequiredService<CarrierRouter>().Trunks.Single(t => t.Name == "carrier").Limiter;
        await WaitUntilAsync(() => limiter.Active == 1, "the first call's leg");
        var second = Caller("uac-trunk-cancel-queued.xml", holdMilliseconds: 300, dialed: "+14155550100");

        await SippFarEnd.AssertPassedAsync(second);
        // The canceled call never got a leg: the one line in use is the first call's.
        Assert.Equal(1, limiter.Active);
        await SippFarEnd.AssertPassedAsync(first);
        await WaitUntilAsync(() => recorded.Count == 2, "both trunk calls recorded");
        var canceled = Assert.Single(recorded, c => c.Status == CallStatus.Canceled);
        Assert.Equal(487, canceled.State.SipResponseCode);
        Assert.Null(canceled.Carrier);
        // It waited until the CANCEL (300 ms after the 100 Trying), not the whole second its slot was away.
        Assert.InRange(canceled.QueueTime, 200, 990);
        Assert.Single(recorded, c => c.Status == CallStatus.Completed);
    }

    [Fact]
    public async Task TrunkCall_WhileUp_IsOnTheLiveDashboard_AndLeavesItWhenItEnds()
    {
        SippFarEnd.RequireSipp();
        await StartAsync(SimulatedTermination());
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(StatusWait);
        using var response = await Host.Http.GetAsync("/dashboard/live", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        using var live = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        // +1415555 0100: rings 1 s, then answers; the caller hangs up 2 s after the answer.
        var caller = Caller("uac-trunk-call.xml", holdMilliseconds: 2000, dialed: "+14155550100");

        // The stream's pushes (snapshot, changes) name the call while it is up, before it is stored.
        var up = await NextLiveAsync(live, c => c.GetProperty("direction").GetString() == "trunking-terminating"
            && c.GetProperty("status").GetString() == "in-progress", cancel.Token);
        var sid = up.GetProperty("sid").GetString();
        Assert.Empty(await CallResource.ReadAsync(client: Host.Client));
        var ended = await NextLiveAsync(live, c => c.GetProperty("sid").GetString() == sid && c.GetProperty("status").GetString() != "in-progress",
            cancel.Token);
        Assert.Equal("completed", ended.GetProperty("status").GetString());

        await SippFarEnd.AssertPassedAsync(caller);
        Assert.Equal(sid, (await RecordedAsync()).Sid.Value);
    }

    /// <summary>Reads the dashboard's event stream until a pushed call matches.</summary>
    private static async Task<System.Text.Json.JsonElement> NextLiveAsync(StreamReader live, Func<System.Text.Json.JsonElement, bool> match,
        CancellationToken cancellationToken)
    {
        while (await live.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }
            var calls = System.Text.Json.JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("calls");
            foreach (var call in calls.EnumerateArray())
            {
                if (match(call))
                {
                    return call.Clone();
                }
            }
        }
        throw new EndOfStreamException("The dashboard's stream ended.");
    }

    [Fact]
    public async Task TrunkCall_ToSimulatedBusyNumber_486ToTheCallerAndRecordsBusy()
    {
        SippFarEnd.RequireSipp();
        await StartAsync(SimulatedTermination());
        var caller = RejectedCaller(486, dialed: "+14155550101");

        await SippFarEnd.AssertPassedAsync(caller);
        var recorded = await RecordedAsync();
        var listed = await ListedWithoutCallbacksAsync(recorded);
        Assert.Equal(("busy", "0"), (listed.Status.ToString(), listed.Duration));
        Assert.Equal(486, recorded.State.SipResponseCode);
    }

    [Fact]
    public async Task TrunkCall_FirstTrunkUnavailable_FailsOverToTheNextTrunkOfTheRoute()
    {
        SippFarEnd.RequireSipp();
        var unavailable = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-unavailable.xml"), variables: new Dictionary<string, string> { ["delay_ms"] = "50" }));
        var termination = SippTermination(unavailable);
        termination["Carriers:Trunks:2:Name"] = "backup";
        termination["Carriers:Trunks:2:Kind"] = "sim";
        termination["Carriers:Routes:0:Trunks:1"] = "backup";
        await StartAsync(termination);
        var caller = Caller("uac-trunk-call.xml", holdMilliseconds: 500, dialed: "+14155550100");

        await SippFarEnd.AssertPassedAsync(caller);
        await SippFarEnd.AssertPassedAsync(unavailable);
        var recorded = await RecordedAsync();
        Assert.Equal((CallStatus.Completed, "backup"), (recorded.Status, recorded.Carrier));
        Assert.DoesNotContain("SIP/2.0 503", caller.Messages(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TrunkCall_OnlyTrunkUnavailable_503ToTheCallerAndRecordsFailed()
    {
        SippFarEnd.RequireSipp();
        var unavailable = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-unavailable.xml"), variables: new Dictionary<string, string> { ["delay_ms"] = "50" }));
        await StartAsync(SippTermination(unavailable));
        var caller = RejectedCaller(503);

        await SippFarEnd.AssertPassedAsync(caller);
        await SippFarEnd.AssertPassedAsync(unavailable);
        var recorded = await RecordedAsync();
        AssertTrunkCall(await ListedWithoutCallbacksAsync(recorded), "failed");
        Assert.Equal(503, recorded.State.SipResponseCode);
    }

    [Fact]
    public async Task TrunkCall_NoRouteForTheNumber_404AndRecordsFailed()
    {
        SippFarEnd.RequireSipp();
        await StartAsync(SimulatedTermination());
        // The only route is +1: a UK number has none.
        var caller = RejectedCaller(404, dialed: "+442071234567");

        await SippFarEnd.AssertPassedAsync(caller);
        var recorded = await RecordedAsync();
        var listed = await ListedWithoutCallbacksAsync(recorded);
        Assert.Equal(("failed", "+442071234567"), (listed.Status.ToString(), listed.To));
        Assert.Equal(404, recorded.State.SipResponseCode);
    }

    [Fact]
    public async Task TrunkCall_FromAnUnknownAddress_403AndNothingRecorded()
    {
        SippFarEnd.RequireSipp();
        // sipp calls from 127.0.0.1; the trunk only accepts 127.0.0.2.
        await StartAsync(SimulatedTermination(), acceptFrom: "127.0.0.2");
        var caller = RejectedCaller(403, dialed: "+14155550100");

        await SippFarEnd.AssertPassedAsync(caller);
        Assert.Empty(await CallResource.ReadAsync(client: Host.Client));
        Assert.False(_recorded.Task.IsCompleted, "a refused INVITE must not be recorded");
    }

    [Fact]
    public async Task TrunkCall_SourceWithCredentials_ChallengedWith407ThenBridged()
    {
        SippFarEnd.RequireSipp();
        await StartAsync(SimulatedTermination(), withCredentials: true);
        // sipp's own digest code answers our 407 (an independent implementation of RFC 2617).
        var caller = Own(SippProcess.StartUac(SippFarEnd.Scenario("uac-auth.xml"), OurAddress, "+14155550100", holdMilliseconds: 200,
            extraArguments: ["-au", "alice", "-ap", "secret"]));

        await SippFarEnd.AssertPassedAsync(caller);
        Assert.Contains("SIP/2.0 407 Proxy Authentication Required", caller.Messages(), StringComparison.Ordinal);
        var recorded = await RecordedAsync();
        var listed = await ListedWithoutCallbacksAsync(recorded);
        // One call: the challenged INVITE is not recorded.
        Assert.Equal(("completed", "+14155550100"), (listed.Status.ToString(), listed.To));
    }

    [Fact]
    public async Task TrunkCall_SourceWithWrongPassword_ChallengedAgainAndNothingRecorded()
    {
        SippFarEnd.RequireSipp();
        await StartAsync(SimulatedTermination(), withCredentials: true);
        var caller = Own(SippProcess.StartUac(SippFarEnd.Scenario("uac-auth.xml"), OurAddress, "+14155550100",
            extraArguments: ["-au", "alice", "-ap", "wrong"]));

        // The second INVITE, with a wrong digest, is challenged again: sipp's scenario fails (exit 1).
        Assert.Equal(1, await caller.WaitForExitAsync(StatusWait));
        // The 407 to the retried INVITE (CSeq 2): the message runs from its status line to the next message.
        Assert.Matches(new System.Text.RegularExpressions.Regex(
            @"SIP/2\.0 407 Proxy Authentication Required(?:(?!SIP/2\.0 \d|INVITE sip:|ACK sip:).)*CSeq: 2 INVITE",
            System.Text.RegularExpressions.RegexOptions.Singleline), caller.Messages());
        Assert.Empty(await CallResource.ReadAsync(client: Host.Client));
    }

    [Fact]
    public async Task TrunkCall_ServerStopsWhileItRings_503ToTheCallerAndRecordedFailed()
    {
        SippFarEnd.RequireSipp();
        await StartAsync(SimulatedTermination());
        // +1415555 0102 rings until the caller gives up; this caller expects the 503 of the stop instead.
        var caller = RejectedCaller(503, dialed: "+14155550102");
        var trunk = Host.Services.GetRequiredService<CarrierRouter>().Trunks.Single(t => t.Name == "carrier");
        await WaitUntilAsync(() => trunk.Limiter.Active == 1, "the leg to the simulated network");

        // A graceful stop ends the call rather than leaving the PBX with an INVITE that nothing serves.
        await Host.StopAsync();
        await SippFarEnd.AssertPassedAsync(caller);
        var recorded = await RecordedAsync();
        Assert.Equal((CallStatus.Failed, 503), (recorded.Status, recorded.State.SipResponseCode));
        Assert.Equal(0, trunk.Limiter.Active);
        await using var restarted = await SwitchboardHost.StartAsync(fakeClock: false, databasePath: Host.DatabasePath);
        var listed = Assert.Single(await CallResource.ReadAsync(client: restarted.Client));
        Assert.Equal(("failed", "trunking-terminating", recorded.Sid.Value), (listed.Status.ToString(), listed.Direction, listed.Sid));
    }

    [Fact]
    public async Task TrunkCall_ServerStopsAfterTheAnswer_ByeToBothSidesAndRecordedCompleted()
    {
        SippFarEnd.RequireSipp();
        var callee = Own(SippProcess.StartUas(SippFarEnd.Scenario("uas-answer.xml")));
        await StartAsync(SippTermination(callee));
        // This caller talks until it gets a BYE.
        var caller = Caller("uac-trunk-callee-hangup.xml");
        var bridge = Host.Services.GetRequiredService<TrunkCallBridge>();
        await WaitUntilAsync(() => bridge.Live.SingleOrDefault()?.CallerState == Switchboard.Sip.UserAgents.IncomingSipCallState.Confirmed,
            "the caller's ACK");

        await Host.StopAsync();
        // Both got a BYE and answered it.
        await SippFarEnd.AssertPassedAsync(caller);
        await SippFarEnd.AssertPassedAsync(callee);
        var recorded = await RecordedAsync();
        Assert.Equal((CallStatus.Completed, 200), (recorded.Status, recorded.State.SipResponseCode));
        Assert.NotNull(recorded.State.AnswerTime);
        Assert.Empty(bridge.Live);
        await using var restarted = await SwitchboardHost.StartAsync(fakeClock: false, databasePath: Host.DatabasePath);
        var listed = Assert.Single(await CallResource.ReadAsync(client: restarted.Client));
        Assert.Equal(("completed", recorded.Sid.Value), (listed.Status.ToString(), listed.Sid));
    }

    [Fact]
    public void SourceTrunkSid_DerivedFromTheName_IsStableAndTwilioShaped()
    {
        var sid = SourceTrunks.SidFor("pbx");
        Assert.Equal(sid, SourceTrunks.SidFor("pbx"));
        Assert.NotEqual(sid, SourceTrunks.SidFor("pbx2"));
        Assert.Matches("^TK[0-9a-f]{32}$", sid);
    }

    [Theory]
    [InlineData("+15550001234", "+15550001234")]
    [InlineData("15550001234", "+15550001234")]
    [InlineData("+1-555-000-1234", "+15550001234")]
    [InlineData("alice", null)]
    [InlineData("", null)]
    public void RequestUriUser_NormalisedToE164(string user, string? expected) =>
        Assert.Equal(expected, TrunkCallBridge.NumberFrom(user));

    /// <summary>A state read from another thread: checked in a bounded loop (backstop only, no fixed sleep).</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + StatusWait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {StatusWait.TotalSeconds} s for {what}.");
            }
            await Task.Delay(20);
        }
    }
}
