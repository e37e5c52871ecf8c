namespace Switchboard.Sip.Messages;

/// <summary>A SIP response (RFC 3261 7.2).</summary>
internal sealed record SipResponse : SipMessage
{
    public required int StatusCode { get; init; }

    public required string ReasonPhrase { get; init; }

    public bool IsProvisional => StatusCode is >= 100 and < 200;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public bool IsFinal => StatusCode >= 200;
}
