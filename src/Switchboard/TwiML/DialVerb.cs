namespace Switchboard.TwiML;

/// <summary>
/// <c>&lt;Dial&gt;</c> (DOC-DIAL): dials its nouns at once (or one after another with <c>sequential</c>); the first to
/// answer is bridged to the call.
/// Times are whole seconds as written in the document.
/// </summary>
internal sealed record DialVerb : TwimlVerb
{
    public string? Action { get; init; }
    public string Method { get; init; } = "POST";
    /// <summary>Ring time of each noun, 5–600 s (default 30).</summary>
    public int Timeout { get; init; } = 30;
    /// <summary>Longest bridged call (default 4 h).</summary>
    public int TimeLimit { get; init; } = 14400;
    public string? CallerId { get; init; }
    public bool AnswerOnBridge { get; init; }
    public bool HangupOnStar { get; init; }
    public string Record { get; init; } = "do-not-record";
    /// <summary>Dial the nouns one after another, in order, each for <see cref="Timeout"/>, until one answers.</summary>
    public bool Sequential { get; init; }
    public required IReadOnlyList<DialNoun> Nouns { get; init; }
}
