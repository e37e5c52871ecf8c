using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using static Switchboard.Sip.Tests.Transactions.TransactionFixtures;

namespace Switchboard.Sip.Tests.Transactions;

public sealed class InviteClientTransactionTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingTransport _transport = new();
    private readonly RecordingTransactionUser _user = new();
    private readonly SipRequest _invite = Request(SipMethods.Invite);
    private bool _terminated;

    private InviteClientTransaction Start(RecordingTransport? transport = null)
    {
        var transaction = new InviteClientTransaction(_invite, Peer, transport ?? _transport, SipTimers.Default, _time, _user, NullLogger.Instance);
        transaction.Terminated += _ => _terminated = true;
        transaction.Start();
        return transaction;
    }

    [Fact]
    public void Calling_NoResponse_TimerARetransmitsDoublingThenTimerBReportsTimeout()
    {
        var transaction = Start();

        // RFC 3261 17.1.1.2: retransmissions at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s (intervals 0.5, 1, 2, 4, 8, 16 s; no T2 cap).
        long[] retransmitAtMs = [500, 1500, 3500, 7500, 15500, 31500];
        var elapsed = 0L;
        for (var i = 0; i < retransmitAtMs.Length; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(retransmitAtMs[i] - 1 - elapsed));
            Assert.Equal(i + 1, _transport.Sent.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(i + 2, _transport.Sent.Count);
            elapsed = retransmitAtMs[i];
        }

        Assert.Empty(_user.Failures);
        _time.Advance(TimeSpan.FromMilliseconds(32_000 - elapsed));

        Assert.Equal([ClientTransactionFailure.Timeout], _user.Failures);
        Assert.Equal(InviteClientTransactionState.Terminated, transaction.State);
        Assert.True(_terminated);
        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(7, _transport.Sent.Count);
        Assert.All(_transport.Sent, m => Assert.Same(_invite, m));
    }

    [Fact]
    public void Calling_Provisional_StopsRetransmissionsAndTimerB()
    {
        var transaction = Start();

        transaction.OnResponse(Response(_invite, 180, "Ringing"));
        _time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(InviteClientTransactionState.Proceeding, transaction.State);
        Assert.True(transaction.HasProvisional);
        Assert.Single(_transport.Sent);
        Assert.Empty(_user.Failures);
        Assert.Equal([180], _user.Responses.Select(r => r.StatusCode));
    }

    [Fact]
    public void NonSuccessFinal_IsAckedOnTheSameBranchAndRetransmissionsReAckedUntilTimerD()
    {
        var transaction = Start();
        transaction.OnResponse(Response(_invite, 180));
        var busy = Response(_invite, 486, "Busy Here");

        transaction.OnResponse(busy);

        var ack = Assert.IsType<SipRequest>(_transport.Sent[^1]);
        Assert.Equal(SipMethods.Ack, ack.Method);
        Assert.Equal(_invite.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.Equal(new CSeq(7, SipMethods.Ack), ack.CSeq);
        Assert.Equal("remote1", ack.To!.Tag);
        Assert.Equal(_invite.RequestUri, ack.RequestUri);
        Assert.Equal("<sip:proxy.example.com;lr>", ack.GetHeader(HeaderNames.Route));
        Assert.Equal(InviteClientTransactionState.Completed, transaction.State);

        // RFC 3261 17.1.1.2: a retransmitted final is ACKed again and not passed up.
        transaction.OnResponse(busy);
        Assert.Equal(3, _transport.Sent.Count);
        Assert.Equal(SipSerializer.Serialize(ack), SipSerializer.Serialize(_transport.Sent[^1]));
        Assert.Equal([180, 486], _user.Responses.Select(r => r.StatusCode));

        _time.Advance(TimeSpan.FromSeconds(32) - TimeSpan.FromMilliseconds(1));
        Assert.False(_terminated);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(_terminated);
        Assert.Equal(InviteClientTransactionState.Terminated, transaction.State);
    }

    [Fact]
    public void Success_EntersAcceptedAndPassesEvery2xxUpUntilTimerM()
    {
        var transaction = Start();

        transaction.OnResponse(Response(_invite, 200, "OK"));
        transaction.OnResponse(Response(_invite, 200, "OK"));

        // RFC 6026 7.2: the transaction does not ACK a 2xx; the TU does, for each retransmission.
        Assert.Single(_transport.Sent);
        Assert.Equal([200, 200], _user.Responses.Select(r => r.StatusCode));
        Assert.Equal(InviteClientTransactionState.Accepted, transaction.State);
        _time.Advance(TimeSpan.FromSeconds(32));
        Assert.True(_terminated);
    }

    [Fact]
    public void Accepted_HandedOverAfterTheCall_ReAcksRetransmitted2xxWithoutKeepingTheCallAlive()
    {
        var (transaction, user) = StartForAUserNobodyElseHolds(u => new InviteClientTransaction(_invite, Peer, _transport, SipTimers.Default, _time, u, NullLogger.Instance));
        var ok = Response(_invite, 200, "OK");
        transaction.OnResponse(ok);
        var ack = Request(SipMethods.Ack, "z9hG4bKack1");

        // The call ended (its BYE answered) while the transaction still has Timer M to run.
        transaction.HandOver(new Switchboard.Sip.UserAgents.AckResender(_transport, ack, Peer, "remote1", NullLogger.Instance));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        transaction.OnResponse(ok);
        transaction.OnResponse(Response(_invite, 200, "OK", toTag: "otherfork"));

        Assert.False(user.TryGetTarget(out _), "the Accepted transaction still holds the call's user");
        // The INVITE, then the call's ACK again for the retransmitted 2xx of its dialog; nothing for another fork's.
        Assert.Equal([SipMethods.Invite, SipMethods.Ack], _transport.Sent.Select(m => ((SipRequest)m).Method));
        Assert.Equal(SipSerializer.Serialize(ack), SipSerializer.Serialize(_transport.Sent[^1]));
        Assert.Equal(InviteClientTransactionState.Accepted, transaction.State);
        _time.Advance(TimeSpan.FromSeconds(32));
        Assert.Equal(InviteClientTransactionState.Terminated, transaction.State);
    }

    [Fact]
    public void HandOver_BeforeAnyFinal_ChangesNothing()
    {
        var transaction = Start();
        transaction.HandOver(new Switchboard.Sip.UserAgents.AckResender(_transport, Request(SipMethods.Ack), Peer, "remote1", NullLogger.Instance));

        transaction.OnResponse(Response(_invite, 180, "Ringing"));
        transaction.OnResponse(Response(_invite, 200, "OK"));

        // Still pending when handed over: the call's own user keeps seeing every response.
        Assert.Equal([180, 200], _user.Responses.Select(r => r.StatusCode));
    }

    [Fact]
    public void Start_TransportFails_ReportsTransportError()
    {
        var transaction = Start(new RecordingTransport { Fail = true });

        Assert.Equal([ClientTransactionFailure.TransportError], _user.Failures);
        Assert.Equal(InviteClientTransactionState.Terminated, transaction.State);
        Assert.True(_terminated);
    }

    [Fact]
    public void ReliableTransport_NoRetransmissionsAndTimerDIsZero()
    {
        var transaction = Start(new RecordingTransport(reliable: true));

        _time.Advance(TimeSpan.FromSeconds(31));
        transaction.OnResponse(Response(_invite, 603, "Decline"));

        Assert.Equal(InviteClientTransactionState.Terminated, transaction.State);
        Assert.True(_terminated);
    }
}
