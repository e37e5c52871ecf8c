using Microsoft.Extensions.Time.Testing;
using Switchboard.Calls;
using Switchboard.Calls.Engine;

namespace Switchboard.Tests.Calls;

public sealed class TimerQueueTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Arm_AdvancedExactlyToDue_Fires()
    {
        var fired = 0;
        using var timers = new TimerQueue(_clock, () => fired++);
        var sid = CallSid.New(_clock.GetUtcNow());
        timers.Arm(sid, CallTimer.Dispatch, _clock.GetUtcNow());
        Assert.Equal(1, fired);
        Assert.Single(timers.TakeDue(_clock.GetUtcNow()));
        timers.Arm(sid, CallTimer.Ring, _clock.GetUtcNow().AddSeconds(15));
        _clock.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(2, fired);
        Assert.Equal([(sid, CallTimer.Ring)], timers.TakeDue(_clock.GetUtcNow()));
    }

    [Fact]
    public void Disarm_BeforeDue_NeverReturned()
    {
        using var timers = new TimerQueue(_clock, () => { });
        var sid = CallSid.New(_clock.GetUtcNow());
        timers.Arm(sid, CallTimer.Ring, _clock.GetUtcNow().AddSeconds(5));
        timers.Arm(sid, CallTimer.TimeLimit, _clock.GetUtcNow().AddSeconds(10));
        timers.Disarm(sid, CallTimer.Ring);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal([(sid, CallTimer.TimeLimit)], timers.TakeDue(_clock.GetUtcNow()));
    }

    [Fact]
    public void Rearm_ReplacesTheEarlierDueTime()
    {
        using var timers = new TimerQueue(_clock, () => { });
        var sid = CallSid.New(_clock.GetUtcNow());
        timers.Arm(sid, CallTimer.TimeLimit, _clock.GetUtcNow().AddSeconds(5));
        timers.Arm(sid, CallTimer.TimeLimit, _clock.GetUtcNow().AddSeconds(20));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(timers.TakeDue(_clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Single(timers.TakeDue(_clock.GetUtcNow()));
    }
}
