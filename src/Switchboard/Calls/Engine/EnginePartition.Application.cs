using Switchboard.Callbacks;
using Switchboard.Storage;
using Switchboard.TwiML;

namespace Switchboard.Calls.Engine;

internal sealed partial class EnginePartition
{
    // Twilio repeats a loop="0" verb until the call ends, up to 1,000 times (DOC-TWIML Say/Play).
    private const int EndlessLoop = 1000;

    /// <summary>The call was answered (or redirected): run its <c>Url</c> or inline <c>Twiml</c>.</summary>
    private void StartApplication(LiveCall live)
    {
        var instructions = live.Call.Instructions;
        live.Application.FallbackUsed = false;
        if (instructions.Url is { } url)
        {
            Fetch(live, url, instructions.Method, isFallback: false, []);
        }
        else
        {
            RunInline(live, instructions.Twiml ?? "");
        }
    }

    private void RunInline(LiveCall live, string twiml)
    {
        live.Application.Begin();
        _timers.Disarm(live.Call.Sid, CallTimer.Verb);
        var parsed = _twiml.Parse(twiml);
        if (!parsed.Success)
        {
            Notify(live, parsed.Error.Code, 0, parsed.Error.Message);
            Fire(live, CallTrigger.ApplicationError);
            return;
        }
        live.Application.Load(parsed.Document, null);
        RunVerbs(live);
    }

    private void Fetch(LiveCall live, string url, string method, bool isFallback, IReadOnlyList<KeyValuePair<string, string>> extra)
    {
        var generation = live.Application.Begin();
        _timers.Disarm(live.Call.Sid, CallTimer.Verb);
        var call = live.Call;
        var token = _s.Accounts.Find(call.AccountSid)?.AuthToken ?? "";
        var parameters = CallParameters.Voice(call);
        parameters.AddRange(extra);
        _ = Task.Run(async () =>
        {
            FetchOutcome outcome;
            try
            {
                outcome = await _s.Fetcher.FetchAsync(call, url, method, token, parameters, _stopping.Token);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                EngineLog.FetchCrashed(_s.Logger, call.Sid.Value, ex);
                outcome = new FetchOutcome(null, 11200, ex.Message, null);
            }
            Post(() => OnFetched(call.Sid, generation, url, isFallback, outcome));
        });
    }

    private void OnFetched(CallSid sid, int generation, string url, bool isFallback, FetchOutcome outcome)
    {
        if (!_calls.TryGetValue(sid, out var live) || live.Application.Generation != generation || live.Call.Status != CallStatus.InProgress)
        {
            return;
        }
        if (outcome.Document is { } document)
        {
            live.Application.Load(document, ConnectionOverrides.Split(url).Url);
            RunVerbs(live);
            return;
        }

        Notify(live, outcome.ErrorCode, 0, outcome.Error ?? "TwiML fetch failed", outcome.Response);
        var instructions = live.Call.Instructions;
        if (!isFallback && !live.Application.FallbackUsed && instructions.FallbackUrl is { } fallback)
        {
            // Twilio requests the fallback with ErrorCode and ErrorUrl added (availability-reliability docs).
            live.Application.FallbackUsed = true;
            Fetch(live, fallback, instructions.FallbackMethod, isFallback: true,
                [new("ErrorCode", outcome.ErrorCode.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("ErrorUrl", ConnectionOverrides.Split(url).Url)]);
            return;
        }
        Fire(live, CallTrigger.ApplicationError);
    }

    /// <summary>Runs verbs until one takes time, changes the call, or the document ends (the call then hangs up).</summary>
    private void RunVerbs(LiveCall live)
    {
        var app = live.Application;
        if (app.Document is not { } document || live.Call.Status != CallStatus.InProgress)
        {
            return;
        }
        while (app.Next < document.Verbs.Count)
        {
            var verb = document.Verbs[app.Next++];
            switch (verb)
            {
                case SayVerb say:
                    if (Wait(live, SayTime(say)))
                    {
                        return;
                    }
                    break;
                case PlayVerb play:
                    if (Wait(live, PlayTime(play)))
                    {
                        return;
                    }
                    break;
                case PauseVerb pause:
                    if (Wait(live, TimeSpan.FromSeconds(pause.Length)))
                    {
                        return;
                    }
                    break;
                case HangupVerb:
                case RejectVerb:
                    // <Reject> on a call that is already answered ends it like <Hangup> (docs/compatibility.md).
                    Fire(live, CallTrigger.TwimlHangup);
                    return;
                case RedirectVerb redirect:
                    if (Resolve(app.DocumentUrl, redirect.Url) is not { } target)
                    {
                        Notify(live, 11100, 0, $"Invalid <Redirect> URL '{redirect.Url}'");
                        Fire(live, CallTrigger.ApplicationError);
                        return;
                    }
                    live.Application.FallbackUsed = false;
                    Fetch(live, target, redirect.Method, isFallback: false, []);
                    return;
                case DialVerb dial:
                    if (live.Call.ParentCallSid is not null)
                    {
                        // DOC-NUMBER: a whisper may not <Dial>.
                        Notify(live, 12200, 0, "<Dial> is not allowed in the TwiML of a dialed party");
                        Fire(live, CallTrigger.ApplicationError);
                        return;
                    }
                    StartDial(live, dial);
                    return;
                case UnsupportedVerb unsupported:
                    Notify(live, 12200, 1, $"<{unsupported.Name}> is not supported by this server and was skipped");
                    break;
            }
        }
        if (live.Call.ParentCallSid is not null)
        {
            // The end of a whisper connects the dialed party; it does not hang up.
            Bridge(live);
            return;
        }
        Fire(live, CallTrigger.TwimlHangup);
    }

    private bool Wait(LiveCall live, TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return false;
        }
        _timers.Arm(live.Call.Sid, CallTimer.Verb, Now + duration);
        return true;
    }

    private TimeSpan SayTime(SayVerb say)
    {
        var o = _s.Simulation.Value;
        var words = say.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        var once = o.SayTimePerWord * words;
        if (once < o.MinimumSayTime)
        {
            once = o.MinimumSayTime;
        }
        return once * (say.Loop == 0 ? EndlessLoop : say.Loop);
    }

    private TimeSpan PlayTime(PlayVerb play)
    {
        var o = _s.Simulation.Value;
        if (!string.IsNullOrEmpty(play.Url))
        {
            return o.PlayTime * (play.Loop == 0 ? EndlessLoop : play.Loop);
        }
        var total = TimeSpan.Zero;
        foreach (var c in play.Digits ?? "")
        {
            total += c switch
            {
                'w' => TimeSpan.FromSeconds(0.5),
                'W' => TimeSpan.FromSeconds(1),
                _ => o.DigitTime,
            };
        }
        return total;
    }

    /// <summary>Resolves a verb's URL against the document it came from (relative URLs are allowed in TwiML).</summary>
    private static string? Resolve(string? documentUrl, string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttp || absolute.Scheme == Uri.UriSchemeHttps))
        {
            return absolute.ToString();
        }
        if (documentUrl is not null && Uri.TryCreate(new Uri(documentUrl), url, out var relative))
        {
            return relative.ToString();
        }
        return null;
    }

    private void Notify(LiveCall live, int code, int log, string message, WebhookResult? response = null) =>
        Submit(new StoreWrite
        {
            Notification = Notifications.For(live.Call.Sid, live.Call.AccountSid, Now, code, log, message, response),
        });
}
