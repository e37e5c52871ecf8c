namespace Switchboard.Calls;

/// <summary>What the engine must do after a transition. Effects are data; the engine performs them.</summary>
public abstract record CallEffect
{
    private CallEffect() { }

    /// <summary>Ask the carrier to place the leg.</summary>
    public sealed record PlaceLeg : CallEffect;
    /// <summary>Stop a leg that has not been answered (SIP CANCEL).</summary>
    public sealed record CancelLeg : CallEffect;
    /// <summary>Hang up an answered leg (SIP BYE).</summary>
    public sealed record HangupLeg : CallEffect;
    /// <summary>Start the call's TwiML application (fetch <c>Url</c> or run inline <c>Twiml</c>).</summary>
    public sealed record StartApplication : CallEffect;
    /// <summary>Stop the TwiML application (the call ended).</summary>
    public sealed record StopApplication : CallEffect;
    public sealed record ArmTimer(CallTimer Timer, DateTimeOffset Due) : CallEffect;
    public sealed record DisarmTimer(CallTimer Timer) : CallEffect;
    /// <summary>A status-callback event happened (sent when the call subscribed to it).</summary>
    public sealed record StatusEvent(CallbackEvent Event) : CallEffect;
}
