using System.Buffers;
using System.Globalization;
using System.Text;

namespace Switchboard.Sip.Messages;

/// <summary>
/// Parses one SIP message from a datagram (RFC 3261 7, 18.3). Tolerant where peers are sloppy
/// (bare LF, folded lines, padded values, compact names) and strict where a wrong guess would
/// corrupt a call (missing mandatory headers, bad Content-Length). Never throws: every failure is
/// a <see cref="SipParseResult"/> with an error.
/// </summary>
internal static class SipMessageParser
{
    /// <summary>The largest UDP payload; anything bigger cannot be one SIP datagram.</summary>
    public const int MaxMessageSize = 65_535;

    private const int MaxHeaders = 256;

    public static SipParseResult Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length > MaxMessageSize)
        {
            return SipParseResult.Fail("oversized datagram");
        }

        // RFC 3261 7.5: implementations should ignore CRLFs before the start line (keep-alives).
        var skip = 0;
        while (skip < data.Length && data[skip] is (byte)'\r' or (byte)'\n')
        {
            skip++;
        }

        data = data[skip..];
        if (data.IsEmpty)
        {
            return SipParseResult.Fail("empty datagram");
        }

        if (!TryFindHeaderEnd(data, out var headEnd, out var bodyStart))
        {
            return SipParseResult.Fail("no empty line after the headers");
        }

        // RFC 3261 7.3.1 allows UTF-8 in values and RFC 4475 3.1.1.2 control characters in quoted pairs;
        // invalid sequences decode to U+FFFD, never an exception. Garbage fails the structural checks below.
        // The head is decoded once into a pooled buffer and cut into lines there: one string per header value,
        // known names shared (the lines themselves are never strings).
        var rented = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(headEnd));
        string startLine;
        var headers = new List<SipHeader>(16);
        try
        {
            ReadOnlySpan<char> rest = rented.AsSpan(0, Encoding.UTF8.GetChars(data[..headEnd], rented));
            startLine = NextLine(ref rest).ToString();
            while (!rest.IsEmpty)
            {
                var line = NextLine(ref rest);
                if (line.Length > 0 && line[0] is ' ' or '\t')
                {
                    // RFC 3261 7.3.1: a line starting with whitespace continues the previous header.
                    if (headers.Count == 0)
                    {
                        return SipParseResult.Fail("continuation line before any header");
                    }

                    var previous = headers[^1];
                    headers[^1] = previous with { Value = string.Concat(previous.Value, " ", line.Trim()).Trim() };
                    continue;
                }

                var colon = line.IndexOf(':');
                var name = colon < 0 ? [] : line[..colon].TrimEnd(" \t");
                if (!SipSyntax.IsToken(name))
                {
                    return SipParseResult.Fail("malformed header line");
                }

                if (headers.Count == MaxHeaders)
                {
                    return SipParseResult.Fail("too many headers");
                }

                headers.Add(new SipHeader(HeaderNames.Canonicalize(name), line[(colon + 1)..].Trim(" \t").ToString()));
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        var bodyBytes = data[bodyStart..];
        if (!TryGetBody(headers, bodyBytes, out var body, out var bodyError))
        {
            return SipParseResult.Fail(bodyError);
        }

        var result = startLine.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase)
            ? ParseResponse(startLine, headers, body)
            : ParseRequest(startLine, headers, body);
        if (!result.Success)
        {
            return result;
        }

        result.Message.MarkReceived();
        var error = CheckMandatoryHeaders(result.Message);
        return error is null ? result : SipParseResult.Fail(error);
    }

    /// <summary>The next line of <paramref name="rest"/> (up to a LF, without its trailing CRs); <paramref name="rest"/> moves past it.</summary>
    private static ReadOnlySpan<char> NextLine(ref ReadOnlySpan<char> rest)
    {
        var end = rest.IndexOf('\n');
        var line = end < 0 ? rest : rest[..end];
        rest = end < 0 ? [] : rest[(end + 1)..];
        return line.TrimEnd('\r');
    }

    private static bool TryFindHeaderEnd(ReadOnlySpan<byte> data, out int headEnd, out int bodyStart)
    {
        for (var i = 0; i < data.Length; i++)
        {
            if (data[i] != (byte)'\n')
            {
                continue;
            }

            var j = i + 1;
            if (j < data.Length && data[j] == (byte)'\r')
            {
                j++;
            }

            if (j < data.Length && data[j] == (byte)'\n')
            {
                headEnd = i;
                bodyStart = j + 1;
                return true;
            }
        }

        headEnd = bodyStart = -1;
        return false;
    }

    private static bool TryGetBody(List<SipHeader> headers, ReadOnlySpan<byte> available, out byte[] body, out string error)
    {
        body = [];
        error = string.Empty;
        int? length = null;
        foreach (var header in headers)
        {
            if (!header.Name.Equals(HeaderNames.ContentLength, StringComparison.Ordinal))
            {
                continue;
            }

            if (header.Value.Length is 0 or > 9
                || !int.TryParse(header.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                error = "invalid Content-Length";
                return false;
            }

            if (length is { } other && other != value)
            {
                error = "conflicting Content-Length headers";
                return false;
            }

            length = value;
        }

        // RFC 3261 18.3: on UDP a missing Content-Length means the body runs to the end of the datagram;
        // a Content-Length larger than what arrived means the datagram is truncated and must be dropped.
        var take = length ?? available.Length;
        if (take > available.Length)
        {
            error = "Content-Length larger than the datagram";
            return false;
        }

        body = available[..take].ToArray();
        return true;
    }

    private static SipParseResult ParseResponse(string startLine, List<SipHeader> headers, byte[] body)
    {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 7.2).
        var firstSpace = startLine.IndexOf(' ', StringComparison.Ordinal);
        if (firstSpace < 0 || !startLine.AsSpan(0, firstSpace).Equals("SIP/2.0", StringComparison.OrdinalIgnoreCase))
        {
            return SipParseResult.Fail("unsupported SIP version");
        }

        var rest = startLine.AsSpan(firstSpace + 1).TrimStart(' ');
        if (rest.Length < 3
            || !int.TryParse(rest[..3], NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            || code is < 100 or > 699
            || (rest.Length > 3 && rest[3] != ' '))
        {
            return SipParseResult.Fail("invalid status code");
        }

        return SipParseResult.Ok(new SipResponse { StatusCode = code, ReasonPhrase = ReasonPhrase(rest[3..].Trim()), Headers = headers, Body = body });
    }

    /// <summary>The reason phrase as received: the usual ones shared rather than a new string per response.</summary>
    private static string ReasonPhrase(ReadOnlySpan<char> phrase) => phrase switch
    {
        "OK" => "OK",
        "Trying" => "Trying",
        "Ringing" => "Ringing",
        "Session Progress" => "Session Progress",
        "Request Terminated" => "Request Terminated",
        _ => phrase.ToString(),
    };

    private static SipParseResult ParseRequest(string startLine, List<SipHeader> headers, byte[] body)
    {
        // Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 7.1); runs of spaces tolerated.
        var parts = startLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !SipSyntax.IsToken(parts[0]))
        {
            return SipParseResult.Fail("malformed request line");
        }

        if (!parts[2].Equals("SIP/2.0", StringComparison.OrdinalIgnoreCase))
        {
            return SipParseResult.Fail("unsupported SIP version");
        }

        if (!SipUri.TryParse(parts[1], out var uri))
        {
            return SipParseResult.Fail("unsupported or malformed Request-URI");
        }

        return SipParseResult.Ok(new SipRequest { Method = parts[0], RequestUri = uri, Headers = headers, Body = body });
    }

    private static string? CheckMandatoryHeaders(SipMessage message)
    {
        // RFC 3261 8.1.1: To, From, CSeq, Call-ID, Max-Forwards and Via are mandatory in requests and
        // copied into responses. Max-Forwards is not enforced: sloppy peers omit it and we never proxy.
        if (message.CSeq is not { } cseq)
        {
            return "missing or invalid CSeq";
        }

        if (message is SipRequest request && !request.Method.Equals(cseq.Method, StringComparison.Ordinal))
        {
            return "CSeq method does not match the request method";
        }

        if (string.IsNullOrWhiteSpace(message.CallId))
        {
            return "missing Call-ID";
        }

        if (message.TopVia is null)
        {
            return "missing or invalid Via";
        }

        if (message.From is null || message.To is null)
        {
            return "missing or invalid From or To";
        }

        return null;
    }
}
