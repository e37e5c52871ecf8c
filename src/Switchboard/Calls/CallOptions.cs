using System.ComponentModel.DataAnnotations;

namespace Switchboard.Calls;

/// <summary>Options of the call engine (section <c>Calls</c>).</summary>
public sealed class CallOptions
{
    /// <summary>Engine partitions, each a single-threaded owner of its calls. Default: 0, meaning one per processor (at least 2).</summary>
    [Range(0, 1024)]
    public int Partitions { get; set; }

    /// <summary>
    /// Calls per second an account may start; calls beyond it wait in <c>queued</c>. Default 1, as Twilio's
    /// default account limit (reference §15). 0 means unlimited.
    /// </summary>
    [Range(0, 100_000)]
    public double CallsPerSecond { get; set; } = 1;

    /// <summary>Ring timeout when the request gives no <c>Timeout</c>. Default 60 s (reference §3).</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest call when the request gives no <c>TimeLimit</c>. Default 4 h (reference §15).</summary>
    public TimeSpan DefaultTimeLimit { get; set; } = TimeSpan.FromHours(4);
}
