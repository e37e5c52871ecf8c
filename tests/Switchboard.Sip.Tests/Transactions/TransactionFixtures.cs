using System.Net;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Tests.Transactions;

internal static class TransactionFixtures
{
    public static readonly IPEndPoint Peer = new(IPAddress.Loopback, 5070);

    public static SipRequest Request(string method, string branch = "z9hG4bKtest1", uint cseq = 7) => new()
    {
        Method = method,
        RequestUri = SipUri.TryParse("sip:callee@127.0.0.1:5070", out var uri) ? uri : throw new InvalidOperationException(),
        Headers =
        [
            new(HeaderNames.Via, "SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch + ";rport"),
            new(HeaderNames.MaxForwards, "70"),
            new(HeaderNames.From, "<sip:caller@127.0.0.1>;tag=local1"),
            new(HeaderNames.To, "<sip:callee@127.0.0.1:5070>"),
            new(HeaderNames.CallId, "call-1@127.0.0.1"),
            new(HeaderNames.CSeq, new CSeq(cseq, method).ToString()),
            new(HeaderNames.Route, "<sip:proxy.example.com;lr>"),
        ],
    };

    public static SipResponse Response(SipRequest request, int code, string reason = "Reason", string toTag = "remote1") =>
        SipResponseFactory.Create(request, code, reason, code > 100 ? toTag : null);

    /// <summary>
    /// A started transaction whose user only the returned weak reference reaches: for the tests that a transaction lets
    /// go of its user (not inlined, so no local of the caller keeps the user alive).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static (T Transaction, WeakReference<RecordingTransactionUser> User) StartForAUserNobodyElseHolds<T>(Func<RecordingTransactionUser, T> create)
        where T : Switchboard.Sip.Transactions.ClientTransaction
    {
        var user = new RecordingTransactionUser();
        var transaction = create(user);
        transaction.Start();
        return (transaction, new WeakReference<RecordingTransactionUser>(user));
    }
}
