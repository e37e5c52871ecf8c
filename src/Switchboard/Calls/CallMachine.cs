namespace Switchboard.Calls;

/// <summary>The result of applying a trigger: the new state and what to do, or <c>Ignored</c>.</summary>
public readonly record struct Transition(CallState State, IReadOnlyList<CallEffect> Effects, bool Ignored)
{
    public static Transition Ignore(CallState state) => new(state, [], true);
}

/// <summary>Parameters of a call that shape its transitions.</summary>
public readonly record struct CallLimits(TimeSpan RingTimeout, TimeSpan TimeLimit);

/// <summary>
/// The call state machine: a pure function of (state, trigger, time). It reads the transition table
/// (<see cref="CallTransitions"/>) and says which effects follow; it performs none of them.
/// </summary>
public static class CallMachine
{
    public static Transition Apply(CallState state, CallTrigger trigger, DateTimeOffset now, CallLimits limits, int? sipCode = null)
    {
        if (CallTransitions.Target(state.Status, trigger) is not { } target)
        {
            return Transition.Ignore(state);
        }
        if (trigger == CallTrigger.Rejected)
        {
            target = SipOutcomes.StatusFor(sipCode ?? 500);
            if (target == CallStatus.Completed)
            {
                // A 2xx is an answer, never a rejection: the caller sent the wrong trigger.
                throw new ArgumentOutOfRangeException(nameof(sipCode), sipCode, "A 2xx response is an answer, not a rejection");
            }
        }

        var from = state.Status;
        var effects = new List<CallEffect>(4);
        var next = state with { Status = target };

        switch (target)
        {
            case CallStatus.Initiated:
                next = next with { StartTime = now, RingDeadline = now + limits.RingTimeout };
                effects.Add(new CallEffect.StatusEvent(CallbackEvent.Initiated));
                effects.Add(new CallEffect.ArmTimer(CallTimer.Ring, now + limits.RingTimeout));
                effects.Add(new CallEffect.PlaceLeg());
                break;

            case CallStatus.Ringing:
                effects.Add(new CallEffect.StatusEvent(CallbackEvent.Ringing));
                break;

            case CallStatus.InProgress:
                next = next with { AnswerTime = now, RingDeadline = null, TimeLimitDeadline = now + limits.TimeLimit, SipResponseCode = 200 };
                effects.Add(new CallEffect.DisarmTimer(CallTimer.Ring));
                effects.Add(new CallEffect.ArmTimer(CallTimer.TimeLimit, now + limits.TimeLimit));
                effects.Add(new CallEffect.StatusEvent(CallbackEvent.Answered));
                effects.Add(new CallEffect.StartApplication());
                break;

            default:
                next = End(next, from, trigger, now, sipCode, effects);
                break;
        }
        return new Transition(next, effects, false);
    }

    private static CallState End(CallState next, CallStatus from, CallTrigger trigger, DateTimeOffset now, int? sipCode, List<CallEffect> effects)
    {
        var wasDialing = from is CallStatus.Initiated or CallStatus.Ringing;
        var code = trigger switch
        {
            CallTrigger.Rejected => sipCode,
            CallTrigger.RouteFailed => sipCode ?? 404,
            // Our CANCEL is answered 487 Request Terminated (reference §11: 487 when Timeout elapses).
            CallTrigger.RingTimeout => 487,
            CallTrigger.ApiCancel or CallTrigger.ApiComplete when wasDialing => 487,
            CallTrigger.LegLost when from != CallStatus.InProgress => 500,
            _ when from == CallStatus.InProgress => 200,
            _ => null,
        };
        next = next with
        {
            EndTime = now,
            SipResponseCode = code,
            RingDeadline = null,
            TimeLimitDeadline = null,
        };

        if (wasDialing && trigger is CallTrigger.RingTimeout or CallTrigger.ApiCancel or CallTrigger.ApiComplete)
        {
            effects.Add(new CallEffect.CancelLeg());
        }
        if (from == CallStatus.InProgress && trigger is not (CallTrigger.RemoteHangup or CallTrigger.LegLost))
        {
            effects.Add(new CallEffect.HangupLeg());
        }
        if (from == CallStatus.InProgress)
        {
            effects.Add(new CallEffect.StopApplication());
            effects.Add(new CallEffect.DisarmTimer(CallTimer.TimeLimit));
        }
        else
        {
            effects.Add(new CallEffect.DisarmTimer(CallTimer.Ring));
        }
        effects.Add(new CallEffect.DisarmTimer(CallTimer.Dispatch));

        // A call canceled while queued fires no status callbacks at all (reference §4, §9.1).
        if (from != CallStatus.Queued || next.Status != CallStatus.Canceled)
        {
            effects.Add(new CallEffect.StatusEvent(CallbackEvent.Completed));
        }
        return next;
    }
}
