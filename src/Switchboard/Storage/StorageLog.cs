namespace Switchboard.Storage;

internal static partial class StorageLog
{
    [LoggerMessage(6001, LogLevel.Warning, "A batch of {Count} writes failed; retrying them one by one")]
    public static partial void BatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(6005, LogLevel.Warning, "A write failed; trying it again in {Delay}")]
    public static partial void WriteRetrying(ILogger logger, TimeSpan delay, Exception exception);

    [LoggerMessage(6002, LogLevel.Error, "A write failed and was dropped")]
    public static partial void WriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(6003, LogLevel.Error, "A commit observer failed")]
    public static partial void ObserverFailed(ILogger logger, Exception exception);

    [LoggerMessage(6004, LogLevel.Information, "Storage: {Provider} ({DataSource})")]
    public static partial void Opened(ILogger logger, string provider, string dataSource);
}
