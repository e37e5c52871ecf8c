using Switchboard.Calls;

namespace Switchboard.Storage;

/// <summary>One row of the status event log, with the call's addressing (null once the call is deleted).</summary>
public sealed record StatusEventRecord
{
    /// <summary>Row id: increases in commit order, the position of the event stream.</summary>
    public required long Id { get; init; }
    public required string AccountSid { get; init; }
    public required CallSid CallSid { get; init; }
    public CallStatus? PreviousStatus { get; init; }
    public required CallStatus Status { get; init; }
    public required DateTimeOffset DateCreated { get; init; }
    /// <summary>What caused the change (<see cref="CallTriggerNames"/>); null for the creation of a call.</summary>
    public string? Cause { get; init; }
    public string? To { get; init; }
    public string? From { get; init; }
    public string? Direction { get; init; }
    public CallSid? ParentCallSid { get; init; }
    public string? Carrier { get; init; }
}

/// <summary>A slice of the status event log: an account's events after a position, optionally of one call.</summary>
public sealed record StatusEventQuery
{
    public required string AccountSid { get; init; }
    public long AfterId { get; init; }
    public CallSid? CallSid { get; init; }
    public int Limit { get; init; } = 500;
}

/// <summary>Which calls an analytics figure covers: an account's calls created in a window, by carrier and destination prefix.</summary>
public sealed record InsightsQuery
{
    public required string AccountSid { get; init; }
    /// <summary>Calls created at or after this time.</summary>
    public DateTimeOffset? From { get; init; }
    /// <summary>Calls created before this time.</summary>
    public DateTimeOffset? Before { get; init; }
    public string? Carrier { get; init; }
    /// <summary>Leading characters of <c>To</c>, e.g. <c>+44</c>.</summary>
    public string? ToPrefix { get; init; }
    public int Limit { get; init; } = 100_000;
}

/// <summary>A call with the facts its status log adds: when it first rang and what ended it.</summary>
public sealed record CallFacts(Call Call, DateTimeOffset? RingingAt, string? FinalCause);

/// <summary>Delivery outcome of one status callback.</summary>
public sealed record CallbackTiming(CallSid CallSid, int SequenceNumber, CallbackState State, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt);
