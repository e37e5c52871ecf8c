using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;
using Switchboard.Testing;

namespace Switchboard.Tests.Callbacks;

/// <summary>
/// kill -9 of a real server process in the middle of a flood of status callbacks, then a restart on the same
/// database: nothing committed is lost, copies carry the same idempotency token, and per-call order holds.
/// </summary>
public sealed class CallbackCrashTests
{
    private const int Calls = 3000;
    // The kill comes after this many calls are confirmed, while the rest are still being created and their callbacks sent.
    private const int KillAfter = 2000;
    private const int Creators = 32;
    private static readonly string[] FinalStatuses = ["completed", "busy", "failed", "no-answer", "canceled"];

    [Fact]
    public async Task KillNine_DuringCallbackFlood_EveryCommittedCallbackDeliveredInOrder()
    {
        var started = Stopwatch.StartNew();
        var database = Path.Combine(Path.GetTempPath(), $"switchboard-flood-{Guid.NewGuid():N}.db");
        var rules = Path.Combine(Path.GetTempPath(), $"switchboard-flood-rules-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(rules, """{ "rules": [ { "pattern": "^\\+1999", "ring": false, "ringTime": "00:00:00", "outcome": "Answer" } ] }""");
        await using var receiver = await WebhookReceiver.StartAsync(SwitchboardHost.DefaultAuthToken);
        var statusUrl = receiver.Url("status");
        var port = FreePort();
        var confirmed = new ConcurrentBag<string>();
        int receivedAtKill;
        var server = StartServer(database, port, rules);
        try
        {
            using var http = await WaitReadyAsync(port);
            using var stop = new CancellationTokenSource();
            var next = -1;
            var creators = Enumerable.Range(0, Creators).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested && Interlocked.Increment(ref next) < Calls)
                {
                    using var form = new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["To"] = "+19995550100",
                        ["From"] = "+14155550199",
                        ["Twiml"] = "<Response><Hangup/></Response>",
                        ["StatusCallback"] = statusUrl,
                        ["StatusCallbackEvent"] = "initiated ringing answered completed",
                    });
                    try
                    {
                        using var response = await http.PostAsync($"/2010-04-01/Accounts/{SwitchboardHost.DefaultAccountSid}/Calls.json", form, stop.Token);
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            var body = await response.Content.ReadAsStringAsync(stop.Token);
                            confirmed.Add(System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("sid").GetString()!);
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
                    {
                        return;
                    }
                }
            })).ToList();

            // Kill in the middle of the flood: creations and their callbacks are still under way.
            var flood = Stopwatch.StartNew();
            while (confirmed.Count < KillAfter && flood.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(5);
            }
            Assert.True(confirmed.Count >= KillAfter, $"only {confirmed.Count} calls created within 30 s");
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            receivedAtKill = receiver.Received.Count;
            await stop.CancelAsync();
            await Task.WhenAll(creators);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
                await server.WaitForExitAsync();
            }
        }
        var killedAt = started.Elapsed;

        var restarted = StartServer(database, port, rules);
        try
        {
            (await WaitReadyAsync(port)).Dispose();
            var (rows, finalCalls) = await WaitUntilSettledAsync(database, confirmed.ToHashSet(), TimeSpan.FromSeconds(40));

            var received = receiver.Received.Where(r => r.Get("CallbackSource") is not null).ToList();
            var byCall = received.GroupBy(r => r["CallSid"]).ToDictionary(g => g.Key, g => g.ToList());

            // 1. Nothing committed is lost: every outbox row, before or after the kill, arrived with its own token.
            var seen = received.Select(r => (r["CallSid"], int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture), r.Headers["I-Twilio-Idempotency-Token"]))
                .ToHashSet();
            var lost = rows.Where(row => !seen.Contains((row.CallSid, row.SequenceNumber, row.Token))).ToList();
            Assert.True(lost.Count == 0, $"{lost.Count} committed callbacks never arrived, e.g. {string.Join(", ", lost.Take(5))}");

            // 2. Copies only of the same callback: one token per (call, sequence number), the one in the outbox.
            var tokens = rows.ToDictionary(r => (r.CallSid, r.SequenceNumber), r => r.Token);
            var duplicates = 0;
            foreach (var group in received.GroupBy(r => (r["CallSid"], int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture))))
            {
                Assert.All(group, r => Assert.Equal(tokens[group.Key], r.Headers["I-Twilio-Idempotency-Token"]));
                Assert.All(group, r => Assert.True(r.SignatureValid));
                duplicates += group.Count() - 1;
            }

            // 3. Order: per call, sequence numbers first arrive as 0, 1, 2, ... without gaps.
            foreach (var (callSid, callbacks) in byCall)
            {
                var firstSeen = callbacks.Select(r => int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture)).Distinct().ToList();
                Assert.True(firstSeen.SequenceEqual(Enumerable.Range(0, firstSeen.Count)),
                    $"{callSid}: sequence numbers first seen as {string.Join(",", firstSeen)}");
            }

            // 4. Every call created before the kill ended in a final state, and its final callback arrived last.
            foreach (var sid in confirmed)
            {
                Assert.Contains(finalCalls[sid], FinalStatuses);
                var callbacks = byCall[sid];
                var last = callbacks.MaxBy(r => int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture))!;
                Assert.Equal(finalCalls[sid], last["CallStatus"]);
            }

            TestContext.Current.TestOutputHelper?.WriteLine(
                $"{confirmed.Count} calls confirmed, {rows.Count} callbacks committed, {receivedAtKill} received before the kill at {killedAt.TotalSeconds:0.0} s, " +
                $"{received.Count} received in all, {duplicates} duplicates (same token), settled at {started.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
            SqliteConnection.ClearAllPools();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(database + suffix);
            }
            File.Delete(rules);
        }
    }

    private sealed record OutboxRow(string CallSid, int SequenceNumber, string Token, int State);

    /// <summary>Reads the restarted server's database until every callback is delivered and every confirmed call is final.</summary>
    private static async Task<(List<OutboxRow> Rows, Dictionary<string, string> Calls)> WaitUntilSettledAsync(string database,
        HashSet<string> confirmed, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        var rows = new List<OutboxRow>();
        var calls = new Dictionary<string, string>();
        while (true)
        {
            rows.Clear();
            calls.Clear();
            await using (var connection = new SqliteConnection($"Data Source={database};Pooling=False"))
            {
                await connection.OpenAsync();
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT call_sid, sequence_number, idempotency_token, state FROM callbacks; SELECT sid, status FROM calls;";
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    rows.Add(new OutboxRow(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetInt32(3)));
                }
                await reader.NextResultAsync();
                while (await reader.ReadAsync())
                {
                    calls[reader.GetString(0)] = reader.GetString(1);
                }
            }
            var undelivered = rows.Count(r => r.State != 1);
            var unfinished = confirmed.Count(sid => !calls.TryGetValue(sid, out var status) || !FinalStatuses.Contains(status));
            if (undelivered == 0 && unfinished == 0)
            {
                return (rows, calls);
            }
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"After the restart, {undelivered} callbacks undelivered and {unfinished} calls unfinished after {timeout.TotalSeconds} s");
            }
            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process StartServer(string database, int port, string rules)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Switchboard.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll, "--urls", $"http://127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ConnectionStrings__Switchboard"] = $"Data Source={database}";
        start.Environment["TWILIO_ACCOUNT_SID"] = SwitchboardHost.DefaultAccountSid;
        start.Environment["TWILIO_AUTH_TOKEN"] = SwitchboardHost.DefaultAuthToken;
        start.Environment["Calls__CallsPerSecond"] = "0";
        start.Environment["Simulation__RulesPath"] = rules;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<HttpClient> WaitReadyAsync(int port)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{SwitchboardHost.DefaultAccountSid}:{SwitchboardHost.DefaultAuthToken}")));
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return http;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        http.Dispose();
        throw new TimeoutException($"The server on port {port} did not become ready within 30 s");
    }
}
