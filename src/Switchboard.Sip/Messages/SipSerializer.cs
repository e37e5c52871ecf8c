using System.Globalization;
using System.Text;

namespace Switchboard.Sip.Messages;

/// <summary>Writes a message in RFC 3261 7 wire form: CRLF line ends, long header names, and always a Content-Length.</summary>
internal static class SipSerializer
{
    // One builder per thread, reused: a message is written on the thread that sends it, and the builder's buffer
    // (a few KB) would otherwise be garbage after every message.
    [ThreadStatic]
    private static StringBuilder? t_builder;

    public static byte[] Serialize(SipMessage message)
    {
        var builder = t_builder ??= new StringBuilder(1024);
        builder.Clear();
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

        // By index: a foreach over the interface would allocate an enumerator per message.
        var headers = message.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            if (!header.Name.Equals(HeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                builder.Append(header.Name).Append(": ").Append(header.Value).Append("\r\n");
            }
        }

        // RFC 3261 20.14: Content-Length is written from the actual body, whatever the headers claimed.
        builder.Append(HeaderNames.ContentLength).Append(": ").Append(message.Body.Length).Append("\r\n\r\n");

        // Encoded straight from the builder's chunks into the datagram: no intermediate string.
        var headLength = 0;
        foreach (var chunk in builder.GetChunks())
        {
            headLength += Encoding.UTF8.GetByteCount(chunk.Span);
        }
        var bytes = new byte[headLength + message.Body.Length];
        var written = 0;
        foreach (var chunk in builder.GetChunks())
        {
            written += Encoding.UTF8.GetBytes(chunk.Span, bytes.AsSpan(written));
        }
        message.Body.Span.CopyTo(bytes.AsSpan(headLength));
        if (builder.Capacity > 16 * 1024)
        {
            // A rare huge message does not pin its buffer to the thread.
            t_builder = null;
        }
        return bytes;
    }
}
