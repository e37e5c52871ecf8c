using Microsoft.Extensions.Time.Testing;
using Switchboard.Calls;
using Switchboard.Calls.Engine;

namespace Switchboard.Tests.Calls;

public sealed class TimerQueueTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>The versions kept as the engine's calls keep them, for calls that are all here.</summary>
    private sealed class Versions : ITimerVersions
    {
        private readonly Dictionary<(CallSid, CallTimer), int> _versions = [];

        public int Get(CallSid sid, CallTimer kind) => _versions.GetValueOrDefault((sid, kind));

        public int Exchange(CallSid sid, CallTimer kind, int version)
        {
            var previous = Get(sid, kind);
            _versions[(sid, kind)] = version;
            return previous;
        }
    }

    [Fact]
    public void Arm_AdvancedExactlyToDue_Fires()
    {
        var fired = 0;
        using var timers = new TimerQueue(_clock, () => fired++, new Versions());
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
        using var timers = new TimerQueue(_clock, () => { }, new Versions());
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
        using var timers = new TimerQueue(_clock, () => { }, new Versions());
        var sid = CallSid.New(_clock.GetUtcNow());
        timers.Arm(sid, CallTimer.TimeLimit, _clock.GetUtcNow().AddSeconds(5));
        timers.Arm(sid, CallTimer.TimeLimit, _clock.GetUtcNow().AddSeconds(20));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(timers.TakeDue(_clock.GetUtcNow()));
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Single(timers.TakeDue(_clock.GetUtcNow()));
    }

    [Fact]
    public void ArmedCount_FollowsArmDisarmAndDue()
    {
        using var timers = new TimerQueue(_clock, () => { }, new Versions());
        var sid = CallSid.New(_clock.GetUtcNow());
        timers.Arm(sid, CallTimer.Ring, _clock.GetUtcNow().AddSeconds(5));
        timers.Arm(sid, CallTimer.Ring, _clock.GetUtcNow().AddSeconds(6));
        timers.Arm(sid, CallTimer.Verb, _clock.GetUtcNow().AddSeconds(1));
        Assert.Equal(2, timers.Count);
        timers.Disarm(sid, CallTimer.Ring);
        timers.Disarm(sid, CallTimer.Ring);
        Assert.Equal(1, timers.Count);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([(sid, CallTimer.Verb)], timers.TakeDue(_clock.GetUtcNow()));
        Assert.Equal(0, timers.Count);
        timers.Arm(sid, CallTimer.TimeLimit, _clock.GetUtcNow().AddSeconds(1));
        timers.DisarmAll(sid);
        Assert.Equal(0, timers.Count);
    }
}
