using Switchboard.Storage;

namespace Switchboard.Calls;

/// <summary>A validated request to place a call.</summary>
public sealed record NewCall
{
    public required string AccountSid { get; init; }
    public required string To { get; init; }
    public required string From { get; init; }
    public string Direction { get; init; } = CallDirection.OutboundApi;
    public CallSid? ParentCallSid { get; init; }
    public required CallInstructions Instructions { get; init; }
    /// <summary>The API request that created the call, recorded as the call's first event.</summary>
    public CallEventRecord? RequestEvent { get; init; }
}
