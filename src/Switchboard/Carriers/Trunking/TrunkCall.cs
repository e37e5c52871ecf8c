using Switchboard.Calls;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Carriers.Trunking;

/// <summary>
/// One trunk call, bridged back to back: the caller's <see cref="IncomingSipCall"/> on one side, a leg
/// placed through the route on the other. Provisional responses and the answer are relayed with the
/// callee's SDP (the caller's offer goes out unchanged); CANCEL and BYE cross over; a final failure goes
/// back to the caller with its code. One lock; a leg is never told anything under it (a route raises
/// its events under its own lock).
/// </summary>
internal sealed class TrunkCall : ILegEvents
{
    private readonly TrunkCallBridge _bridge;
    private readonly IncomingSipCall _caller;
    private readonly SourceTrunk _source;
    private readonly string _accountSid;
    private readonly string _to;
    private readonly string _from;
    private readonly CallSid _sid;
    private readonly DateTimeOffset _created;
    private readonly Lock _lock = new();
    private ICarrierLeg? _leg;
    private bool _legCanceled;
    private string? _calleeSdp;
    private string? _carrier;
    private DateTimeOffset? _answeredAt;
    private bool _ended;
    private bool _rang;
    private TimeSpan _queueTime;
    private Task? _following;
    // From the leg's INVITE until its answer or the call's end: the ring timeout.
    private ITimer? _ringTimer;

    public TrunkCall(TrunkCallBridge bridge, IncomingSipCall caller, SourceTrunk source, string accountSid, string to, string from)
    {
        _bridge = bridge;
        _caller = caller;
        _source = source;
        _accountSid = accountSid;
        _to = to;
        _from = from;
        _created = bridge.Time.GetUtcNow();
        _sid = CallSid.New(_created);
    }

    /// <summary>Refused before any leg (no number, no route): the caller gets the code, the call is recorded failed.</summary>
    public void Refuse(int sipCode, string reasonPhrase)
    {
        CarriersLog.TrunkCallRefused(_bridge.Logger, _caller.CallId, _caller.RemoteEndPoint.ToString(), sipCode);
        _ended = true;
        _ = _caller.RejectAsync(sipCode, reasonPhrase);
        Finish(CallStatus.Failed, sipCode);
    }

    /// <summary>Places the leg through the route, at once or after <paramref name="queued"/> (the trunk's CPS).</summary>
    public void Start(RouteCarrier route, TimeSpan queued)
    {
        CarriersLog.TrunkCallStarted(_bridge.Logger, _sid.Value, _caller.CallId, _source.Name, _to);
        _bridge.Started(this);
        _queueTime = queued > TimeSpan.Zero ? queued : TimeSpan.Zero;
        if (_queueTime == TimeSpan.Zero)
        {
            Place(route);
        }
        else
        {
            Show(CallStatus.Queued);
            _ = PlaceAfterAsync(route, _queueTime);
        }
        // A CANCEL or BYE from the caller is read from now on: before the leg is placed it ends the call alone.
        _following = FollowCallerAsync();
    }

    private async Task PlaceAfterAsync(RouteCarrier route, TimeSpan queued)
    {
        await Task.Delay(queued, _bridge.Time);
        try
        {
            Place(route);
        }
        catch (Exception ex)
        {
            // Off the receive loop now: a leg that cannot be placed fails the call rather than vanish.
            CarriersLog.TrunkCallLegFailed(_bridge.Logger, _sid.Value, ex);
            Fail(503, CallStatus.Failed, 503);
        }
    }

    private void Place(RouteCarrier route)
    {
        lock (_lock)
        {
            if (_ended)
            {
                // Canceled or stopped while it waited for its slot: no leg.
                return;
            }
        }
        Show(CallStatus.Initiated);
        var leg = route.Place(new LegRequest { CallSid = _sid.Value, To = _to, From = _from, SdpOffer = _caller.Sdp }, this);
        bool canceled;
        lock (_lock)
        {
            _leg = leg;
            canceled = _legCanceled;
            if (!_ended && _answeredAt is null)
            {
                _ringTimer = _bridge.Time.CreateTimer(static state => ((TrunkCall)state!).OnRingTimeout(), this, _bridge.RingTimeout, Timeout.InfiniteTimeSpan);
            }
        }
        if (canceled)
        {
            // The caller canceled (or the server stopped) while the leg was being placed: it is let go.
            leg.Cancel();
        }
    }

    /// <summary>Cancels the leg, or the leg about to be placed (<see cref="Place"/> cancels it once it exists).</summary>
    private void CancelLeg()
    {
        ICarrierLeg? leg;
        lock (_lock)
        {
            leg = _leg;
            _legCanceled = true;
        }
        leg?.Cancel();
    }

    /// <summary>Where the caller's side is (answered, confirmed by its ACK...).</summary>
    internal IncomingSipCallState CallerState => _caller.State;

    /// <summary>
    /// The server stops (<see cref="TrunkCallBridge.StopAsync"/>): a call the caller has no answer for yet gets
    /// 503 and its leg a CANCEL (recorded failed, 503); an answered one is hung up on both sides (recorded
    /// completed). Completes when the caller's side is over (its BYE answered), or at once for a 503.
    /// </summary>
    public async Task StopAsync()
    {
        if (!TryEnd())
        {
            return;
        }
        if (await _caller.RejectAsync(503, "Service Unavailable"))
        {
            CancelLeg();
            Finish(CallStatus.Failed, 503);
            return;
        }
        // Answered (or being answered: the BYE then waits for the caller's ACK).
        _leg?.Hangup();
        Finish(CallStatus.Completed, 200);
        await _caller.ByeAsync();
        await (_following ?? Task.CompletedTask);
    }

    /// <summary>What the caller does: CANCEL → cancel the leg (487 to the caller, by the stack); BYE → hang the leg up.</summary>
    private async Task FollowCallerAsync()
    {
        await foreach (var e in _caller.Events.ReadAllAsync())
        {
            switch (e)
            {
                case IncomingSipCallCanceled:
                    if (TryEnd())
                    {
                        CancelLeg();
                        Finish(CallStatus.Canceled, 487);
                    }
                    break;
                case SipCallTerminated { By: SipCallParty.Remote }:
                    if (TryEnd())
                    {
                        _leg?.Hangup();
                        Finish(CallStatus.Completed, 200);
                    }
                    break;
                case SipCallFailed or SipCallTerminated when TryEnd():
                    // The endpoint stopped under a live call: the leg is let go and, as after a crash, nothing is recorded.
                    CancelLeg();
                    break;
            }
        }
    }

    /// <summary>Marks the call ended, once; with <paramref name="unlessAnswered"/>, not when the answer got there first.</summary>
    private bool TryEnd(bool unlessAnswered = false)
    {
        lock (_lock)
        {
            if (_ended || (unlessAnswered && _answeredAt is not null))
            {
                return false;
            }
            _ended = true;
            _ringTimer?.Dispose();
            return true;
        }
    }

    /// <summary>Unanswered for the whole ring timeout: the leg is canceled, the caller told 408, the call recorded no-answer.</summary>
    private void OnRingTimeout()
    {
        // One step with the answer's check: an answer that got here first keeps the call.
        if (!TryEnd(unlessAnswered: true))
        {
            return;
        }
        CarriersLog.TrunkCallRingTimedOut(_bridge.Logger, _sid.Value, _bridge.RingTimeout);
        CancelLeg();
        _ = _caller.RejectAsync(408, ReasonPhrase(408));
        Finish(CallStatus.NoAnswer, 408);
    }

    void ILegEvents.Routed(string trunk)
    {
        lock (_lock)
        {
            _carrier = trunk;
        }
    }

    void ILegEvents.Media(string sdp)
    {
        lock (_lock)
        {
            _calleeSdp = sdp;
        }
    }

    void ILegEvents.Ringing(int sipCode)
    {
        string? sdp;
        bool first;
        lock (_lock)
        {
            if (_ended || _answeredAt is not null)
            {
                return;
            }
            sdp = _calleeSdp;
            first = !_rang;
            _rang = true;
        }
        if (first)
        {
            Show(CallStatus.Ringing);
        }
        // 183 with the callee's early media passes through as 183; any other progress is 180 Ringing.
        _ = sipCode == 183 || sdp is not null
            ? _caller.SendProvisionalAsync(183, "Session Progress", sdp)
            : _caller.SendProvisionalAsync(180, "Ringing");
    }

    void ILegEvents.Answered(string answeredBy)
    {
        string? sdp;
        lock (_lock)
        {
            if (_ended || _answeredAt is not null)
            {
                return;
            }
            _answeredAt = _bridge.Time.GetUtcNow();
            sdp = _calleeSdp;
            _ringTimer?.Dispose();
        }
        Show(CallStatus.InProgress);
        _ = AnswerCallerAsync(sdp);
    }

    private async Task AnswerCallerAsync(string? sdp)
    {
        if (!await _caller.AnswerAsync(sdp))
        {
            // The caller's CANCEL (it got 487) or a stop (503) won the race: the callee's answer is hung up.
            _leg?.Hangup();
        }
    }

    void ILegEvents.Rejected(int sipCode) => Fail(sipCode, SipOutcomes.StatusFor(sipCode), sipCode);

    /// <summary>No trunk of the route could be reached (Timer B or a transport error on the last one): 503 to the caller.</summary>
    void ILegEvents.Unreachable(int sipCode) => Fail(503, CallStatus.Failed, sipCode);

    void ILegEvents.RemoteHangup()
    {
        if (TryEnd())
        {
            _ = _caller.ByeAsync();
            Finish(CallStatus.Completed, 200);
        }
    }

    private void Fail(int callerCode, CallStatus status, int sipCode)
    {
        if (!TryEnd())
        {
            return;
        }
        _ = _caller.RejectAsync(callerCode, ReasonPhrase(callerCode));
        Finish(status, sipCode);
    }

    private void Finish(CallStatus status, int sipCode) => _bridge.Record(this, Snapshot(status, sipCode));

    /// <summary>The call as it is now with <paramref name="status"/>: a final one is its row, the others go to the dashboard.</summary>
    private Call Snapshot(CallStatus status, int? sipCode = null)
    {
        var now = _bridge.Time.GetUtcNow();
        DateTimeOffset? answeredAt;
        string? carrier;
        TimeSpan queued;
        lock (_lock)
        {
            answeredAt = _answeredAt;
            carrier = _carrier;
            // Ended before its leg went out (canceled or stopped while it waited for its slot): the time it waited.
            queued = _leg is null && now - _created < _queueTime ? now - _created : _queueTime;
        }
        return new Call
        {
            Sid = _sid,
            AccountSid = _accountSid,
            To = _to,
            From = _from,
            Direction = TrunkCallBridge.Direction,
            DateCreated = _created,
            DateUpdated = now,
            State = new CallState
            {
                Status = status,
                StartTime = _created,
                AnswerTime = answeredAt,
                EndTime = status.IsFinal() ? now : null,
                SipResponseCode = sipCode,
            },
            TrunkSid = _source.Sid,
            Carrier = carrier,
            SipCallId = _caller.CallId,
            QueueTime = (long)queued.TotalMilliseconds,
            Instructions = new CallInstructions { Timeout = TimeSpan.Zero, TimeLimit = TimeSpan.Zero },
        };
    }

    /// <summary>Shows a status the call reached on the dashboard, unless it has ended meanwhile.</summary>
    private void Show(CallStatus status)
    {
        var snapshot = Snapshot(status);
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }
            // Under the lock, so that a later final state (shown by Record after _ended is set) cannot be overtaken.
            _bridge.Show(snapshot);
        }
    }

    private static string ReasonPhrase(int code) => code switch
    {
        404 => "Not Found",
        408 => "Request Timeout",
        480 => "Temporarily Unavailable",
        484 => "Address Incomplete",
        486 => "Busy Here",
        487 => "Request Terminated",
        500 => "Server Internal Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        600 => "Busy Everywhere",
        603 => "Decline",
        _ => "Call Failed",
    };
}
