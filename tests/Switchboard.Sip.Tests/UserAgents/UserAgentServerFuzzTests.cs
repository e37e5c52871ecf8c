using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Tests.Messages;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>The UAS path under hostile input: mutated INVITE, ACK, CANCEL and BYE datagrams over a real socket.</summary>
public sealed class UserAgentServerFuzzTests
{
    [Fact]
    public async Task IncomingCalls_MutatedRequests_NeverFailTheHandlerOrStopTheEndpoint()
    {
        var errors = new ErrorCountingLoggerFactory();
        var time = new FakeTimeProvider();
        var options = new SipEndpointOptions { ListenAddress = "127.0.0.1", ListenPort = 0, ReceiveBufferSize = 4 * 1024 * 1024, EnableTcp = false };
        await using var endpoint = SipEndpoint.Start(options, time, errors);
        var handled = 0;
        endpoint.AcceptIncomingCalls(call =>
        {
            // Every other call is answered, the rest rejected: both the 2xx and the non-2xx paths see garbage.
            _ = Interlocked.Increment(ref handled) % 2 == 0 ? call.AnswerAsync(null) : call.RejectAsync(486, "Busy Here");
        });
        using var sender = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)sender.Client.LocalEndPoint!).Port;
        // 100 dialogs' worth of requests: a mutation that keeps an INVITE valid starts a call of its own.
        var seeds = Enumerable.Range(0, 100)
            .SelectMany(n => new[] { "INVITE", "ACK", "CANCEL", "BYE" }
                .Select(method => SipSerializer.Serialize(Request(method, port, "fuzz" + n, method == "BYE" ? "ourtag" : null))))
            .ToArray();
        var random = new Random(5);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        // The endpoint's answers to the fuzz are read as they come, so that a full socket buffer on our side cannot
        // drop the one this test waits for (the 100 Trying to the clean INVITE sent last).
        var cleanCallTrying = Task.Run(async () =>
        {
            while (true)
            {
                var datagram = await sender.ReceiveAsync(timeout.Token);
                if (SipMessageParser.Parse(datagram.Buffer) is { Success: true, Message: SipResponse { StatusCode: 100 } trying } && trying.CallId == "after-fuzz")
                {
                    return;
                }
            }
        }, timeout.Token);

        for (var i = 0; i < 2_000; i++)
        {
            var datagram = FuzzDatagrams.Next(random, seeds);
            await sender.SendAsync(datagram.Length > 65_507 ? datagram[..65_507] : datagram, endpoint.LocalEndPoint, TestContext.Current.CancellationToken);
            if (i % 200 == 0)
            {
                // Retransmission timers of the calls made so far fire in between.
                time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        // The endpoint still takes a clean call: 100 Trying for its INVITE.
        await sender.SendAsync(SipSerializer.Serialize(Request("INVITE", port, "after-fuzz", null)), endpoint.LocalEndPoint, TestContext.Current.CancellationToken);
        timeout.CancelAfter(ScriptedUas.Bound);
        await cleanCallTrying;

        Assert.Equal(0, errors.Errors);
        // Mutations that kept an INVITE valid made real calls, answered or rejected.
        Assert.True(handled > 20, $"only {handled} incoming calls were made");
    }

    private static SipRequest Request(string method, int port, string callId, string? toTag) => new()
    {
        Method = method,
        RequestUri = SipUri.TryParse("sip:+15550001234@127.0.0.1", out var uri) ? uri : throw new InvalidOperationException(),
        Headers =
        [
            new(HeaderNames.Via, $"SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{callId}{method}"),
            new(HeaderNames.MaxForwards, "70"),
            new(HeaderNames.From, "\"pbx\" <sip:+15557654321@127.0.0.1>;tag=caller"),
            new(HeaderNames.To, "<sip:+15550001234@127.0.0.1>" + (toTag is null ? string.Empty : ";tag=" + toTag)),
            new(HeaderNames.CallId, callId),
            new(HeaderNames.CSeq, "1 " + method),
            new(HeaderNames.Contact, $"<sip:pbx@127.0.0.1:{port}>"),
            new(HeaderNames.ContentType, "application/sdp"),
        ],
        Body = method == "INVITE" ? System.Text.Encoding.ASCII.GetBytes(IncomingCallFixture.OfferSdp) : default,
    };

    /// <summary>Counts Error-level log events (a handler that threw is logged at Error by the receive loop).</summary>
    private sealed class ErrorCountingLoggerFactory : ILoggerFactory, ILogger
    {
        private int _errors;

        public int Errors => _errors;

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Error)
            {
                Interlocked.Increment(ref _errors);
            }
        }

        public void Dispose()
        {
        }
    }
}
