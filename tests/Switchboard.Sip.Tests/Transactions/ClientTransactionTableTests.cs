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
}
