using System.Diagnostics.CodeAnalysis;

namespace Switchboard.TwiML;

/// <summary>
/// The outcome of <see cref="TwimlParser.Parse"/>, after NodaTime's <c>ParseResult</c>: bad TwiML is
/// an expected outcome, so it is returned as data rather than thrown.
/// </summary>
/// <remarks>Invariant: exactly one of <see cref="Document"/> and <see cref="Error"/> is non-null.</remarks>
internal sealed class TwimlParseResult
{
    private TwimlParseResult(TwimlDocument? document, TwimlError? error)
    {
        Document = document;
        Error = error;
    }

    [MemberNotNullWhen(true, nameof(Document))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Document is not null;

    public TwimlDocument? Document { get; }

    public TwimlError? Error { get; }

    public static TwimlParseResult Ok(TwimlDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return new TwimlParseResult(document, null);
    }

    public static TwimlParseResult Fail(TwimlError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new TwimlParseResult(null, error);
    }
}
