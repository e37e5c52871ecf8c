namespace Switchboard.Calls;

/// <summary>A call as stored and as the API shows it. Immutable: each change makes a new one.</summary>
public sealed record Call
{
    public required CallSid Sid { get; init; }
    public required string AccountSid { get; init; }
    public CallSid? ParentCallSid { get; init; }
    public required string To { get; init; }
    public required string From { get; init; }
    public required string Direction { get; init; }
    public required DateTimeOffset DateCreated { get; init; }
    public required DateTimeOffset DateUpdated { get; init; }
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
    public DateTimeOffset? DispatchAt { get; init; }
    public required CallInstructions Instructions { get; init; }

    public CallStatus Status => State.Status;
}
