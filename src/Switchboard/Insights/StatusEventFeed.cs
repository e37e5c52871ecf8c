using Switchboard.Storage;

namespace Switchboard.Insights;

/// <summary>
/// Wakes event-stream readers when status changes commit. Readers always read the rows themselves from
/// <c>call_status_events</c> after the position they hold, so replay and live tail are the same query:
/// no gap and no duplicate, whatever the timing of the wake-up.
/// </summary>
internal sealed class StatusEventFeed
{
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Completes at the next commit that holds a status change. Take it before reading, then wait on it.</summary>
    public Task NextChange => Volatile.Read(ref _changed).Task;

    public void Apply(IReadOnlyList<StoreWrite> batch)
    {
        foreach (var write in batch)
        {
            if (write.StatusChange is not null)
            {
                Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
                return;
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
