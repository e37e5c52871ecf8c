namespace Switchboard.Sip.Transactions;

/// <summary>
/// The running RFC 3261 timers of one transaction, on <see cref="TimeProvider"/>: each a one-shot timer
/// (rescheduled with <c>Change</c>, never polled), all stopped at once when the transaction changes state. A
/// transaction runs at most two at a time (a retransmit timer and a timeout timer: A and B, E and F, G and H), so
/// they are two fields of the transaction itself rather than a list of their own. Not thread-safe: used under the
/// transaction's lock, as a mutable field (never a copy).
/// </summary>
internal struct TransactionTimers(TimeProvider timeProvider)
{
    private ITimer? _first;
    private ITimer? _second;

    /// <summary>The clock the timers run on.</summary>
    public readonly TimeProvider Clock => timeProvider;

    public ITimer Start(Action callback, TimeSpan due)
    {
        if (_first is not null && _second is not null)
        {
            throw new InvalidOperationException("A transaction runs at most two timers at a time.");
        }
        var timer = timeProvider.CreateTimer(static state => ((Action)state!)(), callback, due, Timeout.InfiniteTimeSpan);
        if (_first is null)
        {
            _first = timer;
        }
        else
        {
            _second = timer;
        }
        return timer;
    }

    public void StopAll()
    {
        _first?.Dispose();
        _second?.Dispose();
        _first = _second = null;
    }
}
