namespace Switchboard.Calls;

/// <summary>What can happen to a call. Carrier triggers carry the SIP code the network gave.</summary>
public enum CallTrigger
{
    /// <summary>Taken off the queue (CPS slot and route decided): dialing starts.</summary>
    Dial,
    /// <summary>The carrier reports 180/183.</summary>
    Ringing,
    /// <summary>The carrier reports 200 OK.</summary>
    Answered,
    /// <summary>A final non-2xx response from the network (the SIP code decides the status).</summary>
    Rejected,
    /// <summary>No route or the leg could not be placed at all.</summary>
    RouteFailed,
    /// <summary>The ring timer (<c>Timeout</c>) expired before an answer.</summary>
    RingTimeout,
    /// <summary>REST <c>Status=canceled</c>.</summary>
    ApiCancel,
    /// <summary>REST <c>Status=completed</c>.</summary>
    ApiComplete,
    /// <summary>The far end hung up (BYE from the callee).</summary>
    RemoteHangup,
    /// <summary><c>&lt;Hangup&gt;</c>, <c>&lt;Reject&gt;</c> or the end of the TwiML document.</summary>
    TwimlHangup,
    /// <summary>TwiML could not be fetched or parsed (Twilio's "application error").</summary>
    ApplicationError,
    /// <summary>The <c>TimeLimit</c> timer expired.</summary>
    TimeLimit,
    /// <summary>The process restarted and the carrier leg was lost with it (DESIGN decision 5).</summary>
    LegLost,
}
