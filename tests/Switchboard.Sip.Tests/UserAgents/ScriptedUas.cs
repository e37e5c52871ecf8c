using System.Net;
using System.Net.Sockets;
using System.Text;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>
/// A callee scripted step by step over a real loopback UdpClient (like Npgsql's PgPostmasterMock):
/// each test drives the exact SIP flow it needs, including misbehaviour a real UAS would not produce on cue.
/// Every wait is bounded and fails with what it was waiting for.
/// </summary>
internal sealed class ScriptedUas : IDisposable
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly UdpClient _socket = new(new IPEndPoint(IPAddress.Loopback, 0));

    public IPEndPoint EndPoint => (IPEndPoint)_socket.Client.LocalEndPoint!;

    public string Tag { get; } = "uas" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    public string ContactUri => $"sip:callee@127.0.0.1:{EndPoint.Port}";

    /// <summary>Bytes waiting in the socket: on loopback a datagram sent synchronously is already queued.</summary>
    public int Available => _socket.Available;

    /// <summary>The next request with <paramref name="method"/>; earlier requests of other methods or retransmissions are skipped.</summary>
    public async Task<(SipRequest Request, IPEndPoint Source)> ReceiveRequestAsync(string method, SipRequest? skipRetransmissionsOf = null)
    {
        while (true)
        {
            var (message, source) = await ReceiveAsync($"a {method} request");
            if (message is SipRequest request && request.Method == method
                && (skipRetransmissionsOf is null || request.TopVia?.Branch != skipRetransmissionsOf.TopVia?.Branch))
            {
                return (request, source);
            }
        }
    }

    public async Task<SipResponse> ReceiveResponseAsync(string method)
    {
        while (true)
        {
            var (message, _) = await ReceiveAsync($"a response to {method}");
            if (message is SipResponse response && response.CSeq?.Method == method)
            {
                return response;
            }
        }
    }

    public void Respond(SipRequest request, IPEndPoint to, int code, string reason, string? sdp = null, params SipHeader[] extra)
    {
        List<SipHeader> headers = [.. extra];
        if (code is > 100 and < 300)
        {
            headers.Add(new(HeaderNames.Contact, "<" + ContactUri + ">"));
        }

        if (sdp is not null)
        {
            headers.Add(new(HeaderNames.ContentType, "application/sdp"));
        }

        var response = SipResponseFactory.Create(request, code, reason, Tag, headers, sdp is null ? default : Encoding.ASCII.GetBytes(sdp));
        Send(response, to);
    }

    public void Send(SipMessage message, IPEndPoint to) => _socket.Send(SipSerializer.Serialize(message), to);

    /// <summary>A BYE from the callee inside the dialog set up by <paramref name="invite"/> (From/To swapped, our tag).</summary>
    public SipRequest CreateBye(SipRequest invite, uint cseq = 1) => CreateBye(invite, Tag, "UDP", EndPoint.Port, cseq);

    public static SipRequest CreateBye(SipRequest invite, string tag, string transport, int port, uint cseq = 1) => new()
    {
        Method = SipMethods.Bye,
        RequestUri = invite.Contact!.Uri,
        Headers =
        [
            new(HeaderNames.Via, $"SIP/2.0/{transport} 127.0.0.1:{port};branch=z9hG4bKuasbye{cseq}"),
            new(HeaderNames.MaxForwards, "70"),
            new(HeaderNames.From, invite.To!.WithTag(tag).ToString()),
            new(HeaderNames.To, invite.GetHeader(HeaderNames.From)!),
            new(HeaderNames.CallId, invite.CallId!),
            new(HeaderNames.CSeq, new CSeq(cseq, SipMethods.Bye).ToString()),
        ],
    };

    private async Task<(SipMessage Message, IPEndPoint Source)> ReceiveAsync(string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(Bound);
        try
        {
            while (true)
            {
                var datagram = await _socket.ReceiveAsync(timeout.Token);
                var parsed = SipMessageParser.Parse(datagram.Buffer);
                Assert.True(parsed.Success, "the UAC sent an unparsable message: " + parsed.Error);
                return (parsed.Message, datagram.RemoteEndPoint);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"The scripted UAS waited {Bound.TotalSeconds} s for {what}.");
        }
    }

    public void Dispose() => _socket.Dispose();
}
