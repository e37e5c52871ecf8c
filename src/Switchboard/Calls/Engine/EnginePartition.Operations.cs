using Switchboard.Storage;

namespace Switchboard.Calls.Engine;

internal sealed partial class EnginePartition
{
    /// <summary>
    /// Creates a queued call; the task completes with it once it is durable. One hand-off only: the
    /// writer's commit completes the task, with no separate reply from the partition before it.
    /// </summary>
    public Task<Call> CreateAsync(CallSid sid, NewCall request)
    {
        var created = new CreatedCall(this, sid);
        Post(() =>
        {
            try
            {
                Create(sid, request, created);
            }
            catch (Exception ex)
            {
                created.TrySetException(ex);
                throw;
            }
        });
        return created.Task;
    }

    private void Create(CallSid sid, NewCall request, CreatedCall created)
    {
        var now = Now;
        var trunk = _s.Router.Route(request.To)?.Primary;
        var dispatchAt = _s.Gate.Reserve(request.AccountSid, now, trunk?.Name, trunk?.CallsPerSecond ?? 0);
        var call = new Call
        {
            Sid = sid,
            AccountSid = request.AccountSid,
            ParentCallSid = request.ParentCallSid,
            To = request.To,
            From = request.From,
            Direction = request.Direction,
            DateCreated = now,
            DateUpdated = now,
            State = new CallState { Status = CallStatus.Queued },
            DispatchAt = dispatchAt,
            QueueTime = (long)(dispatchAt - now).TotalMilliseconds,
            Instructions = request.Instructions,
        };
        var live = new LiveCall(this, call);
        _calls.Add(sid, live);
        _timers.Arm(sid, CallTimer.Dispatch, dispatchAt);
        created.Call = call;
        Submit(new StoreWrite
        {
            Call = call,
            StatusChange = new StatusChange(null),
            Event = request.RequestEvent is { } e ? e with { CallSid = sid } : null,
            Committed = created,
        });
        _s.Metrics.Created(call);
        EngineLog.Created(_s.Logger, sid.Value, call.To, dispatchAt);
    }

    /// <summary>
    /// A new call whose row could not be written: the API answered an error, so the call must not go on (it may
    /// already be dialing). Its leg is canceled and it leaves the partition without a transition or callback.
    /// </summary>
    private void Abandon(CallSid sid)
    {
        if (!_calls.TryGetValue(sid, out var live))
        {
            return;
        }
        live.Leg?.Cancel();
        live.Leg = null;
        _timers.DisarmAll(sid);
        _calls.Remove(sid);
        EngineLog.Abandoned(_s.Logger, sid.Value);
    }

    /// <summary>The commit of a new call, carrying the call as it was created.</summary>
    private sealed class CreatedCall(EnginePartition partition, CallSid sid)
        : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), ICommitFailureObserver
    {
        public Call? Call { get; set; }

        public void CommitFailed() => partition.Post(() => partition.Abandon(sid));

        public new Task<Call> Task => field ??= Await();

        private async Task<Call> Await()
        {
            await base.Task;
            return Call!;
        }
    }

    /// <summary>
    /// Applies a live-call modification. Returns null when the call is not live here (ended, unknown,
    /// or another account's), with the snapshot and its commit otherwise.
    /// </summary>
    public Task<(Call Call, Task Committed)?> UpdateAsync(string accountSid, CallSid sid, CallUpdate update) => InvokeAsync<(Call, Task)?>(() =>
    {
        if (!_calls.TryGetValue(sid, out var live) || live.Call.AccountSid != accountSid)
        {
            return null;
        }
        var now = Now;
        switch (update.Status)
        {
            case CallStatus.Canceled:
                // Canceling an answered call has no effect (reference §4).
                Fire(live, CallTrigger.ApiCancel);
                break;
            case CallStatus.Completed:
                Fire(live, CallTrigger.ApiComplete);
                break;
            default:
                Modify(live, update, now);
                break;
        }
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Submit(new StoreWrite { Call = live.Call, Committed = committed });
        return (live.Call, committed.Task);
    });

    private void Modify(LiveCall live, CallUpdate update, DateTimeOffset now)
    {
        var instructions = live.Call.Instructions;
        var redirect = update.Url is not null || update.Twiml is not null;
        if (redirect)
        {
            instructions = instructions with
            {
                Url = update.Url,
                Twiml = update.Url is null ? update.Twiml : null,
                Method = update.Method ?? "POST",
                FallbackUrl = update.FallbackUrl ?? instructions.FallbackUrl,
                FallbackMethod = update.FallbackMethod ?? instructions.FallbackMethod,
            };
            // A new StatusCallback only takes effect together with a new Url (reference §4, DOC-CALL).
            if (update.StatusCallback is not null)
            {
                instructions = instructions with
                {
                    StatusCallback = update.StatusCallback,
                    StatusCallbackMethod = update.StatusCallbackMethod ?? "POST",
                };
            }
        }
        var state = live.Call.State;
        if (update.TimeLimit is { } limit)
        {
            instructions = instructions with { TimeLimit = limit };
            if (state.AnswerTime is { } answered)
            {
                var due = answered + limit;
                state = state with { TimeLimitDeadline = due };
                _timers.Arm(live.Call.Sid, CallTimer.TimeLimit, due);
            }
        }
        live.Call = live.Call with { Instructions = instructions, State = state, DateUpdated = now };
        if (redirect && live.Call.Status == CallStatus.InProgress)
        {
            if (live.Dial is { } session)
            {
                // Redirecting a dialing parent ends its <Dial> first; the action is told, the redirect rules.
                EndDial(live, session, DialEnd.Interrupted, continueParent: false);
            }
            StartApplication(live);
        }
    }

    /// <summary>Takes over an unfinished call after a restart (DESIGN decision 5).</summary>
    public Task AdoptAsync(Call call) => InvokeAsync(() =>
    {
        var live = new LiveCall(this, call);
        _calls[call.Sid] = live;
        if (call.Status == CallStatus.Queued)
        {
            var due = call.DispatchAt is { } at && at > Now ? at : Now;
            _timers.Arm(call.Sid, CallTimer.Dispatch, due);
        }
        else
        {
            // The carrier leg ended with the old process: nothing can continue it.
            Fire(live, CallTrigger.LegLost);
        }
        return true;
    });

    public Task<bool> IsLiveAsync(CallSid sid) => InvokeAsync(() => _calls.ContainsKey(sid));
}
