using Switchboard.Calls;

namespace Switchboard.Storage;

/// <summary>
/// Durable storage of accounts, calls, their outbox, events and notifications. The seam between the
/// engine and a database (SQLite embedded by default; PostgreSQL for clusters).
/// </summary>
public interface ICallStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Applies writes in one transaction, in order (the group commit).</summary>
    Task ApplyAsync(IReadOnlyList<StoreWrite> writes, CancellationToken cancellationToken);

    Task<Account?> GetAccountAsync(string sid, CancellationToken cancellationToken);
    Task<Account?> GetFirstAccountAsync(CancellationToken cancellationToken);
    /// <summary>The oldest account with this friendly name (the development account is found by its name).</summary>
    Task<Account?> GetAccountByNameAsync(string friendlyName, CancellationToken cancellationToken);
    Task UpsertAccountAsync(Account account, CancellationToken cancellationToken);

    Task<Call?> GetCallAsync(CallSid sid, CancellationToken cancellationToken);
    Task<IReadOnlyList<Call>> ListCallsAsync(CallQuery query, CancellationToken cancellationToken);
    /// <summary>Calls not in a final state, for restart recovery.</summary>
    Task<IReadOnlyList<Call>> LoadUnfinishedCallsAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<OutboxEntry>> LoadPendingCallbacksAsync(CancellationToken cancellationToken);
    Task<IReadOnlyList<OutboxEntry>> ListCallbacksAsync(CallSid callSid, CancellationToken cancellationToken);
    /// <summary>An account's callbacks in <paramref name="state"/> created in [from, before), oldest first.</summary>
    Task<IReadOnlyList<OutboxEntry>> ListCallbacksAsync(string accountSid, CallbackState state, DateTimeOffset? from, DateTimeOffset? before,
        int offset, int count, CancellationToken cancellationToken);

    Task<IReadOnlyList<CallEventRecord>> ListEventsAsync(CallSid callSid, int offset, int count, CancellationToken cancellationToken);
    Task<IReadOnlyList<NotificationRecord>> ListNotificationsAsync(CallSid callSid, NotificationQuery query, int offset, int count, CancellationToken cancellationToken);
    Task<NotificationRecord?> GetNotificationAsync(string sid, CancellationToken cancellationToken);

    /// <summary>Status events in commit order (the event stream and call timelines).</summary>
    Task<IReadOnlyList<StatusEventRecord>> ListStatusEventsAsync(StatusEventQuery query, CancellationToken cancellationToken);
    /// <summary>Calls with their first ringing time and final cause, oldest first (analytics and call summaries).</summary>
    Task<IReadOnlyList<CallFacts>> ListCallFactsAsync(InsightsQuery query, CancellationToken cancellationToken);
    /// <summary>Delivery outcomes of the status callbacks of the calls <paramref name="query"/> covers.</summary>
    Task<IReadOnlyList<CallbackTiming>> ListCallbackTimingsAsync(InsightsQuery query, CancellationToken cancellationToken);
}
