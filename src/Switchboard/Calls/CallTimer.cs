namespace Switchboard.Calls;

public enum CallTimer
{
    /// <summary>Leave the queue (the calls-per-second slot arrived).</summary>
    Dispatch,
    /// <summary><c>Timeout</c>: stop ringing and end as no-answer.</summary>
    Ring,
    /// <summary><c>TimeLimit</c>: end an answered call.</summary>
    TimeLimit,
    /// <summary>The current TwiML verb (Say, Play, Pause) finished.</summary>
    Verb,
}
