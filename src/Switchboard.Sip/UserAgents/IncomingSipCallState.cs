namespace Switchboard.Sip.UserAgents;

/// <summary>Where an <see cref="IncomingSipCall"/> is in its life.</summary>
public enum IncomingSipCallState
{
    /// <summary>INVITE received and 100 Trying sent; provisional responses may follow.</summary>
    Proceeding,

    /// <summary>Our 2xx is sent and retransmitted until the caller's ACK (RFC 3261 13.3.1.4).</summary>
    Answered,

    /// <summary>The caller ACKed our 2xx: the dialog is confirmed.</summary>
    Confirmed,

    /// <summary>Our BYE is in flight.</summary>
    Terminating,

    /// <summary>Over: a terminal event was raised.</summary>
    Ended,
}
