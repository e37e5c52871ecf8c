using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Auth;

/// <summary>A parsed <c>WWW-Authenticate</c> or <c>Proxy-Authenticate</c> Digest challenge (RFC 2617 3.2.1, RFC 3261 22.4).</summary>
internal sealed record DigestChallenge
{
    public required string Realm { get; init; }

    public required string Nonce { get; init; }

    public string? Opaque { get; init; }

    /// <summary>MD5 when absent (RFC 2617 3.2.1).</summary>
    public string Algorithm { get; init; } = "MD5";

    /// <summary>The qop options offered, e.g. <c>auth</c>, <c>auth-int</c>; empty for RFC 2069 style challenges.</summary>
    public IReadOnlyList<string> QopOptions { get; init; } = [];

    public bool Stale { get; init; }

    public bool OffersAuthQop => QopOptions.Any(q => q.Equals("auth", StringComparison.OrdinalIgnoreCase));

    public static bool TryParse(string? header, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DigestChallenge? challenge)
    {
        challenge = null;
        if (header is null)
        {
            return false;
        }

        header = header.Trim();
        const string Scheme = "Digest";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            || header.Length == Scheme.Length
            || !char.IsWhiteSpace(header[Scheme.Length]))
        {
            return false;
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in SipSyntax.SplitOutside(header[Scheme.Length..], ','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            values[part[..eq].Trim()] = SipSyntax.Unquote(part[(eq + 1)..].Trim());
        }

        if (!values.TryGetValue("realm", out var realm) || !values.TryGetValue("nonce", out var nonce))
        {
            return false;
        }

        challenge = new DigestChallenge
        {
            Realm = realm,
            Nonce = nonce,
            Opaque = values.GetValueOrDefault("opaque"),
            Algorithm = values.GetValueOrDefault("algorithm") ?? "MD5",
            QopOptions = values.TryGetValue("qop", out var qop)
                ? qop.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [],
            Stale = values.TryGetValue("stale", out var stale) && stale.Equals("true", StringComparison.OrdinalIgnoreCase),
        };
        return true;
    }
}
