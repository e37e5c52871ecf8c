using System.Diagnostics.Metrics;
using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Insights;

/// <summary>Calls in flight by state and carrier outcomes, from committed status changes.</summary>
internal sealed class InsightsMetrics
{
    public const string StatusTag = "status";
    public const string CarrierTag = "carrier";
    public const string SipResponseCodeTag = "sip_response_code";

    private readonly Counter<long> _carrierOutcomes;
    private readonly Histogram<double> _timeToAnswer;

    public InsightsMetrics(IMeterFactory meters, LiveCallView live)
    {
        var meter = meters.Create(Telemetry.MeterName);
        meter.CreateObservableGauge("switchboard.calls.in_flight",
            () => live.CountsByStatus().Select(c => new Measurement<int>(c.Count, new KeyValuePair<string, object?>(StatusTag, c.Status.ToWire()))),
            "{call}", "Calls not yet ended, by status");
        _carrierOutcomes = meter.CreateCounter<long>("switchboard.carrier.outcomes", "{call}",
            "Calls that ended, by carrier, final status and SIP response code");
        _timeToAnswer = meter.CreateHistogram<double>("switchboard.call.time_to_answer", "s", "Time from dialing to answer",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 120] });
    }

    public void Apply(IReadOnlyList<StoreWrite> batch)
    {
        foreach (var write in batch)
        {
            if (write.Call is not { } call || write.StatusChange is null)
            {
                continue;
            }
            if (call.Status == CallStatus.InProgress && call.State is { StartTime: { } start, AnswerTime: { } answer })
            {
                _timeToAnswer.Record((answer - start).TotalSeconds);
            }
            if (call.Status.IsFinal())
            {
                _carrierOutcomes.Add(1,
                    new KeyValuePair<string, object?>(CarrierTag, call.Carrier ?? "none"),
                    new KeyValuePair<string, object?>(StatusTag, call.Status.ToWire()),
                    new KeyValuePair<string, object?>(SipResponseCodeTag, call.State.SipResponseCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"));
            }
        }
    }
}
