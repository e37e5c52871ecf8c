namespace Switchboard.Calls;

/// <summary>A call as stored and as the API shows it. Immutable: each change makes a new one.</summary>
/// <remarks>
/// Every live call holds one, so its times are kept as UTC ticks (<see cref="UtcTicks"/>) and its parent as a
/// plain <see cref="CallSid"/> (default for none): 40 bytes less per call than <c>DateTimeOffset</c> and
/// <c>CallSid?</c> fields.
/// </remarks>
public sealed record Call
{
    private readonly CallSid _parentCallSid;
    private readonly long _dateCreated;
    private readonly long _dateUpdated;
    private readonly long _dispatchAt = UtcTicks.None;

    public required CallSid Sid { get; init; }
    public required string AccountSid { get; init; }
    public CallSid? ParentCallSid { get => _parentCallSid.Value is null ? null : _parentCallSid; init => _parentCallSid = value ?? default; }
    public required string To { get; init; }
    public required string From { get; init; }
    public required string Direction { get; init; }
    public required DateTimeOffset DateCreated { get => UtcTicks.DecodeRequired(_dateCreated); init => _dateCreated = UtcTicks.Encode(value); }
    public required DateTimeOffset DateUpdated { get => UtcTicks.DecodeRequired(_dateUpdated); init => _dateUpdated = UtcTicks.Encode(value); }
    public required CallState State { get; init; }
    public string? AnsweredBy { get; init; }
    /// <summary>Milliseconds the call waited in the queue before dialing.</summary>
    public long QueueTime { get; init; }
    public string? TrunkSid { get; init; }
    /// <summary>The SIP Call-ID of a trunk call's incoming INVITE (docs/carriers.md "Trunk calls"); null for other calls.</summary>
    public string? SipCallId { get; init; }
    /// <summary>Name of the carrier that placed the leg.</summary>
    public string? Carrier { get; init; }
    /// <summary>Next <c>SequenceNumber</c> for this call's status callbacks.</summary>
    public int NextSequenceNumber { get; init; }
    /// <summary>Absolute time the call leaves the queue.</summary>
    public DateTimeOffset? DispatchAt { get => UtcTicks.Decode(_dispatchAt); init => _dispatchAt = UtcTicks.Encode(value); }
    public required CallInstructions Instructions { get; init; }

    public CallStatus Status => State.Status;
}
