using System.ComponentModel.DataAnnotations;

namespace Switchboard.Callbacks;

/// <summary>Options of webhook delivery: status callbacks and TwiML fetches (section <c>Callbacks</c>).</summary>
public sealed class CallbackOptions
{
    /// <summary>TCP connect timeout when the URL sets no <c>#ct</c>. Default 5 s (Twilio's, reference §12.1).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Time to the first response byte, and between reads, when the URL sets no <c>#rt</c>. Default 15 s.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Total time of one request when the URL sets no <c>#tt</c>. Default 15 s.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a status callback keeps being retried before it is dead-lettered. Default 24 h.
    /// A URL's <c>#rc</c> caps the number of retries below this.
    /// </summary>
    public TimeSpan RetryWindow { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Most delivery attempts of one status callback. Default 30.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 30;

    /// <summary>Delay before the first retry; it doubles per attempt, with ±20 % jitter. Default 1 s.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between two attempts. Default 10 min.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Status callbacks in flight at once, all destinations together. Default 512.</summary>
    [Range(1, 100_000)]
    public int MaxConcurrency { get; set; } = 512;

    /// <summary>Requests in flight to one destination host, so one slow endpoint cannot take every slot. Default 64.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrencyPerHost { get; set; } = 64;

    /// <summary>
    /// How long the outcome of a delivery attempt may wait to share a commit with others. Nobody waits for it: a
    /// call's next callback goes out at once, and what a crash loses of the last window's outcomes is sent again
    /// (at least once, in order). Zero commits each outcome as soon as the writer is free. Default 5 ms.
    /// </summary>
    public TimeSpan OutcomeCommitWindow { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Largest response body read (a TwiML document over it is error 11750). Default 64 KiB.</summary>
    [Range(1024, 16 * 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 64 * 1024;

    /// <summary>Redirects followed (Twilio: 10, then error 11215).</summary>
    [Range(0, 50)]
    public int MaxRedirects { get; set; } = 10;

    /// <summary>
    /// Destination networks (CIDR) never contacted. Default: link-local ranges, which hold cloud metadata
    /// services (169.254.169.254), and the unspecified network. Loopback and private ranges stay allowed for
    /// local development: add <c>127.0.0.0/8</c>, <c>10.0.0.0/8</c>, <c>172.16.0.0/12</c>, <c>192.168.0.0/16</c>,
    /// <c>::1/128</c>, <c>fc00::/7</c> to lock a public deployment down.
    /// </summary>
    public List<string> DeniedNetworks { get; set; } = ["169.254.0.0/16", "fe80::/10", "0.0.0.0/8"];

    /// <summary>When not empty, only these networks (CIDR) may be contacted.</summary>
    public List<string> AllowedNetworks { get; set; } = [];
}
