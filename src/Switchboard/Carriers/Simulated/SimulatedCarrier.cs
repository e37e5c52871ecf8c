using Microsoft.Extensions.Options;

namespace Switchboard.Carriers.Simulated;

/// <summary>
/// The default carrier: a deterministic network scripted by <see cref="SimulatedRules"/>, driven by the
/// injected <see cref="TimeProvider"/> (so tests step it with a fake clock). All legs share one timer
/// and a heap of due steps: a ringing leg costs a small object, not a timer of its own.
/// </summary>
public sealed class SimulatedCarrier : ICarrier, IDisposable
{
    private readonly TimeProvider _time;
    private readonly SimulatedRules _rules;
    private readonly Lock _lock = new();
    private readonly PriorityQueue<(Leg Leg, int Step), DateTimeOffset> _due = new();
    private readonly ITimer _timer;
    private DateTimeOffset? _scheduledFor;

    public SimulatedCarrier(TimeProvider time, IOptions<SimulationOptions> options)
    {
        _time = time;
        _rules = SimulatedRules.Load(options.Value.RulesPath);
        _timer = time.CreateTimer(_ => RunDue(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public string Name => "simulated";

    public ICarrierLeg Place(LegRequest request, ILegEvents events)
    {
        var leg = new Leg(_rules.For(request.To), events);
        // Even a zero delay is delivered from the timer, never inside Place: the engine must not be called
        // back from its own effect.
        Schedule(leg, 0, TimeSpan.Zero);
        return leg;
    }

    private void Schedule(Leg leg, int step, TimeSpan delay)
    {
        lock (_lock)
        {
            var due = _time.GetUtcNow() + delay;
            _due.Enqueue((leg, step), due);
            if (_scheduledFor is null || due < _scheduledFor)
            {
                _scheduledFor = due;
                _timer.Change(delay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void RunDue()
    {
        var ready = new List<(Leg Leg, int Step)>();
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            // The timer fired for _scheduledFor: whatever was due by then is due now.
            if (_scheduledFor is { } scheduled && scheduled > now)
            {
                now = scheduled;
            }
            while (_due.TryPeek(out var entry, out var at) && at <= now)
            {
                _due.Dequeue();
                ready.Add(entry);
            }
            _scheduledFor = null;
            if (_due.TryPeek(out _, out var next))
            {
                _scheduledFor = next;
                var delay = next - _time.GetUtcNow();
                _timer.Change(delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
        }
        foreach (var (leg, step) in ready)
        {
            leg.Step(this, step);
        }
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>
    /// One simulated leg: ring, then answer, reject or keep ringing; an answered leg may hang up. The network
    /// is passed to each step rather than kept: one field less in every ringing leg.
    /// </summary>
    private sealed class Leg(SimulatedRule rule, ILegEvents events) : ICarrierLeg
    {
        private const int Start = 0;
        private const int Outcome = 1;
        private const int CalleeHangup = 2;

        // Set once by Cancel/Hangup; a step racing with it may still report, and the engine ignores
        // events of a leg it has let go (EnginePartition.IsCurrentLeg).
        private volatile bool _ended;

        public void Step(SimulatedCarrier network, int step)
        {
            if (_ended)
            {
                return;
            }
            switch (step)
            {
                case Start when rule.Ring:
                    events.Ringing(180);
                    if (rule.Outcome != SimulatedOutcome.NoAnswer)
                    {
                        network.Schedule(this, Outcome, rule.RingTime);
                    }
                    break;
                case Start:
                    network.Schedule(this, Outcome, rule.RingTime);
                    break;
                case Outcome when rule.Outcome == SimulatedOutcome.Answer:
                    events.Answered(rule.AnsweredBy);
                    if (rule.TalkTime is { } talk)
                    {
                        network.Schedule(this, CalleeHangup, talk);
                    }
                    break;
                case Outcome when rule.Outcome == SimulatedOutcome.Reject:
                    _ended = true;
                    events.Rejected(rule.SipCode);
                    break;
                case CalleeHangup:
                    _ended = true;
                    events.RemoteHangup();
                    break;
            }
        }

        public void Cancel() => _ended = true;

        public void Hangup() => _ended = true;
    }
}
