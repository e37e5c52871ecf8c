using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using static Switchboard.Sip.Tests.Transactions.TransactionFixtures;

namespace Switchboard.Sip.Tests.Transactions;

public sealed class NonInviteClientTransactionTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingTransport _transport = new();
    private readonly RecordingTransactionUser _user = new();
    private readonly SipRequest _bye = Request(SipMethods.Bye);
    private bool _terminated;

    private NonInviteClientTransaction Start()
    {
        var transaction = new NonInviteClientTransaction(_bye, Peer, _transport, SipTimers.Default, _time, _user, NullLogger.Instance);
        transaction.Terminated += _ => _terminated = true;
        transaction.Start();
        return transaction;
    }

    [Fact]
    public void Trying_NoResponse_TimerEDoublesUpToT2ThenTimerFReportsTimeout()
    {
        var transaction = Start();

        // RFC 3261 17.1.2.2: intervals 0.5, 1, 2, 4, then capped at T2 = 4 s, until Timer F at 64*T1 = 32 s.
        long[] retransmitAtMs = [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500];
        var elapsed = 0L;
        for (var i = 0; i < retransmitAtMs.Length; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(retransmitAtMs[i] - 1 - elapsed));
            Assert.Equal(i + 1, _transport.Sent.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(i + 2, _transport.Sent.Count);
            elapsed = retransmitAtMs[i];
        }

        _time.Advance(TimeSpan.FromMilliseconds(32_000 - elapsed));

        Assert.Equal([ClientTransactionFailure.Timeout], _user.Failures);
        Assert.Equal(NonInviteClientTransactionState.Terminated, transaction.State);
        Assert.True(_terminated);
    }

    [Fact]
    public void Proceeding_RetransmitsEveryT2()
    {
        var transaction = Start();
        transaction.OnResponse(Response(_bye, 100, "Trying"));

        _time.Advance(TimeSpan.FromMilliseconds(500));
        Assert.Equal(2, _transport.Sent.Count);
        _time.Advance(TimeSpan.FromMilliseconds(3999));
        Assert.Equal(2, _transport.Sent.Count);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, _transport.Sent.Count);
        Assert.Equal(NonInviteClientTransactionState.Proceeding, transaction.State);
    }

    [Fact]
    public void Final_TheTransactionLingersForTimerK_WithoutKeepingItsUserAlive()
    {
        var (transaction, user) = StartForAUserNobodyElseHolds(u => new NonInviteClientTransaction(_bye, Peer, _transport, SipTimers.Default, _time, u, NullLogger.Instance));

        transaction.OnResponse(Response(_bye, 200, "OK"));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // Completed absorbs retransmissions for 5 s: the call behind the user (and all it refers to) may go meanwhile.
        Assert.Equal(NonInviteClientTransactionState.Completed, transaction.State);
        Assert.False(user.TryGetTarget(out _), "the Completed transaction still holds its user");
    }

    [Fact]
    public void Final_PassedUpOnceThenAbsorbedUntilTimerK()
    {
        var transaction = Start();
        var ok = Response(_bye, 200, "OK");

        transaction.OnResponse(ok);
        transaction.OnResponse(ok);
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Single(_user.Responses);
        Assert.Single(_transport.Sent);
        Assert.Equal(NonInviteClientTransactionState.Terminated, transaction.State);
        Assert.True(_terminated);
    }

    [Fact]
    public void TimerK_IsT4()
    {
        var transaction = Start();
        transaction.OnResponse(Response(_bye, 481, "Call/Transaction Does Not Exist"));

        _time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.Equal(NonInviteClientTransactionState.Completed, transaction.State);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(NonInviteClientTransactionState.Terminated, transaction.State);
    }
}
