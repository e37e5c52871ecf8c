namespace Switchboard.TwiML;

/// <summary><c>&lt;Hangup&gt;</c>: end the call.</summary>
internal sealed record HangupVerb() : TwimlVerb;
