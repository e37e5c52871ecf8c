using System.Diagnostics.Metrics;

namespace Switchboard.Calls;

/// <summary>Call lifecycle metrics.</summary>
public sealed class CallMetrics
{
    public const string StatusTag = "status";
    public const string TriggerTag = "trigger";

    private readonly Counter<long> _created;
    private readonly Counter<long> _ended;
    private readonly Counter<long> _ignored;
    private readonly Histogram<double> _postDialDelay;
    private readonly Histogram<double> _duration;
    private Func<int>? _active;

    public CallMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Telemetry.MeterName);
        _created = meter.CreateCounter<long>("switchboard.calls.created", "{call}", "Calls created");
        _ended = meter.CreateCounter<long>("switchboard.calls.ended", "{call}", "Calls that reached a final status, by status");
        _ignored = meter.CreateCounter<long>("switchboard.calls.ignored_triggers", "{event}", "Late or duplicate events ignored");
        _postDialDelay = meter.CreateHistogram<double>("switchboard.call.post_dial_delay", "s", "Time from dialing to ringing");
        _duration = meter.CreateHistogram<double>("switchboard.call.duration", "s", "Talk time of answered calls");
        meter.CreateObservableGauge("switchboard.calls.active", () => _active?.Invoke() ?? 0, "{call}", "Calls not yet ended");
    }

    internal void ObserveActive(Func<int> active) => _active = active;

    public void Created(Call call) => _created.Add(1);

    public void Transitioned(CallStatus from, CallStatus to, Call call)
    {
        if (to == CallStatus.Ringing && call.State.StartTime is { } start)
        {
            _postDialDelay.Record((call.DateUpdated - start).TotalSeconds);
        }
        if (to.IsFinal())
        {
            _ended.Add(1, new KeyValuePair<string, object?>(StatusTag, to.ToWire()));
            if (call.State.AnswerTime is not null)
            {
                _duration.Record(call.State.Duration);
            }
        }
    }

    public void Ignored(CallTrigger trigger) => _ignored.Add(1, new KeyValuePair<string, object?>(TriggerTag, trigger.ToString()));
}
