namespace Switchboard.Sip.UserAgents;

/// <summary>A side of a call.</summary>
public enum SipCallParty
{
    /// <summary>Us: the user agent client.</summary>
    Local,

    /// <summary>The callee, trunk or anything behind it.</summary>
    Remote,
}
