namespace Switchboard;

/// <summary>Whether start-up (storage, accounts, recovery) has finished: <c>/healthz</c> answers 200 after it.</summary>
public sealed class Readiness
{
    public bool IsReady { get; set; }
}
