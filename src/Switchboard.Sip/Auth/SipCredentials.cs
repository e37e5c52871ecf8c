namespace Switchboard.Sip.Auth;

/// <summary>Digest credentials for a trunk that challenges with 401 or 407 (RFC 3261 22).</summary>
/// <param name="Username">The digest username.</param>
/// <param name="Password">The digest password; never logged.</param>
public sealed record SipCredentials(string Username, string Password)
{
    /// <inheritdoc />
    public override string ToString() => $"SipCredentials {{ Username = {Username} }}";
}
