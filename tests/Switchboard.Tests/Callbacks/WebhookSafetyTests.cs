using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Testing;

namespace Switchboard.Tests.Callbacks;

/// <summary>Network policy, response-size, redirect and time limits of webhook requests, against real endpoints.</summary>
public sealed class WebhookSafetyTests
{
    [Fact]
    public async Task Policy_MetadataAddress_RefusedWithoutConnectingAndNotified()
    {
        await using var host = await SwitchboardHost.StartAsync();
        var call = await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["initiated"],
            statusCallback: new Uri("http://169.254.169.254/latest/meta-data/"));

        var notifications = await WaitForNotificationsAsync(host, call.Sid, "11205");
        Assert.Contains("not an allowed network", notifications, StringComparison.Ordinal);
        var attempt = Assert.Single(await EventsToAsync(host, call.Sid, "169.254.169.254"));
        var response = attempt.GetProperty("response");
        Assert.Equal(JsonValueKind.Null, response.GetProperty("response_code").ValueKind);
        Assert.Contains("not an allowed network", response.GetProperty("error").GetString(), StringComparison.Ordinal);
        // Refused before any socket: a connect to that address from here would take the 5 s connect timeout.
        Assert.True(response.GetProperty("request_duration").GetInt64() < 1000, response.ToString());
        var callbacks = await GetAsync(host, $"/2010-04-01/Accounts/{host.AccountSid}/Calls/{call.Sid}/Callbacks.json");
        var entry = Assert.Single(callbacks.GetProperty("callbacks").EnumerateArray());
        Assert.Equal("dead-lettered", entry.GetProperty("state").GetString());
        Assert.Equal(1, entry.GetProperty("attempts").GetInt32());
    }

    [Fact]
    public async Task Policy_DeniedNetworksAddsLoopback_LoopbackReceiverNeverContacted()
    {
        await using var host = await SwitchboardHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Callbacks:DeniedNetworks:0"] = "127.0.0.0/8",
        });
        await using var receiver = await WebhookReceiver.StartAsync(host.AuthToken);
        var call = await host.CreateCallAsync("+14155550100", receiver, twiml: "<Response><Hangup/></Response>", events: ["initiated"]);

        await WaitForNotificationsAsync(host, call.Sid, "11205");
        Assert.Empty(receiver.Received);
        Assert.Single(await EventsToAsync(host, call.Sid, "/status"));
        // The default entries stay: configuration adds to the list.
        var policy = host.Services.GetRequiredService<Switchboard.Callbacks.WebhookClient>().Policy;
        Assert.False(policy.Permits(System.Net.IPAddress.Parse("169.254.169.254")));
        Assert.False(policy.Permits(System.Net.IPAddress.Loopback));
        Assert.True(policy.Permits(System.Net.IPAddress.Parse("10.1.2.3")));
    }

    [Fact]
    public async Task TwimlFetch_BodyOver64KiB_FailsWith11750()
    {
        await using var host = await SwitchboardHost.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(host.AuthToken);
        receiver.ServeTwiml("big", "<Response><Say>" + new string('a', 70 * 1024) + "</Say></Response>");
        var call = await host.CreateCallAsync("+14155550100", receiver, url: new Uri(receiver.Url("big")), events: ["completed"]);

        var notifications = await AdvanceUntilNotifiedAsync(host, call.Sid, "11750");
        Assert.Contains("65536", notifications, StringComparison.Ordinal);
        Assert.Single(receiver.Received, r => r.Path == "/big");
    }

    [Fact]
    public async Task StatusCallback_2xxWithBodyOver64KiB_IsDelivered()
    {
        await using var host = await SwitchboardHost.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(host.AuthToken);
        // A receiver that answers with a page of its own: only the status of a callback's answer counts.
        receiver.Respond("page", _ => (200, new string('x', 100 * 1024)));
        var call = await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["completed"],
            statusCallback: new Uri(receiver.Url("page")));

        JsonElement entry = default;
        for (var i = 0; i < 400 && entry.ValueKind == JsonValueKind.Undefined; i++)
        {
            var callbacks = await GetAsync(host, $"/2010-04-01/Accounts/{host.AccountSid}/Calls/{call.Sid}/Callbacks.json");
            entry = callbacks.GetProperty("callbacks").EnumerateArray().FirstOrDefault(c => c.GetProperty("state").GetString() != "pending");
            host.Advance(0.5);
            await Task.Delay(25);
        }
        Assert.Equal("delivered", entry.GetProperty("state").GetString());
        Assert.Equal(1, entry.GetProperty("attempts").GetInt32());
        Assert.Single(receiver.Received, r => r.Path == "/page");
        var response = Assert.Single(await EventsToAsync(host, call.Sid, "/page")).GetProperty("response");
        Assert.Equal(200, response.GetProperty("response_code").GetInt32());
        Assert.Equal(JsonValueKind.Null, response.GetProperty("error").ValueKind);
    }

    [Fact]
    public async Task TwimlFetch_MoreThanTenRedirects_FailsWith11215()
    {
        await using var host = await SwitchboardHost.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(host.AuthToken);
        await using var redirects = await RedirectLoop.StartAsync();
        var call = await host.CreateCallAsync("+14155550100", receiver, url: new Uri(redirects.BaseUri, "/r/0"), events: ["completed"]);

        await AdvanceUntilNotifiedAsync(host, call.Sid, "11215");
        // The first request and ten redirects followed, then given up.
        Assert.Equal(11, redirects.Requests);
    }

    [Fact]
    public async Task TwimlFetch_TenRedirects_AreFollowed()
    {
        await using var host = await SwitchboardHost.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(host.AuthToken);
        await using var redirects = await RedirectLoop.StartAsync(stopAt: 10);
        var call = await host.CreateCallAsync("+14155550100", receiver, url: new Uri(redirects.BaseUri, "/r/0"), events: ["completed"]);

        await host.AdvanceUntilAsync(() => receiver.StatusCallbacks(call.Sid).Any(c => c["CallStatus"] == "completed"), 10, "the completed callback");
        Assert.Equal(11, redirects.Requests);
        var notifications = await GetAsync(host, $"/2010-04-01/Accounts/{host.AccountSid}/Calls/{call.Sid}/Notifications.json");
        Assert.Empty(notifications.GetProperty("notifications").EnumerateArray());
    }

    [Fact]
    public async Task StatusCallback_ReadAndTotalTimeouts_RecordedAsSuch()
    {
        await using var host = await SwitchboardHost.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(host.AuthToken);
        var never = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.RespondAsync("silent", _ => never.Task);
        var read = await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["initiated"],
            statusCallback: new Uri(receiver.Url("silent") + "#rt=200&rc=0"));
        var total = await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["initiated"],
            statusCallback: new Uri(receiver.Url("silent") + "#rt=10000&tt=300&rc=0"));

        await WaitForNotificationsAsync(host, read.Sid, "11205");
        await WaitForNotificationsAsync(host, total.Sid, "11205");
        var readError = Assert.Single(await EventsToAsync(host, read.Sid, "/silent")).GetProperty("response").GetProperty("error").GetString();
        var totalError = Assert.Single(await EventsToAsync(host, total.Sid, "/silent")).GetProperty("response").GetProperty("error").GetString();
        never.SetResult((200, null));
        Assert.StartsWith("Read timeout", readError, StringComparison.Ordinal);
        Assert.StartsWith("Total timeout", totalError, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> GetAsync(SwitchboardHost host, string path) =>
        JsonDocument.Parse(await host.Http.GetStringAsync(path)).RootElement;

    private static async Task<List<JsonElement>> EventsToAsync(SwitchboardHost host, string callSid, string urlPart) =>
        (await GetAsync(host, $"/2010-04-01/Accounts/{host.AccountSid}/Calls/{callSid}/Events.json")).GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("request").GetProperty("url").GetString()!.Contains(urlPart, StringComparison.Ordinal)).ToList();

    private static async Task<string> WaitForNotificationsAsync(SwitchboardHost host, string callSid, string code)
    {
        var path = $"/2010-04-01/Accounts/{host.AccountSid}/Calls/{callSid}/Notifications.json";
        var body = "";
        for (var i = 0; i < 200; i++)
        {
            body = await host.Http.GetStringAsync(path);
            if (body.Contains($"\"error_code\":\"{code}\"", StringComparison.Ordinal))
            {
                return body;
            }
            await Task.Delay(25);
        }
        throw new TimeoutException($"No notification {code} for {callSid}: {body}");
    }

    private static async Task<string> AdvanceUntilNotifiedAsync(SwitchboardHost host, string callSid, string code)
    {
        var path = $"/2010-04-01/Accounts/{host.AccountSid}/Calls/{callSid}/Notifications.json";
        var body = "";
        for (var i = 0; i < 100; i++)
        {
            body = await host.Http.GetStringAsync(path);
            if (body.Contains($"\"error_code\":\"{code}\"", StringComparison.Ordinal))
            {
                return body;
            }
            host.Advance(0.5);
            await Task.Delay(25);
        }
        throw new TimeoutException($"No notification {code} for {callSid}: {body}");
    }

    /// <summary>A real endpoint whose <c>/r/{n}</c> redirects to <c>/r/{n+1}</c>, up to <c>stopAt</c> where it serves TwiML.</summary>
    private sealed class RedirectLoop : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private RedirectLoop(WebApplication app) => _app = app;

        public Uri BaseUri { get; private set; } = null!;

        public int Requests => Volatile.Read(ref _requests);

        public static async Task<RedirectLoop> StartAsync(int stopAt = int.MaxValue)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var loop = new RedirectLoop(app);
            app.Map("/r/{n:int}", (int n) =>
            {
                Interlocked.Increment(ref loop._requests);
                return n >= stopAt
                    ? Results.Text("<Response><Hangup/></Response>", "text/xml")
                    : Results.Redirect($"/r/{n + 1}");
            });
            await app.StartAsync();
            loop.BaseUri = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
            return loop;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
