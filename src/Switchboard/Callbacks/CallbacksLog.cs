namespace Switchboard.Callbacks;

internal static partial class CallbacksLog
{
    [LoggerMessage(3001, LogLevel.Debug, "Callback {CallSid}#{SequenceNumber} delivered: HTTP {StatusCode} after {Attempts} attempt(s)")]
    public static partial void Delivered(ILogger logger, string callSid, int sequenceNumber, int statusCode, int attempts);

    [LoggerMessage(3002, LogLevel.Warning, "Callback {CallSid}#{SequenceNumber} attempt {Attempts} failed ({Error}); retrying in {Delay}")]
    public static partial void WillRetry(ILogger logger, string callSid, int sequenceNumber, int attempts, string error, TimeSpan delay);

    [LoggerMessage(3003, LogLevel.Error, "Callback {CallSid}#{SequenceNumber} given up after {Attempts} attempt(s): {Error}")]
    public static partial void GaveUp(ILogger logger, string callSid, int sequenceNumber, int attempts, string error);

    [LoggerMessage(3004, LogLevel.Error, "Delivering callback {CallSid}#{SequenceNumber} crashed")]
    public static partial void DeliveryCrashed(ILogger logger, string callSid, int sequenceNumber, Exception exception);

    [LoggerMessage(3005, LogLevel.Information, "Resuming {Count} undelivered callback(s)")]
    public static partial void Resumed(ILogger logger, int count);

    [LoggerMessage(3006, LogLevel.Debug, "TwiML fetch {Method} {Url} for {CallSid}: {Outcome}")]
    public static partial void Fetched(ILogger logger, string method, string url, string callSid, string outcome);

    [LoggerMessage(3007, LogLevel.Information, "Callback {CallSid}#{SequenceNumber} replayed")]
    public static partial void Replayed(ILogger logger, string callSid, int sequenceNumber);
}
