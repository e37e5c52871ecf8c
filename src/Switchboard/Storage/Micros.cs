namespace Switchboard.Storage;

/// <summary>Times stored as microseconds since the Unix epoch, UTC.</summary>
internal static class Micros
{
    public static long From(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    public static long? From(DateTimeOffset? time) => time is { } t ? From(t) : null;

    public static DateTimeOffset ToTime(long micros) => new(DateTimeOffset.UnixEpoch.UtcTicks + micros * 10, TimeSpan.Zero);
}
