namespace Switchboard.Calls;

/// <summary>A call as stored and as the API shows it. Immutable: each change makes a new one.</summary>
/// <remarks>
/// Every live call holds one, so its times are kept as UTC ticks (<see cref="UtcTicks"/>) and its parent as a
/// plain <see cref="CallSid"/> (default for none): 40 bytes less per call than <c>DateTimeOffset</c> and
/// <c>CallSid?</c> fields. What most calls leave empty (parent, AnsweredBy, TrunkSid, SipCallId) is in one immutable side
/// object, shared by the copies of a call and absent when all four are.
/// </remarks>
public sealed record Call
{
    private readonly Rare? _rare;
    private readonly long _dateCreated;
    private readonly long _dateUpdated;
    private readonly long _dispatchAt = UtcTicks.None;

    public required CallSid Sid { get; init; }
    public required string AccountSid { get; init; }
    public CallSid? ParentCallSid { get => _rare?.ParentCallSid; init => _rare = Rare.Of(value, _rare?.AnsweredBy, _rare?.TrunkSid, _rare?.SipCallId); }
    public required string To { get; init; }
    public required string From { get; init; }
    public required string Direction { get; init; }
    public required DateTimeOffset DateCreated { get => UtcTicks.DecodeRequired(_dateCreated); init => _dateCreated = UtcTicks.Encode(value); }
    public required DateTimeOffset DateUpdated { get => UtcTicks.DecodeRequired(_dateUpdated); init => _dateUpdated = UtcTicks.Encode(value); }
    public required CallState State { get; init; }
    public string? AnsweredBy { get => _rare?.AnsweredBy; init => _rare = Rare.Of(_rare?.ParentCallSid, value, _rare?.TrunkSid, _rare?.SipCallId); }
    /// <summary>Milliseconds the call waited in the queue before dialing.</summary>
    public long QueueTime { get; init; }
    public string? TrunkSid { get => _rare?.TrunkSid; init => _rare = Rare.Of(_rare?.ParentCallSid, _rare?.AnsweredBy, value, _rare?.SipCallId); }
    /// <summary>The SIP Call-ID of a trunk call's incoming INVITE (docs/carriers.md "Trunk calls"); null for other calls.</summary>
    public string? SipCallId { get => _rare?.SipCallId; init => _rare = Rare.Of(_rare?.ParentCallSid, _rare?.AnsweredBy, _rare?.TrunkSid, value); }
    /// <summary>Name of the carrier that placed the leg.</summary>
    public string? Carrier { get; init; }
    /// <summary>Next <c>SequenceNumber</c> for this call's status callbacks.</summary>
    public int NextSequenceNumber { get; init; }
    /// <summary>Absolute time the call leaves the queue.</summary>
    public DateTimeOffset? DispatchAt { get => UtcTicks.Decode(_dispatchAt); init => _dispatchAt = UtcTicks.Encode(value); }
    public required CallInstructions Instructions { get; init; }

    public CallStatus Status => State.Status;

    private sealed record Rare(CallSid? ParentCallSid, string? AnsweredBy, string? TrunkSid, string? SipCallId)
    {
        /// <summary>The side object for these values, or null when all are empty (a default SID counts as no parent).</summary>
        public static Rare? Of(CallSid? parentCallSid, string? answeredBy, string? trunkSid, string? sipCallId)
        {
            var parent = parentCallSid is { Value: not null } ? parentCallSid : null;
            return parent is null && answeredBy is null && trunkSid is null && sipCallId is null
                ? null
                : new Rare(parent, answeredBy, trunkSid, sipCallId);
        }
    }
}
