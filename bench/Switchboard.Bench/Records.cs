using System.Diagnostics;
using System.Runtime;

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

/// <summary>Managed heap (after a full compacting collection), GC committed bytes and the process RSS.</summary>
internal sealed record Snapshot(long Heap, long Committed, long Rss)
{
    public static Snapshot Take()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return new Snapshot(heap, GC.GetGCMemoryInfo().TotalCommittedBytes, process.WorkingSet64);
    }
}

internal sealed record MemoryResult(int Added, int Live, Snapshot Before, Snapshot After, LoadResult Load);

internal sealed record DrainResult(long Expected, long Received, double Seconds);

internal sealed record LatencyResult(double CallsPerSecond, OpenLoopResult Load, double[] All, double[] First, long Expected, DrainResult Drain);

internal sealed record FailingResult(long Backlog, double DrainRate, double DrainSeconds, double NinetyRate, long BacklogFailed, double CallsPerSecond,
    double[] Latencies, long WindowExpected, long WindowFailed, CpuShare Cpu);
