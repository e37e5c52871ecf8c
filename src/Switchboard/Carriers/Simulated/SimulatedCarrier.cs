using Microsoft.Extensions.Options;

namespace Switchboard.Carriers.Simulated;

/// <summary>
/// The default carrier: a deterministic network scripted by <see cref="SimulatedRules"/>, driven by the
/// injected <see cref="TimeProvider"/> (so tests step it with a fake clock).
/// </summary>
public sealed class SimulatedCarrier : ICarrier
{
    private readonly TimeProvider _time;
    private readonly SimulatedRules _rules;

    public SimulatedCarrier(TimeProvider time, IOptions<SimulationOptions> options)
    {
        _time = time;
        _rules = SimulatedRules.Load(options.Value.RulesPath);
    }

    public string Name => "simulated";

    public ICarrierLeg Place(LegRequest request, ILegEvents events)
    {
        var leg = new Leg(_time, _rules.For(request.To), events);
        leg.Start();
        return leg;
    }

    private sealed class Leg(TimeProvider time, SimulatedRule rule, ILegEvents events) : ICarrierLeg
    {
        private readonly Lock _lock = new();
        private ITimer? _timer;
        private bool _ended;
        private bool _answered;

        public void Start()
        {
            lock (_lock)
            {
                // Arm the timer for the first step; even a zero delay is delivered from the timer, never
                // inside Place (the engine must not be called back from its own effect).
                _timer = time.CreateTimer(_ => Step(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            }
        }

        private bool _rang;

        private void Step()
        {
            lock (_lock)
            {
                if (_ended)
                {
                    return;
                }
                if (!_rang && rule.Ring)
                {
                    _rang = true;
                    events.Ringing(180);
                    if (rule.Outcome != SimulatedOutcome.NoAnswer)
                    {
                        _timer?.Change(rule.RingTime, Timeout.InfiniteTimeSpan);
                    }
                    return;
                }
                if (!_rang && !rule.Ring && rule.RingTime > TimeSpan.Zero)
                {
                    _rang = true;
                    _timer?.Change(rule.RingTime, Timeout.InfiniteTimeSpan);
                    return;
                }
                if (_answered)
                {
                    _ended = true;
                    events.RemoteHangup();
                    return;
                }
                switch (rule.Outcome)
                {
                    case SimulatedOutcome.Answer:
                        _answered = true;
                        events.Answered(rule.AnsweredBy);
                        if (rule.TalkTime is { } talk)
                        {
                            _timer?.Change(talk, Timeout.InfiniteTimeSpan);
                        }
                        break;
                    case SimulatedOutcome.Reject:
                        _ended = true;
                        events.Rejected(rule.SipCode);
                        break;
                    case SimulatedOutcome.NoAnswer:
                        break;
                }
            }
        }

        public void Cancel() => End();

        public void Hangup() => End();

        private void End()
        {
            lock (_lock)
            {
                _ended = true;
                _timer?.Dispose();
            }
        }
    }
}
