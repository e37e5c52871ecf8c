using System.Globalization;

namespace Switchboard.Api;

/// <summary>Twilio's date format in resources and webhooks: RFC 2822, always UTC (reference §1).</summary>
public static class Rfc2822
{
    private const string Pattern = "ddd, dd MMM yyyy HH:mm:ss '+0000'";

    public static string Format(DateTimeOffset time) => time.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>Writes the date as a JSON string property without making a string of it first.</summary>
    public static void Write(System.Text.Json.Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is not { } t)
        {
            json.WriteNull(name);
            return;
        }
        Span<char> text = stackalloc char[40];
        json.WriteString(name, t.UtcDateTime.TryFormat(text, out var length, Pattern, CultureInfo.InvariantCulture) ? text[..length] : Format(t));
    }
}
