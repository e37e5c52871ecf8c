using System.Runtime.CompilerServices;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// One clock's queue of client transactions that only linger to absorb retransmissions (Timer D, K and M: RFC 3261
/// 17.1.1.2 and 17.1.2.2, RFC 6026 7.2), ended in due order by one timer. Every answered call leaves one or two such
/// transactions for 5 to 32 s; a timer of their own each (a timer, its callback and its state, on the runtime's timer
/// queue) made them outlive a young-generation collection and cost far more than the transaction, and the timer
/// queue scanned tens of thousands of them. A transaction ends no earlier than its due time and at most
/// <see cref="Coalescing"/> later, so that a stream of them shares the timer's firings.
/// Transactions that linger equally long (Timer K's 5 s, Timer D's and M's 32 s: a handful of durations) share a
/// first-in, first-out lane, in which they are due in the order they came: adding and ending one costs a write at
/// either end of the lane, where a heap of a hundred thousand of them moved entries all over its array each time
/// (and the collector then scanned those entries for young transactions).
/// </summary>
internal sealed class LingerQueue
{
    /// <summary>How late a lingering transaction may end, so that the ones due together end in one firing.</summary>
    internal static readonly TimeSpan Coalescing = TimeSpan.FromMilliseconds(10);

    private static readonly ConditionalWeakTable<TimeProvider, LingerQueue> Queues = new();

    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    // One lane per duration, in the order the durations were first seen.
    private readonly List<Lane> _lanes = [];
    private readonly long _coalescing;
    // The timestamp the timer is set for; long.MaxValue while it is not set.
    private long _armedFor = long.MaxValue;

    private LingerQueue(TimeProvider time)
    {
        _time = time;
        _coalescing = ToTimestamp(Coalescing);
        _timer = time.CreateTimer(static state => ((LingerQueue)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The queue of <paramref name="time"/> (one per clock, as the runtime has one timer queue).</summary>
    public static LingerQueue For(TimeProvider time) => Queues.GetValue(time, static t => new LingerQueue(t));

    /// <summary>How many transactions linger (diagnostics and tests).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                var count = 0;
                foreach (var lane in _lanes)
                {
                    count += lane.Count;
                }
                return count;
            }
        }
    }

    /// <summary>Ends <paramref name="transaction"/>'s lingering (<see cref="ClientTransaction.EndLingering"/>) after <paramref name="duration"/>.</summary>
    public void Add(ClientTransaction transaction, TimeSpan duration)
    {
        var length = ToTimestamp(duration);
        lock (_lock)
        {
            // Read under the lock, so that a lane's due times never decrease.
            var due = _time.GetTimestamp() + length;
            LaneFor_NeedsLock(length).Enqueue((transaction, due));
            if (due < _armedFor)
            {
                Arm_NeedsLock(due);
            }
        }
    }

    private Lane LaneFor_NeedsLock(long length)
    {
        foreach (var lane in _lanes)
        {
            if (lane.Length == length)
            {
                return lane;
            }
        }
        var added = new Lane(length);
        _lanes.Add(added);
        return added;
    }

    private void Fire()
    {
        List<ClientTransaction>? due = null;
        lock (_lock)
        {
            _armedFor = long.MaxValue;
            var now = _time.GetTimestamp();
            var next = long.MaxValue;
            foreach (var lane in _lanes)
            {
                while (lane.TryPeek(out var head))
                {
                    if (head.Due > now)
                    {
                        next = Math.Min(next, head.Due);
                        break;
                    }
                    lane.Dequeue();
                    (due ??= []).Add(head.Transaction);
                }
            }
            if (next != long.MaxValue)
            {
                Arm_NeedsLock(due is null ? next : Math.Max(next, now + _coalescing));
            }
        }
        if (due is null)
        {
            return;
        }
        foreach (var transaction in due)
        {
            transaction.EndLingering();
        }
    }

    private void Arm_NeedsLock(long due)
    {
        _armedFor = due;
        var ticks = Math.Max(0, due - _time.GetTimestamp()) * TimeSpan.TicksPerSecond / _time.TimestampFrequency;
        // Rounded up to the millisecond the runtime's timers count in, so that the timer does not fire before it is due.
        var delay = TimeSpan.FromMilliseconds(Math.Ceiling(ticks / (double)TimeSpan.TicksPerMillisecond));
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private long ToTimestamp(TimeSpan span) => (long)(span.Ticks * (double)_time.TimestampFrequency / TimeSpan.TicksPerSecond);

    /// <summary>The transactions that linger for one duration, due in the order they were added.</summary>
    private sealed class Lane(long length) : Queue<(ClientTransaction Transaction, long Due)>
    {
        public long Length { get; } = length;
    }
}
