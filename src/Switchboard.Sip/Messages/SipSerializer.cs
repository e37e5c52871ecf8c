using System.Globalization;
using System.Text;

namespace Switchboard.Sip.Messages;

/// <summary>Writes a message in RFC 3261 7 wire form: CRLF line ends, long header names, and always a Content-Length.</summary>
internal static class SipSerializer
{
    public static byte[] Serialize(SipMessage message)
    {
        var builder = new StringBuilder(512);
        switch (message)
        {
            case SipRequest request:
                builder.Append(request.Method).Append(' ').Append(request.RequestUri).Append(" SIP/2.0\r\n");
                break;
            case SipResponse response:
                builder.Append("SIP/2.0 ").Append(response.StatusCode.ToString(CultureInfo.InvariantCulture))
                    .Append(' ').Append(response.ReasonPhrase).Append("\r\n");
                break;
        }

        foreach (var header in message.Headers)
        {
            if (!header.Name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                builder.Append(header.Name).Append(": ").Append(header.Value).Append("\r\n");
            }
        }

        // RFC 3261 20.14: Content-Length is written from the actual body, whatever the headers claimed.
        builder.Append(HeaderNames.ContentLength).Append(": ")
            .Append(message.Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");

        var headLength = Encoding.UTF8.GetByteCount(builder.ToString());
        var bytes = new byte[headLength + message.Body.Length];
        Encoding.UTF8.GetBytes(builder.ToString(), bytes);
        message.Body.Span.CopyTo(bytes.AsSpan(headLength));
        return bytes;
    }
}
