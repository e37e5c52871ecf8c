namespace Switchboard.Insights;

internal static partial class InsightsLog
{
    [LoggerMessage(7001, LogLevel.Information, "Insights: {Count} calls in flight loaded")]
    public static partial void Loaded(ILogger logger, int count);

    [LoggerMessage(7002, LogLevel.Debug, "Event stream for {AccountSid} opened after {LastEventId}")]
    public static partial void StreamOpened(ILogger logger, string accountSid, long lastEventId);

    [LoggerMessage(7003, LogLevel.Debug, "Event stream for {AccountSid} closed at {LastEventId}")]
    public static partial void StreamClosed(ILogger logger, string accountSid, long lastEventId);

    [LoggerMessage(7004, LogLevel.Warning, "Readiness check {Check} failed")]
    public static partial void ReadinessFailed(ILogger logger, string check, Exception exception);
}
