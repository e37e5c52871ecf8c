namespace Switchboard.Carriers;

/// <summary>
/// A route's ordered trunks as one carrier: a leg goes to the first trunk with room; a 503, a timeout
/// (408) or a transport error before any provisional response moves it to the next trunk (reference:
/// failover). The engine sees one leg and one outcome; <see cref="ILegEvents.Routed"/> names the trunk.
/// </summary>
public sealed class RouteCarrier(string prefix, IReadOnlyList<Trunk> trunks) : ICarrier
{
    public string Prefix { get; } = prefix;

    public IReadOnlyList<Trunk> Trunks { get; } = trunks;

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

        /// <summary>Places the leg on the next trunk with room; false when none is left.</summary>
        private bool TryNextTrunk()
        {
            while (++_index < route.Trunks.Count)
            {
                var trunk = route.Trunks[_index];
                if (!trunk.Limiter.TryTake(request.CallSid))
                {
                    continue;
                }
                var attempt = new Attempt(this, trunk);
                _attempt = attempt;
                events.Routed(trunk.Name);
                attempt.Leg = trunk.Carrier.Place(request, attempt);
                return true;
            }
            return false;
        }

        public void Cancel()
        {
            Attempt? attempt;
            lock (_lock)
            {
                _ended = true;
                attempt = _attempt;
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
