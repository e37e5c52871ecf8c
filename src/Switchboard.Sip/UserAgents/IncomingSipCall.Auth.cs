using System.Security.Cryptography;
using System.Text;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.UserAgents;

/// <summary>Digest authentication of an incoming call (RFC 3261 22.3): the 407 challenge and the check of the retry.</summary>
public sealed partial class IncomingSipCall
{
    /// <summary>
    /// RFC 3261 22.3 / 26.3.2.4: true when the INVITE carries a <c>Proxy-Authorization</c> Digest for
    /// <paramref name="credentials"/> in <paramref name="realm"/> (MD5 or SHA-256, with or without
    /// <c>qop=auth</c>) on a nonce this endpoint issued within <see cref="DigestNonces.Lifetime"/>.
    /// </summary>
    /// <param name="credentials">The username and password the caller must prove.</param>
    /// <param name="realm">The realm of our challenge.</param>
    /// <returns>False when the header is missing, malformed, stale or wrong.</returns>
    public bool IsAuthorized(SipCredentials credentials, string realm)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        foreach (var value in _invite.GetValues(HeaderNames.ProxyAuthorization))
        {
            if (DigestAuthorization.TryParse(value, out var authorization)
                && authorization.Username == credentials.Username
                && authorization.Realm == realm
                && DigestAuthenticator.IsSupported(authorization.Algorithm)
                && _endpoint.Nonces.IsValid(authorization.Nonce))
            {
                var expected = DigestAuthenticator.ComputeResponse(authorization.Algorithm, credentials.Username, realm, credentials.Password,
                    SipMethods.Invite, authorization.Uri, authorization.Nonce, authorization.Qop, authorization.NonceCount, authorization.Cnonce);
                if (CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(authorization.Response.ToLowerInvariant())))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Rejects the INVITE with 407 Proxy Authentication Required and a fresh Digest challenge (RFC 3261
    /// 22.3: MD5, <c>qop="auth"</c>). The caller answers with a new INVITE (CSeq + 1, same Call-ID), which
    /// arrives as a new <see cref="IncomingSipCall"/>; check it with <see cref="IsAuthorized"/>.
    /// </summary>
    /// <param name="realm">The protection realm, e.g. the trunk's name.</param>
    /// <param name="cancellationToken">Unused today: sending does not block.</param>
    /// <returns>False once a final response was sent or the call ended.</returns>
    public ValueTask<bool> ChallengeAsync(string realm, CancellationToken cancellationToken = default)
    {
        var challenge = $"Digest realm=\"{realm}\", nonce=\"{_endpoint.Nonces.Issue()}\", qop=\"auth\", algorithm=MD5";
        return RejectWithHeadersAsync(407, "Proxy Authentication Required", [new(HeaderNames.ProxyAuthenticate, challenge)]);
    }
}
