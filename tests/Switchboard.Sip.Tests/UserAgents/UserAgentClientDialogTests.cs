using System.Text;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>The less common dialog paths: forked answers, re-INVITE, a challenged BYE, endpoint shutdown.</summary>
public sealed class UserAgentClientDialogTests
{
    [Fact]
    public async Task SecondAnswerFromAnotherFork_IsAckedAndHungUpWhileTheFirstStays()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var (call, invite, caller) = await fixture.AnsweredCallAsync();
        await uas.ReceiveRequestAsync(SipMethods.Ack);

        var forked = SipResponseFactory.Create(invite, 200, "OK", "fork2", [new(HeaderNames.Contact, "<" + uas.ContactUri + ">")]);
        uas.Send(forked, caller);

        // RFC 3261 13.2.2.4: ACK the other fork's 2xx, then BYE it.
        var (ack, _) = await uas.ReceiveRequestAsync(SipMethods.Ack);
        Assert.Equal("fork2", ack.To!.Tag);
        var (bye, _) = await uas.ReceiveRequestAsync(SipMethods.Bye);
        Assert.Equal("fork2", bye.To!.Tag);
        Assert.Equal(SipCallState.Answered, call.State);
    }

    [Fact]
    public async Task ReInvite_IsAnsweredWithOurOfferUnchanged()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var (call, invite, caller) = await fixture.AnsweredCallAsync();

        var reInvite = uas.CreateBye(invite, cseq: 2) with { Method = SipMethods.Invite };
        uas.Send(reInvite.WithHeader(HeaderNames.CSeq, "2 INVITE"), caller);

        var ok = await uas.ReceiveResponseAsync(SipMethods.Invite);
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal(Encoding.ASCII.GetString(invite.Body.Span), Encoding.ASCII.GetString(ok.Body.Span));
        Assert.NotNull(ok.Contact);
        Assert.Equal(SipCallState.Answered, call.State);
    }

    [Fact]
    public async Task Bye_Challenged_IsRetriedOnceWithCredentials()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync(new SipCredentials("alice", "secret"));
        var (invite, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);
        uas.Respond(invite, caller, 200, "OK", UasFixture.AnswerSdp);
        await call.NextAsync<SipCallAnswered>();
        await call.ByeAsync(TestContext.Current.CancellationToken);
        var (bye, _) = await uas.ReceiveRequestAsync(SipMethods.Bye);

        uas.Respond(bye, caller, 407, "Proxy Authentication Required", null, new SipHeader(HeaderNames.ProxyAuthenticate, "Digest realm=\"r\", nonce=\"n\", qop=\"auth\""));

        var (retry, _) = await uas.ReceiveRequestAsync(SipMethods.Bye, skipRetransmissionsOf: bye);
        Assert.Equal(bye.CSeq!.Value.Number + 1, retry.CSeq!.Value.Number);
        Assert.Contains("username=\"alice\"", retry.GetHeader(HeaderNames.ProxyAuthorization), StringComparison.Ordinal);
        uas.Respond(retry, caller, 200, "OK");
        Assert.Equal(200, (await call.NextAsync<SipCallTerminated>()).StatusCode);
        Assert.Equal(0, fixture.Endpoint.ActiveCallCount);
    }

    [Fact]
    public async Task EndpointDisposed_EndsCallsStillRinging()
    {
        var fixture = new UasFixture();
        var call = await fixture.InviteAsync();
        var (invite, caller) = await fixture.Uas.ReceiveRequestAsync(SipMethods.Invite);
        fixture.Uas.Respond(invite, caller, 180, "Ringing");
        await call.NextAsync<SipCallRinging>();

        await fixture.DisposeAsync();

        var failed = Assert.IsType<SipCallFailed>(await call.Completion);
        Assert.Equal((503, true), (failed.StatusCode, failed.IsLocal));
    }
}
