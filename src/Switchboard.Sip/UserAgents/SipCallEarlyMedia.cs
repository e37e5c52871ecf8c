namespace Switchboard.Sip.UserAgents;

/// <summary>A provisional response carrying an SDP answer (typically 183): the callee plays early media. Raised once, after its <see cref="SipCallRinging"/>.</summary>
/// <param name="Timestamp">When it arrived.</param>
/// <param name="StatusCode">The provisional status code.</param>
/// <param name="Sdp">The SDP body.</param>
public sealed record SipCallEarlyMedia(DateTimeOffset Timestamp, int StatusCode, string Sdp) : SipCallEvent(Timestamp);
