namespace Switchboard.Calls;

/// <summary>A live-call modification (reference §4). Only the given parts change.</summary>
public sealed record CallUpdate
{
    /// <summary><see cref="CallStatus.Canceled"/> or <see cref="CallStatus.Completed"/>.</summary>
    public CallStatus? Status { get; init; }
    public string? Url { get; init; }
    public string? Method { get; init; }
    public string? Twiml { get; init; }
    public string? FallbackUrl { get; init; }
    public string? FallbackMethod { get; init; }
    public string? StatusCallback { get; init; }
    public string? StatusCallbackMethod { get; init; }
    public TimeSpan? TimeLimit { get; init; }
}
