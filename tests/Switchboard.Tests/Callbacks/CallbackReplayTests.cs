using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Switchboard.Testing;

namespace Switchboard.Tests.Callbacks;

/// <summary>Dead-lettering at the end of the retry window, the Callbacks list, and replay, on a fake clock with a real receiver.</summary>
public sealed class CallbackReplayTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);

    private SwitchboardHost _host = null!;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await SwitchboardHost.StartAsync(settings: new Dictionary<string, string?> { ["Callbacks:RetryWindow"] = "00:01:00" });
        _receiver = await WebhookReceiver.StartAsync(_host.AuthToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    private List<ReceivedWebhook> At(string path) => _receiver.Received.Where(r => r.Path == path).ToList();

    private string Account => $"/2010-04-01/Accounts/{_host.AccountSid}";

    private async Task<JsonElement> GetAsync(string path) => JsonDocument.Parse(await _host.Http.GetStringAsync(path)).RootElement;

    private async Task<JsonElement> PostAsync(string path, Dictionary<string, string>? form = null)
    {
        using var response = await _host.Http.PostAsync(path, new FormUrlEncodedContent(form ?? []));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<List<JsonElement>> DeadLetteredAsync(string query = "") =>
        (await GetAsync($"{Account}/Callbacks.json?State=dead-lettered{query}")).GetProperty("callbacks").EnumerateArray().ToList();

    [Fact]
    public async Task DeadLetter_EndOfRetryWindow_IsListedThenReplayDeliversWithSameToken()
    {
        var down = true;
        var arrivals = new List<DateTimeOffset>();
        _receiver.Respond("down", _ =>
        {
            lock (arrivals)
            {
                arrivals.Add(_host.Clock!.GetUtcNow());
            }
            return (Volatile.Read(ref down) ? 503 : 200, null);
        });
        var call = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["completed"],
            statusCallback: new Uri(_receiver.Url("down")));
        // The receiver lists a request before this handler runs: wait for the handler's own record.
        await _host.AdvanceUntilAsync(() => { lock (arrivals) { return arrivals.Count >= 1; } }, 10, "the first attempt");
        var created = arrivals[0];

        var deadLettered = new List<JsonElement>();
        for (var i = 0; i < 150 && deadLettered.Count == 0; i++)
        {
            _host.Advance(1);
            await Task.Delay(20);
            deadLettered = await DeadLetteredAsync();
        }
        Assert.Single(deadLettered);

        // Backoff 1, 2, 4, 8, 16 s (±20 %): the last attempt is the last whose successor would fall past the 60 s window.
        var attempts = At("/down");
        Assert.InRange(attempts.Count, 5, 7);
        Assert.True(arrivals[^1] - created <= TimeSpan.FromSeconds(60), $"last attempt {arrivals[^1] - created} after the first");
        var entry = deadLettered[0];
        Assert.Equal(call.Sid, entry.GetProperty("call_sid").GetString());
        Assert.Equal("dead-lettered", entry.GetProperty("state").GetString());
        Assert.Equal("completed", entry.GetProperty("call_status").GetString());
        Assert.Equal(attempts.Count, entry.GetProperty("attempts").GetInt32());
        Assert.Equal("HTTP 503", entry.GetProperty("last_error").GetString());
        var token = attempts[0].Headers["I-Twilio-Idempotency-Token"];
        Assert.Equal(token, entry.GetProperty("idempotency_token").GetString());

        // Dead means dead: ten more minutes bring no attempt.
        for (var i = 0; i < 10; i++)
        {
            _host.Advance(60);
        }
        await Task.Delay(200);
        Assert.Equal(attempts.Count, At("/down").Count);

        Volatile.Write(ref down, false);
        var sequence = entry.GetProperty("sequence_number").GetInt32();
        var replayed = await PostAsync($"{Account}/Calls/{call.Sid}/Callbacks/{sequence}/Replay.json");
        Assert.Equal("pending", replayed.GetProperty("state").GetString());
        var delivered = await _receiver.WaitForAsync(r => r.Path == "/down" && _receiver.Received.Count(x => x.Path == "/down") > attempts.Count,
            what: "the replayed callback");
        var replay = At("/down")[^1];
        Assert.Equal(token, replay.Headers["I-Twilio-Idempotency-Token"]);
        Assert.True(replay.SignatureValid);
        Assert.Equal("completed", replay["CallStatus"]);

        var listed = await WaitForStateAsync(call.Sid, sequence, "delivered");
        Assert.Equal(attempts.Count + 1, listed.GetProperty("attempts").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, listed.GetProperty("date_replayed").ValueKind);
        Assert.Empty(await DeadLetteredAsync());

        // The replay is one more attempt in the call's Events.
        var events = (await GetAsync($"{Account}/Calls/{call.Sid}/Events.json")).GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("request").GetProperty("url").GetString()!.EndsWith("/down", StringComparison.Ordinal))
            .Select(e => e.GetProperty("response").GetProperty("response_code").GetInt32()).ToList();
        Assert.Equal(Enumerable.Repeat(503, attempts.Count).Append(200), events);
    }

    [Fact]
    public async Task ReplayRange_DeadLetteredInTimeRange_RedeliversOnlyThose()
    {
        var down = true;
        _receiver.Respond("range", _ => (Volatile.Read(ref down) ? 500 : 200, null));
        var early = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["completed"],
            statusCallback: new Uri(_receiver.Url("range") + "#rc=0"));
        await _host.AdvanceUntilAsync(() => At("/range").Any(r => r.Get("CallSid") == early.Sid), 10, "the early call's callback");
        await WaitForDeadLetteredAsync(early.Sid);
        _host.Advance(7200);
        var late = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["completed"],
            statusCallback: new Uri(_receiver.Url("range") + "#rc=0"));
        await _host.AdvanceUntilAsync(() => At("/range").Any(r => r.Get("CallSid") == late.Sid), 10, "the late call's callback");
        await WaitForDeadLetteredAsync(late.Sid);

        var after = Start.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var listed = await DeadLetteredAsync($"&DateCreatedAfter={after}");
        Assert.Equal([late.Sid], listed.Select(e => e.GetProperty("call_sid").GetString()));

        Volatile.Write(ref down, false);
        var outcome = await PostAsync($"{Account}/Callbacks/Replay.json", new() { ["DateCreatedAfter"] = after });
        Assert.Equal(1, outcome.GetProperty("replayed").GetInt32());
        await _receiver.WaitForAsync(r => r.Path == "/range" && r.Get("CallSid") == late.Sid && At("/range").Count(x => x.Get("CallSid") == late.Sid) == 2,
            what: "the late call's replay");
        await WaitForStateAsync(late.Sid, 0, "delivered");
        Assert.Equal([early.Sid], (await DeadLetteredAsync()).Select(e => e.GetProperty("call_sid").GetString()));

        // Only dead-lettered callbacks are replayed by range.
        using var refused = await _host.Http.PostAsync($"{Account}/Callbacks/Replay.json",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["State"] = "delivered" }));
        Assert.Equal(400, (int)refused.StatusCode);
    }

    [Fact]
    public async Task ReplayCall_AllCallbacks_RedeliveredInOrderWithTheirTokens()
    {
        var call = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Hangup/></Response>");
        await _receiver.WaitForStatusAsync(call.Sid, "initiated");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(call.Sid, "completed");
        await WaitForStateAsync(call.Sid, 3, "delivered");
        var first = _receiver.StatusCallbacks(call.Sid).ToList();
        Assert.Equal(4, first.Count);

        using var replayedMetric = new MetricCollector<long>(_host.Services.GetRequiredService<IMeterFactory>(), "Switchboard", "switchboard.callback.replayed");
        var outcome = await PostAsync($"{Account}/Calls/{call.Sid}/Callbacks/Replay.json");
        Assert.Equal(4, outcome.GetProperty("replayed").GetInt32());
        Assert.Equal(4, replayedMetric.GetMeasurementSnapshot().EvaluateAsCounter());
        await _receiver.WaitForAsync(_ => _receiver.StatusCallbacks(call.Sid).Count == 8, what: "four replayed callbacks");
        var again = _receiver.StatusCallbacks(call.Sid).Skip(4).ToList();
        Assert.Equal(["0", "1", "2", "3"], again.Select(r => r["SequenceNumber"]));
        Assert.Equal(first.Select(r => r.Headers["I-Twilio-Idempotency-Token"]), again.Select(r => r.Headers["I-Twilio-Idempotency-Token"]));
        Assert.All(again, r => Assert.True(r.SignatureValid));
        var list = (await GetAsync($"{Account}/Calls/{call.Sid}/Callbacks.json")).GetProperty("callbacks").EnumerateArray().ToList();
        Assert.Equal(4, list.Count);
    }

    [Fact]
    public async Task Replay_CallbackInFlight_IsNotDuplicated()
    {
        var release = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.RespondAsync("held", _ => release.Task);
        var call = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["initiated", "completed"],
            statusCallback: new Uri(_receiver.Url("held")));
        await _receiver.WaitForAsync(r => r.Path == "/held", what: "the held callback");

        var outcome = await PostAsync($"{Account}/Calls/{call.Sid}/Callbacks/Replay.json");
        Assert.Equal(0, outcome.GetProperty("replayed").GetInt32());
        Assert.True(outcome.GetProperty("already_pending").GetInt32() >= 1);
        var one = await PostAsync($"{Account}/Calls/{call.Sid}/Callbacks/0/Replay.json");
        Assert.Equal("pending", one.GetProperty("state").GetString());

        release.SetResult((200, null));
        await _host.AdvanceUntilAsync(() => At("/held").Count >= 2, 10, "the completed callback");
        await WaitForStateAsync(call.Sid, 1, "delivered");
        var seen = At("/held").Select(r => r["SequenceNumber"]).ToList();
        Assert.Equal(["0", "1"], seen);
    }

    [Fact]
    public async Task Callbacks_UnknownCallOrSequence_Answer404()
    {
        using var unknownCall = await _host.Http.GetAsync($"{Account}/Calls/CA00000000000000000000000000000000/Callbacks.json");
        Assert.Equal(404, (int)unknownCall.StatusCode);
        var call = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Hangup/></Response>", events: ["initiated"]);
        using var unknownSequence = await _host.Http.PostAsync($"{Account}/Calls/{call.Sid}/Callbacks/42/Replay.json", new FormUrlEncodedContent([]));
        Assert.Equal(404, (int)unknownSequence.StatusCode);
        Assert.Contains("20404", await unknownSequence.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task WaitForDeadLetteredAsync(string callSid)
    {
        for (var i = 0; i < 200; i++)
        {
            if ((await DeadLetteredAsync()).Any(e => e.GetProperty("call_sid").GetString() == callSid))
            {
                return;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"{callSid} was not dead-lettered");
    }

    private async Task<JsonElement> WaitForStateAsync(string callSid, int sequenceNumber, string state)
    {
        JsonElement last = default;
        for (var i = 0; i < 200; i++)
        {
            last = await GetAsync($"{Account}/Calls/{callSid}/Callbacks/{sequenceNumber}.json");
            if (last.GetProperty("state").GetString() == state)
            {
                return last;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"{callSid}#{sequenceNumber} not {state}: {last}");
    }
}
