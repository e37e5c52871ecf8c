namespace Switchboard.Sip.UserAgents;

/// <summary>A provisional response 101-199 (180 Ringing, 181, 182, 183 Session Progress...). 100 Trying is not reported.</summary>
/// <param name="Timestamp">When it arrived.</param>
/// <param name="StatusCode">The provisional status code.</param>
/// <param name="ReasonPhrase">Its reason phrase.</param>
public sealed record SipCallRinging(DateTimeOffset Timestamp, int StatusCode, string ReasonPhrase) : SipCallEvent(Timestamp)
{
    /// <summary>
    /// The response's SDP (early media), or null. The first one is also raised as <see cref="SipCallEarlyMedia"/>
    /// right after; a reader that relays media (a back-to-back user agent) takes it from here, in one event.
    /// </summary>
    public string? Sdp { get; init; }
}
