using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Sip.Auth;

/// <summary>
/// Digest responses (RFC 2617 3.2.2 as used by RFC 3261 22.4): MD5 (the default) and SHA-256 (RFC 8760),
/// with <c>qop=auth</c> when offered and the RFC 2069 form otherwise.
/// </summary>
internal static class DigestAuthenticator
{
    /// <summary>True for the algorithms we can answer; anything else fails the call with the challenge's code.</summary>
    public static bool IsSupported(string algorithm) =>
        algorithm.Equals("MD5", StringComparison.OrdinalIgnoreCase) || algorithm.Equals("SHA-256", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// RFC 2617 3.2.2.1: HA1 = H(user:realm:password), HA2 = H(method:uri);
    /// qop=auth: H(HA1:nonce:nc:cnonce:auth:HA2), no qop: H(HA1:nonce:HA2). Lower-case hex.
    /// </summary>
    public static string ComputeResponse(
        string algorithm, string username, string realm, string password, string method, string digestUri,
        string nonce, string? qop, string nonceCount, string cnonce)
    {
        var ha1 = Hash(algorithm, $"{username}:{realm}:{password}");
        var ha2 = Hash(algorithm, $"{method}:{digestUri}");
        return qop is null
            ? Hash(algorithm, $"{ha1}:{nonce}:{ha2}")
            : Hash(algorithm, $"{ha1}:{nonce}:{nonceCount}:{cnonce}:{qop}:{ha2}");
    }

    /// <summary>
    /// The <c>Authorization</c> / <c>Proxy-Authorization</c> value answering <paramref name="challenge"/>
    /// (RFC 2617 3.2.2): algorithm, qop and nc unquoted, the rest quoted; opaque echoed unchanged.
    /// </summary>
    public static string CreateAuthorization(DigestChallenge challenge, SipCredentials credentials, string method, string digestUri, string cnonce, int nonceCount = 1)
    {
        var qop = challenge.OffersAuthQop ? "auth" : null;
        var nc = nonceCount.ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var response = ComputeResponse(challenge.Algorithm, credentials.Username, challenge.Realm, credentials.Password, method, digestUri, challenge.Nonce, qop, nc, cnonce);
        var builder = new StringBuilder("Digest ")
            .Append("username=\"").Append(credentials.Username)
            .Append("\", realm=\"").Append(challenge.Realm)
            .Append("\", nonce=\"").Append(challenge.Nonce)
            .Append("\", uri=\"").Append(digestUri)
            .Append("\", response=\"").Append(response)
            .Append("\", algorithm=").Append(challenge.Algorithm);
        if (qop is not null)
        {
            builder.Append(", qop=").Append(qop).Append(", nc=").Append(nc).Append(", cnonce=\"").Append(cnonce).Append('"');
        }

        if (challenge.Opaque is not null)
        {
            builder.Append(", opaque=\"").Append(challenge.Opaque).Append('"');
        }

        return builder.ToString();
    }

    private static string Hash(string algorithm, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (algorithm.Equals("SHA-256", StringComparison.OrdinalIgnoreCase))
        {
            return Convert.ToHexStringLower(SHA256.HashData(bytes));
        }

#pragma warning disable CA5351 // RFC 2617 and RFC 3261 22.4 mandate MD5 digests; this is protocol, not our choice of hash.
        return Convert.ToHexStringLower(MD5.HashData(bytes));
#pragma warning restore CA5351
    }
}
