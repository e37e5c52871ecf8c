using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Switchboard.Testing;
using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Calls;

/// <summary>kill -9 of a real server process, then a restart on the same database (DESIGN decision 5).</summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task KillNine_DuringRingingCalls_RestartEndsEveryCallWithItsFinalCallback()
    {
        var database = Path.Combine(Path.GetTempPath(), $"switchboard-crash-{Guid.NewGuid():N}.db");
        await using var receiver = await WebhookReceiver.StartAsync(SwitchboardHost.DefaultAuthToken);
        var port = FreePort();
        var server = StartServer(database, port);
        var sids = new List<string>();
        try
        {
            var client = await WaitReadyAsync(port);
            for (var i = 0; i < 20; i++)
            {
                var call = await CallResource.CreateAsync(
                    to: new Twilio.Types.PhoneNumber("+14155550102"), from: new Twilio.Types.PhoneNumber("+14155550199"),
                    twiml: new Twilio.Types.Twiml("<Response><Hangup/></Response>"), timeout: 600,
                    statusCallback: new Uri(receiver.Url("status")), statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
                    client: client);
                sids.Add(call.Sid);
            }
            foreach (var sid in sids)
            {
                await receiver.WaitForStatusAsync(sid, "ringing", TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        var restarted = StartServer(database, port);
        try
        {
            var client = await WaitReadyAsync(port);
            foreach (var sid in sids)
            {
                var failed = await receiver.WaitForStatusAsync(sid, "failed", TimeSpan.FromSeconds(30));
                Assert.Equal("2", failed["SequenceNumber"]);
                Assert.Equal("500", failed["SipResponseCode"]);
                Assert.True(failed.SignatureValid);
                var fetched = await CallResource.FetchAsync(pathSid: sid, client: client);
                Assert.Equal(CallResource.StatusEnum.Failed, fetched.Status);
                // Every callback exactly in order: initiated, ringing, then the final one.
                Assert.Equal(["initiated", "ringing", "failed"], receiver.StatusCallbacks(sid).Select(c => c["CallStatus"]).Distinct());
            }
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            await restarted.WaitForExitAsync();
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                File.Delete(database + suffix);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process StartServer(string database, int port)
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
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<Twilio.Clients.TwilioRestClient> WaitReadyAsync(int port)
    {
        var baseUri = new Uri($"http://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = baseUri };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    var sdkHttp = new HttpClient(new TwilioHostRewriter(baseUri, new HttpClientHandler { AllowAutoRedirect = false }));
                    return new Twilio.Clients.TwilioRestClient(SwitchboardHost.DefaultAccountSid, SwitchboardHost.DefaultAuthToken,
                        httpClient: new Twilio.Http.SystemNetHttpClient(sdkHttp));
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The server on port {port} did not become ready within 30 s");
    }
}
