namespace Switchboard.Sip.UserAgents;

/// <summary>The caller ACKed our 2xx (RFC 3261 13.3.1.4): the dialog is confirmed and the 2xx is no longer retransmitted.</summary>
/// <param name="Timestamp">When the ACK arrived.</param>
public sealed record IncomingSipCallAcknowledged(DateTimeOffset Timestamp) : SipCallEvent(Timestamp);
