using Switchboard.Calls.Engine;

namespace Switchboard.Carriers;

/// <summary>
/// A route's ordered trunks as one carrier: a leg goes to the first trunk with room; a 503, a timeout
/// (408) or a transport error before any provisional response moves it to the next trunk (reference:
/// failover). The engine sees one leg and one outcome; <see cref="ILegEvents.Routed"/> names the trunk.
/// A call waits for the first trunk's calls-per-second slot while it is queued (or, a trunk call, before its
/// leg); a trunk it fails over to has its own limit, so the leg waits for that trunk's next slot there.
/// </summary>
public sealed class RouteCarrier : ICarrier
{
    /// <summary>The longest a failover waits for the next trunk's slot; beyond it the trunk counts as full.</summary>
    internal static readonly TimeSpan MaxFailoverWait = TimeSpan.FromSeconds(20);

    private readonly CallsPerSecondGate _gate;
    private readonly TimeProvider _time;

    internal RouteCarrier(string prefix, IReadOnlyList<Trunk> trunks, CallsPerSecondGate gate, TimeProvider time)
    {
        Prefix = prefix;
        Trunks = trunks;
        _gate = gate;
        _time = time;
    }

    public string Prefix { get; }

    public IReadOnlyList<Trunk> Trunks { get; }

    /// <summary>The first trunk: the one queued calls wait for.</summary>
    public Trunk Primary => Trunks[0];

    public string Name => Primary.Name;

    /// <summary>Whether a final code sent before any provisional response tries the next trunk.</summary>
    public static bool FailsOver(int sipCode) => sipCode is 503 or 408;

    /// <summary>See <see cref="TrunkLimiter.TryAdmit"/> (on the primary trunk).</summary>
    public bool TryAdmit(string callSid, Action wake) => Primary.Limiter.TryAdmit(callSid, wake);

    /// <summary>See <see cref="TrunkLimiter.Withdraw"/> (on the primary trunk).</summary>
    public void Withdraw(string callSid) => Primary.Limiter.Withdraw(callSid);

    public ICarrierLeg Place(LegRequest request, ILegEvents events)
    {
        if (Trunks.Count == 1)
        {
            // Nothing to fail over to: one small object per leg instead of the failover state (it is held for
            // as long as the call rings or talks, so it counts in the memory of every live call).
            var direct = new SingleTrunkLeg(Primary, events);
            direct.Start(request);
            return direct;
        }
        var leg = new FailoverLeg(this, request, events);
        leg.Start();
        return leg;
    }

    /// <summary>
    /// How long a leg failing over to <paramref name="trunk"/> waits for the trunk's calls-per-second slot (taken
    /// now); null, and nothing taken, when that slot is more than <see cref="MaxFailoverWait"/> away.
    /// </summary>
    private TimeSpan? FailoverWait(Trunk trunk)
    {
        // A trunk without a limit gets its slot now from the gate itself (a wait of zero).
        var now = _time.GetUtcNow();
        return _gate.TryReserveTrunk(trunk.Name, trunk.CallsPerSecond, now, MaxFailoverWait, out var slot) ? slot - now : null;
    }

    /// <summary>
    /// A leg on a route of one trunk: the trunk's events pass straight through, and the trunk's slot is released
    /// once when the leg ends. Events that come after the leg ended are dropped, as <see cref="FailoverLeg"/> does.
    /// </summary>
    private sealed class SingleTrunkLeg(Trunk trunk, ILegEvents events) : ICarrierLeg, ILegEvents
    {
        private ICarrierLeg? _leg;
        private int _released;
        private volatile bool _ended;

        public void Start(LegRequest request)
        {
            if (!trunk.Limiter.TryTake(request.CallSid))
            {
                _released = 1;
                _ended = true;
                // The trunk is full: as a congested network would answer. Never call back from Place.
                ThreadPool.QueueUserWorkItem(_ => events.Rejected(503));
                return;
            }
            events.Routed(trunk.Name);
            _leg = trunk.Carrier.Place(request, this);
        }

        private void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                trunk.Limiter.Release();
            }
        }

        public void Cancel()
        {
            _ended = true;
            _leg?.Cancel();
            Release();
        }

        public void Hangup()
        {
            _ended = true;
            _leg?.Hangup();
            Release();
        }

        public void Ringing(int sipCode)
        {
            if (!_ended)
            {
                events.Ringing(sipCode);
            }
        }

        public void Answered(string answeredBy)
        {
            if (!_ended)
            {
                events.Answered(answeredBy);
            }
        }

        public void Identified(string sipCallId)
        {
            if (!_ended)
            {
                events.Identified(sipCallId);
            }
        }

        public void Media(string sdp)
        {
            if (!_ended)
            {
                events.Media(sdp);
            }
        }

        public void Rejected(int sipCode)
        {
            Release();
            if (!_ended)
            {
                _ended = true;
                events.Rejected(sipCode);
            }
        }

        public void Unreachable(int sipCode)
        {
            Release();
            if (!_ended)
            {
                _ended = true;
                events.Unreachable(sipCode);
            }
        }

        public void RemoteHangup()
        {
            Release();
            if (!_ended)
            {
                _ended = true;
                events.RemoteHangup();
            }
        }
    }

    private sealed class FailoverLeg(RouteCarrier route, LegRequest request, ILegEvents events) : ICarrierLeg
    {
        private readonly Lock _lock = new();
        private int _index = -1;
        private Attempt? _attempt;
        // The wait for the slot of the trunk the leg fails over to, while it runs.
        private ITimer? _waiting;
        private bool _ended;

        private ILegEvents Events => events;

        public void Start()
        {
            lock (_lock)
            {
                if (!TryNextTrunk())
                {
                    // Every trunk is full: as a congested network would answer. Never call back from Place.
                    ThreadPool.QueueUserWorkItem(_ => events.Rejected(503));
                }
            }
        }

        /// <summary>
        /// Places the leg on the next trunk with room, or waits for that trunk's calls-per-second slot first (a
        /// failover; the first trunk's slot was the call's while it was queued); false when no trunk is left.
        /// </summary>
        private bool TryNextTrunk()
        {
            while (++_index < route.Trunks.Count)
            {
                var trunk = route.Trunks[_index];
                var wait = _index == 0 ? TimeSpan.Zero : route.FailoverWait(trunk);
                if (wait is null)
                {
                    // Its next slot is too far away: as a full trunk.
                    continue;
                }
                if (wait > TimeSpan.Zero)
                {
                    // No attempt is current while the leg waits: a late event of the one that failed is dropped.
                    _attempt = null;
                    _waiting = route._time.CreateTimer(static state => ((FailoverLeg)state!).PlaceAfterWait(), this, wait.Value, Timeout.InfiniteTimeSpan);
                    return true;
                }
                if (TryPlace(trunk))
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>Places the leg on <paramref name="trunk"/> when it has room under its concurrent-call limit.</summary>
        private bool TryPlace(Trunk trunk)
        {
            if (!trunk.Limiter.TryTake(request.CallSid))
            {
                return false;
            }
            var attempt = new Attempt(this, trunk);
            _attempt = attempt;
            events.Routed(trunk.Name);
            attempt.Leg = trunk.Carrier.Place(request, attempt);
            return true;
        }

        /// <summary>The failover trunk's slot has come: the leg goes out on it (or on the next one, when it is full).</summary>
        private void PlaceAfterWait()
        {
            lock (_lock)
            {
                _waiting?.Dispose();
                _waiting = null;
                if (_ended)
                {
                    return;
                }
                if (TryPlace(route.Trunks[_index]) || TryNextTrunk())
                {
                    return;
                }
                // The trunk filled up meanwhile and none is left: as a congested network would answer.
                _ended = true;
                events.Rejected(503);
            }
        }

        public void Cancel()
        {
            Attempt? attempt;
            lock (_lock)
            {
                _ended = true;
                attempt = _attempt;
                _waiting?.Dispose();
                _waiting = null;
            }
            // Outside the lock: a trunk's leg may be raising an event into this one under its own lock.
            attempt?.Leg?.Cancel();
            attempt?.Release();
        }

        public void Hangup()
        {
            Attempt? attempt;
            lock (_lock)
            {
                _ended = true;
                attempt = _attempt;
                _waiting?.Dispose();
                _waiting = null;
            }
            // Outside the lock: a trunk's leg may be raising an event into this one under its own lock.
            attempt?.Leg?.Hangup();
            attempt?.Release();
        }

        private bool IsCurrent(Attempt attempt) => !_ended && _attempt == attempt;

        /// <summary>Events of one trunk's leg; those of an abandoned attempt are dropped.</summary>
        private sealed class Attempt(FailoverLeg owner, Trunk trunk) : ILegEvents
        {
            private int _released;
            private bool _provisional;

            public ICarrierLeg? Leg { get; set; }

            public void Release()
            {
                if (Interlocked.Exchange(ref _released, 1) == 0)
                {
                    trunk.Limiter.Release();
                }
            }

            public void Ringing(int sipCode)
            {
                lock (owner._lock)
                {
                    if (owner.IsCurrent(this))
                    {
                        _provisional = true;
                        owner.Events.Ringing(sipCode);
                    }
                }
            }

            public void Answered(string answeredBy)
            {
                lock (owner._lock)
                {
                    if (owner.IsCurrent(this))
                    {
                        _provisional = true;
                        owner.Events.Answered(answeredBy);
                    }
                }
            }

            public void Media(string sdp)
            {
                lock (owner._lock)
                {
                    if (owner.IsCurrent(this))
                    {
                        owner.Events.Media(sdp);
                    }
                }
            }

            public void Identified(string sipCallId)
            {
                lock (owner._lock)
                {
                    if (owner.IsCurrent(this))
                    {
                        owner.Events.Identified(sipCallId);
                    }
                }
            }

            public void Rejected(int sipCode) => End(sipCode, unreachable: false);

            public void Unreachable(int sipCode) => End(sipCode, unreachable: true);

            private void End(int sipCode, bool unreachable)
            {
                Release();
                lock (owner._lock)
                {
                    if (!owner.IsCurrent(this))
                    {
                        return;
                    }
                    if (!_provisional && FailsOver(sipCode) && owner.TryNextTrunk())
                    {
                        return;
                    }
                    owner._ended = true;
                    if (unreachable)
                    {
                        owner.Events.Unreachable(sipCode);
                    }
                    else
                    {
                        owner.Events.Rejected(sipCode);
                    }
                }
            }

            public void RemoteHangup()
            {
                Release();
                lock (owner._lock)
                {
                    if (owner.IsCurrent(this))
                    {
                        owner._ended = true;
                        owner.Events.RemoteHangup();
                    }
                }
            }
        }
    }
}
