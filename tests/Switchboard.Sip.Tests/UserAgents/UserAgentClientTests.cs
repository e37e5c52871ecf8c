using System.Text;
using Switchboard.Sip.Messages;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>End-to-end calls over UDP loopback against <see cref="ScriptedUas"/>: answer, hang-ups, rejects, early media.</summary>
public sealed class UserAgentClientTests
{
    [Fact]
    public async Task Invite_Answered_AcksThenOurByeTerminatesLocally()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync();

        var (invite, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);
        AssertInitialInvite(invite, call);
        uas.Respond(invite, caller, 100, "Trying");
        uas.Respond(invite, caller, 180, "Ringing");
        Assert.Equal(180, (await call.NextAsync<SipCallRinging>()).StatusCode);
        uas.Respond(invite, caller, 200, "OK", UasFixture.AnswerSdp);

        var answered = await call.NextAsync<SipCallAnswered>();
        Assert.Equal(UasFixture.AnswerSdp, answered.Sdp);
        var (ack, _) = await uas.ReceiveRequestAsync(SipMethods.Ack);
        // RFC 3261 13.2.2.4: the 2xx ACK has the INVITE's CSeq number, a new branch, and goes to the Contact.
        Assert.Equal(new CSeq(invite.CSeq!.Value.Number, SipMethods.Ack), ack.CSeq);
        Assert.NotEqual(invite.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.Equal(uas.ContactUri, ack.RequestUri.ToString());
        Assert.Equal(uas.Tag, ack.To!.Tag);

        // A retransmitted 200 (our ACK "lost") is ACKed again, identically.
        uas.Respond(invite, caller, 200, "OK", UasFixture.AnswerSdp);
        var (reAck, _) = await uas.ReceiveRequestAsync(SipMethods.Ack);
        Assert.Equal(ack.TopVia.Branch, reAck.TopVia!.Branch);

        Assert.True(await call.ByeAsync(TestContext.Current.CancellationToken));
        Assert.Equal(SipCallState.Terminating, call.State);
        var (bye, _) = await uas.ReceiveRequestAsync(SipMethods.Bye);
        Assert.Equal(new CSeq(invite.CSeq.Value.Number + 1, SipMethods.Bye), bye.CSeq);
        Assert.Equal(invite.CallId, bye.CallId);
        Assert.Equal(uas.Tag, bye.To!.Tag);
        Assert.Equal(invite.From!.Tag, bye.From!.Tag);
        uas.Respond(bye, caller, 200, "OK");

        var terminated = await call.NextAsync<SipCallTerminated>();
        Assert.Equal(SipCallParty.Local, terminated.By);
        Assert.Equal(200, terminated.StatusCode);
        Assert.Equal(SipCallState.Ended, call.State);
        Assert.Same(terminated, await call.Completion);
        await call.AssertCompletedAsync();
    }

    [Fact]
    public async Task Invite_AnsweredThenEnded_A2xxRetransmittedAfterTheEndIsStillAckedTheSame()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var (call, invite, caller) = await fixture.AnsweredCallAsync();
        var (ack, _) = await uas.ReceiveRequestAsync(SipMethods.Ack);
        Assert.True(await call.ByeAsync(TestContext.Current.CancellationToken));
        var (bye, _) = await uas.ReceiveRequestAsync(SipMethods.Bye);
        uas.Respond(bye, caller, 200, "OK");
        await call.NextAsync<SipCallTerminated>();
        Assert.Equal(SipCallState.Ended, call.State);

        // The call is over, its INVITE transaction is not (Timer M): it ACKs the 2xx again on the call's behalf,
        // the same ACK, to the dialog's Contact.
        uas.Respond(invite, caller, 200, "OK", UasFixture.AnswerSdp);
        var (reAck, _) = await uas.ReceiveRequestAsync(SipMethods.Ack);

        Assert.Equal(ack.TopVia!.Branch, reAck.TopVia!.Branch);
        Assert.Equal(ack.CSeq, reAck.CSeq);
        Assert.Equal(uas.ContactUri, reAck.RequestUri.ToString());
        Assert.Equal(uas.Tag, reAck.To!.Tag);
    }

    [Fact]
    public async Task Invite_CalleeHangsUp_AnswersByeAndReplaysTheSameAnswer()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var (call, invite, caller) = await fixture.AnsweredCallAsync();
        await uas.ReceiveRequestAsync(SipMethods.Ack);

        var bye = uas.CreateBye(invite);
        uas.Send(bye, caller);

        var ok = await uas.ReceiveResponseAsync(SipMethods.Bye);
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal(bye.TopVia!.Branch, ok.TopVia!.Branch);
        Assert.Equal(bye.CSeq, ok.CSeq);
        var terminated = await call.NextAsync<SipCallTerminated>();
        Assert.Equal(SipCallParty.Remote, terminated.By);
        Assert.Null(terminated.StatusCode);
        Assert.False(await call.ByeAsync(TestContext.Current.CancellationToken));

        // RFC 3261 17.2.2: a retransmitted BYE gets the same 200 again.
        uas.Send(bye, caller);
        Assert.Equal(200, (await uas.ReceiveResponseAsync(SipMethods.Bye)).StatusCode);
    }

    [Fact]
    public async Task Invite_BusyHere_AcksOnTheInviteBranchAndFails()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync();
        var (invite, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);
        uas.Respond(invite, caller, 180, "Ringing");
        uas.Respond(invite, caller, 486, "Busy Here");

        await call.NextAsync<SipCallRinging>();
        var failed = await call.NextAsync<SipCallFailed>();
        Assert.Equal((486, "Busy Here", false, false), (failed.StatusCode, failed.ReasonPhrase, failed.IsLocal, failed.WasCanceled));
        var (ack, _) = await uas.ReceiveRequestAsync(SipMethods.Ack);
        Assert.Equal(invite.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.Equal(new CSeq(invite.CSeq!.Value.Number, SipMethods.Ack), ack.CSeq);
        Assert.Equal(uas.Tag, ack.To!.Tag);

        // The 486 retransmitted (ACK "lost") is ACKed again by the transaction; the call does not hear of it.
        uas.Respond(invite, caller, 486, "Busy Here");
        await uas.ReceiveRequestAsync(SipMethods.Ack);
        await call.AssertCompletedAsync();
    }

    [Fact]
    public async Task Invite_SessionProgressWithSdpThenOk_ReportsRingingEarlyMediaAndAnswer()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync();
        var (invite, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);

        uas.Respond(invite, caller, 183, "Session Progress", UasFixture.AnswerSdp);
        uas.Respond(invite, caller, 200, "OK", UasFixture.AnswerSdp);

        Assert.Equal(183, (await call.NextAsync<SipCallRinging>()).StatusCode);
        Assert.Equal(UasFixture.AnswerSdp, (await call.NextAsync<SipCallEarlyMedia>()).Sdp);
        await call.NextAsync<SipCallAnswered>();
        Assert.Equal(SipCallState.Answered, call.State);
        await uas.ReceiveRequestAsync(SipMethods.Ack);
    }

    [Fact]
    public async Task InDialogOptions_IsAnswered200AndStaleCSeqGets500()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var (call, invite, caller) = await fixture.AnsweredCallAsync();

        var options = uas.CreateBye(invite, cseq: 5) with { Method = SipMethods.Options };
        uas.Send(options.WithHeader(HeaderNames.CSeq, "5 OPTIONS"), caller);
        Assert.Equal(200, (await uas.ReceiveResponseAsync(SipMethods.Options)).StatusCode);

        // RFC 3261 12.2.2: lower CSeq than the last one seen → 500.
        var stale = uas.CreateBye(invite, cseq: 4);
        uas.Send(stale, caller);
        Assert.Equal(500, (await uas.ReceiveResponseAsync(SipMethods.Bye)).StatusCode);
        Assert.Equal(SipCallState.Answered, call.State);
    }

    private static void AssertInitialInvite(SipRequest invite, SipCall call)
    {
        // RFC 3261 8.1.1 and the reference 2.1: mandatory headers of the initial INVITE.
        Assert.Equal(call.CallId, invite.CallId);
        Assert.StartsWith(Via.MagicCookie, invite.TopVia!.Branch, StringComparison.Ordinal);
        Assert.True(invite.TopVia.Branch!.Length >= Via.MagicCookie.Length + 16);
        Assert.NotNull(SipSyntax.Find(invite.TopVia.Parameters, "rport"));
        Assert.Equal("70", invite.GetHeader(HeaderNames.MaxForwards));
        Assert.NotNull(invite.From!.Tag);
        Assert.Equal("\"Switchboard \\\"test\\\"\"", invite.From.DisplayName);
        Assert.Null(invite.To!.Tag);
        Assert.Equal("caller", invite.Contact!.Uri.User);
        Assert.Equal("1", invite.GetHeader("X-Switchboard-Test"));
        Assert.Equal("application/sdp", invite.GetHeader(HeaderNames.ContentType));
        var sdp = Encoding.ASCII.GetString(invite.Body.Span);
        Assert.Contains("m=audio 10000 RTP/AVP 0 8 101\r\n", sdp, StringComparison.Ordinal);
        Assert.Contains("a=rtpmap:8 PCMA/8000\r\n", sdp, StringComparison.Ordinal);
        Assert.DoesNotContain("100rel", string.Join('\n', invite.Headers), StringComparison.Ordinal);
    }
}
