using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Insights;

/// <summary>The figures of a set of calls: outcomes, answer-seizure ratio, durations and delays, callback latency.</summary>
internal sealed record CallAnalytics
{
    public static readonly CallStatus[] FinalStatuses =
        [CallStatus.Completed, CallStatus.Busy, CallStatus.NoAnswer, CallStatus.Failed, CallStatus.Canceled];

    public required int Calls { get; init; }
    public required int InFlight { get; init; }
    public required IReadOnlyDictionary<CallStatus, int> ByStatus { get; init; }
    /// <summary>Dialed calls that ended, the seizures of the answer-seizure ratio.</summary>
    public required int Seizures { get; init; }
    public required int Answered { get; init; }
    public double? AnswerSeizureRatio { get; init; }
    /// <summary>Mean talk time (answer → end, Twilio's <c>duration</c>) of answered calls that ended, seconds.</summary>
    public double? AverageDuration { get; init; }
    public required Distribution PostDialDelay { get; init; }
    public required Distribution TimeToAnswer { get; init; }
    public required Distribution RingTime { get; init; }
    public required Distribution CallbackLatency { get; init; }
    public required int CallbacksDelivered { get; init; }
    public required int CallbacksPending { get; init; }
    public required int CallbacksDeadLettered { get; init; }

    public static CallAnalytics Compute(IReadOnlyList<CallFacts> calls, IReadOnlyList<CallbackTiming> callbacks)
    {
        var byStatus = FinalStatuses.ToDictionary(s => s, _ => 0);
        var ended = 0;
        var seizures = 0;
        var answered = 0;
        var durations = new List<double>();
        var pdd = new List<double>();
        var tta = new List<double>();
        var ring = new List<double>();
        foreach (var (call, ringingAt, _) in calls)
        {
            var s = call.State;
            if (s.Status.IsFinal())
            {
                ended++;
                byStatus[s.Status]++;
                if (s.StartTime is not null)
                {
                    seizures++;
                    if (s.AnswerTime is not null)
                    {
                        answered++;
                        durations.Add(s.Duration);
                    }
                }
            }
            // Post-dial delay: dialing (initiated) → first ringing (Twilio Voice Insights' pdd).
            if (s.StartTime is { } start && ringingAt is { } rang)
            {
                pdd.Add((rang - start).TotalSeconds);
            }
            if (s.StartTime is { } dialed && s.AnswerTime is { } answer)
            {
                tta.Add((answer - dialed).TotalSeconds);
            }
            // Ring time: ringing → answer, or → end for calls that rang out or were stopped ringing.
            if (ringingAt is { } ringing && (s.AnswerTime ?? s.EndTime) is { } stopped)
            {
                ring.Add((stopped - ringing).TotalSeconds);
            }
        }
        return new CallAnalytics
        {
            Calls = calls.Count,
            InFlight = calls.Count - ended,
            ByStatus = byStatus,
            Seizures = seizures,
            Answered = answered,
            AnswerSeizureRatio = seizures == 0 ? null : Math.Round((double)answered / seizures, 4),
            AverageDuration = durations.Count == 0 ? null : Math.Round(durations.Average(), 3),
            PostDialDelay = Distribution.Of(pdd),
            TimeToAnswer = Distribution.Of(tta),
            RingTime = Distribution.Of(ring),
            CallbackLatency = Distribution.Of(callbacks.Where(c => c.DeliveredAt is not null)
                .Select(c => (c.DeliveredAt!.Value - c.CreatedAt).TotalSeconds)),
            CallbacksDelivered = callbacks.Count(c => c.State == CallbackState.Delivered),
            CallbacksPending = callbacks.Count(c => c.State == CallbackState.Pending),
            CallbacksDeadLettered = callbacks.Count(c => c.State == CallbackState.DeadLettered),
        };
    }

    /// <summary>Calls per minute of creation, by final status (in-flight calls under <c>in-flight</c>).</summary>
    public static IReadOnlyList<(DateTimeOffset Minute, IReadOnlyDictionary<string, int> Counts)> PerMinute(IReadOnlyList<CallFacts> calls) =>
        [.. calls.GroupBy(c => new DateTimeOffset(c.Call.DateCreated.UtcTicks - c.Call.DateCreated.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero))
            .OrderBy(g => g.Key)
            .Select(g => (g.Key, (IReadOnlyDictionary<string, int>)g
                .GroupBy(c => c.Call.Status.IsFinal() ? c.Call.Status.ToWire() : "in-flight", StringComparer.Ordinal)
                .ToDictionary(x => x.Key, x => x.Count(), StringComparer.Ordinal)))];
}
