using System.Globalization;
using System.Text;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Transport;

/// <summary>What <see cref="SipStreamFramer.TryRead"/> found in the bytes received so far.</summary>
internal enum SipFrameStatus
{
    /// <summary>No complete message yet.</summary>
    NeedMoreData,

    /// <summary>One complete message was taken off the stream.</summary>
    Message,

    /// <summary>The stream cannot be framed (no or bad Content-Length, oversized): close the connection.</summary>
    Invalid,
}

/// <summary>
/// Cuts a TCP byte stream into SIP messages (RFC 3261 18.3): headers up to the empty line, then exactly
/// Content-Length bytes, which is mandatory on a stream. CRLFs between messages are keep-alives (RFC 5626 3.5.1).
/// </summary>
internal sealed class SipStreamFramer
{
    private byte[] _buffer = new byte[8192];
    private int _count;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_count + data.Length > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _count + data.Length));
        }

        data.CopyTo(_buffer.AsSpan(_count));
        _count += data.Length;
    }

    public SipFrameStatus TryRead(out byte[] message)
    {
        message = [];
        var skip = 0;
        while (skip < _count && _buffer[skip] is (byte)'\r' or (byte)'\n')
        {
            skip++;
        }

        Consume(skip);
        var data = _buffer.AsSpan(0, _count);
        var headEnd = data.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            // A header section longer than any datagram would be is an attack or garbage, not SIP.
            return _count > SipMessageParser.MaxMessageSize ? SipFrameStatus.Invalid : SipFrameStatus.NeedMoreData;
        }

        if (!TryGetContentLength(data[..headEnd], out var contentLength))
        {
            return SipFrameStatus.Invalid;
        }

        var total = headEnd + 4 + contentLength;
        if (total > SipMessageParser.MaxMessageSize)
        {
            return SipFrameStatus.Invalid;
        }

        if (_count < total)
        {
            return SipFrameStatus.NeedMoreData;
        }

        message = data[..total].ToArray();
        Consume(total);
        return SipFrameStatus.Message;
    }

    private static bool TryGetContentLength(ReadOnlySpan<byte> head, out int contentLength)
    {
        contentLength = -1;
        foreach (var line in Encoding.UTF8.GetString(head).Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || HeaderNames.Canonicalize(line[..colon].Trim()) != HeaderNames.ContentLength)
            {
                continue;
            }

            var value = line[(colon + 1)..].Trim();
            if (value.Length is 0 or > 9 || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out contentLength))
            {
                return false;
            }
        }

        // RFC 3261 18.3: on a stream-oriented transport Content-Length MUST be present.
        return contentLength >= 0;
    }

    private void Consume(int bytes)
    {
        if (bytes == 0)
        {
            return;
        }

        _buffer.AsSpan(bytes, _count - bytes).CopyTo(_buffer);
        _count -= bytes;
    }
}
