namespace Switchboard.Carriers;

internal static partial class CarriersLog
{
    [LoggerMessage(4001, LogLevel.Information, "SIP carrier endpoint bound on {LocalEndPoint}")]
    public static partial void SipListening(ILogger logger, string localEndPoint);

    [LoggerMessage(4002, LogLevel.Information, "Trunk {Trunk} ({Kind}) configured: CPS {CallsPerSecond}, max concurrent {MaxConcurrentCalls}")]
    public static partial void TrunkConfigured(ILogger logger, string trunk, string kind, double callsPerSecond, int maxConcurrentCalls);

    [LoggerMessage(4003, LogLevel.Warning, "Call {CallSid}: INVITE to trunk {Trunk} could not be sent")]
    public static partial void InviteFailed(ILogger logger, string callSid, string trunk, Exception exception);

    [LoggerMessage(4004, LogLevel.Information, "Call {CallSid}: trunk {Trunk} answered {SipCode}")]
    public static partial void SipOutcome(ILogger logger, string callSid, string trunk, int sipCode);

    [LoggerMessage(4010, LogLevel.Information, "Source trunk {Trunk} ({TrunkSid}) accepts trunk calls from {AcceptFrom}")]
    public static partial void SourceTrunkConfigured(ILogger logger, string trunk, string trunkSid, string acceptFrom);

    [LoggerMessage(4011, LogLevel.Information, "Trunk call {CallSid} (Call-ID {SipCallId}) from trunk {Trunk} to {To}")]
    public static partial void TrunkCallStarted(ILogger logger, string callSid, string sipCallId, string trunk, string to);

    [LoggerMessage(4012, LogLevel.Information, "INVITE {SipCallId} from {Source} refused with {StatusCode}")]
    public static partial void TrunkCallRefused(ILogger logger, string sipCallId, string source, int statusCode);

    [LoggerMessage(4013, LogLevel.Information, "Trunk call {CallSid} (Call-ID {SipCallId}, trunk {TrunkSid}) ended {Status} with {SipCode}")]
    public static partial void TrunkCallEnded(ILogger logger, string callSid, string sipCallId, string trunkSid, string status, int sipCode);

    [LoggerMessage(4014, LogLevel.Information, "Stopping: ending {Count} trunk call(s) (503 before the answer, BYE after)")]
    public static partial void TrunkCallsStopping(ILogger logger, int count);

    [LoggerMessage(4015, LogLevel.Error, "Trunk call {CallSid}: its leg could not be placed after its wait for the trunk's CPS")]
    public static partial void TrunkCallLegFailed(ILogger logger, string callSid, Exception exception);

    [LoggerMessage(4016, LogLevel.Information, "Trunk call {CallSid}: unanswered after {RingTimeout}; the leg is canceled and the caller gets 408")]
    public static partial void TrunkCallRingTimedOut(ILogger logger, string callSid, TimeSpan ringTimeout);
}
