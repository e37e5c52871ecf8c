namespace Switchboard.Sip.UserAgents;

/// <summary>An answered call ended by a BYE. Terminal: no event follows.</summary>
/// <param name="Timestamp">When the BYE was answered (ours) or received (theirs).</param>
/// <param name="By">Which side sent the BYE.</param>
/// <param name="StatusCode">
/// For our BYE, the final response to it (200, 481...; 408 when it timed out, 503 when it could not be sent);
/// null for theirs.
/// </param>
public sealed record SipCallTerminated(DateTimeOffset Timestamp, SipCallParty By, int? StatusCode) : SipCallEvent(Timestamp);
