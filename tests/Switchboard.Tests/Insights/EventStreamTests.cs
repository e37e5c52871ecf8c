using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Storage;
using Switchboard.Testing;

namespace Switchboard.Tests.Insights;

/// <summary>The status event stream over a real connection: order, resume after a disconnect, auth.</summary>
public sealed class EventStreamTests : IAsyncLifetime
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

    private string StreamPath => $"/2010-04-01/Accounts/{_host.AccountSid}/Calls/Events/Stream";

    private async Task<IReadOnlyList<StatusEventRecord>> StoredEventsAsync() =>
        await _host.Services.GetRequiredService<ICallStore>().ListStatusEventsAsync(
            new StatusEventQuery { AccountSid = _host.AccountSid, Limit = 10_000 }, CancellationToken.None);

    [Fact]
    public async Task Stream_DisconnectMidStreamAndResume_NoGapNoDuplicate()
    {
        var seen = new List<SseEvent>();
        var first = await SseReader.OpenAsync(_host.Http, StreamPath);
        var answered = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Pause length=\"3\"/></Response>");
        var busy = await _host.CreateCallAsync("+14155550101", _receiver);
        // queued, initiated, ringing of each call at 12:00:00; read four of the six and drop the connection.
        for (var i = 0; i < 4; i++)
        {
            seen.Add(await first.NextAsync(what: $"event {i + 1} of the first connection"));
        }
        await first.DisposeAsync();

        // While disconnected: the rest of both calls happens.
        await _receiver.WaitForStatusAsync(answered.Sid, "ringing");
        await _receiver.WaitForStatusAsync(busy.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(answered.Sid, "in-progress");
        await _receiver.WaitForStatusAsync(busy.Sid, "busy");
        _host.Advance(3);
        await _receiver.WaitForStatusAsync(answered.Sid, "completed");

        await using var second = await SseReader.OpenAsync(_host.Http, StreamPath, lastEventId: seen[^1].Id);
        var stored = await StoredEventsAsync();
        Assert.Equal(9, stored.Count);
        while (seen.Count < stored.Count)
        {
            seen.Add(await second.NextAsync(what: $"replayed event {seen.Count + 1} of {stored.Count}"));
        }

        // Then live: a new call's events arrive on the same connection, right after the replay.
        var third = await _host.CreateCallAsync("+14155550102", _receiver);
        for (var i = 0; i < 3; i++)
        {
            seen.Add(await second.NextAsync(what: $"live event {i + 1} of the third call"));
        }

        stored = await StoredEventsAsync();
        Assert.Equal(stored.Select(e => e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), seen.Select(e => e.Id));
        Assert.Equal(seen.Count, seen.Select(e => e.Id).Distinct().Count());
        Assert.All(seen, e => Assert.Equal("status", e.Event));
        Assert.Equal(stored.Select(e => (e.CallSid.Value, e.Status.ToString())),
            seen.Select(e => (e.Json.GetProperty("call_sid").GetString()!, ParseStatus(e.Json.GetProperty("status").GetString()!))));
        Assert.Equal(
            ["queued", "initiated", "ringing", "in-progress", "completed"],
            seen.Where(e => e.Json.GetProperty("call_sid").GetString() == answered.Sid).Select(e => e.Json.GetProperty("status").GetString()));
        var completed = seen.Single(e => e.Json.GetProperty("call_sid").GetString() == answered.Sid && e.Json.GetProperty("status").GetString() == "completed").Json;
        Assert.Equal("in-progress", completed.GetProperty("previous_status").GetString());
        Assert.Equal("2026-07-01T12:00:04.000Z", completed.GetProperty("timestamp").GetString());
        Assert.Equal("twiml-hangup", completed.GetProperty("cause").GetString());
        Assert.Equal("+14155550100", completed.GetProperty("to").GetString());
        Assert.Equal("simulated", completed.GetProperty("carrier").GetString());
        Assert.Equal(third.Sid, seen[^1].Json.GetProperty("call_sid").GetString());
    }

    [Fact]
    public async Task Stream_LastEventIdAsQueryParameter_ReplaysAfterIt()
    {
        var call = await _host.CreateCallAsync("+14155550102", _receiver);
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        var stored = await StoredEventsAsync();
        Assert.Equal(3, stored.Count);

        await using var reader = await SseReader.OpenAsync(_host.Http, StreamPath + "?LastEventId=" + stored[0].Id);
        Assert.Equal(stored[1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), (await reader.NextAsync()).Id);
        Assert.Equal(stored[2].Id.ToString(System.Globalization.CultureInfo.InvariantCulture), (await reader.NextAsync()).Id);
    }

    [Fact]
    public async Task Stream_WrongCredentialsOrAccountOrPosition_IsRefused()
    {
        using var anonymous = new HttpClient { BaseAddress = _host.BaseUri };
        using var unauthorized = await anonymous.GetAsync(StreamPath, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("Basic", unauthorized.Headers.WwwAuthenticate.Single().Scheme);

        using var other = await _host.Http.GetAsync("/2010-04-01/Accounts/AC00000000000000000000000000000000/Calls/Events/Stream",
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);

        var request = new HttpRequestMessage(HttpMethod.Get, StreamPath);
        request.Headers.Add("Last-Event-ID", "not-a-number");
        using var bad = await _host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task CallFetch_StillRoutesBesideTheStream()
    {
        var call = await _host.CreateCallAsync("+14155550102", _receiver);
        using var fetched = await _host.Http.GetAsync($"/2010-04-01/Accounts/{_host.AccountSid}/Calls/{call.Sid}.json",
            TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }, fetched.Content.Headers.ContentType);
    }

    private static string ParseStatus(string wire) =>
        Switchboard.Calls.CallStatusNames.TryParse(wire, out var status) ? status.ToString() : wire;
}
