using Switchboard.Sip.Messages;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>CANCEL (RFC 3261 9.1): only after a provisional, on the INVITE's branch, ending in 487.</summary>
public sealed class UserAgentClientCancelTests
{
    [Fact]
    public async Task Cancel_AfterRinging_SendsCancelOnTheInviteBranchAndEndsWith487()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync();
        var (invite, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);
        uas.Respond(invite, caller, 180, "Ringing");
        await call.NextAsync<SipCallRinging>();

        Assert.True(await call.CancelAsync(TestContext.Current.CancellationToken));

        var (cancel, _) = await uas.ReceiveRequestAsync(SipMethods.Cancel);
        Assert.Equal(invite.TopVia!.Branch, cancel.TopVia!.Branch);
        Assert.Equal(new CSeq(invite.CSeq!.Value.Number, SipMethods.Cancel), cancel.CSeq);
        Assert.Equal(invite.RequestUri, cancel.RequestUri);
        Assert.Null(cancel.To!.Tag);
        uas.Respond(cancel, caller, 200, "OK");
        uas.Respond(invite, caller, 487, "Request Terminated");

        var failed = await call.NextAsync<SipCallFailed>();
        Assert.Equal((487, false, true), (failed.StatusCode, failed.IsLocal, failed.WasCanceled));
        var (ack, _) = await uas.ReceiveRequestAsync(SipMethods.Ack);
        Assert.Equal(invite.TopVia.Branch, ack.TopVia!.Branch);
        Assert.False(await call.CancelAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Cancel_BeforeAnyProvisional_WaitsForOneThenSends()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync();
        var (invite, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);

        Assert.True(await call.CancelAsync(TestContext.Current.CancellationToken));

        // Sends are synchronous, so a CANCEL sent now would already be queued on the loopback socket.
        Assert.Equal(0, uas.Available);
        Assert.Equal(SipCallState.Calling, call.State);
        uas.Respond(invite, caller, 100, "Trying");
        var (cancel, _) = await uas.ReceiveRequestAsync(SipMethods.Cancel);
        Assert.Equal(invite.TopVia!.Branch, cancel.TopVia!.Branch);
        uas.Respond(cancel, caller, 200, "OK");
        uas.Respond(invite, caller, 487, "Request Terminated");
        Assert.True((await call.NextAsync<SipCallFailed>()).WasCanceled);
    }

    [Fact]
    public async Task Cancel_CrossedBy200_AnswersThenHangsUpWithBye()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync();
        var (invite, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);
        uas.Respond(invite, caller, 180, "Ringing");
        await call.NextAsync<SipCallRinging>();
        await call.CancelAsync(TestContext.Current.CancellationToken);
        var (cancel, _) = await uas.ReceiveRequestAsync(SipMethods.Cancel);

        uas.Respond(invite, caller, 200, "OK", UasFixture.AnswerSdp);
        uas.Respond(cancel, caller, 200, "OK");

        await call.NextAsync<SipCallAnswered>();
        await uas.ReceiveRequestAsync(SipMethods.Ack);
        var (bye, _) = await uas.ReceiveRequestAsync(SipMethods.Bye);
        uas.Respond(bye, caller, 200, "OK");
        Assert.Equal(SipCallParty.Local, (await call.NextAsync<SipCallTerminated>()).By);
    }

    [Fact]
    public async Task Cancel_No487Within64T1_EndsLocallyWith487()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync();
        var (invite, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);
        uas.Respond(invite, caller, 180, "Ringing");
        await call.NextAsync<SipCallRinging>();
        await call.CancelAsync(TestContext.Current.CancellationToken);
        var (cancel, _) = await uas.ReceiveRequestAsync(SipMethods.Cancel);
        uas.Respond(cancel, caller, 200, "OK");

        fixture.Time.Advance(TimeSpan.FromSeconds(32));

        var failed = await call.NextAsync<SipCallFailed>();
        Assert.Equal((487, true, true), (failed.StatusCode, failed.IsLocal, failed.WasCanceled));
        Assert.Equal(0, fixture.Endpoint.ClientTransactions.CountWhere(t => t.Method == SipMethods.Invite));
    }
}
