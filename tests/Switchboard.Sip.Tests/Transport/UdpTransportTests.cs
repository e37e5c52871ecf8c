using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Tests.Messages;
using Switchboard.Sip.Transport;

namespace Switchboard.Sip.Tests.Transport;

public sealed class UdpTransportTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static byte[] Options(string callId) => Encoding.ASCII.GetBytes(
        "OPTIONS sip:switchboard@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK" + callId + "\r\nFrom: <sip:probe@127.0.0.1>;tag=1\r\n"
        + "To: <sip:switchboard@127.0.0.1>\r\nCall-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");

    [Fact]
    public async Task ReceiveLoop_GarbageOverARealSocket_KeepsDeliveringValidMessages()
    {
        var received = Channel.CreateUnbounded<SipMessage>();
        await using var transport = new UdpTransport(new IPEndPoint(IPAddress.Loopback, 0), 4 * 1024 * 1024, NullLogger.Instance, (m, _) => received.Writer.TryWrite(m));
        transport.Start();
        using var sender = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var random = new Random(18);
        var seeds = VectorFiles.List("valid").Select(f => VectorFiles.Read("valid/" + f)).ToArray();
        const int Garbage = 2_000;

        for (var i = 0; i < Garbage; i++)
        {
            var datagram = FuzzDatagrams.Next(random, seeds);
            // The largest IPv4 UDP payload; bigger ones cannot be sent at all.
            await sender.SendAsync(datagram.Length > 65_507 ? datagram[..65_507] : datagram, transport.LocalEndPoint, TestContext.Current.CancellationToken);
        }

        await sender.SendAsync(new byte[65_507], transport.LocalEndPoint, TestContext.Current.CancellationToken);
        await sender.SendAsync(Options("after-garbage"), transport.LocalEndPoint, TestContext.Current.CancellationToken);

        var message = await ReadUntilAsync(received.Reader, m => m.CallId == "after-garbage");
        Assert.IsType<SipRequest>(message);
        Assert.True(transport.DatagramsDropped > Garbage / 2, $"dropped {transport.DatagramsDropped}");
        Assert.Equal(Garbage + 2, transport.DatagramsReceived);
    }

    [Fact]
    public async Task ReceiveLoop_HandlerThrows_LoopSurvives()
    {
        var received = Channel.CreateUnbounded<SipMessage>();
        await using var transport = new UdpTransport(
            new IPEndPoint(IPAddress.Loopback, 0),
            1024 * 1024,
            NullLogger.Instance,
            (m, _) =>
            {
                if (m.CallId == "boom")
                {
                    throw new InvalidOperationException("handler bug");
                }

                received.Writer.TryWrite(m);
            });
        transport.Start();
        using var sender = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));

        await sender.SendAsync(Options("boom"), transport.LocalEndPoint, TestContext.Current.CancellationToken);
        await sender.SendAsync(Options("fine"), transport.LocalEndPoint, TestContext.Current.CancellationToken);

        var message = await ReadUntilAsync(received.Reader, m => m.CallId == "fine");
        Assert.Equal("fine", message.CallId);
        Assert.Equal(1, transport.DatagramsDropped);
    }

    private static async Task<SipMessage> ReadUntilAsync(ChannelReader<SipMessage> reader, Func<SipMessage, bool> match)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Bound);
        try
        {
            while (true)
            {
                var message = await reader.ReadAsync(timeout.Token);
                if (match(message))
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"The expected message did not arrive within {Bound.TotalSeconds} s.");
        }
    }
}
