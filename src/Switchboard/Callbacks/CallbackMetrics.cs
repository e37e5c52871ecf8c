using System.Diagnostics.Metrics;

namespace Switchboard.Callbacks;

/// <summary>Status-callback delivery metrics (names and units after OpenTelemetry conventions).</summary>
public sealed class CallbackMetrics
{
    private readonly Counter<long> _delivered;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _deadLettered;
    // Changed on every attempt: kept in fields and read when metrics are collected, not recorded each time.
    private long _inFlight;
    private long _queued;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _replayed;

    public CallbackMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.MeterName);
        _delivered = meter.CreateCounter<long>("switchboard.callback.delivered", "{callback}", "Status callbacks delivered (2xx)");
        _retried = meter.CreateCounter<long>("switchboard.callback.retries", "{attempt}", "Failed attempts that will be retried");
        _deadLettered = meter.CreateCounter<long>("switchboard.callback.dead_lettered", "{callback}", "Status callbacks given up");
        meter.CreateObservableUpDownCounter("switchboard.callback.in_flight", () => Volatile.Read(ref _inFlight), "{request}", "Status-callback requests in flight");
        meter.CreateObservableUpDownCounter("switchboard.callback.pending", () => Volatile.Read(ref _queued), "{callback}", "Status callbacks waiting for delivery");
        _replayed = meter.CreateCounter<long>("switchboard.callback.replayed", "{callback}", "Status callbacks queued again by a replay");
        _lag = meter.CreateHistogram<double>("switchboard.callback.lag", "s", "Time from the event to its delivery",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });
    }

    public void Delivered(TimeSpan lag, int attempts)
    {
        _lag.Record(Math.Max(0, lag.TotalSeconds));
        _delivered.Add(1);
    }

    public void Replayed(int count) => _replayed.Add(count);

    public void Retried() => _retried.Add(1);

    public void DeadLettered() => _deadLettered.Add(1);

    public void InFlight(int delta) => Interlocked.Add(ref _inFlight, delta);

    public void Queued(int delta) => Interlocked.Add(ref _queued, delta);
}
