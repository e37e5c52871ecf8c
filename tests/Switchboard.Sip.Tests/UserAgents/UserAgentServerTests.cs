using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>
/// Incoming calls over UDP loopback: our user agent client against our INVITE server transaction and UAS
/// core, and a hand-written caller where exact datagrams and retransmissions matter (fake clock).
/// </summary>
public sealed class UserAgentServerTests
{
    private const string AnswerSdp = "v=0\r\no=- 9 9 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9000 RTP/AVP 0\r\n";

    [Fact]
    public async Task IncomingCall_EarlyMediaAnswerAndCallerBye_ReachBothSides()
    {
        await using var fixture = new IncomingCallFixture();
        var outgoing = await fixture.InviteAsync();
        var incoming = await fixture.NextIncomingAsync();
        Assert.Equal("+15550001234", incoming.RequestUser);
        Assert.Equal("+15557654321", incoming.FromUser);
        Assert.Equal(outgoing.CallId, incoming.CallId);
        Assert.Contains("m=audio", incoming.Sdp, StringComparison.Ordinal);

        Assert.True(await incoming.SendProvisionalAsync(183, "Session Progress", AnswerSdp, TestContext.Current.CancellationToken));
        var progress = await outgoing.NextAsync<SipCallRinging>();
        Assert.Equal((183, AnswerSdp), (progress.StatusCode, progress.Sdp));
        Assert.Equal(AnswerSdp, (await outgoing.NextAsync<SipCallEarlyMedia>()).Sdp);

        Assert.True(await incoming.AnswerAsync(AnswerSdp, TestContext.Current.CancellationToken));
        Assert.Equal(AnswerSdp, (await outgoing.NextAsync<SipCallAnswered>()).Sdp);
        await incoming.NextAsync<IncomingSipCallAcknowledged>();
        Assert.Equal(IncomingSipCallState.Confirmed, incoming.State);
        Assert.False(await incoming.RejectAsync(486, "Busy Here", TestContext.Current.CancellationToken));

        Assert.True(await outgoing.ByeAsync(TestContext.Current.CancellationToken));
        var theirs = await incoming.NextAsync<SipCallTerminated>();
        Assert.Equal(SipCallParty.Remote, theirs.By);
        var ours = await outgoing.NextAsync<SipCallTerminated>();
        Assert.Equal((SipCallParty.Local, 200), (ours.By, ours.StatusCode));
        Assert.Equal(IncomingSipCallState.Ended, incoming.State);
        Assert.Equal(0, fixture.Callee.IncomingCallCount);
    }

    [Fact]
    public async Task IncomingCall_CalleeHangsUp_ByeInTheDialogEndsBothSides()
    {
        await using var fixture = new IncomingCallFixture();
        var outgoing = await fixture.InviteAsync();
        var incoming = await fixture.NextIncomingAsync();
        Assert.True(await incoming.AnswerAsync(null, TestContext.Current.CancellationToken));
        // Without an SDP of its own the endpoint answers with its default one.
        Assert.Contains("m=audio 10000", (await outgoing.NextAsync<SipCallAnswered>()).Sdp, StringComparison.Ordinal);
        await incoming.NextAsync<IncomingSipCallAcknowledged>();

        Assert.True(await incoming.ByeAsync(TestContext.Current.CancellationToken));
        Assert.Equal(SipCallParty.Remote, (await outgoing.NextAsync<SipCallTerminated>()).By);
        var ours = await incoming.NextAsync<SipCallTerminated>();
        Assert.Equal((SipCallParty.Local, 200), (ours.By, ours.StatusCode));
    }

    [Fact]
    public async Task IncomingCall_CallerCancels_CancelGets200AndInvite487()
    {
        await using var fixture = new IncomingCallFixture();
        var outgoing = await fixture.InviteAsync();
        var incoming = await fixture.NextIncomingAsync();
        Assert.True(await incoming.SendProvisionalAsync(180, "Ringing", null, TestContext.Current.CancellationToken));
        await outgoing.NextAsync<SipCallRinging>();

        Assert.True(await outgoing.CancelAsync(TestContext.Current.CancellationToken));
        await incoming.NextAsync<IncomingSipCallCanceled>();
        var failed = await outgoing.NextAsync<SipCallFailed>();
        Assert.Equal((487, false, true), (failed.StatusCode, failed.IsLocal, failed.WasCanceled));
        Assert.False(await incoming.AnswerAsync(AnswerSdp, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task IncomingCall_RetransmittedInvite_AbsorbedByTheServerTransaction()
    {
        await using var fixture = new IncomingCallFixture();
        var raw = fixture.Raw;
        var invite = fixture.RawInvite();
        fixture.SendRaw(invite);
        var incoming = await fixture.NextIncomingAsync();
        Assert.Equal(100, (await raw.ReceiveResponseAsync(SipMethods.Invite)).StatusCode);
        Assert.True(await incoming.SendProvisionalAsync(180, "Ringing", null, TestContext.Current.CancellationToken));
        var ringing = await raw.ReceiveResponseAsync(SipMethods.Invite);
        Assert.Equal(180, ringing.StatusCode);
        Assert.NotNull(ringing.To!.Tag);

        // RFC 3261 17.2.1: the retransmission gets the last provisional again and makes no second call.
        fixture.SendRaw(invite);
        var again = await raw.ReceiveResponseAsync(SipMethods.Invite);
        Assert.Equal((180, ringing.To.Tag), (again.StatusCode, again.To!.Tag));
        Assert.Equal(0, fixture.IncomingCount);
        Assert.Equal(1, fixture.Callee.IncomingCallCount);
        Assert.Equal(1, fixture.Callee.InviteServerTransactionCount);
    }

    [Fact]
    public async Task IncomingCall_Rejected_FinalRetransmittedOnTimerGUntilTheAckThenAbsorbed()
    {
        await using var fixture = new IncomingCallFixture();
        var raw = fixture.Raw;
        var invite = fixture.RawInvite();
        fixture.SendRaw(invite);
        var incoming = await fixture.NextIncomingAsync();
        await raw.ReceiveResponseAsync(SipMethods.Invite);

        Assert.True(await incoming.RejectAsync(486, "Busy Here", TestContext.Current.CancellationToken));
        var busy = await raw.ReceiveResponseAsync(SipMethods.Invite);
        Assert.Equal(486, busy.StatusCode);
        var failed = await incoming.NextAsync<SipCallFailed>();
        Assert.Equal((486, true), (failed.StatusCode, failed.IsLocal));

        // RFC 3261 17.2.1: Timer G resends the final at T1, then 2*T1 ...
        fixture.Time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(486, (await raw.ReceiveResponseAsync(SipMethods.Invite)).StatusCode);
        fixture.Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(0, raw.Available);
        fixture.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(486, (await raw.ReceiveResponseAsync(SipMethods.Invite)).StatusCode);
        // ... and a retransmitted INVITE gets it too.
        fixture.SendRaw(invite);
        Assert.Equal(486, (await raw.ReceiveResponseAsync(SipMethods.Invite)).StatusCode);

        // The ACK (same branch) stops Timer G; Timer I (T4) absorbs retransmitted ACKs, then the transaction ends.
        fixture.SendRaw(IncomingCallFixture.AckFor(invite, busy));
        await WaitUntilAsync(() => fixture.Callee.CountInviteServerTransactions(InviteServerTransactionState.Confirmed) == 1, "the ACK to confirm the transaction");
        fixture.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, raw.Available);
        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, fixture.Callee.InviteServerTransactionCount);
    }

    [Fact]
    public async Task IncomingCall_RejectedAndNeverAcked_TimerGCapsAtT2AndTimerHEndsTheTransaction()
    {
        await using var fixture = new IncomingCallFixture();
        var raw = fixture.Raw;
        fixture.SendRaw(fixture.RawInvite());
        var incoming = await fixture.NextIncomingAsync();
        await raw.ReceiveResponseAsync(SipMethods.Invite);
        Assert.True(await incoming.RejectAsync(603, "Decline", TestContext.Current.CancellationToken));
        Assert.Equal(603, (await raw.ReceiveResponseAsync(SipMethods.Invite)).StatusCode);

        // Timer G: 0.5, 1, 2, 4, 4, 4 ... s (T1 doubling, capped at T2 = 4 s); Timer H at 64*T1 = 32 s.
        var sent = 0;
        // Half-second steps: during Advance a re-armed timer counts from the end of the step, so steps of T1 keep the exact times.
        for (var step = 1; step <= 64; step++)
        {
            fixture.Time.Advance(TimeSpan.FromMilliseconds(500));
            while (raw.Available > 0)
            {
                Assert.Equal(603, (await raw.ReceiveResponseAsync(SipMethods.Invite)).StatusCode);
                sent++;
            }
        }

        // Retransmissions at 0.5, 1.5, 3.5, 7.5, 11.5, 15.5, 19.5, 23.5, 27.5, 31.5 s.
        Assert.Equal(10, sent);
        Assert.Equal(0, fixture.Callee.InviteServerTransactionCount);
    }

    [Fact]
    public async Task IncomingCall_Answered_TwoHundredRetransmittedUntilTheAck()
    {
        await using var fixture = new IncomingCallFixture();
        var raw = fixture.Raw;
        var invite = fixture.RawInvite();
        fixture.SendRaw(invite);
        var incoming = await fixture.NextIncomingAsync();
        await raw.ReceiveResponseAsync(SipMethods.Invite);

        Assert.True(await incoming.AnswerAsync(AnswerSdp, TestContext.Current.CancellationToken));
        var ok = await raw.ReceiveResponseAsync(SipMethods.Invite);
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal(AnswerSdp, System.Text.Encoding.ASCII.GetString(ok.Body.Span));
        Assert.NotNull(ok.Contact);

        // RFC 3261 13.3.1.4: the UAS core resends the 2xx at T1, 2*T1, ... until the ACK.
        fixture.Time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(200, (await raw.ReceiveResponseAsync(SipMethods.Invite)).StatusCode);
        // A retransmitted INVITE is absorbed in Accepted (RFC 6026 7.1): no response, no new call.
        fixture.SendRaw(invite);
        fixture.Time.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.Equal(200, (await raw.ReceiveResponseAsync(SipMethods.Invite)).StatusCode);
        Assert.Equal(0, raw.Available);

        // The 2xx ACK is a new transaction: a new branch (RFC 3261 13.2.2.4).
        fixture.SendRaw(IncomingCallFixture.AckFor(invite, ok, "z9hG4bKrawack2xx"));
        await incoming.NextAsync<IncomingSipCallAcknowledged>();
        fixture.Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, raw.Available);
        Assert.Equal(0, fixture.IncomingCount);
    }

    [Fact]
    public async Task IncomingCall_NoAckForTheTwoHundred_EndsWithByeAfter64T1()
    {
        await using var fixture = new IncomingCallFixture();
        var raw = fixture.Raw;
        fixture.SendRaw(fixture.RawInvite());
        var incoming = await fixture.NextIncomingAsync();
        await raw.ReceiveResponseAsync(SipMethods.Invite);
        Assert.True(await incoming.AnswerAsync(AnswerSdp, TestContext.Current.CancellationToken));

        for (var i = 0; i < 40; i++)
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(1));
        }

        // RFC 3261 13.3.1.4: no ACK within 64*T1 (32 s) → the UAS confirms and ends the dialog with a BYE.
        var (bye, source) = await raw.ReceiveRequestAsync(SipMethods.Bye);
        Assert.Equal("rawcaller", bye.To!.Tag);
        raw.Respond(bye, source, 200, "OK");
        var ended = await incoming.NextAsync<SipCallTerminated>();
        Assert.Equal((SipCallParty.Local, 200), (ended.By, ended.StatusCode));
    }

    [Fact]
    public async Task IncomingInvite_WithoutHandlerOrFromTag_AnsweredStatelessly()
    {
        await using var fixture = new IncomingCallFixture();
        var raw = fixture.Raw;
        var invite = fixture.RawInvite();
        var untagged = invite with
        {
            Headers = [.. invite.Headers.Select(h => h.Name == HeaderNames.From ? new SipHeader(HeaderNames.From, "<sip:anonymous@127.0.0.1>") : h)],
        };
        fixture.SendRaw(untagged);
        Assert.Equal(400, (await raw.ReceiveResponseAsync(SipMethods.Invite)).StatusCode);

        // The caller endpoint accepts no incoming calls: it keeps answering 501.
        raw.Send(invite, fixture.Caller.LocalEndPoint);
        Assert.Equal(501, (await raw.ReceiveResponseAsync(SipMethods.Invite)).StatusCode);
        Assert.Equal(0, fixture.IncomingCount);
    }

    [Fact]
    public async Task IncomingCall_CancelAfterAnswer_Gets200AndChangesNothing()
    {
        await using var fixture = new IncomingCallFixture();
        var raw = fixture.Raw;
        var invite = fixture.RawInvite();
        fixture.SendRaw(invite);
        var incoming = await fixture.NextIncomingAsync();
        await raw.ReceiveResponseAsync(SipMethods.Invite);
        Assert.True(await incoming.AnswerAsync(AnswerSdp, TestContext.Current.CancellationToken));
        var ok = await raw.ReceiveResponseAsync(SipMethods.Invite);

        fixture.SendRaw(IncomingCallFixture.CancelFor(invite));
        Assert.Equal(200, (await raw.ReceiveResponseAsync(SipMethods.Cancel)).StatusCode);
        fixture.SendRaw(IncomingCallFixture.AckFor(invite, ok, "z9hG4bKrawack2"));
        await incoming.NextAsync<IncomingSipCallAcknowledged>();
        Assert.Equal(IncomingSipCallState.Confirmed, incoming.State);
    }

    [Theory]
    [InlineData("secret", true)]
    [InlineData("wrong", false)]
    public async Task IncomingCall_ProxyChallenge_OnlyTheRightDigestIsAuthorized(string password, bool authorized)
    {
        await using var fixture = new IncomingCallFixture();
        var credentials = new SipCredentials("alice", "secret");
        var outgoing = await fixture.InviteAsync(credentials: new SipCredentials("alice", password));

        // RFC 3261 22.3: the first INVITE carries no credentials and is challenged with 407.
        var first = await fixture.NextIncomingAsync();
        Assert.False(first.IsAuthorized(credentials, "pbx"));
        Assert.True(await first.ChallengeAsync("pbx", TestContext.Current.CancellationToken));
        Assert.Equal(407, (await first.NextAsync<SipCallFailed>()).StatusCode);

        // The retry (same Call-ID, CSeq + 1) is a new incoming call with a Proxy-Authorization.
        var retry = await fixture.NextIncomingAsync();
        Assert.Equal(first.CallId, retry.CallId);
        Assert.Equal(authorized, retry.IsAuthorized(credentials, "pbx"));
        Assert.False(retry.IsAuthorized(credentials, "another-realm"));
        if (authorized)
        {
            Assert.True(await retry.AnswerAsync(null, TestContext.Current.CancellationToken));
            await outgoing.NextAsync<SipCallAnswered>();
        }
        else
        {
            Assert.True(await retry.ChallengeAsync("pbx", TestContext.Current.CancellationToken));
            // Our UAC answers a realm once: a second challenge fails the call with it.
            Assert.Equal(407, (await outgoing.NextAsync<SipCallFailed>()).StatusCode);
        }
    }

    /// <summary>A receive-loop step is asynchronous: poll a condition, bounded, as a backstop only.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(ScriptedUas.Bound);
        while (!condition())
        {
            try
            {
                await Task.Delay(10, timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"Waited {ScriptedUas.Bound.TotalSeconds} s for {what}.");
            }
        }
    }
}
