namespace Switchboard.Sip.UserAgents;

/// <summary>A 2xx to the INVITE arrived and was ACKed: the dialog is confirmed.</summary>
/// <param name="Timestamp">When the 2xx arrived.</param>
/// <param name="StatusCode">The 2xx code (200).</param>
/// <param name="Sdp">The SDP answer, or null when the 2xx had none.</param>
public sealed record SipCallAnswered(DateTimeOffset Timestamp, int StatusCode, string? Sdp) : SipCallEvent(Timestamp);
