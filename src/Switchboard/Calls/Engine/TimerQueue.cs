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
    // One entry in each per armed timer of every live call: the heap keeps due times as UTC ticks (8 bytes instead
    // of 16), and the armed set only the version (the due time is in the heap).
    private readonly PriorityQueue<(CallSid Sid, CallTimer Kind, long Version), long> _heap = new();
    private readonly Dictionary<(CallSid, CallTimer), long> _armed = [];
    private long _version;
    private DateTimeOffset? _scheduledFor;

    public TimerQueue(TimeProvider time, Action onDue)
    {
        _time = time;
        _onDue = onDue;
        _timer = time.CreateTimer(_ => onDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public int Count => _armed.Count;

    public void Arm(CallSid sid, CallTimer kind, DateTimeOffset due)
    {
        var version = ++_version;
        _armed[(sid, kind)] = version;
        _heap.Enqueue((sid, kind, version), due.UtcTicks);
        if (_heap.Count > 2 * _armed.Count + 1024)
        {
            Compact();
        }
        Reschedule();
    }

    public void Disarm(CallSid sid, CallTimer kind) => _armed.Remove((sid, kind));

    public void DisarmAll(CallSid sid)
    {
        foreach (var kind in Enum.GetValues<CallTimer>())
        {
            _armed.Remove((sid, kind));
        }
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
                _armed.Remove((entry.Sid, entry.Kind));
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

    private bool IsArmed((CallSid Sid, CallTimer Kind, long Version) entry) =>
        _armed.TryGetValue((entry.Sid, entry.Kind), out var version) && version == entry.Version;

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
