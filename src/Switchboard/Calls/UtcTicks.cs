namespace Switchboard.Calls;

/// <summary>
/// A point in time as UTC ticks in one <see cref="long"/>, for state held per live call: 8 bytes where a
/// <c>DateTimeOffset?</c> takes 24. <see cref="None"/> stands for no time.
/// </summary>
internal static class UtcTicks
{
    public const long None = long.MinValue;

    public static long Encode(DateTimeOffset value) => value.UtcTicks;

    public static long Encode(DateTimeOffset? value) => value is { } v ? v.UtcTicks : None;

    public static DateTimeOffset DecodeRequired(long ticks) => new(ticks, TimeSpan.Zero);

    public static DateTimeOffset? Decode(long ticks) => ticks == None ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
}
