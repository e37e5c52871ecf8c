namespace Switchboard.Sip.Messages;

/// <summary>Builds responses to received requests (RFC 3261 8.2.6).</summary>
internal static class SipResponseFactory
{
    /// <summary>
    /// RFC 3261 8.2.6.2: copy every Via in order, From, Call-ID and CSeq; copy To, adding our tag when the
    /// request had none (not for 100 Trying).
    /// </summary>
    public static SipResponse Create(SipRequest request, int statusCode, string reasonPhrase, string? toTag, IEnumerable<SipHeader>? extraHeaders = null, ReadOnlyMemory<byte> body = default)
    {
        var headers = new List<SipHeader>();
        headers.AddRange(request.Headers.Where(h => h.Name.Equals(HeaderNames.Via, StringComparison.OrdinalIgnoreCase)));
        headers.Add(new(HeaderNames.From, request.GetHeader(HeaderNames.From) ?? string.Empty));
        var to = request.GetHeader(HeaderNames.To) ?? string.Empty;
        if (statusCode > 100 && toTag is not null && request.To is { Tag: null } address)
        {
            to = address.WithTag(toTag).ToString();
        }

        headers.Add(new(HeaderNames.To, to));
        headers.Add(new(HeaderNames.CallId, request.CallId ?? string.Empty));
        headers.Add(new(HeaderNames.CSeq, request.GetHeader(HeaderNames.CSeq) ?? string.Empty));
        if (extraHeaders is not null)
        {
            headers.AddRange(extraHeaders);
        }

        return new SipResponse { StatusCode = statusCode, ReasonPhrase = reasonPhrase, Headers = headers, Body = body };
    }
}
