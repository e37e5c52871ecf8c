using Switchboard.Calls;

namespace Switchboard.Tests.Calls;

public sealed class CallTransitionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CallLimits Limits = new(TimeSpan.FromSeconds(60), TimeSpan.FromHours(4));

    // The expected table, written out independently of CallTransitions (reference §8.2).
    private static readonly Dictionary<(CallStatus, CallTrigger), CallStatus> Expected = new()
    {
        [(CallStatus.Queued, CallTrigger.Dial)] = CallStatus.Initiated,
        [(CallStatus.Queued, CallTrigger.RouteFailed)] = CallStatus.Failed,
        [(CallStatus.Queued, CallTrigger.ApiCancel)] = CallStatus.Canceled,
        [(CallStatus.Queued, CallTrigger.ApiComplete)] = CallStatus.Canceled,
        [(CallStatus.Queued, CallTrigger.LegLost)] = CallStatus.Failed,
        [(CallStatus.Initiated, CallTrigger.Ringing)] = CallStatus.Ringing,
        [(CallStatus.Initiated, CallTrigger.Answered)] = CallStatus.InProgress,
        [(CallStatus.Initiated, CallTrigger.Rejected)] = CallStatus.Busy,
        [(CallStatus.Initiated, CallTrigger.RouteFailed)] = CallStatus.Failed,
        [(CallStatus.Initiated, CallTrigger.RingTimeout)] = CallStatus.NoAnswer,
        [(CallStatus.Initiated, CallTrigger.ApiCancel)] = CallStatus.Canceled,
        [(CallStatus.Initiated, CallTrigger.ApiComplete)] = CallStatus.Canceled,
        [(CallStatus.Initiated, CallTrigger.LegLost)] = CallStatus.Failed,
        [(CallStatus.Ringing, CallTrigger.Answered)] = CallStatus.InProgress,
        [(CallStatus.Ringing, CallTrigger.Rejected)] = CallStatus.Busy,
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
    };

    public static TheoryData<CallStatus, CallTrigger> AllPairs()
    {
        var data = new TheoryData<CallStatus, CallTrigger>();
        foreach (var status in Enum.GetValues<CallStatus>())
        {
            foreach (var trigger in Enum.GetValues<CallTrigger>())
            {
                data.Add(status, trigger);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Apply_EveryStateAndTrigger_FollowsTheTable(CallStatus from, CallTrigger trigger)
    {
        var state = new CallState { Status = from, StartTime = from == CallStatus.Queued ? null : Now.AddSeconds(-5) };
        var result = CallMachine.Apply(state, trigger, Now, Limits, trigger == CallTrigger.Rejected ? 486 : null);

        if (Expected.TryGetValue((from, trigger), out var to))
        {
            Assert.False(result.Ignored);
            Assert.Equal(to, result.State.Status);
        }
        else
        {
            Assert.True(result.Ignored, $"{from} + {trigger} should be ignored");
            Assert.Equal(state, result.State);
            Assert.Empty(result.Effects);
        }
    }

    [Fact]
    public void Table_HasNoTransitionOutOfAFinalStatus()
    {
        Assert.DoesNotContain(CallTransitions.All, t => t.From.IsFinal());
        Assert.Equal(Expected.Count, CallTransitions.All.Count());
    }

    [Theory]
    [InlineData(486, CallStatus.Busy)]
    [InlineData(600, CallStatus.Busy)]
    [InlineData(603, CallStatus.NoAnswer)]
    [InlineData(480, CallStatus.NoAnswer)]
    [InlineData(408, CallStatus.NoAnswer)]
    [InlineData(404, CallStatus.Failed)]
    [InlineData(503, CallStatus.Failed)]
    [InlineData(488, CallStatus.Failed)]
    public void Rejected_SipCode_DecidesFinalStatus(int sipCode, CallStatus expected)
    {
        var ringing = new CallState { Status = CallStatus.Ringing, StartTime = Now };
        var result = CallMachine.Apply(ringing, CallTrigger.Rejected, Now, Limits, sipCode);
        Assert.Equal(expected, result.State.Status);
        Assert.Equal(sipCode, result.State.SipResponseCode);
        Assert.Contains(result.Effects, e => e is CallEffect.StatusEvent { Event: CallbackEvent.Completed });
    }

    [Fact]
    public void Dial_ArmsRingTimerAtTimeoutAndPlacesLeg()
    {
        var result = CallMachine.Apply(new CallState { Status = CallStatus.Queued }, CallTrigger.Dial, Now, Limits);
        Assert.Equal(Now, result.State.StartTime);
        Assert.Contains(new CallEffect.ArmTimer(CallTimer.Ring, Now.AddSeconds(60)), result.Effects);
        Assert.Contains(result.Effects, e => e is CallEffect.PlaceLeg);
        Assert.Contains(new CallEffect.StatusEvent(CallbackEvent.Initiated), result.Effects);
    }

    [Fact]
    public void Answer_ArmsTimeLimitAndStartsApplication()
    {
        var ringing = new CallState { Status = CallStatus.Ringing, StartTime = Now.AddSeconds(-3) };
        var result = CallMachine.Apply(ringing, CallTrigger.Answered, Now, Limits);
        Assert.Equal(CallStatus.InProgress, result.State.Status);
        Assert.Contains(new CallEffect.ArmTimer(CallTimer.TimeLimit, Now.AddHours(4)), result.Effects);
        Assert.Contains(new CallEffect.DisarmTimer(CallTimer.Ring), result.Effects);
        Assert.Contains(result.Effects, e => e is CallEffect.StartApplication);
    }

    [Fact]
    public void RingTimeout_EndsNoAnswerWith487AndCancelsLeg()
    {
        var ringing = new CallState { Status = CallStatus.Ringing, StartTime = Now.AddSeconds(-60) };
        var result = CallMachine.Apply(ringing, CallTrigger.RingTimeout, Now, Limits);
        Assert.Equal(CallStatus.NoAnswer, result.State.Status);
        Assert.Equal(487, result.State.SipResponseCode);
        Assert.Contains(result.Effects, e => e is CallEffect.CancelLeg);
        Assert.Equal(0, result.State.Duration);
    }

    [Fact]
    public void CancelWhileQueued_SendsNoCallback()
    {
        var result = CallMachine.Apply(new CallState { Status = CallStatus.Queued }, CallTrigger.ApiCancel, Now, Limits);
        Assert.Equal(CallStatus.Canceled, result.State.Status);
        Assert.DoesNotContain(result.Effects, e => e is CallEffect.StatusEvent);
    }

    [Fact]
    public void HangupInProgress_CompletesWithDurationAndHangsUpLeg()
    {
        var inProgress = new CallState { Status = CallStatus.InProgress, StartTime = Now.AddSeconds(-13), AnswerTime = Now.AddSeconds(-12) };
        var result = CallMachine.Apply(inProgress, CallTrigger.ApiComplete, Now, Limits);
        Assert.Equal(CallStatus.Completed, result.State.Status);
        Assert.Equal(12, result.State.Duration);
        Assert.Equal(200, result.State.SipResponseCode);
        Assert.Contains(result.Effects, e => e is CallEffect.HangupLeg);
        Assert.Contains(result.Effects, e => e is CallEffect.StopApplication);
    }

    [Fact]
    public void RemoteHangup_DoesNotHangUpTheLegAgain()
    {
        var inProgress = new CallState { Status = CallStatus.InProgress, StartTime = Now, AnswerTime = Now };
        var result = CallMachine.Apply(inProgress, CallTrigger.RemoteHangup, Now.AddSeconds(2), Limits);
        Assert.DoesNotContain(result.Effects, e => e is CallEffect.HangupLeg);
        Assert.Equal(2, result.State.Duration);
    }

    [Fact]
    public void Rejected_With2xx_IsAProgrammerError() =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            CallMachine.Apply(new CallState { Status = CallStatus.Ringing }, CallTrigger.Rejected, Now, Limits, 200));

    [Fact]
    public void EveryStatus_HasAWireName()
    {
        foreach (var status in Enum.GetValues<CallStatus>())
        {
            Assert.True(CallStatusNames.TryParse(status.ToWire(), out var back));
            Assert.Equal(status, back);
        }
        Assert.Equal("queued", CallStatus.Initiated.ToResource());
        Assert.Equal("in-progress", CallStatus.InProgress.ToResource());
    }
}
