using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>
/// Two endpoints on loopback sharing one <see cref="FakeTimeProvider"/>: <see cref="Caller"/> places calls
/// with its <see cref="UserAgentClient"/>, <see cref="Callee"/> accepts them as <see cref="IncomingSipCall"/>s.
/// A <see cref="ScriptedUas"/> socket (<see cref="Raw"/>) plays a hand-written caller where a test needs
/// exact datagrams. No timer fires unless the test moves the clock.
/// </summary>
internal sealed class IncomingCallFixture : IAsyncDisposable
{
    public const string OfferSdp = "v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 7000 RTP/AVP 0\r\n";

    private readonly Channel<IncomingSipCall> _incoming = Channel.CreateUnbounded<IncomingSipCall>();

    public IncomingCallFixture()
    {
        Time = new FakeTimeProvider();
        Caller = SipEndpoint.Start(Options(), Time);
        Callee = SipEndpoint.Start(Options(), Time);
        Callee.AcceptIncomingCalls(call => _incoming.Writer.TryWrite(call));
    }

    public FakeTimeProvider Time { get; }

    public SipEndpoint Caller { get; }

    public SipEndpoint Callee { get; }

    public ScriptedUas Raw { get; } = new();

    public int IncomingCount => _incoming.Reader.Count;

    public Task<SipCall> InviteAsync(string user = "+15550001234", SipCredentials? credentials = null) =>
        Caller.UserAgentClient.InviteAsync(
            new SipInviteRequest
            {
                Target = SipUri.TryParse($"sip:{user}@127.0.0.1:{Callee.LocalEndPoint.Port}", out var target) ? target : throw new InvalidOperationException(),
                FromUser = "+15557654321",
                Credentials = credentials,
            },
            TestContext.Current.CancellationToken);

    /// <summary>The next incoming call the callee endpoint handed over.</summary>
    public async Task<IncomingSipCall> NextIncomingAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(ScriptedUas.Bound);
        try
        {
            return await _incoming.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"No incoming call within {ScriptedUas.Bound.TotalSeconds} s.");
        }
    }

    /// <summary>An initial INVITE from the raw socket to the callee endpoint (RFC 3261 8.1.1), with an SDP offer.</summary>
    public SipRequest RawInvite(string branch = "z9hG4bKrawinvite1") => new()
    {
        Method = SipMethods.Invite,
        RequestUri = SipUri.TryParse($"sip:+15550001234@127.0.0.1:{Callee.LocalEndPoint.Port}", out var uri) ? uri : throw new InvalidOperationException(),
        Headers =
        [
            new(HeaderNames.Via, $"SIP/2.0/UDP 127.0.0.1:{Raw.EndPoint.Port};branch={branch};rport"),
            new(HeaderNames.MaxForwards, "70"),
            new(HeaderNames.From, $"<sip:+15557654321@127.0.0.1:{Raw.EndPoint.Port}>;tag=rawcaller"),
            new(HeaderNames.To, $"<sip:+15550001234@127.0.0.1:{Callee.LocalEndPoint.Port}>"),
            new(HeaderNames.CallId, "raw-" + branch + "@127.0.0.1"),
            new(HeaderNames.CSeq, "1 INVITE"),
            new(HeaderNames.Contact, $"<sip:+15557654321@127.0.0.1:{Raw.EndPoint.Port}>"),
            new(HeaderNames.ContentType, "application/sdp"),
        ],
        Body = System.Text.Encoding.ASCII.GetBytes(OfferSdp),
    };

    /// <summary>RFC 3261 17.1.1.3: the ACK for a non-2xx final, on the INVITE's branch with the response's To.</summary>
    public static SipRequest AckFor(SipRequest invite, SipResponse response, string? branch = null) => new()
    {
        Method = SipMethods.Ack,
        RequestUri = invite.RequestUri,
        Headers =
        [
            new(HeaderNames.Via, branch is null ? invite.GetValues(HeaderNames.Via).First() : invite.GetValues(HeaderNames.Via).First().Replace(invite.TopVia!.Branch!, branch, StringComparison.Ordinal)),
            new(HeaderNames.MaxForwards, "70"),
            new(HeaderNames.From, invite.GetHeader(HeaderNames.From)!),
            new(HeaderNames.To, response.GetHeader(HeaderNames.To)!),
            new(HeaderNames.CallId, invite.CallId!),
            new(HeaderNames.CSeq, new CSeq(invite.CSeq!.Value.Number, SipMethods.Ack).ToString()),
        ],
    };

    /// <summary>RFC 3261 9.1: the CANCEL for an INVITE, on its branch.</summary>
    public static SipRequest CancelFor(SipRequest invite) => new()
    {
        Method = SipMethods.Cancel,
        RequestUri = invite.RequestUri,
        Headers =
        [
            new(HeaderNames.Via, invite.GetValues(HeaderNames.Via).First()),
            new(HeaderNames.MaxForwards, "70"),
            new(HeaderNames.From, invite.GetHeader(HeaderNames.From)!),
            new(HeaderNames.To, invite.GetHeader(HeaderNames.To)!),
            new(HeaderNames.CallId, invite.CallId!),
            new(HeaderNames.CSeq, new CSeq(invite.CSeq!.Value.Number, SipMethods.Cancel).ToString()),
        ],
    };

    public void SendRaw(SipMessage message) => Raw.Send(message, Callee.LocalEndPoint);

    public async ValueTask DisposeAsync()
    {
        await Caller.DisposeAsync();
        await Callee.DisposeAsync();
        Raw.Dispose();
    }

    private static SipEndpointOptions Options() => new() { ListenAddress = "127.0.0.1", ListenPort = 0, ReceiveBufferSize = 1024 * 1024, EnableTcp = false };
}
