namespace Switchboard.Sip.Transactions;

/// <summary>
/// The running RFC 3261 timers of one transaction, on <see cref="TimeProvider"/>: each a one-shot timer
/// (rescheduled with <c>Change</c>, never polled), all stopped at once when the transaction changes state.
/// Not thread-safe: used under the transaction's lock.
/// </summary>
internal sealed class TransactionTimers(TimeProvider timeProvider)
{
    private readonly List<ITimer> _running = [];

    public ITimer Start(Action callback, TimeSpan due)
    {
        var timer = timeProvider.CreateTimer(static state => ((Action)state!)(), callback, due, Timeout.InfiniteTimeSpan);
        _running.Add(timer);
        return timer;
    }

    public void StopAll()
    {
        foreach (var timer in _running)
        {
            timer.Dispose();
        }

        _running.Clear();
    }
}
