using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.Tests.Callbacks;

/// <summary>
/// Status callbacks to a receiver that answers HTTP/1.0 and closes each connection after its answer (Python's
/// <c>http.server</c> by default), over real sockets.
/// </summary>
public sealed class Http10ReceiverTests
{
    [Fact]
    public async Task StatusCallbacks_ReceiverClosesAfterEachAnswer_EachOnItsOwnConnectionAndDeliveredAtTheFirstAttempt()
    {
        await using var host = await SwitchboardHost.StartAsync();
        await using var receiver = Http10Receiver.Start();
        var call = await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>",
            events: ["initiated", "ringing", "answered", "completed"], statusCallback: receiver.Url);

        // A callback sent on a connection the receiver had answered would be dropped there and retried a second later.
        await host.AdvanceUntilAsync(() => receiver.Answered >= 4, 60, "four callbacks answered");

        Assert.Equal(0, receiver.SentOnAnsweredConnection);
        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], receiver.Statuses);
        // The receiver has answered; the outcome of each attempt is stored just after, so read until all four are.
        var callbacks = await DeliveredAsync(host, call.Sid, count: 4);
        Assert.All(callbacks, c => Assert.Equal(1, c.GetProperty("attempts").GetInt32()));
    }

    /// <summary>The call's callbacks once <paramref name="count"/> of them are delivered (read for up to 10 s of real time).</summary>
    private static async Task<List<JsonElement>> DeliveredAsync(SwitchboardHost host, string callSid, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var callbacks = JsonDocument.Parse(await host.Http.GetStringAsync(
                    $"/2010-04-01/Accounts/{host.AccountSid}/Calls/{callSid}/Callbacks.json"))
                .RootElement.GetProperty("callbacks").EnumerateArray().ToList();
            if (callbacks.Count(c => c.GetProperty("state").GetString() == "delivered") >= count || DateTime.UtcNow > deadline)
            {
                Assert.Equal(count, callbacks.Count);
                Assert.All(callbacks, c => Assert.Equal("delivered", c.GetProperty("state").GetString()));
                return callbacks;
            }
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Answers the first request of each connection with <c>HTTP/1.0 200</c> (no keep-alive) and closes the connection
    /// ten seconds later, or at once, unanswered, if another request arrives on it first: what a closing HTTP/1.0 server
    /// does to a request sent before its close reached the client, with the race made certain.
    /// </summary>
    private sealed class Http10Receiver : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentQueue<string> _statuses = new();
        private Task _accepting = Task.CompletedTask;
        private int _answered;
        private int _sentOnAnswered;

        public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/status");

        public int Answered => Volatile.Read(ref _answered);

        public int SentOnAnsweredConnection => Volatile.Read(ref _sentOnAnswered);

        public IReadOnlyList<string> Statuses => [.. _statuses];

        public static Http10Receiver Start()
        {
            var receiver = new Http10Receiver();
            receiver._listener.Start();
            receiver._accepting = receiver.AcceptAsync();
            return receiver;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                    _ = ServeAsync(client);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var connection = client;
            var stream = connection.GetStream();
            using var closeAfter = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            try
            {
                var body = await ReadRequestAsync(stream, closeAfter.Token);
                if (body is null)
                {
                    return;
                }
                var status = body.Split('&').Select(Uri.UnescapeDataString).FirstOrDefault(p => p.StartsWith("CallStatus=", StringComparison.Ordinal));
                _statuses.Enqueue(status?["CallStatus=".Length..] ?? "?");
                await stream.WriteAsync("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), closeAfter.Token);
                Interlocked.Increment(ref _answered);
                closeAfter.CancelAfter(TimeSpan.FromSeconds(10));
                if (await ReadRequestAsync(stream, closeAfter.Token) is not null)
                {
                    Interlocked.Increment(ref _sentOnAnswered);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
            }
        }

        /// <summary>The form body of the next request on the connection, or null when the client closed it.</summary>
        private static async Task<string?> ReadRequestAsync(NetworkStream stream, CancellationToken cancellationToken)
        {
            var buffer = new byte[16 * 1024];
            var length = 0;
            while (true)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (n == 0)
                {
                    return null;
                }
                length += n;
                var text = Encoding.ASCII.GetString(buffer, 0, length);
                var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (end < 0)
                {
                    continue;
                }
                var contentLength = text[..end].Split("\r\n")
                    .Where(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                    .Select(h => int.Parse(h["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
                    .FirstOrDefault();
                if (length >= end + 4 + contentLength)
                {
                    return Encoding.UTF8.GetString(buffer, end + 4, contentLength);
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }
    }
}
