namespace Switchboard.Calls;

/// <summary>
/// The statuses a call moves through (Twilio reference §8.1). <see cref="Initiated"/> is the dialing phase:
/// it exists in status callbacks, while the REST resource keeps reporting <c>queued</c> until ringing.
/// </summary>
public enum CallStatus
{
    Queued,
    Initiated,
    Ringing,
    InProgress,
    Completed,
    Busy,
    NoAnswer,
    Failed,
    Canceled,
}
