namespace Switchboard.Sip.UserAgents;

/// <summary>
/// The caller canceled the INVITE before a final response (RFC 3261 9.2): the stack answered the CANCEL
/// with 200 and the INVITE with 487. Terminal: no event follows.
/// </summary>
/// <param name="Timestamp">When the CANCEL arrived.</param>
public sealed record IncomingSipCallCanceled(DateTimeOffset Timestamp) : SipCallEvent(Timestamp);
