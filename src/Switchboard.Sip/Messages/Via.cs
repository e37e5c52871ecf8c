using System.Globalization;
using System.Text;

namespace Switchboard.Sip.Messages;

/// <summary>One Via value (RFC 3261 20.42): <c>SIP/2.0/UDP host:port;branch=z9hG4bK...;rport</c>.</summary>
internal sealed record Via
{
    /// <summary>RFC 3261 8.1.1.7: branches of RFC 3261 transactions start with this magic cookie.</summary>
    public const string MagicCookie = "z9hG4bK";

    public required string Transport { get; init; }

    public required string Host { get; init; }

    public int? Port { get; init; }

    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; init; } = [];

    public string? Branch => SipSyntax.Find(Parameters, "branch");

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Via? via)
    {
        via = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        // Read in place: only the host and the parameters become strings.
        var value = text.AsSpan().Trim();
        var semicolon = value.IndexOf(';');
        var sentPart = semicolon < 0 ? value : value[..semicolon];
        var paramText = semicolon < 0 ? [] : value[semicolon..];

        // sent-protocol LWS sent-by; RFC 4475 3.1.1.1 allows whitespace around the slashes.
        var protocolEnd = FindProtocolEnd(sentPart);
        if (protocolEnd < 0)
        {
            return false;
        }

        // Whitespace is dropped from both parts (RFC 4475 allows it around the slashes and the colon); the usual
        // value has none, and then nothing is copied to drop it.
        // A sloppy peer may pad the protocol with whitespace; a hostile one with kilobytes of it: off the stack then.
        Span<char> protocol = protocolEnd <= 64 ? stackalloc char[protocolEnd] : new char[protocolEnd];
        var length = 0;
        foreach (var c in sentPart[..protocolEnd])
        {
            if (!char.IsWhiteSpace(c))
            {
                protocol[length++] = c;
            }
        }

        protocol = protocol[..length];
        var firstSlash = protocol.IndexOf('/');
        var secondSlash = firstSlash < 0 ? -1 : protocol[(firstSlash + 1)..].IndexOf('/') + firstSlash + 1;
        if (firstSlash < 0 || secondSlash <= firstSlash
            || protocol[(secondSlash + 1)..].Contains('/')
            || !protocol[..firstSlash].Equals("SIP", StringComparison.OrdinalIgnoreCase)
            || !protocol[(firstSlash + 1)..secondSlash].SequenceEqual("2.0")
            || !SipSyntax.IsToken(protocol[(secondSlash + 1)..]))
        {
            return false;
        }

        // The space after the protocol is the usual case: trimmed in place; whitespace inside (RFC 4475) is dropped.
        var sentBy = sentPart[protocolEnd..].Trim();
        if (HasWhiteSpace(sentBy))
        {
            sentBy = string.Concat(sentBy.ToString().Where(c => !char.IsWhiteSpace(c)));
        }

        if (!SipUri.TrySplitHostPort(sentBy, out var host, out var port)
            || !SipSyntax.TryParseParameters(paramText, out var parameters))
        {
            return false;
        }

        via = new Via { Transport = TransportName(protocol[(secondSlash + 1)..]), Host = host, Port = port, Parameters = parameters };
        return true;
    }

    private static bool HasWhiteSpace(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The transport in upper case: the usual ones shared, any other as a new string.</summary>
    private static string TransportName(ReadOnlySpan<char> transport) =>
        transport.Equals("UDP", StringComparison.OrdinalIgnoreCase) ? "UDP"
        : transport.Equals("TCP", StringComparison.OrdinalIgnoreCase) ? "TCP"
        : transport.Equals("TLS", StringComparison.OrdinalIgnoreCase) ? "TLS"
        : transport.ToString().ToUpperInvariant();

    private static int FindProtocolEnd(ReadOnlySpan<char> sentPart)
    {
        var slashes = 0;
        for (var i = 0; i < sentPart.Length; i++)
        {
            if (sentPart[i] == '/')
            {
                slashes++;
            }
            else if (slashes == 2 && !char.IsWhiteSpace(sentPart[i]))
            {
                var end = i;
                while (end < sentPart.Length && SipSyntax.IsTokenChar(sentPart[end]))
                {
                    end++;
                }

                return end < sentPart.Length ? end : -1;
            }
        }

        return -1;
    }

    public override string ToString()
    {
        var builder = new StringBuilder("SIP/2.0/").Append(Transport).Append(' ').Append(Host);
        if (Port is { } port)
        {
            builder.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        return SipSyntax.AppendParameters(builder, Parameters).ToString();
    }
}
