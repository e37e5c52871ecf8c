using System.Collections.Frozen;

namespace Switchboard.Calls;

/// <summary>
/// The legal transitions of a call (Twilio reference §8.2), in one table. A pair missing from the
/// table is a late or duplicate event: it is ignored, never thrown (STYLE §5).
/// </summary>
public static class CallTransitions
{
    private static readonly FrozenDictionary<(CallStatus, CallTrigger), CallStatus> Table =
        new Dictionary<(CallStatus, CallTrigger), CallStatus>
        {
            [(CallStatus.Queued, CallTrigger.Dial)] = CallStatus.Initiated,
            [(CallStatus.Queued, CallTrigger.RouteFailed)] = CallStatus.Failed,
            [(CallStatus.Queued, CallTrigger.ApiCancel)] = CallStatus.Canceled,
            // Status=completed on a call that never rang ends it as canceled (reference §4, UNCONFIRMED; docs/compatibility.md).
            [(CallStatus.Queued, CallTrigger.ApiComplete)] = CallStatus.Canceled,
            [(CallStatus.Queued, CallTrigger.LegLost)] = CallStatus.Failed,

            [(CallStatus.Initiated, CallTrigger.Ringing)] = CallStatus.Ringing,
            [(CallStatus.Initiated, CallTrigger.Answered)] = CallStatus.InProgress,
            // Busy/no-answer/failed before any 180: allowed (reference §18.16), the SIP code decides.
            [(CallStatus.Initiated, CallTrigger.Rejected)] = CallStatus.Failed,
            [(CallStatus.Initiated, CallTrigger.RouteFailed)] = CallStatus.Failed,
            [(CallStatus.Initiated, CallTrigger.RingTimeout)] = CallStatus.NoAnswer,
            [(CallStatus.Initiated, CallTrigger.ApiCancel)] = CallStatus.Canceled,
            [(CallStatus.Initiated, CallTrigger.ApiComplete)] = CallStatus.Canceled,
            [(CallStatus.Initiated, CallTrigger.LegLost)] = CallStatus.Failed,

            [(CallStatus.Ringing, CallTrigger.Answered)] = CallStatus.InProgress,
            [(CallStatus.Ringing, CallTrigger.Rejected)] = CallStatus.Failed,
            [(CallStatus.Ringing, CallTrigger.RingTimeout)] = CallStatus.NoAnswer,
            [(CallStatus.Ringing, CallTrigger.ApiCancel)] = CallStatus.Canceled,
            [(CallStatus.Ringing, CallTrigger.ApiComplete)] = CallStatus.Canceled,
            [(CallStatus.Ringing, CallTrigger.LegLost)] = CallStatus.Failed,

            [(CallStatus.InProgress, CallTrigger.ApiComplete)] = CallStatus.Completed,
            [(CallStatus.InProgress, CallTrigger.RemoteHangup)] = CallStatus.Completed,
            [(CallStatus.InProgress, CallTrigger.TwimlHangup)] = CallStatus.Completed,
            [(CallStatus.InProgress, CallTrigger.ApplicationError)] = CallStatus.Completed,
            [(CallStatus.InProgress, CallTrigger.TimeLimit)] = CallStatus.Completed,
            [(CallStatus.InProgress, CallTrigger.LegLost)] = CallStatus.Completed,
        }.ToFrozenDictionary();

    /// <summary>The status a trigger leads to, or <c>null</c> when the pair is not a transition.</summary>
    /// <remarks>
    /// <see cref="CallTrigger.Rejected"/> is listed with <see cref="CallStatus.Failed"/> as its
    /// placeholder target: the real final status comes from the SIP code (<see cref="SipOutcomes"/>).
    /// </remarks>
    public static CallStatus? Target(CallStatus from, CallTrigger trigger) =>
        Table.TryGetValue((from, trigger), out var to) ? to : null;

    public static IEnumerable<(CallStatus From, CallTrigger Trigger, CallStatus To)> All =>
        Table.Select(p => (p.Key.Item1, p.Key.Item2, p.Value));
}
