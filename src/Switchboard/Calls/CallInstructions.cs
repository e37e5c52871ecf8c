namespace Switchboard.Calls;

/// <summary>What the caller asked for: TwiML source, callbacks and limits. Stored with the call.</summary>
public sealed record CallInstructions
{
    public string? Url { get; init; }
    public string Method { get; init; } = "POST";
    public string? FallbackUrl { get; init; }
    public string FallbackMethod { get; init; } = "POST";
    public string? Twiml { get; init; }
    public string? StatusCallback { get; init; }
    public string StatusCallbackMethod { get; init; } = "POST";
    public CallbackEvent StatusCallbackEvents { get; init; } = CallbackEvent.Completed;
    public required TimeSpan Timeout { get; init; }
    public required TimeSpan TimeLimit { get; init; }
    public string? MachineDetection { get; init; }
    public string? SendDigits { get; init; }
    public bool Record { get; init; }

    public CallLimits Limits => new(Timeout, TimeLimit);
}
