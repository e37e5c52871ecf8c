namespace Switchboard.Calls;

/// <summary>The part of a call the <see cref="CallMachine"/> reads and writes.</summary>
public sealed record CallState
{
    public required CallStatus Status { get; init; }
    /// <summary>When dialing started (Twilio's <c>start_time</c>).</summary>
    public DateTimeOffset? StartTime { get; init; }
    public DateTimeOffset? AnswerTime { get; init; }
    public DateTimeOffset? EndTime { get; init; }
    public int? SipResponseCode { get; init; }
    /// <summary>Absolute due time of the ring timer (stored, so a restart can re-arm it).</summary>
    public DateTimeOffset? RingDeadline { get; init; }
    /// <summary>Absolute due time of the <c>TimeLimit</c> timer.</summary>
    public DateTimeOffset? TimeLimitDeadline { get; init; }

    /// <summary>Seconds between answer and end, Twilio's <c>duration</c>; 0 for unanswered calls.</summary>
    public int Duration =>
        AnswerTime is { } a && EndTime is { } e ? (int)Math.Max(0, Math.Round((e - a).TotalSeconds, MidpointRounding.AwayFromZero)) : 0;
}
