using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Transactions;
using static Switchboard.Sip.Tests.Transactions.TransactionFixtures;

namespace Switchboard.Sip.Tests.Transactions;

public sealed class ClientTransactionTableTests
{
    [Fact]
    public void TryMatch_SameBranchDifferentMethod_PicksByCSeqMethod()
    {
        var time = new FakeTimeProvider();
        var transport = new RecordingTransport();
        var user = new RecordingTransactionUser();
        var table = new ClientTransactionTable();
        var invite = Request(SipMethods.Invite, "z9hG4bKshared");
        var cancel = Request(SipMethods.Cancel, "z9hG4bKshared");
        var inviteTransaction = new InviteClientTransaction(invite, Peer, transport, SipTimers.Default, time, user, NullLogger.Instance);
        var cancelTransaction = new NonInviteClientTransaction(cancel, Peer, transport, SipTimers.Default, time, user, NullLogger.Instance);
        table.Add(inviteTransaction);
        table.Add(cancelTransaction);

        Assert.True(table.TryMatch(Response(cancel, 200), out var forCancel));
        Assert.True(table.TryMatch(Response(invite, 487), out var forInvite));
        Assert.False(table.TryMatch(Response(Request(SipMethods.Invite, "z9hG4bKother"), 200), out _));
        Assert.Same(cancelTransaction, forCancel);
        Assert.Same(inviteTransaction, forInvite);
    }

    [Fact]
    public void Terminated_RemovesTheTransaction()
    {
        var time = new FakeTimeProvider();
        var table = new ClientTransactionTable();
        var bye = Request(SipMethods.Bye);
        var transaction = new NonInviteClientTransaction(bye, Peer, new RecordingTransport(), SipTimers.Default, time, new RecordingTransactionUser(), NullLogger.Instance);
        table.Add(transaction);
        transaction.Start();

        time.Advance(TimeSpan.FromSeconds(32));

        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void LingeringTransactions_EndInDueOrder_FromTheClocksLingerQueue()
    {
        var time = new FakeTimeProvider();
        var transport = new RecordingTransport();
        var table = new ClientTransactionTable();
        var invite = Request(SipMethods.Invite, "z9hG4bKlinger-invite");
        var bye = Request(SipMethods.Bye, "z9hG4bKlinger-bye");
        var inviteTransaction = new InviteClientTransaction(invite, Peer, transport, SipTimers.Default, time, new RecordingTransactionUser(), NullLogger.Instance);
        var byeTransaction = new NonInviteClientTransaction(bye, Peer, transport, SipTimers.Default, time, new RecordingTransactionUser(), NullLogger.Instance);
        table.Add(inviteTransaction);
        table.Add(byeTransaction);
        inviteTransaction.Start();
        byeTransaction.Start();

        // t = 0: the INVITE is answered (Accepted, Timer M = 32 s); t = 1 s: the BYE is (Completed, Timer K = T4 = 5 s).
        inviteTransaction.OnResponse(Response(invite, 200));
        time.Advance(TimeSpan.FromSeconds(1));
        byeTransaction.OnResponse(Response(bye, 200));
        Assert.Equal(2, LingerQueue.For(time).Count);

        time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(NonInviteClientTransactionState.Completed, byeTransaction.State);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(NonInviteClientTransactionState.Terminated, byeTransaction.State);
        Assert.Equal(InviteClientTransactionState.Accepted, inviteTransaction.State);
        Assert.Equal(1, table.Count);

        // Ends no earlier than due, and at most the queue's coalescing later.
        time.Advance(TimeSpan.FromSeconds(26) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(InviteClientTransactionState.Accepted, inviteTransaction.State);
        time.Advance(LingerQueue.Coalescing + TimeSpan.FromMilliseconds(1));
        Assert.Equal(InviteClientTransactionState.Terminated, inviteTransaction.State);
        Assert.Equal(0, table.Count);
        Assert.Equal(0, LingerQueue.For(time).Count);
    }

    [Fact]
    public void TransactionsLingeringEquallyLong_EndOneByOne_EachAtItsOwnDueTime()
    {
        var time = new FakeTimeProvider();
        var start = time.GetUtcNow();
        void AdvanceTo(TimeSpan sinceStart) => time.Advance(start + sinceStart - time.GetUtcNow());
        var transport = new RecordingTransport();
        var table = new ClientTransactionTable();
        var byes = new List<NonInviteClientTransaction>();
        // BYEs answered at t = 0, 0.5 s and 1 s: each lingers for Timer K (T4 = 5 s) in the same lane.
        for (var i = 0; i < 3; i++)
        {
            AdvanceTo(TimeSpan.FromMilliseconds(500 * i));
            var bye = Request(SipMethods.Bye, $"z9hG4bKlane-{i}");
            var transaction = new NonInviteClientTransaction(bye, Peer, transport, SipTimers.Default, time, new RecordingTransactionUser(), NullLogger.Instance);
            table.Add(transaction);
            transaction.Start();
            transaction.OnResponse(Response(bye, 200));
            byes.Add(transaction);
        }
        Assert.Equal(3, LingerQueue.For(time).Count);

        // Each ends no earlier than 5 s after its answer and at most the queue's coalescing later, the others untouched.
        for (var i = 0; i < 3; i++)
        {
            var due = TimeSpan.FromMilliseconds(5_000 + 500 * i);
            AdvanceTo(due - TimeSpan.FromMilliseconds(1));
            Assert.All(byes.Skip(i), t => Assert.Equal(NonInviteClientTransactionState.Completed, t.State));
            AdvanceTo(due + LingerQueue.Coalescing);
            Assert.Equal(NonInviteClientTransactionState.Terminated, byes[i].State);
            Assert.All(byes.Skip(i + 1), t => Assert.Equal(NonInviteClientTransactionState.Completed, t.State));
            Assert.Equal(2 - i, LingerQueue.For(time).Count);
        }
        Assert.Equal(0, table.Count);
    }
}
