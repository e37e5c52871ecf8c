using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace Switchboard.Bench;

/// <summary>
/// The runtime's GC events in this process (keyword GC, informational): per collection, the bytes that survived
/// (GCHeapStats' promoted sizes), the time threads took to stop (GCSuspendEEBegin → GCSuspendEEEnd) and the bytes
/// marked from each kind of root (GCMarkWithType: stacks, handles, older generations...). For profiling a phase
/// (<c>--sip-phase</c> prints them): which part of the pauses is copying survivors, and what keeps them alive.
/// </summary>
internal sealed class GcSampler : EventListener
{
    private const int GcKeyword = 0x1;
    private readonly Lock _lock = new();
    private long _promoted0;
    private long _promoted1;
    private long _suspendTicks;
    private long _suspendStarted;
    private long _gcs;
    private readonly Dictionary<string, long> _marked = [];

    /// <summary>GCMarkWithType's root kinds (the runtime's GC_ROOT_KIND).</summary>
    private static readonly string[] RootKinds = ["stack", "finalize queue", "handles", "older generation", "sized ref", "overflow", "dependent handles", "new finalize queue", "stealing"];

    /// <summary>The bytes marked from each kind of root since the last call, largest first.</summary>
    public List<(string Root, long Bytes)> TakeMarked()
    {
        lock (_lock)
        {
            var result = _marked.Select(m => (m.Key, m.Value)).OrderByDescending(m => m.Value).ToList();
            _marked.Clear();
            return result;
        }
    }

    public (long Gcs, long Promoted0, long Promoted1, TimeSpan Suspending) Take()
    {
        lock (_lock)
        {
            var result = (_gcs, _promoted0, _promoted1, Stopwatch.GetElapsedTime(0, _suspendTicks));
            _gcs = _promoted0 = _promoted1 = _suspendTicks = 0;
            return result;
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Informational, (EventKeywords)GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        var name = e.EventName ?? "";
        lock (_lock)
        {
            if (name.StartsWith("GCSuspendEEBegin", StringComparison.Ordinal))
            {
                _suspendStarted = Stopwatch.GetTimestamp();
            }
            else if (name.StartsWith("GCSuspendEEEnd", StringComparison.Ordinal) && _suspendStarted != 0)
            {
                _suspendTicks += Stopwatch.GetTimestamp() - _suspendStarted;
                _suspendStarted = 0;
            }
            else if (name.StartsWith("GCMarkWithType", StringComparison.Ordinal) && e.Payload is { } marked)
            {
                var kind = Value(e, marked, "Type");
                var root = kind >= 0 && kind < RootKinds.Length ? RootKinds[kind] : "kind " + kind;
                _marked[root] = _marked.GetValueOrDefault(root) + Value(e, marked, "Bytes");
            }
            else if (name.StartsWith("GCHeapStats", StringComparison.Ordinal) && e.Payload is { } payload)
            {
                _gcs++;
                _promoted0 += Value(e, payload, "TotalPromotedSize0");
                _promoted1 += Value(e, payload, "TotalPromotedSize1");
            }
        }
    }

    private static long Value(EventWrittenEventArgs e, System.Collections.ObjectModel.ReadOnlyCollection<object?> payload, string name) =>
        e.PayloadNames!.IndexOf(name) is var i and >= 0 ? Convert.ToInt64(payload[i], System.Globalization.CultureInfo.InvariantCulture) : 0;
}
