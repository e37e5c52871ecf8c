using System.Buffers;
using System.Text.Json;
using Switchboard.Api;
using Switchboard.Calls;
using Switchboard.Insights;

namespace Switchboard.Dashboard;

/// <summary>
/// The dashboard: one static page (HTML, JS, CSS embedded in the server, no build step) and a
/// server-sent stream of the account's calls in flight, pushed as coalesced changes.
/// </summary>
internal static class DashboardEndpoints
{
    // Four pushes a second: smooth to the eye, and with 10,000 calls in flight each push carries at most
    // one row per changed call however many times it changed in between.
    private static readonly TimeSpan PushInterval = TimeSpan.FromMilliseconds(250);

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["app.css"] = "text/css; charset=utf-8",
    };

    public static IEndpointRouteBuilder MapDashboardEndpoints(this IEndpointRouteBuilder app)
    {
        var dashboard = app.MapGroup("/dashboard").AddEndpointFilter<DashboardAuthFilter>();
        dashboard.MapGet("", (HttpContext http) => Page(http));
        dashboard.MapGet("/app.js", () => Asset("app.js"));
        dashboard.MapGet("/app.css", () => Asset("app.css"));
        dashboard.MapGet("/live", LiveAsync);
        return app;
    }

    private static IResult Page(HttpContext http)
    {
        // The account SID goes into the page so its scripts can call the API under the same credentials.
        var html = Read("index.html").Replace("{{AccountSid}}", http.Account().Sid, StringComparison.Ordinal);
        return Results.Text(html, ContentTypes["index.html"]);
    }

    private static IResult Asset(string name) => Results.Text(Read(name), ContentTypes[name]);

    private static string Read(string name)
    {
        using var stream = typeof(DashboardEndpoints).Assembly.GetManifestResourceStream($"Switchboard.Dashboard.Assets.{name}")
            ?? throw new InvalidOperationException($"The dashboard asset {name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// <c>snapshot</c> (every call in flight) on connect, then every 250 ms <c>changes</c> (the latest
    /// state of each call that changed, final ones included so the page drops them), or <c>tick</c>
    /// with the server's time when nothing changed.
    /// </summary>
    private static async Task LiveAsync(HttpContext http, LiveCallView view, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        var account = http.Account().Sid;
        // The stream never ends by itself: stop it when the server stops, not after its shutdown timeout.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var aborted = stop.Token;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        // The push pace is a property of the screen, not of call time: real time even when calls run on a test clock.
        using var timer = new PeriodicTimer(PushInterval, TimeProvider.System);
        using var watching = view.Watch();
        try
        {
            var (version, calls) = view.Snapshot(account);
            await SendAsync(response, buffer, "snapshot", time, calls, aborted);
            while (await timer.WaitForNextTickAsync(aborted))
            {
                var (next, changed) = view.ChangesSince(account, version);
                if (changed is null)
                {
                    (next, calls) = view.Snapshot(account);
                    await SendAsync(response, buffer, "snapshot", time, calls, aborted);
                }
                else
                {
                    await SendAsync(response, buffer, changed.Count > 0 ? "changes" : "tick", time, changed, aborted);
                }
                version = next;
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        catch (IOException) when (aborted.IsCancellationRequested)
        {
        }
    }

    private static async Task SendAsync(HttpResponse response, ArrayBufferWriter<byte> buffer, string name, TimeProvider time,
        List<Call> calls, CancellationToken cancellationToken)
    {
        buffer.ResetWrittenCount();
        buffer.Write(System.Text.Encoding.ASCII.GetBytes($"event: {name}\ndata: "));
        using (var json = new Utf8JsonWriter(buffer, JsonResult.Options))
        {
            json.WriteStartObject();
            json.WriteNumber("now", time.GetUtcNow().ToUnixTimeMilliseconds());
            json.WriteStartArray("calls");
            foreach (var call in calls)
            {
                InsightsJson.WriteLiveCall(json, call);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        }
        buffer.Write("\n\n"u8);
        await response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
