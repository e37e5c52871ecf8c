namespace Switchboard.Sip.Messages;

/// <summary>One header line of a SIP message: canonical name (long form) and trimmed value.</summary>
internal readonly record struct SipHeader(string Name, string Value);
