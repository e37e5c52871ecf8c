using System.Globalization;
using System.Text;

namespace Switchboard.Sip.Messages;

/// <summary>
/// A <c>sip:</c> or <c>sips:</c> URI (RFC 3261 19.1): <c>sip:user@host[:port][;params][?headers]</c>.
/// The user part is kept exactly as written (escapes included) so a URI is written back unchanged.
/// </summary>
public sealed record SipUri
{
    /// <summary><c>sip</c> or <c>sips</c>, lower case.</summary>
    public required string Scheme { get; init; }

    /// <summary>The userinfo before <c>@</c> (user and optional password), escaped as received; null when absent.</summary>
    public string? User { get; init; }

    /// <summary>Host name, IPv4 address or bracketed IPv6 reference.</summary>
    public required string Host { get; init; }

    /// <summary>Explicit port, or null for the transport's default (5060 for UDP/TCP).</summary>
    public int? Port { get; init; }

    /// <summary>URI parameters (<c>;transport=udp;lr</c>), in order; names compare case-insensitively.</summary>
    public IReadOnlyList<KeyValuePair<string, string?>> Parameters { get; init; } = [];

    /// <summary>The raw header part after <c>?</c>, or null.</summary>
    public string? Headers { get; init; }

    /// <summary>A URI parameter's value (empty for a flag such as <c>lr</c>), or null when absent.</summary>
    public string? GetParameter(string name) => SipSyntax.Find(Parameters, name);

    /// <summary>Parses a SIP URI; never throws.</summary>
    /// <param name="text">The URI text, without enclosing angle brackets.</param>
    /// <param name="uri">The parsed URI when the result is true.</param>
    /// <returns>True when <paramref name="text"/> is a well-formed sip or sips URI.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SipUri? uri)
    {
        uri = null;
        return text is not null && TryParse(text.AsSpan(), out uri);
    }

    /// <summary>
    /// <see cref="TryParse(string?, out SipUri?)"/> of a part of a header (From, To, Contact, a request line), read in place:
    /// only the user, host, parameters and headers become strings.
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SipUri? uri)
    {
        uri = null;
        if (text.IsEmpty || text.Length > 2048)
        {
            return false;
        }

        var colon = text.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        var schemeText = text[..colon];
        var scheme = schemeText.Equals("sip", StringComparison.OrdinalIgnoreCase) ? "sip"
            : schemeText.Equals("sips", StringComparison.OrdinalIgnoreCase) ? "sips"
            : null;
        if (scheme is null)
        {
            return false;
        }

        var rest = text[(colon + 1)..];
        string? user = null;
        // RFC 3261 25.1: '@' cannot appear unescaped in parameters or headers, while userinfo may hold
        // '?' and ';' (RFC 4475 3.1.1.2), so the last '@' ends the userinfo.
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userText = rest[..at];
            if (userText.IsEmpty || !IsValidUserInfo(userText))
            {
                return false;
            }

            user = userText.ToString();
            rest = rest[(at + 1)..];
        }

        string? headers = null;
        var question = rest.IndexOf('?');
        if (question >= 0)
        {
            headers = rest[(question + 1)..].ToString();
            rest = rest[..question];
        }

        var semicolon = rest.IndexOf(';');
        var hostPort = semicolon < 0 ? rest : rest[..semicolon];
        var paramText = semicolon < 0 ? [] : rest[semicolon..];
        if (!TrySplitHostPort(hostPort, out var host, out var port)
            || !SipSyntax.TryParseParameters(paramText, out var parameters))
        {
            return false;
        }

        uri = new SipUri { Scheme = scheme, User = user, Host = host, Port = port, Parameters = parameters, Headers = headers };
        return true;
    }

    /// <summary>Splits <c>host[:port]</c>, accepting bracketed IPv6 references.</summary>
    internal static bool TrySplitHostPort(ReadOnlySpan<char> hostPort, out string host, out int? port)
    {
        host = string.Empty;
        port = null;
        ReadOnlySpan<char> hostText;
        ReadOnlySpan<char> portText;
        if (hostPort.StartsWith('['))
        {
            var close = hostPort.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            hostText = hostPort[..(close + 1)];
            portText = hostPort[(close + 1)..];
            if (portText.Length > 0 && portText[0] != ':')
            {
                return false;
            }

            portText = portText.Length > 0 ? portText[1..] : [];
        }
        else
        {
            var colon = hostPort.IndexOf(':');
            hostText = colon < 0 ? hostPort : hostPort[..colon];
            portText = colon < 0 ? [] : hostPort[(colon + 1)..];
            if (colon >= 0 && portText.Length == 0)
            {
                return false;
            }

            foreach (var c in hostText)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
                {
                    return false;
                }
            }
        }

        if (hostText.IsEmpty)
        {
            return false;
        }

        if (portText.Length > 0)
        {
            if (portText.Length > 5 || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 65535)
            {
                return false;
            }

            port = value;
        }

        host = RecentHosts.Get(hostText);
        return true;
    }

    private static bool IsValidUserInfo(ReadOnlySpan<char> user)
    {
        foreach (var c in user)
        {
            // RFC 3261 25.1 user / password characters; anything else must be %-escaped.
            if (c <= ' ' || c >= 0x7f || c is '<' or '>' or '"' or '@' or '[' or ']' or '{' or '}' or '|' or '\\' or '^' or '`')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Structural equality of the URI as written: host case-insensitive, everything else exact and the
    /// parameters in order. This is not the RFC 3261 19.1.4 comparison (no unescaping, no reordering).
    /// </summary>
    /// <param name="other">The URI to compare with.</param>
    /// <returns>True when both URIs have the same parts.</returns>
    public bool Equals(SipUri? other) =>
        other is not null
        && Scheme == other.Scheme
        && User == other.User
        && Host.Equals(other.Host, StringComparison.OrdinalIgnoreCase)
        && Port == other.Port
        && Headers == other.Headers
        && Parameters.SequenceEqual(other.Parameters);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Scheme, User, StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port, Parameters.Count);

    /// <inheritdoc />
    public override string ToString() => AppendTo(new StringBuilder()).ToString();

    /// <summary>Writes the URI to <paramref name="builder"/> (a message's start line is written without a string of it).</summary>
    internal StringBuilder AppendTo(StringBuilder builder)
    {
        builder.Append(Scheme).Append(':');
        if (User is not null)
        {
            builder.Append(User).Append('@');
        }

        builder.Append(Host);
        if (Port is { } port)
        {
            builder.Append(':').Append(port);
        }

        SipSyntax.AppendParameters(builder, Parameters);
        if (Headers is not null)
        {
            builder.Append('?').Append(Headers);
        }

        return builder;
    }

    /// <summary>
    /// The hosts this thread read last, shared: a trunk's messages name the same few hosts (its own, ours) in every Via,
    /// From, To and Contact, and most are parsed on the transport's one receive thread.
    /// </summary>
    private static class RecentHosts
    {
        private const int Size = 4;

        [ThreadStatic]
        private static string?[]? t_hosts;

        [ThreadStatic]
        private static int t_next;

        public static string Get(ReadOnlySpan<char> host)
        {
            var hosts = t_hosts ??= new string?[Size];
            foreach (var known in hosts)
            {
                if (known is not null && host.SequenceEqual(known))
                {
                    return known;
                }
            }

            var made = host.ToString();
            hosts[t_next] = made;
            t_next = (t_next + 1) % Size;
            return made;
        }
    }
}
