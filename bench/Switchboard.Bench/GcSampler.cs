using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace Switchboard.Bench;

/// <summary>
/// The runtime's GC events in this process (keyword GC, informational): per collection, the bytes that survived
/// (GCHeapStats' promoted sizes) and the time threads took to stop (GCSuspendEEBegin → GCSuspendEEEnd). For
/// profiling a phase (<c>--sip-phase</c> prints them): which part of the pauses is copying survivors.
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
