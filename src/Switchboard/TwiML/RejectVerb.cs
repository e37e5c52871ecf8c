namespace Switchboard.TwiML;

/// <summary><c>&lt;Reject&gt;</c>: refuse an incoming call without answering it.</summary>
/// <param name="Reason"><c>rejected</c> or <c>busy</c>.</param>
internal sealed record RejectVerb(string Reason) : TwimlVerb;
