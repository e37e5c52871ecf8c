using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Calls.Engine;
using Switchboard.Storage;

namespace Switchboard.Bench;

/// <summary>Kestrel apps started in this process on 127.0.0.1 with an ephemeral port.</summary>
internal static class Kestrel
{
    public static WebApplicationBuilder Builder()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        return builder;
    }

    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
}

/// <summary>The hello-world baseline: answers any POST with 201 and a small JSON, without reading the body.</summary>
internal sealed class HelloWorld : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HelloWorld(WebApplication app, Uri address)
    {
        _app = app;
        Url = new Uri(address, "/hello");
    }

    public Uri Url { get; }

    public static async Task<HelloWorld> StartAsync()
    {
        var app = Kestrel.Builder().Build();
        app.MapPost("/hello", () => Results.Json(new Hello("CA0123456789abcdef0123456789abcdef", "queued"), statusCode: StatusCodes.Status201Created));
        await app.StartAsync();
        return new HelloWorld(app, Kestrel.Address(app));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed record Hello(string Sid, string Status);
}

/// <summary>
/// One request seen by the receiver: which callback, and when it arrived (wall clock, µs since the epoch). The
/// CallSid is kept as its 128-bit number, not as the string read from the form: a record of every arrival that
/// held a reference to each request's string would keep all of them alive, and the server sharing this process
/// would pay for them in its collections (the latency phase measures those pauses).
/// </summary>
internal readonly record struct Arrival(UInt128 CallSid, int SequenceNumber, long ArrivedMicros)
{
    /// <summary>The 32 hex digits after "CA" as a number (-1 when the text is no CallSid).</summary>
    public static UInt128 Key(ReadOnlySpan<char> callSid) =>
        callSid.Length == 34 && UInt128.TryParse(callSid[2..], System.Globalization.NumberStyles.AllowHexSpecifier, null, out var key) ? key : UInt128.MaxValue;
}

/// <summary>
/// The webhook receiver: reads the form, records (CallSid, SequenceNumber, arrival time) and answers 200.
/// The same handler serves the raw-POST baseline and the status callbacks, so both pay the same receiver
/// cost. A gate can hold requests to build a backlog in the dispatcher.
/// </summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Arrival> _arrivals = new();
    private TaskCompletionSource _gate = Open();
    private long _arrived;
    private long _answered;
    private long _lastAnsweredTimestamp;
    private long _received;
    private long _requests;
    private long _failed;

    private Receiver(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;
    /// <summary>Requests answered 200 (the receipts that count).</summary>
    public long Arrived => Interlocked.Read(ref _arrived);
    public long Answered => Interlocked.Read(ref _answered);
    public long LastAnsweredTimestamp => Interlocked.Read(ref _lastAnsweredTimestamp);

    public static async Task<Receiver> StartAsync()
    {
        var app = Kestrel.Builder().Build();
        var receiver = new Receiver(app);
        app.MapPost("/cb", receiver.HandleAsync);
        await app.StartAsync();
        receiver.Url = new Uri(Kestrel.Address(app), "/cb");
        return receiver;
    }

    private async Task HandleAsync(HttpContext http)
    {
        var arrived = DateTimeOffset.UtcNow;
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var sequence = int.TryParse(form["SequenceNumber"], out var n) ? n : -1;
        Interlocked.Increment(ref _received);
        await _gate.Task;
        // Every FailEvery-th request (across all calls) gets a 500, which the dispatcher retries after its backoff.
        if (FailEvery > 0 && Interlocked.Increment(ref _requests) % FailEvery == 0)
        {
            Interlocked.Increment(ref _failed);
            http.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }
        _arrivals.Enqueue(new Arrival(Arrival.Key(form["CallSid"].ToString()), sequence, (arrived - DateTimeOffset.UnixEpoch).Ticks / 10));
        Interlocked.Increment(ref _arrived);
        Interlocked.Increment(ref _answered);
        Interlocked.Exchange(ref _lastAnsweredTimestamp, Stopwatch.GetTimestamp());
        http.Response.StatusCode = StatusCodes.Status200OK;
    }

    /// <summary>Forgets what arrived so far.</summary>
    public void Reset()
    {
        _arrivals.Clear();
        Interlocked.Exchange(ref _arrived, 0);
        Interlocked.Exchange(ref _answered, 0);
        Interlocked.Exchange(ref _received, 0);
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _failed, 0);
    }

    /// <summary>When above 0, every this-many-th request is answered 500 (10 → 10 % of requests fail).</summary>
    public int FailEvery { get; set; }

    /// <summary>Requests received, held ones included.</summary>
    public long Received => Interlocked.Read(ref _received);

    /// <summary>Requests answered 500 on purpose.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public IReadOnlyCollection<Arrival> Arrivals => _arrivals;

    /// <summary>From now on requests are held (not answered) until <see cref="OpenGate"/>.</summary>
    public void CloseGate() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void OpenGate() => _gate.TrySetResult();

    private static TaskCompletionSource Open()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }

    public async ValueTask DisposeAsync()
    {
        OpenGate();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A Switchboard server of its own (own SQLite file) on 127.0.0.1, configured for load.</summary>
internal sealed class SwitchboardServer : IAsyncDisposable
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "0123456789abcdef0123456789abcdef";

    private readonly WebApplication _app;

    private SwitchboardServer(WebApplication app, string databasePath)
    {
        _app = app;
        DatabasePath = databasePath;
        CallsUrl = new Uri(Kestrel.Address(app), $"/2010-04-01/Accounts/{AccountSid}/Calls.json");
    }

    public string DatabasePath { get; }
    public Uri CallsUrl { get; }
    public IServiceProvider Services => _app.Services;
    public int LiveCalls => Services.GetRequiredService<CallEngine>().LiveCalls;

    public static async Task<SwitchboardServer> StartAsync(string? rulesPath, IDictionary<string, string?>? extra = null)
    {
        var databasePath = Path.Combine(Path.GetTempPath(), $"switchboard-bench-{Guid.NewGuid():N}.db");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Switchboard"] = $"Data Source={databasePath}",
            ["TWILIO_ACCOUNT_SID"] = AccountSid,
            ["TWILIO_AUTH_TOKEN"] = AuthToken,
            // The default (1/s, Twilio's account default) would queue nearly every call.
            ["Calls:CallsPerSecond"] = "0",
            ["Simulation:RulesPath"] = rulesPath,
            // The callback-throughput phase holds callbacks at the receiver to build a backlog.
            ["Callbacks:ReadTimeout"] = "00:02:00",
            ["Callbacks:TotalTimeout"] = "00:02:00",
            // Per-call Information logs to the console would be measured instead of the engine.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            // Each retried attempt logs a Warning; in the failing-receiver phase that is thousands of console lines.
            ["Logging:LogLevel:Switchboard.Callbacks.CallbackDispatcher"] = "Error",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var app = SwitchboardApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
        });
        await app.StartAsync();
        return new SwitchboardServer(app, databasePath);
    }

    /// <summary>Waits until everything submitted to the store so far is committed.</summary>
    public Task FlushAsync() => Services.GetRequiredService<StoreWriter>().FlushAsync();

    /// <summary>The outbox rows: (CallSid, SequenceNumber) → event time in µs since the epoch.</summary>
    public async Task<Dictionary<(UInt128 CallSid, int SequenceNumber), long>> ReadOutboxAsync()
    {
        var rows = new Dictionary<(UInt128, int), long>();
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT call_sid, sequence_number, created_at FROM callbacks";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows[(Arrival.Key(reader.GetString(0)), reader.GetInt32(1))] = reader.GetInt64(2);
        }
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try
            {
                File.Delete(DatabasePath + suffix);
            }
            catch (IOException)
            {
            }
        }
    }
}
