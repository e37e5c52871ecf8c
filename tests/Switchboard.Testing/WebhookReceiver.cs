using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Twilio.Security;

namespace Switchboard.Testing;

/// <summary>One webhook request as the receiver saw it.</summary>
public sealed record ReceivedWebhook(
    string Method,
    string Path,
    string Url,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, string> Headers,
    bool SignatureValid,
    DateTimeOffset ReceivedAt)
{
    public string this[string name] => Parameters[name];

    public string? Get(string name) => Parameters.TryGetValue(name, out var v) ? v : null;
}

/// <summary>
/// A real HTTP endpoint on loopback standing in for a customer's application: it records every request,
/// validates <c>X-Twilio-Signature</c> with the SDK's <see cref="RequestValidator"/>, serves TwiML per
/// path and answers with a scripted status.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RequestValidator _validator;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, Func<ReceivedWebhook, Task<(int Status, string? Body)>>> _responses = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _arrived = new(0);

    private WebhookReceiver(WebApplication app, string authToken)
    {
        _app = app;
        _validator = new RequestValidator(authToken);
    }

    public Uri BaseUri { get; private set; } = null!;

    public IReadOnlyCollection<ReceivedWebhook> Received => _received;

    public static async Task<WebhookReceiver> StartAsync(string authToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, authToken);
        app.Map("/{**path}", receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        receiver.BaseUri = new Uri(address);
        return receiver;
    }

    public string Url(string path) => new Uri(BaseUri, path).ToString();

    /// <summary>Serves <paramref name="twiml"/> at <paramref name="path"/> as text/xml.</summary>
    public void ServeTwiml(string path, string twiml) => Respond(path, _ => (200, twiml));

    /// <summary>Answers requests to <paramref name="path"/> as <paramref name="respond"/> says.</summary>
    public void Respond(string path, Func<ReceivedWebhook, (int Status, string? Body)> respond) =>
        _responses["/" + path.TrimStart('/')] = r => Task.FromResult(respond(r));

    /// <summary>Answers requests to <paramref name="path"/> when <paramref name="respond"/> completes (a slow endpoint).</summary>
    public void RespondAsync(string path, Func<ReceivedWebhook, Task<(int Status, string? Body)>> respond) =>
        _responses["/" + path.TrimStart('/')] = respond;

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.HasFormContentType)
        {
            foreach (var (key, value) in await request.ReadFormAsync())
            {
                parameters[key] = value.ToString();
            }
        }
        var url = $"{request.Scheme}://{request.Host}{request.Path}{request.QueryString}";
        var signature = request.Headers["X-Twilio-Signature"].ToString();
        var valid = _validator.Validate(url, parameters, signature);
        if (request.Method == "GET")
        {
            foreach (var (key, value) in request.Query)
            {
                parameters.TryAdd(key, value.ToString());
            }
        }
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var received = new ReceivedWebhook(request.Method, request.Path, url, parameters, headers, valid, DateTimeOffset.UtcNow);
        _received.Enqueue(received);
        _arrived.Release();

        var (status, body) = _responses.TryGetValue(request.Path.Value ?? "", out var respond) ? await respond(received) : (200, null);
        http.Response.StatusCode = status;
        if (body is not null)
        {
            http.Response.ContentType = "text/xml";
            await http.Response.WriteAsync(body);
        }
    }

    /// <summary>Waits until a request matching <paramref name="match"/> arrived; fails after <paramref name="timeout"/>.</summary>
    public async Task<ReceivedWebhook> WaitForAsync(Func<ReceivedWebhook, bool> match, TimeSpan? timeout = null, string? what = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            if (_received.FirstOrDefault(match) is { } found)
            {
                return found;
            }
            try
            {
                await _arrived.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No webhook matched {what ?? "the condition"}; received: " +
                    string.Join(" | ", _received.Select(r => $"{r.Method} {r.Path} {r.Get("CallStatus")} #{r.Get("SequenceNumber")}")));
            }
        }
    }

    /// <summary>Waits for the status callback of <paramref name="callSid"/> with <paramref name="callStatus"/>.</summary>
    public Task<ReceivedWebhook> WaitForStatusAsync(string callSid, string callStatus, TimeSpan? timeout = null) =>
        WaitForAsync(r => r.Get("CallSid") == callSid && r.Get("CallStatus") == callStatus && r.Get("CallbackSource") is not null,
            timeout, $"{callSid} {callStatus}");

    /// <summary>The status callbacks received for <paramref name="callSid"/>, in arrival order.</summary>
    public IReadOnlyList<ReceivedWebhook> StatusCallbacks(string callSid) =>
        _received.Where(r => r.Get("CallSid") == callSid && r.Get("CallbackSource") is not null).ToList();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
