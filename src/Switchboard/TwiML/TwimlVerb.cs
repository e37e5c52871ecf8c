namespace Switchboard.TwiML;

/// <summary>One top-level verb of a TwiML <c>&lt;Response&gt;</c>, in document order.</summary>
internal abstract record TwimlVerb;
