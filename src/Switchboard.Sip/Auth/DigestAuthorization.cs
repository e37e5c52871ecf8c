using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Auth;

/// <summary>A parsed <c>Authorization</c> or <c>Proxy-Authorization</c> Digest value (RFC 2617 3.2.2, RFC 3261 22.4).</summary>
internal sealed record DigestAuthorization
{
    public required string Username { get; init; }

    public required string Realm { get; init; }

    public required string Nonce { get; init; }

    public required string Uri { get; init; }

    public required string Response { get; init; }

    public string Algorithm { get; init; } = "MD5";

    public string? Qop { get; init; }

    public string NonceCount { get; init; } = string.Empty;

    public string Cnonce { get; init; } = string.Empty;

    public static bool TryParse(string? header, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DigestAuthorization? authorization)
    {
        authorization = null;
        const string Scheme = "Digest";
        if (header is null || (header = header.Trim()).Length <= Scheme.Length
            || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || !char.IsWhiteSpace(header[Scheme.Length]))
        {
            return false;
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in SipSyntax.SplitOutside(header[Scheme.Length..], ','))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[part[..eq].Trim()] = SipSyntax.Unquote(part[(eq + 1)..].Trim());
            }
        }

        if (!values.TryGetValue("username", out var username) || !values.TryGetValue("realm", out var realm)
            || !values.TryGetValue("nonce", out var nonce) || !values.TryGetValue("uri", out var uri)
            || !values.TryGetValue("response", out var response))
        {
            return false;
        }

        authorization = new DigestAuthorization
        {
            Username = username,
            Realm = realm,
            Nonce = nonce,
            Uri = uri,
            Response = response,
            Algorithm = values.GetValueOrDefault("algorithm") ?? "MD5",
            Qop = values.GetValueOrDefault("qop"),
            NonceCount = values.GetValueOrDefault("nc") ?? string.Empty,
            Cnonce = values.GetValueOrDefault("cnonce") ?? string.Empty,
        };
        return true;
    }
}
