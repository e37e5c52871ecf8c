namespace Switchboard.Calls;

/// <summary>The part of a call the <see cref="CallMachine"/> reads and writes.</summary>
/// <remarks>
/// Every live call holds one, so its times are kept as UTC ticks (8 bytes each, <see cref="long.MinValue"/> for
/// none) rather than as <c>DateTimeOffset?</c> (24 bytes each), and the SIP code as an <c>int</c> with
/// <see cref="int.MinValue"/> for none. The engine's times are UTC; a time given with another offset reads back
/// as the same instant in UTC. A struct, held inline in its <see cref="Call"/>: no object of its own per call
/// and per transition.
/// </remarks>
public readonly record struct CallState
{
    private readonly long _startTime = UtcTicks.None;
    private readonly long _answerTime = UtcTicks.None;
    private readonly long _endTime = UtcTicks.None;
    private readonly long _ringDeadline = UtcTicks.None;
    private readonly long _timeLimitDeadline = UtcTicks.None;
    private readonly int _sipResponseCode = NoCode;
    private const int NoCode = int.MinValue;

    /// <summary>A state with no times and no SIP code (the fields' initializers run).</summary>
    public CallState()
    {
    }

    public required CallStatus Status { get; init; }
    /// <summary>When dialing started (Twilio's <c>start_time</c>).</summary>
    public DateTimeOffset? StartTime { get => UtcTicks.Decode(_startTime); init => _startTime = UtcTicks.Encode(value); }
    public DateTimeOffset? AnswerTime { get => UtcTicks.Decode(_answerTime); init => _answerTime = UtcTicks.Encode(value); }
    public DateTimeOffset? EndTime { get => UtcTicks.Decode(_endTime); init => _endTime = UtcTicks.Encode(value); }
    public int? SipResponseCode { get => _sipResponseCode == NoCode ? null : _sipResponseCode; init => _sipResponseCode = value ?? NoCode; }
    /// <summary>Absolute due time of the ring timer (stored, so a restart can re-arm it).</summary>
    public DateTimeOffset? RingDeadline { get => UtcTicks.Decode(_ringDeadline); init => _ringDeadline = UtcTicks.Encode(value); }
    /// <summary>Absolute due time of the <c>TimeLimit</c> timer.</summary>
    public DateTimeOffset? TimeLimitDeadline { get => UtcTicks.Decode(_timeLimitDeadline); init => _timeLimitDeadline = UtcTicks.Encode(value); }

    /// <summary>Seconds between answer and end, Twilio's <c>duration</c>; 0 for unanswered calls.</summary>
    public int Duration =>
        AnswerTime is { } a && EndTime is { } e ? (int)Math.Max(0, Math.Round((e - a).TotalSeconds, MidpointRounding.AwayFromZero)) : 0;
}
