using System.Threading.Channels;
using Switchboard.Callbacks;
using Switchboard.Carriers;
using Switchboard.Storage;
using Switchboard.TwiML;

namespace Switchboard.Calls.Engine;

/// <summary>
/// One partition of the engine (DESIGN decision 2): a single-threaded owner of its calls' state and
/// timers. Everything that touches a call runs on the partition's loop, one work item at a time, so
/// no locks are taken on the hot path. Self-contained: a cluster places partitions on nodes.
/// </summary>
internal sealed partial class EnginePartition : IAsyncDisposable, ITimerVersions
{
    private readonly EngineServices _s;
    private readonly Channel<Action> _mailbox = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CallMap _calls = new();
    private readonly TimerQueue _timers;
    private readonly TwimlCache _twiml = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly List<StoreWrite> _pendingWrites = [];
    private int _disposed;

    private readonly Func<CallSid, int> _partitionOf;

    public EnginePartition(int index, EngineServices services, Func<CallSid, int> partitionOf)
    {
        Index = index;
        _partitionOf = partitionOf;
        _s = services;
        _timers = new TimerQueue(services.Time, () => Post(OnTimersDue), this);
        _loop = Task.Run(RunAsync);
    }

    public int Index { get; }

    /// <summary>Calls this partition holds (read from other threads for metrics: a torn read is harmless).</summary>
    public int LiveCount => _calls.Count;

    private DateTimeOffset Now => _s.Time.GetUtcNow();

    public void Post(Action work)
    {
        if (!_mailbox.Writer.TryWrite(work))
        {
            EngineLog.PartitionStopped(_s.Logger, Index);
        }
    }

    public Task<T> InvokeAsync<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                done.TrySetResult(work());
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
            }
        });
        return done.Task;
    }

    private async Task RunAsync()
    {
        var reader = _mailbox.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var work))
            {
                try
                {
                    work();
                }
                catch (Exception ex)
                {
                    // A bug in handling one event must not stop the partition that owns thousands of calls.
                    EngineLog.WorkFailed(_s.Logger, Index, ex);
                }
                FlushWrites();
            }
        }
    }

    /// <summary>
    /// Queues a write; it reaches the store when the current work item is done. Every effect of the item
    /// (timers armed, legs placed) is thus in place before anything it wrote can commit and be seen.
    /// </summary>
    private void Submit(StoreWrite write) => _pendingWrites.Add(write);

    private void FlushWrites()
    {
        foreach (var write in _pendingWrites)
        {
            _s.Writer.Submit(write);
        }
        _pendingWrites.Clear();
    }

    private void OnTimersDue()
    {
        foreach (var (sid, kind) in _timers.TakeDue(Now))
        {
            if (!_calls.TryGetValue(sid, out var live))
            {
                continue;
            }
            switch (kind)
            {
                case CallTimer.Dispatch:
                    Dispatch(live);
                    break;
                case CallTimer.Ring:
                    Fire(live, CallTrigger.RingTimeout);
                    break;
                case CallTimer.TimeLimit:
                    Fire(live, CallTrigger.TimeLimit);
                    break;
                case CallTimer.Verb:
                    RunVerbs(live);
                    break;
            }
        }
    }

    /// <summary>
    /// The queued call's turn came: pick its carrier and start dialing, unless its trunk is at its
    /// concurrent-call limit; the call then stays queued, in line, until the trunk wakes it.
    /// </summary>
    private void Dispatch(LiveCall live, bool waited = false)
    {
        var carrier = _s.Router.Route(live.Call.To);
        if (carrier is null)
        {
            Fire(live, CallTrigger.RouteFailed, 404);
            return;
        }
        var sid = live.Call.Sid;
        if (!carrier.TryAdmit(sid.Value, () => Post(() => OnTrunkFree(sid, carrier))))
        {
            return;
        }
        live.Call = live.Call with { Carrier = carrier.Name };
        if (waited)
        {
            live.Call = live.Call with { QueueTime = (long)(Now - live.Call.DateCreated).TotalMilliseconds };
        }
        Fire(live, CallTrigger.Dial);
    }

    /// <summary>A slot of the trunk is held for this call: dial it, or give the slot back if it is no longer queued.</summary>
    private void OnTrunkFree(CallSid sid, RouteCarrier carrier)
    {
        if (_calls.TryGetValue(sid, out var live) && live.Call.Status == CallStatus.Queued)
        {
            Dispatch(live, waited: true);
        }
        else
        {
            carrier.Withdraw(sid.Value);
        }
    }

    /// <summary>
    /// Applies a trigger through the pure <see cref="CallMachine"/> and performs its effects; the new
    /// state and its callbacks go to the store as one write (one transaction, DESIGN decision 3).
    /// </summary>
    private void Fire(LiveCall live, CallTrigger trigger, int? sipCode = null, string? answeredBy = null)
    {
        var now = Now;
        var before = live.Call;
        var transition = CallMachine.Apply(before.State, trigger, now, before.Instructions.Limits, sipCode);
        if (transition.Ignored)
        {
            _s.Metrics.Ignored(trigger);
            EngineLog.TriggerIgnored(_s.Logger, before.Sid.Value, trigger, before.Status);
            return;
        }

        var call = before with { State = transition.State, DateUpdated = now };
        if (answeredBy is not null && call.Instructions.MachineDetection is not null)
        {
            call = call with { AnsweredBy = answeredBy };
        }
        List<OutboxEntry>? callbacks = null;
        var placeLeg = false;
        var startApplication = false;
        var stopApplication = false;
        foreach (var effect in transition.Effects)
        {
            switch (effect)
            {
                case CallEffect.StatusEvent e when call.Instructions.StatusCallback is { } url
                                                   && call.Instructions.StatusCallbackEvents.HasFlag(e.Event):
                    var sequence = call.NextSequenceNumber;
                    call = call with { NextSequenceNumber = sequence + 1 };
                    var parameters = CallParameters.StatusCallback(call, e.Event, sequence, now);
                    (callbacks ??= []).Add(new OutboxEntry
                    {
                        CallSid = call.Sid,
                        SequenceNumber = sequence,
                        AccountSid = call.AccountSid,
                        Url = url,
                        Method = call.Instructions.StatusCallbackMethod,
                        Body = WebhookClient.FormEncode(parameters),
                        Parameters = parameters,
                        IdempotencyToken = Guid.NewGuid().ToString(),
                        CreatedAt = now,
                        NextAttemptAt = now,
                    });
                    break;
                case CallEffect.ArmTimer a:
                    _timers.Arm(call.Sid, a.Timer, a.Due);
                    break;
                case CallEffect.DisarmTimer d:
                    _timers.Disarm(call.Sid, d.Timer);
                    break;
                case CallEffect.PlaceLeg:
                    placeLeg = true;
                    break;
                case CallEffect.CancelLeg:
                    live.Leg?.Cancel();
                    live.Leg = null;
                    break;
                case CallEffect.HangupLeg:
                    live.Leg?.Hangup();
                    live.Leg = null;
                    break;
                case CallEffect.StartApplication:
                    startApplication = true;
                    break;
                case CallEffect.StopApplication:
                    live.Application.Stop();
                    _timers.Disarm(call.Sid, CallTimer.Verb);
                    stopApplication = true;
                    break;
            }
        }

        live.Call = call;
        // A <Dial> child is created and dialed in one step: it is never seen queued.
        var previous = before.Status == CallStatus.Queued && call.ParentCallSid is not null ? (CallStatus?)null : before.Status;
        Submit(new StoreWrite
        {
            Call = call,
            // A child's first write creates its row; every other transition only changes state columns.
            StateOnly = previous is not null,
            Callbacks = callbacks ?? [],
            StatusChange = new StatusChange(previous, trigger),
        });
        _s.Metrics.Transitioned(before.Status, call.Status, call);
        EngineLog.Transitioned(_s.Logger, call.Sid.Value, before.Status, call.Status, trigger);

        if (call.Status.IsFinal())
        {
            EngineLog.Ended(_s.Logger, call.Sid.Value, call.To, call.Status, call.State.SipResponseCode, call.State.Duration);
            // Disarm before removing: the timer versions are kept in the LiveCall, found through _calls.
            _timers.DisarmAll(call.Sid);
            _calls.Remove(call.Sid);
            live.Leg = null;
        }
        if (stopApplication && live.Dial is { } session)
        {
            // The parent ended while dialing: its legs go with it (DOC-DIAL).
            EndDial(live, session, DialEnd.Interrupted);
        }
        if (call.ParentCallSid is not null)
        {
            OnChildTransition(live, call.Status);
        }
        if (call.Status.IsFinal())
        {
            return;
        }
        if (placeLeg)
        {
            PlaceLeg(live);
        }
        if (startApplication)
        {
            if (call.ParentCallSid is null)
            {
                StartApplication(live);
            }
            else if (call.Instructions.Url is null)
            {
                Bridge(live);
            }
            else
            {
                // The whisper (DOC-NUMBER url): TwiML played to the dialed party before it is connected.
                Fetch(live, call.Instructions.Url, call.Instructions.Method, isFallback: true, []);
            }
        }
    }

    private void PlaceLeg(LiveCall live)
    {
        var carrier = _s.Router.Route(live.Call.To);
        if (carrier is null)
        {
            Fire(live, CallTrigger.RouteFailed, 404);
            return;
        }
        // An API call took its line while queued; a <Dial> child takes it now.
        if (live.Call.Direction == CallDirection.OutboundDial && live.Call.Carrier is null && !AdmitChild(live, carrier))
        {
            return;
        }
        // A <Sip> noun's own digest credentials go with its leg.
        var sip = live.Noun is { Kind: DialNounKind.Sip } noun ? noun : null;
        live.Leg = carrier.Place(new LegRequest
        {
            CallSid = live.Call.Sid.Value,
            To = live.Call.To,
            From = live.Call.From,
            SendDigits = live.Call.Instructions.SendDigits,
            Username = sip?.Username,
            Password = sip?.Password,
        }, live);
    }

    int ITimerVersions.Get(CallSid sid, CallTimer kind) => _calls.TryGetValue(sid, out var live) ? live.TimerVersion(kind) : 0;

    int ITimerVersions.Exchange(CallSid sid, CallTimer kind, int version)
    {
        if (!_calls.TryGetValue(sid, out var live))
        {
            return 0;
        }
        ref var slot = ref live.TimerVersion(kind);
        var previous = slot;
        slot = version;
        return previous;
    }

    /// <summary>
    /// Whether events of the call's leg still count: the call is live in this partition and has not let its leg
    /// go (cancelled, hung up, rejected). A call places one leg, so the leg is the call's only one.
    /// </summary>
    private bool IsCurrentLeg(LiveCall live) =>
        live.Leg is not null && _calls.TryGetValue(live.Call.Sid, out var current) && ReferenceEquals(current, live);

    // Carrier events of a call's leg, posted to the loop by the call (LiveCall as ILegEvents).

    internal void OnRinging(LiveCall live)
    {
        if (IsCurrentLeg(live))
        {
            Fire(live, CallTrigger.Ringing);
        }
    }

    internal void OnAnswered(LiveCall live, string answeredBy)
    {
        if (IsCurrentLeg(live))
        {
            Fire(live, CallTrigger.Answered, 200, answeredBy);
        }
    }

    internal void OnRejected(LiveCall live, int sipCode)
    {
        if (IsCurrentLeg(live))
        {
            live.Leg = null;
            Fire(live, CallTrigger.Rejected, sipCode);
        }
    }

    internal void OnRemoteHangup(LiveCall live)
    {
        if (IsCurrentLeg(live))
        {
            live.Leg = null;
            Fire(live, CallTrigger.RemoteHangup);
        }
    }

    internal void OnUnreachable(LiveCall live, int sipCode)
    {
        if (IsCurrentLeg(live))
        {
            live.Leg = null;
            // No answer came at all: the call failed (reference: Timer B → failed 408), whatever the code maps to.
            Fire(live, live.Call.Status == CallStatus.Initiated ? CallTrigger.RouteFailed : CallTrigger.Rejected, sipCode);
        }
    }

    internal void OnRouted(LiveCall live, string trunk)
    {
        // Saved with the call's next write.
        if (IsCurrentLeg(live))
        {
            live.Call = live.Call with { Carrier = trunk };
        }
    }

    internal void OnIdentified(LiveCall live, string sipCallId)
    {
        if (IsCurrentLeg(live))
        {
            live.SipCallId = sipCallId;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Called by the start-up service on stop and again by the container: the second call is a no-op.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _mailbox.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _loop;
        _timers.Dispose();
        _stopping.Dispose();
    }
}
