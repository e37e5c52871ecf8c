namespace Switchboard.TwiML;

/// <summary>
/// A real Twilio voice verb this engine does not execute yet. It stays in the document so the
/// interpreter can skip it with a warning instead of the whole document failing.
/// </summary>
/// <param name="Name">The element name, e.g. <c>Gather</c>.</param>
internal sealed record UnsupportedVerb(string Name) : TwimlVerb;
