using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Dialogs;

/// <summary>
/// A dialog (RFC 3261 12): UAC side created from a 2xx to our INVITE (12.1.2), UAS side from an INVITE we
/// answer (12.1.1). Route set, remote target,
/// local and remote CSeq. Builds in-dialog requests (12.2.1.1) and the ACK for a 2xx (13.2.2.4), and
/// checks the CSeq of requests from the far end (12.2.2). Not thread-safe: the owning call locks.
/// </summary>
internal sealed class Dialog
{
    private Dialog(DialogId id, string localAddress, string remoteAddress, SipUri remoteTarget, IReadOnlyList<string> routeSet, uint localCSeq)
    {
        Id = id;
        LocalAddress = localAddress;
        RemoteAddress = remoteAddress;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
        LocalCSeq = localCSeq;
    }

    public DialogId Id { get; }

    /// <summary>Our From header value, tag included.</summary>
    public string LocalAddress { get; }

    /// <summary>The To header value of the 2xx, remote tag included.</summary>
    public string RemoteAddress { get; }

    public SipUri RemoteTarget { get; private set; }

    /// <summary>Record-Route of the 2xx in reverse order (RFC 3261 12.1.2), as name-addr values.</summary>
    public IReadOnlyList<string> RouteSet { get; }

    /// <summary>The CSeq number of the last request we sent in this dialog.</summary>
    public uint LocalCSeq { get; private set; }

    /// <summary>The CSeq number of the last request the far end sent, or null before the first.</summary>
    public uint? RemoteCSeq { get; private set; }

    public static bool TryCreate(SipRequest invite, SipResponse response, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Dialog? dialog)
    {
        dialog = null;
        // RFC 3261 12.1.2: the remote target is the Contact of the response; the remote tag its To tag.
        if (invite.CallId is not { } callId
            || invite.From is not { Tag: { } localTag }
            || response.To is not { Tag: { } remoteTag }
            || invite.CSeq is not { } cseq)
        {
            return false;
        }

        var target = response.Contact?.Uri ?? invite.RequestUri;
        var routeSet = response.GetValues(HeaderNames.RecordRoute).Reverse().ToList();
        dialog = new Dialog(
            new DialogId(callId, localTag, remoteTag),
            invite.GetHeader(HeaderNames.From)!,
            response.GetHeader(HeaderNames.To)!,
            target,
            routeSet,
            cseq.Number);
        return true;
    }

    /// <summary>
    /// UAS side (RFC 3261 12.1.1): the dialog a 1xx/2xx with our To tag creates from an INVITE. The remote
    /// target is the INVITE's Contact, the route set its Record-Route in order, the remote tag its From tag;
    /// our CSeq space starts fresh (12.1.1: the local sequence number is ours to choose).
    /// </summary>
    public static bool TryCreateForServer(SipRequest invite, string localTag, uint localCSeq, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Dialog? dialog)
    {
        dialog = null;
        if (invite.CallId is not { } callId
            || invite.From is not { Tag: { } remoteTag }
            || invite.To is not { } to
            || invite.CSeq is not { } cseq)
        {
            return false;
        }

        dialog = new Dialog(
            new DialogId(callId, localTag, remoteTag),
            to.WithTag(localTag).ToString(),
            invite.GetHeader(HeaderNames.From)!,
            invite.Contact?.Uri ?? invite.RequestUri,
            invite.GetValues(HeaderNames.RecordRoute).ToList(),
            localCSeq)
        {
            RemoteCSeq = cseq.Number,
        };
        return true;
    }

    /// <summary>
    /// RFC 3261 12.2.1.1: a new in-dialog request with the next local CSeq, our From, the remote To,
    /// and Request-URI and Route from the remote target and route set.
    /// </summary>
    public SipRequest CreateRequest(string method, string viaValue, IEnumerable<SipHeader>? extraHeaders = null)
    {
        LocalCSeq++;
        return Build(method, LocalCSeq, viaValue, extraHeaders);
    }

    /// <summary>
    /// RFC 3261 13.2.2.4: the ACK for a 2xx is built by the UA core in the dialog, with the INVITE's CSeq
    /// number, a new branch, and the same credentials as the INVITE.
    /// </summary>
    public SipRequest CreateAck(uint inviteCSeq, string viaValue, IEnumerable<SipHeader>? credentials) =>
        Build(SipMethods.Ack, inviteCSeq, viaValue, credentials);

    /// <summary>RFC 3261 12.2.2: a request whose CSeq is lower than the last one seen is out of order (500).</summary>
    public bool TryAcceptRemoteCSeq(uint number)
    {
        if (RemoteCSeq is { } last && number <= last)
        {
            return false;
        }

        RemoteCSeq = number;
        return true;
    }

    /// <summary>RFC 3261 12.2.2: a target refresh (re-INVITE) updates the remote target from its Contact.</summary>
    public void RefreshTarget(SipRequest request)
    {
        if (request.Contact is { } contact)
        {
            RemoteTarget = contact.Uri;
        }
    }

    /// <summary>RFC 3261 12.2.1.1: with a loose-routing first hop (or none), the next hop is that route or the target.</summary>
    public SipUri NextHop =>
        RouteSet.Count > 0 && NameAddress.TryParse(RouteSet[0], out var route) ? route.Uri : RemoteTarget;

    private SipRequest Build(string method, uint cseq, string viaValue, IEnumerable<SipHeader>? extraHeaders)
    {
        var requestUri = RemoteTarget;
        var routes = RouteSet.ToList();
        if (routes.Count > 0 && NameAddress.TryParse(routes[0], out var first) && first.Uri.GetParameter("lr") is null)
        {
            // RFC 3261 12.2.1.1: a strict router is the Request-URI; the remote target goes last in Route.
            requestUri = first.Uri;
            routes.RemoveAt(0);
            routes.Add("<" + RemoteTarget + ">");
        }

        var headers = new List<SipHeader>(6 + routes.Count + (extraHeaders is IReadOnlyCollection<SipHeader> extra ? extra.Count : 2))
        {
            new(HeaderNames.Via, viaValue),
            new(HeaderNames.MaxForwards, "70"),
            new(HeaderNames.From, LocalAddress),
            new(HeaderNames.To, RemoteAddress),
            new(HeaderNames.CallId, Id.CallId),
            new(HeaderNames.CSeq, new CSeq(cseq, method).ToString()),
        };
        headers.AddRange(routes.Select(r => new SipHeader(HeaderNames.Route, r)));
        if (extraHeaders is not null)
        {
            headers.AddRange(extraHeaders);
        }

        return new SipRequest { Method = method, RequestUri = requestUri, Headers = headers };
    }
}
