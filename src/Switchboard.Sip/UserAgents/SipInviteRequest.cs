using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.UserAgents;

/// <summary>What to call and as whom: the input of <see cref="UserAgentClient.InviteAsync"/>.</summary>
public sealed record SipInviteRequest
{
    /// <summary>
    /// The Request-URI and To URI, e.g. <c>sip:+15551234567@trunk.example.com:5060</c>. Its host and port
    /// (default 5060) are where the INVITE is sent; a host name is resolved once (A record).
    /// <c>;transport=tcp</c> places the call over TCP (RFC 3261 18.1.1), otherwise UDP.
    /// </summary>
    public required SipUri Target { get; init; }

    /// <summary>The user part of our From and Contact URIs. Default <c>switchboard</c>.</summary>
    public string FromUser { get; init; } = "switchboard";

    /// <summary>Optional From display name (caller name).</summary>
    public string? FromDisplayName { get; init; }

    /// <summary>Credentials answering a 401/407 digest challenge; without them a challenge fails the call.</summary>
    public SipCredentials? Credentials { get; init; }

    /// <summary>
    /// The SDP offer to send (a back-to-back user agent passes its caller's through). Default: the endpoint's
    /// own offer, one audio stream on <see cref="SipEndpointOptions.MediaPort"/>.
    /// </summary>
    public string? Sdp { get; init; }

    /// <summary>Extra headers for the INVITE (e.g. <c>X-</c> headers, <c>P-Asserted-Identity</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
}
