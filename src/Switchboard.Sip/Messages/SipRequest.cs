namespace Switchboard.Sip.Messages;

/// <summary>A SIP request (RFC 3261 7.1).</summary>
internal sealed record SipRequest : SipMessage
{
    public required string Method { get; init; }

    public required SipUri RequestUri { get; init; }
}
