using System.Globalization;

namespace Switchboard.Callbacks;

/// <summary>What kinds of failure a webhook retry is made for (<c>#rp</c>).</summary>
[Flags]
public enum RetryOn
{
    None = 0,
    /// <summary>Connect failures and connect timeouts.</summary>
    Connect = 1,
    /// <summary>Read timeouts (no response in time).</summary>
    Read = 2,
    /// <summary>HTTP 4xx answers.</summary>
    Status4xx = 4,
    /// <summary>HTTP 5xx answers.</summary>
    Status5xx = 8,
    All = Connect | Read | Status4xx | Status5xx,
}

/// <summary>
/// Twilio's webhook connection overrides, read from the URL fragment (<c>https://host/path#ct=1000&amp;rc=2</c>;
/// reference §12.2, DOC-HOOKS). Values outside Twilio's ranges are clamped into them; unknown keys
/// (<c>e</c>, <c>sni</c>, <c>r</c>) are accepted and have no effect here.
/// </summary>
public sealed record ConnectionOverrides
{
    public static readonly ConnectionOverrides None = new();

    /// <summary><c>ct</c>: TCP connect timeout, 100–10000 ms.</summary>
    public TimeSpan? ConnectTimeout { get; init; }
    /// <summary><c>rt</c>: read timeout (to the first byte and between packets), 100–15000 ms.</summary>
    public TimeSpan? ReadTimeout { get; init; }
    /// <summary><c>tt</c>: total time for all attempts, 100–15000 ms.</summary>
    public TimeSpan? TotalTimeout { get; init; }
    /// <summary><c>rc</c>: retries after the first attempt, 0–5.</summary>
    public int? RetryCount { get; init; }
    /// <summary><c>rp</c>: which failures are retried.</summary>
    public RetryOn? RetryPolicy { get; init; }

    public bool IsEmpty => this == None;

    /// <summary>Splits a URL into the part that is requested and its overrides.</summary>
    public static (string Url, ConnectionOverrides Overrides) Split(string url)
    {
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        if (hash < 0)
        {
            return (url, None);
        }
        return (url[..hash], Parse(url[(hash + 1)..]));
    }

    public static ConnectionOverrides Parse(string fragment)
    {
        var result = None;
        foreach (var pair in fragment.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }
            var key = pair[..eq];
            var value = Uri.UnescapeDataString(pair[(eq + 1)..]);
            result = key switch
            {
                "ct" when Millis(value, 100, 10_000) is { } ms => result with { ConnectTimeout = ms },
                "rt" when Millis(value, 100, 15_000) is { } ms => result with { ReadTimeout = ms },
                "tt" when Millis(value, 100, 15_000) is { } ms => result with { TotalTimeout = ms },
                "rc" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var rc) => result with { RetryCount = Math.Clamp(rc, 0, 5) },
                "rp" => result with { RetryPolicy = ParsePolicy(value) },
                _ => result,
            };
        }
        return result;
    }

    private static TimeSpan? Millis(string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(Math.Clamp(ms, min, max))
            : null;

    private static RetryOn ParsePolicy(string value)
    {
        var policy = RetryOn.None;
        foreach (var item in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            policy |= item switch
            {
                "ct" => RetryOn.Connect,
                "rt" => RetryOn.Read,
                "4xx" => RetryOn.Status4xx,
                "5xx" => RetryOn.Status5xx,
                "all" => RetryOn.All,
                _ => RetryOn.None,
            };
        }
        return policy;
    }
}
