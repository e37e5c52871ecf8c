using System.Collections.Frozen;

namespace Switchboard.Calls;

/// <summary>The one table between <see cref="CallTrigger"/> and the cause stored with a status change.</summary>
public static class CallTriggerNames
{
    private static readonly FrozenDictionary<CallTrigger, string> Names = new Dictionary<CallTrigger, string>
    {
        [CallTrigger.Dial] = "dial",
        [CallTrigger.Ringing] = "ringing",
        [CallTrigger.Answered] = "answered",
        [CallTrigger.Rejected] = "rejected",
        [CallTrigger.RouteFailed] = "route-failed",
        [CallTrigger.RingTimeout] = "ring-timeout",
        [CallTrigger.ApiCancel] = "api-cancel",
        [CallTrigger.ApiComplete] = "api-complete",
        [CallTrigger.RemoteHangup] = "remote-hangup",
        [CallTrigger.TwimlHangup] = "twiml-hangup",
        [CallTrigger.ApplicationError] = "application-error",
        [CallTrigger.TimeLimit] = "time-limit",
        [CallTrigger.LegLost] = "leg-lost",
    }.ToFrozenDictionary();

    public static string ToWire(this CallTrigger trigger) => Names[trigger];
}
