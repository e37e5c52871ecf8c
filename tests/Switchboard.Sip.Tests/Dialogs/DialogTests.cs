using Switchboard.Sip.Dialogs;
using Switchboard.Sip.Messages;
using Switchboard.Sip.Tests.Transactions;

namespace Switchboard.Sip.Tests.Dialogs;

public sealed class DialogTests
{
    private static readonly SipRequest Invite = TransactionFixtures.Request(SipMethods.Invite, cseq: 100);

    private static SipResponse Ok(params SipHeader[] extra) =>
        SipResponseFactory.Create(Invite, 200, "OK", "remote9", [new(HeaderNames.Contact, "<sip:callee@192.0.2.7:5080>"), .. extra]);

    [Fact]
    public void TryCreate_From2xx_TakesTargetTagsAndReversedRecordRoute()
    {
        var response = Ok(new SipHeader(HeaderNames.RecordRoute, "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>"), new SipHeader(HeaderNames.RecordRoute, "<sip:p3.example.com;lr>"));

        Assert.True(Dialog.TryCreate(Invite, response, out var dialog));

        Assert.Equal(new DialogId("call-1@127.0.0.1", "local1", "remote9"), dialog.Id);
        Assert.Equal("192.0.2.7", dialog.RemoteTarget.Host);
        Assert.Equal(["<sip:p3.example.com;lr>", "<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"], dialog.RouteSet);
        Assert.Equal("p3.example.com", dialog.NextHop.Host);
        Assert.Equal(100u, dialog.LocalCSeq);
    }

    [Fact]
    public void CreateRequest_LooseRouting_UsesTargetAsRequestUriAndRouteSetAsRoute()
    {
        Dialog.TryCreate(Invite, Ok(new SipHeader(HeaderNames.RecordRoute, "<sip:p1.example.com;lr>")), out var dialog);

        var bye = dialog!.CreateRequest(SipMethods.Bye, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKbye");

        Assert.Equal("sip:callee@192.0.2.7:5080", bye.RequestUri.ToString());
        Assert.Equal(["<sip:p1.example.com;lr>"], bye.GetValues(HeaderNames.Route));
        Assert.Equal(new CSeq(101, SipMethods.Bye), bye.CSeq);
        Assert.Equal("remote9", bye.To!.Tag);
        Assert.Equal("local1", bye.From!.Tag);
    }

    [Fact]
    public void CreateRequest_StrictRouter_PutsItInTheRequestUriAndTheTargetLast()
    {
        Dialog.TryCreate(Invite, Ok(new SipHeader(HeaderNames.RecordRoute, "<sip:strict.example.com>")), out var dialog);

        var bye = dialog!.CreateRequest(SipMethods.Bye, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKbye");

        Assert.Equal("sip:strict.example.com", bye.RequestUri.ToString());
        Assert.Equal(["<sip:callee@192.0.2.7:5080>"], bye.GetValues(HeaderNames.Route));
    }

    [Fact]
    public void CreateAck_KeepsTheInviteCSeqAndCarriesCredentials()
    {
        Dialog.TryCreate(Invite, Ok(), out var dialog);

        var ack = dialog!.CreateAck(100, "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKack", [new(HeaderNames.Authorization, "Digest x")]);

        Assert.Equal(new CSeq(100, SipMethods.Ack), ack.CSeq);
        Assert.Equal("Digest x", ack.GetHeader(HeaderNames.Authorization));
        Assert.Equal(100u, dialog.LocalCSeq);
    }

    [Fact]
    public void TryAcceptRemoteCSeq_RejectsOldOrRepeatedNumbers()
    {
        Dialog.TryCreate(Invite, Ok(), out var dialog);

        Assert.True(dialog!.TryAcceptRemoteCSeq(5));
        Assert.False(dialog.TryAcceptRemoteCSeq(5));
        Assert.False(dialog.TryAcceptRemoteCSeq(4));
        Assert.True(dialog.TryAcceptRemoteCSeq(6));
    }

    [Fact]
    public void TryCreate_2xxWithoutToTag_Fails()
    {
        var response = SipResponseFactory.Create(Invite, 200, "OK", toTag: null);

        Assert.False(Dialog.TryCreate(Invite, response, out _));
    }
}
