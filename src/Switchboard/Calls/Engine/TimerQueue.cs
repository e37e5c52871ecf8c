namespace Switchboard.Calls.Engine;

/// <summary>
/// The timers of one partition: a min-heap of due times behind a single <see cref="ITimer"/> armed for
/// the earliest. Not thread-safe: only the partition's loop touches it. Disarming is lazy (a version
/// check when an entry comes due); the heap is rebuilt when stale entries outnumber live ones.
/// </summary>
internal sealed class TimerQueue : IDisposable
{
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Action _onDue;
    // One heap entry per armed timer of every live call, with its due time as UTC ticks (8 bytes instead of 16).
    // The version of each armed timer is kept by the call itself (_versions), not in a set of its own here.
    private readonly PriorityQueue<(CallSid Sid, CallTimer Kind, int Version), long> _heap = new();
    private readonly ITimerVersions _versions;
    private int _armed;
    private int _version;
    private DateTimeOffset? _scheduledFor;

    public TimerQueue(TimeProvider time, Action onDue, ITimerVersions versions)
    {
        _time = time;
        _onDue = onDue;
        _versions = versions;
        _timer = time.CreateTimer(_ => onDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int Count => _armed;

    public void Arm(CallSid sid, CallTimer kind, DateTimeOffset due)
    {
        // 0 means "not armed"; after 2^32 arms the counter wraps past it.
        var version = ++_version == 0 ? ++_version : _version;
        Set(sid, kind, version);
        _heap.Enqueue((sid, kind, version), due.UtcTicks);
        if (_heap.Count > 2 * _armed + 1024)
        {
            Compact();
        }
        Reschedule();
    }

    public void Disarm(CallSid sid, CallTimer kind) => Set(sid, kind, 0);

    public void DisarmAll(CallSid sid)
    {
        foreach (var kind in Enum.GetValues<CallTimer>())
        {
            Set(sid, kind, 0);
        }
    }

    private void Set(CallSid sid, CallTimer kind, int version)
    {
        var previous = _versions.Exchange(sid, kind, version);
        _armed += (version != 0 ? 1 : 0) - (previous != 0 ? 1 : 0);
    }

    /// <summary>Removes and returns the timers due at <paramref name="now"/>, earliest first.</summary>
    public List<(CallSid Sid, CallTimer Kind)> TakeDue(DateTimeOffset now)
    {
        var due = new List<(CallSid, CallTimer)>();
        while (_heap.TryPeek(out var entry, out var at) && at <= now.UtcTicks)
        {
            _heap.Dequeue();
            if (IsArmed(entry))
            {
                Set(entry.Sid, entry.Kind, 0);
                due.Add((entry.Sid, entry.Kind));
            }
        }
        _scheduledFor = null;
        Reschedule();
        return due;
    }

    private void Reschedule()
    {
        while (_heap.TryPeek(out var entry, out var at))
        {
            if (IsArmed(entry))
            {
                var due = UtcTicks.DecodeRequired(at);
                if (_scheduledFor != due)
                {
                    _scheduledFor = due;
                    var delay = due - _time.GetUtcNow();
                    if (delay > TimeSpan.Zero)
                    {
                        _timer.Change(delay, Timeout.InfiniteTimeSpan);
                    }
                    else
                    {
                        // Already due (a call dispatched at once): hand it over now instead of through a timer
                        // thread; a timer still armed for a later entry fires harmlessly and re-arms.
                        _onDue();
                    }
                }
                return;
            }
            _heap.Dequeue();
        }
        _scheduledFor = null;
        _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    private bool IsArmed((CallSid Sid, CallTimer Kind, int Version) entry) =>
        _versions.Get(entry.Sid, entry.Kind) == entry.Version;

    /// <summary>Drops the entries of disarmed or re-armed timers.</summary>
    private void Compact()
    {
        var live = _heap.UnorderedItems.Where(item => IsArmed(item.Element)).ToList();
        _heap.Clear();
        _heap.EnqueueRange(live);
        _scheduledFor = null;
    }

    public void Dispose() => _timer.Dispose();
}

/// <summary>
/// Where a <see cref="TimerQueue"/> keeps the version of each armed timer of a call (0: not armed). The engine keeps
/// them in the call's <see cref="LiveCall"/>: no set of its own, with an entry per armed timer, for every live call.
/// </summary>
internal interface ITimerVersions
{
    /// <summary>The version of the call's timer; 0 when it is not armed or the call is not here.</summary>
    int Get(CallSid sid, CallTimer kind);

    /// <summary>Sets the version (0 disarms) and returns the previous one; a call that is not here keeps nothing (0).</summary>
    int Exchange(CallSid sid, CallTimer kind, int version);
}
