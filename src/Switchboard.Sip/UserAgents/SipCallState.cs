namespace Switchboard.Sip.UserAgents;

/// <summary>Where a <see cref="SipCall"/> is in its life.</summary>
public enum SipCallState
{
    /// <summary>INVITE sent, no provisional response yet (a CANCEL must wait: RFC 3261 9.1).</summary>
    Calling,

    /// <summary>A provisional response arrived; the callee is ringing or playing early media.</summary>
    Proceeding,

    /// <summary>A 2xx arrived and was ACKed.</summary>
    Answered,

    /// <summary>Our BYE is in flight.</summary>
    Terminating,

    /// <summary>Over: a <see cref="SipCallFailed"/> or <see cref="SipCallTerminated"/> was raised.</summary>
    Ended,
}
