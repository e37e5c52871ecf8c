using System.Globalization;
using System.Text;

namespace Switchboard.Sip.Messages;

/// <summary>The minimal SDP offer (RFC 4566, offer/answer RFC 3264): one audio stream, PCMU/PCMA and telephone-event.</summary>
internal static class SdpBody
{
    public const string ContentType = "application/sdp";

    public static byte[] CreateOffer(string address, int port, ulong sessionId)
    {
        var version = sessionId.ToString(CultureInfo.InvariantCulture);
        // RFC 4566 5: CRLF line ends; RFC 3264 5: one m-line per stream, payload types in preference order.
        var text = string.Create(CultureInfo.InvariantCulture, $"""
            v=0
            o=- {version} {version} IN IP4 {address}
            s=-
            c=IN IP4 {address}
            t=0 0
            m=audio {port} RTP/AVP 0 8 101
            a=rtpmap:0 PCMU/8000
            a=rtpmap:8 PCMA/8000
            a=rtpmap:101 telephone-event/8000
            a=fmtp:101 0-16
            a=sendrecv

            """).ReplaceLineEndings("\r\n");
        return Encoding.ASCII.GetBytes(text);
    }

    /// <summary>The body as text when it is SDP, else null.</summary>
    public static string? GetSdp(SipMessage message)
    {
        var type = message.GetHeader(HeaderNames.ContentType);
        if (message.Body.IsEmpty || type is null || !type.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return Encoding.UTF8.GetString(message.Body.Span);
    }
}
