using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.Tests.Callbacks;

/// <summary>Status-callback delivery against a real receiver that misbehaves on purpose, on a fake clock.</summary>
public sealed class CallbackDeliveryTests : IAsyncLifetime
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

    private List<ReceivedWebhook> At(string path) => _receiver.Received.Where(r => r.Path == path).ToList();

    [Fact]
    public async Task Retry_ReceiverAnswers500_RetriesWithGrowingDelaysAndSameIdempotencyToken()
    {
        var arrivals = new List<DateTimeOffset>();
        _receiver.Respond("flaky", r =>
        {
            lock (arrivals)
            {
                arrivals.Add(_host.Clock!.GetUtcNow());
                return (arrivals.Count <= 3 ? 500 : 200, null);
            }
        });
        var call = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["completed"],
            statusCallback: new Uri(_receiver.Url("flaky")));

        await _host.AdvanceUntilAsync(() => At("/flaky").Count >= 4, 30, "four attempts", step: 0.1);

        var attempts = At("/flaky");
        Assert.Equal(4, attempts.Count);
        Assert.Single(attempts.Select(a => a.Headers["I-Twilio-Idempotency-Token"]).Distinct());
        Assert.All(attempts, a => Assert.True(a.SignatureValid));
        Assert.All(attempts, a => Assert.Equal("0", a["SequenceNumber"]));
        // Backoff: 1 s, 2 s, 4 s, each ±20 %, seen through 0.1 s clock steps.
        var gaps = arrivals.Zip(arrivals.Skip(1), (a, b) => (b - a).TotalSeconds).ToList();
        Assert.InRange(gaps[0], 0.75, 1.45);
        Assert.InRange(gaps[1], 1.55, 2.65);
        Assert.InRange(gaps[2], 3.15, 5.0);

        // Every attempt is in the call's Events with its response code (the last one is written just after it is answered).
        List<int> codes = [];
        for (var i = 0; i < 100 && codes.Count < 4; i++)
        {
            var events = JsonDocument.Parse(await _host.Http.GetStringAsync($"/2010-04-01/Accounts/{_host.AccountSid}/Calls/{call.Sid}/Events.json"));
            codes = events.RootElement.GetProperty("events").EnumerateArray()
                .Where(e => e.GetProperty("request").GetProperty("url").GetString()!.EndsWith("/flaky", StringComparison.Ordinal))
                .Select(e => e.GetProperty("response").GetProperty("response_code").GetInt32()).ToList();
            await Task.Delay(codes.Count < 4 ? 20 : 0);
        }
        Assert.Equal([500, 500, 500, 200], codes);
        // Each attempt shows the callback's parameters (stored once, on its outbox row, not with every attempt).
        var listed = JsonDocument.Parse(await _host.Http.GetStringAsync($"/2010-04-01/Accounts/{_host.AccountSid}/Calls/{call.Sid}/Events.json"))
            .RootElement.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("request").GetProperty("url").GetString()!.EndsWith("/flaky", StringComparison.Ordinal))
            .Select(e => e.GetProperty("request").GetProperty("parameters")).ToList();
        Assert.Equal(4, listed.Count);
        Assert.All(listed, p =>
        {
            Assert.Equal(call.Sid, p.GetProperty("call_sid").GetString());
            Assert.Equal("0", p.GetProperty("sequence_number").GetString());
            Assert.Equal("completed", p.GetProperty("call_status").GetString());
        });
    }

    [Fact]
    public async Task Retry_FragmentRcZero_GivesUpAfterOneAttemptWithWarning15003()
    {
        _receiver.Respond("down", _ => (503, null));
        var call = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["completed"],
            statusCallback: new Uri(_receiver.Url("down") + "#rc=0"));
        await _host.AdvanceUntilAsync(() => At("/down").Count >= 1, 10, "the first attempt");
        // No retry, however long we wait.
        for (var i = 0; i < 30; i++)
        {
            _host.Advance(2);
        }
        var notifications = await WaitForNotificationAsync(call.Sid, "15003");
        Assert.Single(At("/down"));
        Assert.Contains("15003", notifications);
    }

    [Fact]
    public async Task Overrides_ReadTimeoutFromFragment_AbortsASlowReceiverAndCountsAsFailure()
    {
        var slowReply = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.RespondAsync("slow-read", _ => slowReply.Task);
        var call = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["completed"],
            statusCallback: new Uri(_receiver.Url("slow-read") + "#rt=300&rc=0"));
        await _host.AdvanceUntilAsync(() => At("/slow-read").Count >= 1, 10, "the first attempt");
        // The receiver never answers; the 300 ms read timeout (real time: it bounds socket I/O) gives up.
        var notifications = await WaitForNotificationAsync(call.Sid, "11205");
        Assert.Contains("Read timeout", notifications, StringComparison.Ordinal);
        Assert.Single(At("/slow-read"));
        slowReply.SetResult((200, null));
    }

    [Fact]
    public async Task Retry_4xx_IsNotRetriedUnlessThePolicySaysSo()
    {
        _receiver.Respond("gone", _ => (404, null));
        _receiver.Respond("gone-retried", _ => (404, null));
        await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["completed"],
            statusCallback: new Uri(_receiver.Url("gone")));
        await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["completed"],
            statusCallback: new Uri(_receiver.Url("gone-retried") + "#rp=4xx&rc=2"));

        await _host.AdvanceUntilAsync(() => At("/gone-retried").Count >= 3, 30, "three attempts with #rp=4xx&rc=2", step: 0.5);
        for (var i = 0; i < 10; i++)
        {
            _host.Advance(10);
        }
        await Task.Delay(300);
        Assert.Single(At("/gone"));
        Assert.Equal(3, At("/gone-retried").Count);
    }

    [Fact]
    public async Task Order_EarlierCallbackRetried_LaterOnesWaitAndArriveInSequence()
    {
        var failures = 0;
        _receiver.Respond("ordered", r => r["SequenceNumber"] == "0" && Interlocked.Increment(ref failures) <= 2 ? (500, null) : (200, null));
        var call = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>",
            statusCallback: new Uri(_receiver.Url("ordered")));

        await _host.AdvanceUntilAsync(() => At("/ordered").Any(r => r["CallStatus"] == "completed"), 60, "the completed callback", step: 0.25);

        var seen = At("/ordered").Select(r => int.Parse(r["SequenceNumber"], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([0, 0, 0, 1, 2, 3], seen);
    }

    [Fact]
    public async Task Order_CallbacksWaitingForOneWorker_GoOutCallByCall()
    {
        await using var host = await SwitchboardHost.StartAsync(settings: new Dictionary<string, string?> { ["Callbacks:MaxConcurrencyPerHost"] = "1" });
        await using var receiver = await WebhookReceiver.StartAsync(host.AuthToken);
        var release = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.RespondAsync("held", _ => release.Task);
        // The host's only worker waits on this call's callback while two other calls run to their end.
        var held = await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["initiated"],
            statusCallback: new Uri(receiver.Url("held")));
        await receiver.WaitForStatusAsync(held.Sid, "initiated");
        var first = await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", statusCallback: new Uri(receiver.Url("queued")));
        var second = await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", statusCallback: new Uri(receiver.Url("queued")));
        await host.AdvanceUntilAsync(() => new[] { first.Sid, second.Sid }.All(sid =>
            Twilio.Rest.Api.V2010.Account.CallResource.Fetch(sid, client: host.Client).Status == Twilio.Rest.Api.V2010.Account.CallResource.StatusEnum.Completed),
            10, "both calls completed", step: 0.5);

        release.SetResult((200, null));
        await receiver.WaitForAsync(_ => receiver.Received.Count(r => r.Path == "/queued") == 8, what: "the eight queued callbacks");

        // Once the worker is free, each call's callbacks follow each other: it goes on with a call's next callback
        // rather than queueing it behind the other call.
        var order = receiver.Received.Where(r => r.Path == "/queued").Select(r => (r["CallSid"], r["SequenceNumber"])).ToList();
        Assert.Equal([(first.Sid, "0"), (first.Sid, "1"), (first.Sid, "2"), (first.Sid, "3"),
            (second.Sid, "0"), (second.Sid, "1"), (second.Sid, "2"), (second.Sid, "3")], order);
    }

    [Fact]
    public async Task Isolation_SlowReceiverOfOneCall_DoesNotDelayAnotherCall()
    {
        var release = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.RespondAsync("slow", _ => release.Task);
        var slow = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", statusCallback: new Uri(_receiver.Url("slow")));
        var fast = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", statusCallback: new Uri(_receiver.Url("fast")));

        await _receiver.WaitForStatusAsync(slow.Sid, "initiated");
        await _receiver.WaitForStatusAsync(fast.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(fast.Sid, "completed");

        // The slow call's first callback is still being answered: nothing later of it went out.
        Assert.Single(_receiver.StatusCallbacks(slow.Sid));
        release.SetResult((200, null));
        var completed = await _receiver.WaitForStatusAsync(slow.Sid, "completed");
        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], _receiver.StatusCallbacks(slow.Sid).Select(c => c["CallStatus"]));
        Assert.Equal("3", completed["SequenceNumber"]);
    }

    [Fact]
    public async Task TimeLimit_AnsweredCallPastItsLimit_Completes()
    {
        var call = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Pause length=\"600\"/></Response>", timeLimit: 5);
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(call.Sid, "in-progress");
        _host.Advance(4);
        await Task.Delay(200);
        Assert.Null(_receiver.StatusCallbacks(call.Sid).FirstOrDefault(c => c["CallStatus"] == "completed"));
        _host.Advance(1);
        var completed = await _receiver.WaitForStatusAsync(call.Sid, "completed");
        Assert.Equal("5", completed["CallDuration"]);
    }

    private async Task<string> WaitForNotificationAsync(string callSid, string code)
    {
        var path = $"/2010-04-01/Accounts/{_host.AccountSid}/Calls/{callSid}/Notifications.json";
        for (var i = 0; i < 100; i++)
        {
            var body = await _host.Http.GetStringAsync(path);
            if (body.Contains($"\"error_code\":\"{code}\"", StringComparison.Ordinal))
            {
                return body;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"No notification {code} for {callSid}");
    }
}
