namespace Switchboard.Bench;

/// <summary>How long and how much each phase runs.</summary>
internal sealed record Plan(TimeSpan Warmup, TimeSpan Round, int Rounds, TimeSpan LatencyDuration, int LiveCalls, int CallbackCalls, int Connections)
{
    /// <summary>Warm-up of the rounds after the first (connections and code are warm by then).</summary>
    public static readonly TimeSpan RoundWarmup = TimeSpan.FromSeconds(0.5);

    /// <summary>The dispatcher's default per-host limit (Callbacks:MaxConcurrencyPerHost), used for the raw baseline too.</summary>
    public const int CallbackConnections = 64;

    public static readonly Plan Full = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), Rounds: 4, TimeSpan.FromSeconds(15),
        LiveCalls: 100_000, CallbackCalls: 5_000, Connections: 64);

    public static readonly Plan Quick = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), Rounds: 1, TimeSpan.FromSeconds(4),
        LiveCalls: 20_000, CallbackCalls: 2_000, Connections: 64);
}

/// <summary>Phase (d): the server process's resident sizes (bytes) and managed heap before and after the live calls were added.</summary>
internal sealed record MemoryResult(int Added, int Live, long StartRss, long RssBefore, HeapReading HeapBefore, long RssAfter, long Peak,
    HeapReading HeapAfter, long RssCollected, LoadResult Load, CpuShare Cpu)
{
    public double HeapPerCall => (double)(HeapAfter.Live - HeapBefore.Live) / Added;
    public double RssPerCall => (double)(RssAfter - RssBefore) / Added;
}

internal sealed record DrainResult(long Expected, long Received, double Seconds);

internal sealed record LatencyResult(double CallsPerSecond, OpenLoopResult Load, double[] All, double[] First, long Expected, DrainResult Drain);

internal sealed record FailingResult(long Backlog, double DrainRate, double DrainSeconds, double NinetyRate, long BacklogFailed, double CallsPerSecond,
    double[] Latencies, long WindowExpected, long WindowFailed, CpuShare Cpu);
