namespace Switchboard.Sip.Messages;

/// <summary>
/// Outcome of parsing a datagram. Invariant: exactly one of <see cref="Message"/> and
/// <see cref="Error"/> is non-null.
/// </summary>
internal readonly record struct SipParseResult
{
    private SipParseResult(SipMessage? message, string? error)
    {
        Message = message;
        Error = error;
    }

    public SipMessage? Message { get; }

    public string? Error { get; }

    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(true, nameof(Message))]
    [System.Diagnostics.CodeAnalysis.MemberNotNullWhen(false, nameof(Error))]
    public bool Success => Message is not null;

    public static SipParseResult Ok(SipMessage message) => new(message, null);

    public static SipParseResult Fail(string error) => new(null, error);
}
