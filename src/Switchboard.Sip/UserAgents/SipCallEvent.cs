namespace Switchboard.Sip.UserAgents;

/// <summary>Progress of a call placed by <see cref="UserAgentClient"/> or received as an <see cref="IncomingSipCall"/>, in the order it happened.</summary>
/// <param name="Timestamp">When the stack saw it, from the endpoint's <see cref="TimeProvider"/>.</param>
public abstract record SipCallEvent(DateTimeOffset Timestamp);
