namespace Switchboard.Calls.Engine;

internal static partial class EngineLog
{
    [LoggerMessage(2001, LogLevel.Debug, "Call {CallSid} to {To} queued; dialing at {DispatchAt:o}")]
    public static partial void Created(ILogger logger, string callSid, string to, DateTimeOffset dispatchAt);

    [LoggerMessage(2002, LogLevel.Debug, "Call {CallSid}: {From} -> {To} ({Trigger})")]
    public static partial void Transitioned(ILogger logger, string callSid, CallStatus from, CallStatus to, CallTrigger trigger);

    [LoggerMessage(2009, LogLevel.Information, "Call {CallSid} to {To} ended {Status} (SIP {SipResponseCode}, {Duration} s)")]
    public static partial void Ended(ILogger logger, string callSid, string to, CallStatus status, int? sipResponseCode, int duration);


    [LoggerMessage(2003, LogLevel.Debug, "Call {CallSid}: {Trigger} ignored in {Status}")]
    public static partial void TriggerIgnored(ILogger logger, string callSid, CallTrigger trigger, CallStatus status);

    [LoggerMessage(2004, LogLevel.Error, "Partition {Partition}: handling an event failed")]
    public static partial void WorkFailed(ILogger logger, int partition, Exception exception);

    [LoggerMessage(2005, LogLevel.Warning, "Partition {Partition} is stopped; an event was dropped")]
    public static partial void PartitionStopped(ILogger logger, int partition);

    [LoggerMessage(2006, LogLevel.Error, "Fetching TwiML for {CallSid} crashed")]
    public static partial void FetchCrashed(ILogger logger, string callSid, Exception exception);

    [LoggerMessage(2008, LogLevel.Information, "Call {CallSid}: <Dial> ended {DialCallStatus} (bridged: {Bridged})")]
    public static partial void DialEnded(ILogger logger, string callSid, string dialCallStatus, bool bridged);

    [LoggerMessage(2007, LogLevel.Information, "Recovered {Count} unfinished call(s)")]
    public static partial void Recovered(ILogger logger, int count);

    [LoggerMessage(2010, LogLevel.Error, "Call {CallSid} abandoned: its creation could not be stored, so it is not placed (or its leg is canceled)")]
    public static partial void Abandoned(ILogger logger, string callSid);
}
