using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>
/// An endpoint on an ephemeral loopback port plus a scripted callee, per test. The clock is a
/// <see cref="FakeTimeProvider"/> that only the test moves: no retransmission can fire because a
/// test machine is slow, so every datagram the callee sees is one the test caused.
/// </summary>
internal sealed class UasFixture : IAsyncDisposable
{
    public const string AnswerSdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0 101\r\n";

    public UasFixture(TimeSpan? t1 = null)
    {
        Time = new FakeTimeProvider();
        var options = new SipEndpointOptions { ListenAddress = "127.0.0.1", ListenPort = 0, ReceiveBufferSize = 1024 * 1024 };
        if (t1 is { } value)
        {
            options.T1 = value;
        }

        Endpoint = SipEndpoint.Start(options, Time);
    }

    public FakeTimeProvider Time { get; }

    public SipEndpoint Endpoint { get; }

    public ScriptedUas Uas { get; } = new();

    public Task<SipCall> InviteAsync(SipCredentials? credentials = null) =>
        Endpoint.UserAgentClient.InviteAsync(
            new SipInviteRequest
            {
                Target = SipUri.TryParse($"sip:callee@127.0.0.1:{Uas.EndPoint.Port}", out var target) ? target : throw new InvalidOperationException(),
                FromUser = "caller",
                FromDisplayName = "Switchboard \"test\"",
                Credentials = credentials,
                Headers = [new("X-Switchboard-Test", "1")],
            },
            TestContext.Current.CancellationToken);

    /// <summary>A call the callee has answered (200 with <see cref="AnswerSdp"/>), as the caller reported it.</summary>
    public async Task<(SipCall Call, SipRequest Invite, System.Net.IPEndPoint Caller)> AnsweredCallAsync()
    {
        var call = await InviteAsync();
        var (invite, caller) = await Uas.ReceiveRequestAsync(SipMethods.Invite);
        Uas.Respond(invite, caller, 200, "OK", AnswerSdp);
        await call.NextAsync<SipCallAnswered>();
        return (call, invite, caller);
    }

    public async ValueTask DisposeAsync()
    {
        await Endpoint.DisposeAsync();
        Uas.Dispose();
    }
}
