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
}
