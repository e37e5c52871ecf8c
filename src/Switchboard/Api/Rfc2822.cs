using System.Globalization;

namespace Switchboard.Api;

/// <summary>Twilio's date format in resources and webhooks: RFC 2822, always UTC (reference §1).</summary>
public static class Rfc2822
{
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss '+0000'", CultureInfo.InvariantCulture);

    public static string? Format(DateTimeOffset? time) => time is { } t ? Format(t) : null;
}
