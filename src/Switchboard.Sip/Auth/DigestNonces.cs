using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Sip.Auth;

/// <summary>
/// Nonces for the challenges an endpoint sends (RFC 2617 3.2.1: opaque to the client, checked by the
/// server). Stateless: <c>time.mac</c>, the issue time in Unix seconds and an HMAC-SHA256 of it under a
/// per-endpoint random key, so no table is kept and a nonce from another process or too old fails.
/// </summary>
internal sealed class DigestNonces(TimeProvider timeProvider)
{
    /// <summary>How long a nonce is accepted: long enough for a PBX to answer a challenge, short enough to limit replay.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Issue()
    {
        var issued = timeProvider.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return issued + "." + Mac(issued);
    }

    public bool IsValid(string nonce)
    {
        var dot = nonce.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !long.TryParse(nonce.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Mac(nonce[..dot]));
        var actual = Encoding.ASCII.GetBytes(nonce[(dot + 1)..]);
        var age = timeProvider.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds);
        return CryptographicOperations.FixedTimeEquals(expected, actual) && age >= TimeSpan.Zero && age <= Lifetime;
    }

    private string Mac(string text) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(text)));
}
