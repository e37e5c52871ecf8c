using System.Globalization;
using Switchboard.Callbacks;
using Switchboard.Carriers;
using Switchboard.TwiML;

namespace Switchboard.Calls.Engine;

/// <summary>
/// <c>&lt;Dial&gt;</c>: child legs for each noun, rung at once, never queued (DOC-NUMBER/SIP/CLIENT);
/// the first to answer is bridged and the others are canceled in the same turn. Children live in their
/// parent's partition (their SIDs are drawn to hash there), so a dial is handled without crossing threads.
/// </summary>
internal sealed partial class EnginePartition
{
    private void StartDial(LiveCall parent, DialVerb dial)
    {
        var now = Now;
        var session = new DialSession(dial, parent.Application.DocumentUrl, now);
        parent.Dial = session;
        if (dial.Sequential)
        {
            foreach (var noun in dial.Nouns)
            {
                session.Pending.Enqueue(noun);
            }
            DialNext(parent, session);
            return;
        }
        session.Starting = true;
        var children = new List<LiveCall>(dial.Nouns.Count);
        foreach (var noun in dial.Nouns)
        {
            children.Add(AddChild(parent, session, noun, now));
        }
        foreach (var child in children)
        {
            DispatchChild(child);
        }
        session.Starting = false;
        if (parent.Dial == session && session.Ringing.Count == 0 && session.Answered is null)
        {
            EndDial(parent, session, DialEnd.AllEnded);
        }
    }

    /// <summary>
    /// A sequential dial's next leg: the next noun is dialed once the previous one ended unanswered, until one rings or
    /// answers; with none left, the dial ends.
    /// </summary>
    private void DialNext(LiveCall parent, DialSession session)
    {
        session.Starting = true;
        while (parent.Dial == session && session.Answered is null && session.Ringing.Count == 0 && session.Pending.TryDequeue(out var noun))
        {
            DispatchChild(AddChild(parent, session, noun, Now));
        }
        session.Starting = false;
        if (parent.Dial == session && session.Ringing.Count == 0 && session.Answered is null)
        {
            EndDial(parent, session, DialEnd.AllEnded);
        }
    }

    private LiveCall AddChild(LiveCall parent, DialSession session, DialNoun noun, DateTimeOffset now)
    {
        var child = new LiveCall(this, NewChildCall(parent.Call, session.Verb, noun, session.DocumentUrl, now)) { Noun = noun };
        _calls.Add(child.Call.Sid, child);
        session.Children.Add(child.Call.Sid);
        session.Ringing.Add(child.Call.Sid);
        _s.Metrics.Created(child.Call);
        return child;
    }

    /// <summary>
    /// Dials a child at once: &lt;Dial&gt; legs are not held by the calls-per-second queue (reference §15)
    /// and never wait in <c>queued</c>: they start <c>initiated</c> (reference §8), and their route and trunk line are
    /// decided when the leg is placed (<see cref="AdmitChild"/>).
    /// </summary>
    private void DispatchChild(LiveCall child) => Fire(child, CallTrigger.Dial);

    /// <summary>
    /// A child's trunk line, taken as its leg is placed: none for its number → failed 404; a trunk with no free line
    /// fails the leg 503, as a congested network would. False when the child failed.
    /// </summary>
    private bool AdmitChild(LiveCall child, RouteCarrier carrier)
    {
        var sid = child.Call.Sid.Value;
        if (!carrier.TryAdmit(sid, static () => { }))
        {
            carrier.Withdraw(sid);
            Fire(child, CallTrigger.RouteFailed, 503);
            return false;
        }
        child.Call = child.Call with { Carrier = carrier.Name };
        return true;
    }

    private Call NewChildCall(Call parent, DialVerb dial, DialNoun noun, string? documentUrl, DateTimeOffset now)
    {
        CallSid sid;
        do
        {
            sid = CallSid.New(now);
        }
        while (_partitionOf(sid) != Index);
        return new Call
        {
            Sid = sid,
            AccountSid = parent.AccountSid,
            ParentCallSid = parent.Sid,
            To = noun.Target,
            From = dial.CallerId ?? parent.From,
            Direction = CallDirection.OutboundDial,
            DateCreated = now,
            DateUpdated = now,
            State = new CallState { Status = CallStatus.Queued },
            Instructions = new CallInstructions
            {
                Url = noun.Url is { } url ? Resolve(documentUrl, url) ?? url : null,
                Method = noun.Method,
                StatusCallback = noun.StatusCallback is { } cb ? Resolve(documentUrl, cb) ?? cb : null,
                StatusCallbackMethod = noun.StatusCallbackMethod,
                StatusCallbackEvents = noun.StatusCallbackEvents,
                Timeout = TimeSpan.FromSeconds(dial.Timeout),
                TimeLimit = TimeSpan.FromSeconds(dial.TimeLimit),
                SendDigits = noun.SendDigits,
            },
        };
    }

    /// <summary>A child of a &lt;Dial&gt; changed status: the parent's dial reacts.</summary>
    private void OnChildTransition(LiveCall child, CallStatus to)
    {
        if (child.Call.ParentCallSid is not { } parentSid || !_calls.TryGetValue(parentSid, out var parent)
            || parent.Dial is not { } session || !session.Children.Contains(child.Call.Sid))
        {
            return;
        }
        var sid = child.Call.Sid;
        if (to == CallStatus.InProgress)
        {
            session.Ringing.Remove(sid);
            if (session.Answered is not null)
            {
                // Lost the race to another leg answering in the same turn: hang it up.
                Fire(child, CallTrigger.ApiComplete);
                return;
            }
            session.Answered = sid;
            foreach (var other in session.Ringing.ToList())
            {
                if (_calls.TryGetValue(other, out var ringing))
                {
                    Fire(ringing, CallTrigger.ApiCancel);
                }
            }
            return;
        }
        if (!to.IsFinal())
        {
            return;
        }
        session.Ringing.Remove(sid);
        session.Ended[sid] = child.Call;
        if (child.SipCallId is { } sipCallId)
        {
            session.SipCallIds[sid] = sipCallId;
        }
        if (session.Answered == sid)
        {
            EndDial(parent, session, DialEnd.AnsweredLegEnded);
            return;
        }
        if (session.Starting || session.Ringing.Count > 0 || session.Answered is not null)
        {
            return;
        }
        if (session.Pending.Count > 0)
        {
            DialNext(parent, session);
            return;
        }
        EndDial(parent, session, DialEnd.AllEnded);
    }

    /// <summary>The answered child's whisper finished (or it had none): connect it to the parent.</summary>
    private void Bridge(LiveCall child)
    {
        if (child.Call.ParentCallSid is { } parentSid && _calls.TryGetValue(parentSid, out var parent)
            && parent.Dial is { } session && session.Answered == child.Call.Sid)
        {
            session.Bridged = true;
        }
    }

    private enum DialEnd
    {
        /// <summary>No child answered and none is ringing any more.</summary>
        AllEnded,
        /// <summary>The answered child hung up (or was hung up).</summary>
        AnsweredLegEnded,
        /// <summary>The parent ended or was redirected: the dial is cut short.</summary>
        Interrupted,
    }

    /// <summary>
    /// Ends a dial: stops what is left of its legs and tells the <c>action</c> URL (DOC-DIAL), whose TwiML
    /// continues the parent; without <c>action</c> the parent continues after the &lt;Dial&gt;.
    /// </summary>
    private void EndDial(LiveCall parent, DialSession session, DialEnd how, bool continueParent = true)
    {
        if (parent.Dial != session)
        {
            return;
        }
        parent.Dial = null;
        foreach (var sid in session.Children)
        {
            if (_calls.TryGetValue(sid, out var child))
            {
                Fire(child, child.Call.Status == CallStatus.InProgress ? CallTrigger.ApiComplete : CallTrigger.ApiCancel);
                session.Ended.TryAdd(sid, child.Call);
                if (child.SipCallId is { } sipCallId)
                {
                    session.SipCallIds.TryAdd(sid, sipCallId);
                }
            }
        }

        var (status, dialed) = Outcome(session, how);
        var dialedSipCallId = dialed is not null ? session.SipCallIds.GetValueOrDefault(dialed.Sid) : null;
        var parameters = new List<KeyValuePair<string, string>>();
        parameters.Add(new("DialCallStatus", status));
        if (dialed is not null)
        {
            parameters.Add(new("DialCallSid", dialed.Sid.Value));
            parameters.Add(new("DialCallDuration", (session.Bridged ? dialed.State.Duration : 0).ToString(CultureInfo.InvariantCulture)));
        }
        parameters.Add(new("DialBridged", session.Bridged ? "true" : "false"));
        if (dialed is not null && (dialed.To.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || dialed.To.StartsWith("sips:", StringComparison.OrdinalIgnoreCase)))
        {
            if (dialed.State.SipResponseCode is { } code)
            {
                parameters.Add(new("DialSipResponseCode", code.ToString(CultureInfo.InvariantCulture)));
            }
            parameters.Add(new("DialSipCallId", dialedSipCallId ?? SipCallIdOf(dialed.Sid)));
        }
        EngineLog.DialEnded(_s.Logger, parent.Call.Sid.Value, status, session.Bridged);

        var action = session.Verb.Action is { } a ? Resolve(session.DocumentUrl, a) : null;
        if (parent.Call.Status != CallStatus.InProgress || !continueParent)
        {
            // The parent is gone or is being redirected: the action is still told, its answer is not used.
            if (action is not null)
            {
                NotifyOnly(parent.Call, action, session.Verb.Method, [.. CallParameters.Voice(parent.Call), .. parameters]);
            }
            return;
        }
        if (action is not null)
        {
            parent.Application.FallbackUsed = true;
            Fetch(parent, action, session.Verb.Method, isFallback: true, parameters);
            return;
        }
        RunVerbs(parent);
    }

    /// <summary>DialCallStatus (DOC-DIAL) and the leg it reports on.</summary>
    private static (string Status, Call? Dialed) Outcome(DialSession session, DialEnd how)
    {
        if (session.Answered is { } answered && session.Ended.TryGetValue(answered, out var leg))
        {
            // An answered leg reports completed; DialBridged says whether it was connected (a whisper may end it first).
            return ("completed", leg);
        }
        var ended = session.Ended.Values.ToList();
        var last = ended.Count > 0 ? ended[^1] : null;
        if (how == DialEnd.Interrupted)
        {
            return ("canceled", last);
        }
        // Several legs ended differently: a leg that rang out speaks for the dial, then busy, then failure
        // (docs/compatibility.md).
        foreach (var status in new[] { CallStatus.NoAnswer, CallStatus.Busy, CallStatus.Canceled, CallStatus.Failed })
        {
            if (ended.LastOrDefault(c => c.Status == status) is { } match)
            {
                return (status.ToWire(), match);
            }
        }
        return ("failed", last);
    }

    /// <summary>The Call-ID reported for a leg that no carrier identified (the simulated network): stable for its CallSid.</summary>
    internal static string SipCallIdOf(CallSid sid) => sid.Value[2..] + "@switchboard";

    /// <summary>Requests a URL for its side effect only (an action whose call has moved on); recorded in Events.</summary>
    private void NotifyOnly(Call call, string url, string method, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var token = _s.Accounts.Find(call.AccountSid)?.AuthToken ?? "";
        _ = Task.Run(async () =>
        {
            try
            {
                await _s.Fetcher.FetchAsync(call, url, method, token, parameters, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                EngineLog.FetchCrashed(_s.Logger, call.Sid.Value, ex);
            }
        });
    }
}
