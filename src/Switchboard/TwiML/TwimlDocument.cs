namespace Switchboard.TwiML;

/// <summary>A parsed <c>&lt;Response&gt;</c>: its verbs in document order (possibly none).</summary>
internal sealed record TwimlDocument(IReadOnlyList<TwimlVerb> Verbs);
