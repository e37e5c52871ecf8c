using System.Globalization;
using Switchboard.Callbacks;
using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// A call's status callbacks with their delivery state, and their replay (docs/callbacks.md). Shaped like
/// the Calls sub-resources: <c>.json</c> paths under the account, Basic auth, Twilio's list envelope.
/// </summary>
internal static class CallbacksEndpoints
{
    // One replay request queues at most this many callbacks, so one request cannot hold the writer for
    // long; a larger backlog is replayed by repeating the request (the replayed ones leave the dead-letter list).
    public const int MaxReplay = 10_000;

    public static IEndpointRouteBuilder MapCallbacksEndpoints(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/2010-04-01/Accounts/{AccountSid}").AddEndpointFilter<BasicAuthFilter>();
        accounts.MapGet("/Calls/{CallSid}/Callbacks.json", ListOfCallAsync);
        accounts.MapGet("/Calls/{CallSid}/Callbacks/{SequenceNumber:int}.json", FetchAsync);
        accounts.MapPost("/Calls/{CallSid}/Callbacks/{SequenceNumber:int}/Replay.json", ReplayOneAsync);
        accounts.MapPost("/Calls/{CallSid}/Callbacks/Replay.json", ReplayCallAsync);
        accounts.MapGet("/Callbacks.json", ListOfAccountAsync);
        accounts.MapPost("/Callbacks/Replay.json", ReplayRangeAsync);
        return app;
    }

    private static async Task<IResult> ListOfCallAsync(HttpContext http, string CallSid, ICallStore store)
    {
        if (await FindCallAsync(http, CallSid, store) is not { } sid)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        var (page, pageSize, token, error) = ListQuery.Paging(http.Request.Query);
        if (error is not null)
        {
            return error;
        }
        var all = await store.ListCallbacksAsync(sid, http.RequestAborted);
        var offset = PageEnvelope.OffsetOf(token, page, pageSize);
        return PageEnvelope.OffsetPage(http, page, pageSize, token, offset, all.Skip(offset).Take(pageSize + 1).ToList(), "callbacks", CallbackJson.Write);
    }

    private static async Task<IResult> FetchAsync(HttpContext http, string CallSid, int SequenceNumber, ICallStore store)
    {
        if (await FindCallbackAsync(http, CallSid, SequenceNumber, store) is not { } entry)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        return new JsonResult(StatusCodes.Status200OK, json => CallbackJson.Write(json, entry));
    }

    private static async Task<IResult> ReplayOneAsync(HttpContext http, string CallSid, int SequenceNumber, ICallStore store,
        CallbackDispatcher dispatcher)
    {
        if (await FindCallbackAsync(http, CallSid, SequenceNumber, store) is not { } entry)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        var outcome = await dispatcher.ReplayAsync([entry], http.RequestAborted);
        var shown = outcome.Replayed.Count > 0 ? outcome.Replayed[0] : entry with { State = CallbackState.Pending };
        return new JsonResult(StatusCodes.Status200OK, json => CallbackJson.Write(json, shown));
    }

    private static async Task<IResult> ReplayCallAsync(HttpContext http, string CallSid, ICallStore store, CallbackDispatcher dispatcher)
    {
        if (await FindCallAsync(http, CallSid, store) is not { } sid)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        var entries = await store.ListCallbacksAsync(sid, http.RequestAborted);
        var outcome = await dispatcher.ReplayAsync(entries, http.RequestAborted);
        return Replayed(http, outcome);
    }

    private static async Task<IResult> ListOfAccountAsync(HttpContext http, ICallStore store)
    {
        var query = http.Request.Query;
        var (page, pageSize, token, error) = ListQuery.Paging(query);
        if (error is not null)
        {
            return error;
        }
        var (state, from, before, filterError) = Filters(key => query.TryGetValue(key, out var v) ? v.ToString() : null, allowAnyState: true);
        if (filterError is not null)
        {
            return filterError;
        }
        var offset = PageEnvelope.OffsetOf(token, page, pageSize);
        var rows = await store.ListCallbacksAsync(http.Account().Sid, state, from, before, offset, pageSize + 1, http.RequestAborted);
        return PageEnvelope.OffsetPage(http, page, pageSize, token, offset, rows, "callbacks", CallbackJson.Write);
    }

    private static async Task<IResult> ReplayRangeAsync(HttpContext http, ICallStore store, CallbackDispatcher dispatcher)
    {
        var (form, formError) = await FormReader.ReadAsync(http.Request, http.RequestAborted);
        if (formError is not null)
        {
            return formError;
        }
        var (state, from, before, error) = Filters(key => form!.TryGetValue(key, out var v) ? v.ToString() : null, allowAnyState: false);
        if (error is not null)
        {
            return error;
        }
        var entries = await store.ListCallbacksAsync(http.Account().Sid, state, from, before, 0, MaxReplay, http.RequestAborted);
        var outcome = await dispatcher.ReplayAsync(entries, http.RequestAborted);
        return Replayed(http, outcome);
    }

    /// <summary>
    /// <c>State</c> (default <c>dead-lettered</c>), <c>DateCreatedAfter</c> (on or after) and <c>DateCreatedBefore</c>
    /// (before), as ISO 8601 or <c>YYYY-MM-DD</c>. A range replay takes dead-lettered callbacks only: pending ones are
    /// being delivered, and redelivering every delivered callback of an account is not something to do by accident.
    /// </summary>
    private static (CallbackState State, DateTimeOffset? From, DateTimeOffset? Before, IResult? Error) Filters(
        Func<string, string?> get, bool allowAnyState)
    {
        var state = CallbackState.DeadLettered;
        if (get("State") is { Length: > 0 } stateText
            && (!CallbackJson.TryParseState(stateText, out state) || (!allowAnyState && state != CallbackState.DeadLettered)))
        {
            return (default, null, null, TwilioErrors.BadRequest(TwilioErrors.InvalidRequest,
                allowAnyState ? $"Invalid State: {stateText} (pending, delivered or dead-lettered)" : $"Invalid State: {stateText} (only dead-lettered callbacks are replayed by range)"));
        }
        DateTimeOffset? from = null, before = null;
        foreach (var (key, isFrom) in new[] { ("DateCreatedAfter", true), ("DateCreatedBefore", false) })
        {
            if (get(key) is not { Length: > 0 } text)
            {
                continue;
            }
            if (!ListQuery.TryParseDate(text, out var time, out _))
            {
                return (default, null, null, TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, $"Invalid {key}: {text} (expected ISO 8601 or YYYY-MM-DD)"));
            }
            if (isFrom)
            {
                from = time;
            }
            else
            {
                before = time;
            }
        }
        return (state, from, before, null);
    }

    private static IResult Replayed(HttpContext http, ReplayOutcome outcome)
    {
        var account = http.Account().Sid;
        return new JsonResult(StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("account_sid", account);
            json.WriteNumber("replayed", outcome.Replayed.Count);
            json.WriteNumber("already_pending", outcome.AlreadyPending);
            json.WriteStartArray("callbacks");
            foreach (var entry in outcome.Replayed)
            {
                CallbackJson.Write(json, entry);
            }
            json.WriteEndArray();
            json.WriteEndObject();
        });
    }


    private static async Task<CallSid?> FindCallAsync(HttpContext http, string callSid, ICallStore store)
    {
        if (!CallSid.TryParse(callSid, out var sid))
        {
            return null;
        }
        var call = await store.GetCallAsync(sid, http.RequestAborted);
        return call is not null && call.AccountSid == http.Account().Sid ? sid : null;
    }

    private static async Task<OutboxEntry?> FindCallbackAsync(HttpContext http, string callSid, int sequenceNumber, ICallStore store)
    {
        if (await FindCallAsync(http, callSid, store) is not { } sid)
        {
            return null;
        }
        var all = await store.ListCallbacksAsync(sid, http.RequestAborted);
        return all.FirstOrDefault(e => e.SequenceNumber == sequenceNumber);
    }
}
