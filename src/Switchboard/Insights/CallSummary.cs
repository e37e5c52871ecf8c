using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Insights;

/// <summary>
/// One call's summary, modelled on Twilio Voice Insights' Call Summary resource: who hung up, post-dial
/// delay, ring time, last SIP response, disposition.
/// </summary>
internal sealed record CallSummary
{
    public required Call Call { get; init; }
    public DateTimeOffset? RingingAt { get; init; }
    public string? FinalCause { get; init; }
    public required IReadOnlyList<StatusEventRecord> Timeline { get; init; }
    public required IReadOnlyList<OutboxEntry> Callbacks { get; init; }

    /// <summary>
    /// <c>caller</c> when Switchboard's side ended the call (TwiML, the API, a time limit or ring timeout),
    /// <c>callee</c> when the far end did (hung up, or answered busy/declined), else <c>unknown</c>.
    /// </summary>
    public string DisconnectedBy => !Call.Status.IsFinal() ? "unknown" : FinalCause switch
    {
        "remote-hangup" or "rejected" => "callee",
        "twiml-hangup" or "api-complete" or "api-cancel" or "time-limit" or "ring-timeout" or "application-error" => "caller",
        _ => "unknown",
    };

    /// <summary>The call's outcome in one word: <c>answered</c>, or its unanswered final status, or <c>in-flight</c>.</summary>
    public string Disposition => Call.Status switch
    {
        _ when Call.State.AnswerTime is not null && Call.Status.IsFinal() => "answered",
        CallStatus.InProgress => "answered",
        var s when s.IsFinal() => s.ToWire(),
        _ => "in-flight",
    };

    public long? PostDialDelayMs => Call.State.StartTime is { } start && RingingAt is { } rang ? Millis(rang - start) : null;

    public long? RingTimeMs => RingingAt is { } rang && (Call.State.AnswerTime ?? Call.State.EndTime) is { } stopped ? Millis(stopped - rang) : null;

    public long? TimeToAnswerMs => Call.State is { StartTime: { } start, AnswerTime: { } answer } ? Millis(answer - start) : null;

    /// <summary>Seconds from dialing to the end (Voice Insights' <c>duration</c>).</summary>
    public int? Duration => Call.State is { StartTime: { } start, EndTime: { } end } ? (int)Math.Round((end - start).TotalSeconds) : null;

    /// <summary>Seconds from answer to the end (Voice Insights' <c>connect_duration</c>).</summary>
    public int? ConnectDuration => Call.State is { AnswerTime: not null, EndTime: not null } ? Call.State.Duration : null;

    private static long Millis(TimeSpan span) => (long)Math.Round(span.TotalMilliseconds);
}
