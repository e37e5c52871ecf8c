using Switchboard.Calls;

namespace Switchboard.Storage;

/// <summary>Delivery state of an outbox row.</summary>
public enum CallbackState
{
    Pending = 0,
    Delivered = 1,
    /// <summary>Given up after the retry window; kept for inspection and replay.</summary>
    DeadLettered = 2,
}

/// <summary>One status callback in the outbox, with its fully composed request.</summary>
public sealed record OutboxEntry
{
    public required CallSid CallSid { get; init; }
    public required int SequenceNumber { get; init; }
    public required string AccountSid { get; init; }
    /// <summary>The URL as given, including any <c>#</c> connection-override fragment.</summary>
    public required string Url { get; init; }
    public required string Method { get; init; }
    /// <summary>The parameters, form-encoded in the order they are sent (<see cref="ParseBody"/> reads them back).</summary>
    public required string Body { get; init; }
    public required string IdempotencyToken { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public CallbackState State { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset NextAttemptAt { get; init; }
    public string? LastError { get; init; }
    /// <summary>When the callback was last replayed; its retry window runs from here instead of <see cref="CreatedAt"/>.</summary>
    public DateTimeOffset? ReplayedAt { get; init; }
    /// <summary>Attempts made before the last replay; the attempt budget counts from here.</summary>
    public int AttemptsBeforeReplay { get; init; }
    /// <summary>The parameters of <see cref="Body"/> when the writer still has them (not stored; parsed from the body after a restart).</summary>
    public IReadOnlyList<KeyValuePair<string, string>>? Parameters { get; init; }

    /// <summary>The parameters of a form-encoded <see cref="Body"/>, in order.</summary>
    public static List<KeyValuePair<string, string>> ParseBody(string body)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var pair in body.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? pair : pair[..eq];
            var value = eq < 0 ? "" : pair[(eq + 1)..];
            list.Add(new(Uri.UnescapeDataString(key), Uri.UnescapeDataString(value)));
        }
        return list;
    }
}

/// <summary>One webhook request made for a call and what came back (Call Events, reference §7).</summary>
public sealed record CallEventRecord
{
    public required CallSid CallSid { get; init; }
    public required string AccountSid { get; init; }
    public required DateTimeOffset DateCreated { get; init; }
    public required string Method { get; init; }
    public required string Url { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; }
    public int? ResponseCode { get; init; }
    public required long RequestDurationMs { get; init; }
    public string? ContentType { get; init; }
    public string? ResponseBody { get; init; }
    public string? Error { get; init; }
}

/// <summary>List Call Notifications' filters (reference §2): <c>Log</c> and a <c>MessageDate</c> range.</summary>
public sealed record NotificationQuery
{
    public static readonly NotificationQuery All = new();

    /// <summary>0 errors, 1 warnings; null both.</summary>
    public int? Log { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? Before { get; init; }
}

/// <summary>A call notification (an error or warning logged against the call).</summary>
public sealed record NotificationRecord
{
    public required string Sid { get; init; }
    public required CallSid CallSid { get; init; }
    public required string AccountSid { get; init; }
    public required DateTimeOffset DateCreated { get; init; }
    public required int ErrorCode { get; init; }
    /// <summary>0 error, 1 warning (Twilio's <c>log</c>).</summary>
    public required int Log { get; init; }
    public required string MessageText { get; init; }
    public string? RequestMethod { get; init; }
    public string? RequestUrl { get; init; }
    public string? RequestVariables { get; init; }
    public string? ResponseBody { get; init; }
    public string? ResponseHeaders { get; init; }
}

/// <summary>A call's status changed; recorded in the status event log with the write (and what caused it, if known).</summary>
public sealed record StatusChange(CallStatus? Previous, CallTrigger? Trigger = null);

/// <summary>An outcome of a delivery attempt to persist on the outbox row.</summary>
public sealed record CallbackProgress(CallSid CallSid, int SequenceNumber, CallbackState State, int Attempts, DateTimeOffset NextAttemptAt, string? LastError)
{
    /// <summary>Set when this progress is a replay: the row becomes pending with a fresh retry window from this time.</summary>
    public DateTimeOffset? ReplayedAt { get; init; }

    /// <summary>
    /// The attempt that made this progress (its Call Events entry). The outbox row keeps its latest attempt
    /// itself, so a delivery writes one row; the attempt it supersedes, if any, moves to the call's events.
    /// </summary>
    public CallEventRecord? Attempt { get; init; }
}

/// <summary>
/// One unit of the group commit: everything in it commits together (a transition and its callbacks,
/// DESIGN decision 3), in the order writes were submitted.
/// </summary>
public sealed class StoreWrite
{
    public Call? Call { get; init; }
    /// <summary>
    /// True when only <see cref="Call"/>'s state changed (a transition of a stored call): the store then
    /// rewrites the state columns and leaves the stored instructions as they are.
    /// </summary>
    public bool StateOnly { get; init; }
    /// <summary>Set when <see cref="Call"/> changed status: the status it left (null for a new call).</summary>
    public StatusChange? StatusChange { get; init; }
    public IReadOnlyList<OutboxEntry> Callbacks { get; init; } = [];
    public CallEventRecord? Event { get; init; }
    public NotificationRecord? Notification { get; init; }
    public CallbackProgress? Progress { get; init; }
    public CallSid? DeleteCall { get; init; }
    /// <summary>Completed after commit, when someone waits for durability (the API's 201).</summary>
    public TaskCompletionSource? Committed { get; init; }
    /// <summary>
    /// How long the write may wait for others to share its commit (zero: none). Only for a write nobody waits for
    /// and whose loss in a crash only repeats work (a delivery's outcome: the callback is sent again). A write that
    /// may not wait, arriving meanwhile, commits it at once, in order, with itself.
    /// </summary>
    public TimeSpan MayWait { get; init; }
}

/// <summary>
/// A <see cref="StoreWrite.Committed"/> source that must hear when its write could not be applied, beyond the
/// exception its awaiter sees (a new call whose row was never written must not go on living in the engine).
/// </summary>
internal interface ICommitFailureObserver
{
    void CommitFailed();
}
