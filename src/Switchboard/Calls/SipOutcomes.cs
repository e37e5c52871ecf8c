namespace Switchboard.Calls;

/// <summary>
/// Final INVITE responses mapped to Twilio call statuses (reference §11, project default; the
/// simulated network and the SIP carrier both go through here).
/// </summary>
public static class SipOutcomes
{
    public static CallStatus StatusFor(int sipCode) => sipCode switch
    {
        >= 200 and < 300 => CallStatus.Completed,
        486 or 600 => CallStatus.Busy,
        // 603 Decline: Twilio reports a rejected call as no-answer (reference §8.1 and §11).
        408 or 480 or 487 or 603 => CallStatus.NoAnswer,
        _ => CallStatus.Failed,
    };
}
