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

    // The datagram of the last message sent from this thread (UDP sends are synchronous, so it is free again after).
    [ThreadStatic]
    private static byte[]? t_datagram;

    /// <summary>The message's bytes, in an array of their own (for a send queued until later: TCP).</summary>
    public static byte[] Serialize(SipMessage message)
    {
        var builder = WriteHead(message);
        var bytes = new byte[HeadLength(builder) + message.Body.Length];
        Encode(builder, message, bytes);
        return bytes;
    }

    /// <summary>
    /// The message's bytes in this thread's reused buffer, valid until the thread serializes another message: for a send
    /// that completes at once (a UDP datagram), so that no array is made per message.
    /// </summary>
    public static ReadOnlySpan<byte> SerializeForSend(SipMessage message)
    {
        var builder = WriteHead(message);
        var length = HeadLength(builder) + message.Body.Length;
        var buffer = t_datagram;
        if (buffer is null || buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, 2048)];
            // A rare huge message does not pin its buffer to the thread.
            t_datagram = length <= 16 * 1024 ? buffer : null;
        }
        Encode(builder, message, buffer);
        return buffer.AsSpan(0, length);
    }

    private static StringBuilder WriteHead(SipMessage message)
    {
        var builder = t_builder ??= new StringBuilder(1024);
        builder.Clear();
        switch (message)
        {
            case SipRequest request:
                builder.Append(request.Method).Append(' ');
                request.RequestUri.AppendTo(builder).Append(" SIP/2.0\r\n");
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

        return builder;
    }

    private static int HeadLength(StringBuilder builder)
    {
        var length = 0;
        foreach (var chunk in builder.GetChunks())
        {
            length += Encoding.UTF8.GetByteCount(chunk.Span);
        }
        return length;
    }

    /// <summary>Encodes the head straight from the builder's chunks, then the body, into <paramref name="destination"/>: no intermediate string.</summary>
    private static void Encode(StringBuilder builder, SipMessage message, Span<byte> destination)
    {
        var written = 0;
        foreach (var chunk in builder.GetChunks())
        {
            written += Encoding.UTF8.GetBytes(chunk.Span, destination[written..]);
        }
        message.Body.Span.CopyTo(destination[written..]);
        if (builder.Capacity > 16 * 1024)
        {
            // A rare huge message does not pin its buffer to the thread.
            t_builder = null;
        }
    }
}
