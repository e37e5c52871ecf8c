using System.Runtime.CompilerServices;

namespace Switchboard.Sip.Transactions;

/// <summary>
/// One clock's queue of client transactions that only linger to absorb retransmissions (Timer D, K and M: RFC 3261
/// 17.1.1.2 and 17.1.2.2, RFC 6026 7.2), ended in due order by one timer. Every answered call leaves one or two such
/// transactions for 5 to 32 s; a timer of their own each (a timer, its callback and its state, on the runtime's timer
/// queue) made them outlive a young-generation collection and cost far more than the transaction, and the timer
/// queue scanned tens of thousands of them. A transaction ends no earlier than its due time and at most
/// <see cref="Coalescing"/> later, so that a stream of them shares the timer's firings.
/// </summary>
internal sealed class LingerQueue
{
    /// <summary>How late a lingering transaction may end, so that the ones due together end in one firing.</summary>
    internal static readonly TimeSpan Coalescing = TimeSpan.FromMilliseconds(10);

    private static readonly ConditionalWeakTable<TimeProvider, LingerQueue> Queues = new();

    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<ClientTransaction, long> _queue = new();
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
                return _queue.Count;
            }
        }
    }

    /// <summary>Ends <paramref name="transaction"/>'s lingering (<see cref="ClientTransaction.EndLingering"/>) after <paramref name="duration"/>.</summary>
    public void Add(ClientTransaction transaction, TimeSpan duration)
    {
        var due = _time.GetTimestamp() + ToTimestamp(duration);
        lock (_lock)
        {
            _queue.Enqueue(transaction, due);
            if (due < _armedFor)
            {
                Arm_NeedsLock(due);
            }
        }
    }

    private void Fire()
    {
        List<ClientTransaction>? due = null;
        lock (_lock)
        {
            _armedFor = long.MaxValue;
            var now = _time.GetTimestamp();
            while (_queue.TryPeek(out var transaction, out var at) && at <= now)
            {
                _queue.Dequeue();
                (due ??= []).Add(transaction);
            }
            if (_queue.TryPeek(out _, out var next))
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
}
