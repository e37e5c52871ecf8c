using System.Globalization;
using Microsoft.Extensions.Options;
using Switchboard.Callbacks;
using Switchboard.Calls;
using Switchboard.Calls.Engine;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>The Calls resource of the 2010-04-01 API (reference §2–7).</summary>
internal static class CallsEndpoints
{
    public static IEndpointRouteBuilder MapCallsEndpoints(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/2010-04-01/Accounts/{AccountSid}").AddEndpointFilter<BasicAuthFilter>();
        accounts.MapPost("/Calls.json", CreateAsync);
        accounts.MapGet("/Calls.json", ListAsync);
        accounts.MapGet("/Calls/{CallSid}.json", FetchAsync);
        accounts.MapPost("/Calls/{CallSid}.json", UpdateAsync);
        accounts.MapDelete("/Calls/{CallSid}.json", DeleteAsync);
        accounts.MapGet("/Calls/{CallSid}/Events.json", ListEventsAsync);
        accounts.MapGet("/Calls/{CallSid}/Notifications.json", ListNotificationsAsync);
        accounts.MapGet("/Calls/{CallSid}/Notifications/{Sid}.json", FetchNotificationAsync);
        accounts.MapGet("/Calls/{CallSid}/Recordings.json", ListRecordingsAsync);
        // Anything else under the API is Twilio's 404, not an HTML page; under an account, only once authenticated (401 first).
        accounts.Map("/{**rest}", (HttpContext http) => TwilioErrors.NotFoundAt(http.Request.Path));
        app.Map("/2010-04-01/{**rest}", (HttpContext http) => TwilioErrors.NotFoundAt(http.Request.Path));
        return app;
    }

    private static async Task<IResult> CreateAsync(HttpContext http, CallEngine engine, StoreWriter writer, TimeProvider time,
        IOptions<CallOptions> options)
    {
        var started = time.GetTimestamp();
        var account = http.Account();
        var (form, formError) = await FormReader.ReadAsync(http.Request, http.RequestAborted);
        if (formError is not null)
        {
            return formError;
        }
        var (request, invalidEvents, error) = CallForms.ParseCreate(form!, account.Sid, options.Value);
        if (error is not null)
        {
            return error;
        }
        var parameters = RequestParameters(form!);
        request = request! with
        {
            RequestEvent = new CallEventRecord
            {
                CallSid = default,
                AccountSid = account.Sid,
                DateCreated = time.GetUtcNow(),
                Method = "POST",
                Url = $"{http.Request.Scheme}://{http.Request.Host}{http.Request.Path}",
                Parameters = parameters,
                ResponseCode = StatusCodes.Status201Created,
                RequestDurationMs = (long)time.GetElapsedTime(started).TotalMilliseconds,
                ContentType = "application/json",
            },
        };
        var call = await engine.CreateAsync(request);
        if (invalidEvents)
        {
            await writer.SubmitAndWaitAsync(new StoreWrite
            {
                Notification = Notifications.For(call.Sid, account.Sid, time.GetUtcNow(), TwilioErrors.InvalidStatusCallbackEvent, 1,
                    $"Invalid 'StatusCallbackEvent': {form!["StatusCallbackEvent"]}; no status callbacks will be sent for this call"),
                Committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
            });
        }
        return new JsonResult(StatusCodes.Status201Created, json => CallJson.Write(json, call));
    }

    /// <summary>The form's fields, a pair per value, for the create request's event (in plain loops: this runs on every create).</summary>
    private static List<KeyValuePair<string, string>> RequestParameters(IFormCollection form)
    {
        var parameters = new List<KeyValuePair<string, string>>(form.Count);
        foreach (var (key, values) in form)
        {
            foreach (var value in values)
            {
                parameters.Add(new(key, value ?? ""));
            }
        }
        return parameters;
    }

    private static async Task<IResult> FetchAsync(HttpContext http, string CallSid, ICallStore store)
    {
        if (await FindAsync(http, CallSid, store) is not { } call)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        return new JsonResult(StatusCodes.Status200OK, json => CallJson.Write(json, call));
    }

    private static async Task<IResult> ListAsync(HttpContext http, ICallStore store)
    {
        var query = http.Request.Query;
        var (page, pageSize, token, pagingError) = ListQuery.Paging(query);
        if (pagingError is not null)
        {
            return pagingError;
        }
        var (callQuery, error) = ListQuery.Calls(query, http.Account().Sid, page, pageSize, token);
        if (error is not null)
        {
            return error;
        }
        var rows = await store.ListCallsAsync(callQuery!, http.RequestAborted);
        var hasMore = rows.Count > pageSize;
        var calls = callQuery!.Backward ? rows.Skip(rows.Count > pageSize ? 1 : 0).ToList() : rows.Take(pageSize).ToList();
        if (callQuery.Backward)
        {
            hasMore = true;
        }
        var envelope = new PageEnvelope
        {
            Path = http.Request.Path,
            Filters = ListQuery.Filters(query),
            Page = page,
            PageSize = pageSize,
            PageToken = token,
            NextToken = hasMore && calls.Count > 0 ? "PA" + calls[^1].Sid.Value : null,
            PreviousToken = calls.Count > 0 ? "PB" + calls[0].Sid.Value : null,
        };
        return new JsonResult(StatusCodes.Status200OK, json => envelope.Write(json, "calls", calls, CallJson.Write));
    }

    private static async Task<IResult> UpdateAsync(HttpContext http, string CallSid, CallEngine engine, ICallStore store)
    {
        var account = http.Account();
        if (!Calls.CallSid.TryParse(CallSid, out var sid))
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        var (form, formError) = await FormReader.ReadAsync(http.Request, http.RequestAborted);
        if (formError is not null)
        {
            return formError;
        }
        var (update, error) = CallForms.ParseUpdate(form!);
        if (error is not null)
        {
            return error;
        }
        if (await engine.UpdateAsync(account.Sid, sid, update!) is { } updated)
        {
            return new JsonResult(StatusCodes.Status200OK, json => CallJson.Write(json, updated));
        }
        if (await FindAsync(http, CallSid, store) is null)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        // DOC-ERR-21220: a real-time operation on a call that is not in progress (reference §4).
        return TwilioErrors.BadRequest(TwilioErrors.InvalidCallState, "Call is not in-progress. Cannot redirect.");
    }

    private static async Task<IResult> DeleteAsync(HttpContext http, string CallSid, CallEngine engine, ICallStore store, StoreWriter writer)
    {
        if (await FindAsync(http, CallSid, store) is not { } call)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        if (!call.Status.IsFinal() || await engine.IsLiveAsync(call.Sid))
        {
            return TwilioErrors.BadRequest(TwilioErrors.NotComplete, "Cannot delete this resource before it is complete");
        }
        await writer.SubmitAndWaitAsync(new StoreWrite
        {
            DeleteCall = call.Sid,
            Committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
        });
        return Results.NoContent();
    }

    private static async Task<IResult> ListEventsAsync(HttpContext http, string CallSid, ICallStore store)
    {
        if (await FindAsync(http, CallSid, store) is not { } call)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        var (page, pageSize, token, error) = ListQuery.Paging(http.Request.Query);
        if (error is not null)
        {
            return error;
        }
        var offset = PageEnvelope.OffsetOf(token, page, pageSize);
        var rows = await store.ListEventsAsync(call.Sid, offset, pageSize + 1, http.RequestAborted);
        return PageEnvelope.OffsetPage(http, page, pageSize, token, offset, rows, "events", CallJson.WriteEvent);
    }

    /// <summary>
    /// A call's recordings: none, ever (there is no media to record; docs/compatibility.md), so a page without records,
    /// as Twilio answers for a call that recorded nothing. The filters are checked as Twilio's are.
    /// </summary>
    private static async Task<IResult> ListRecordingsAsync(HttpContext http, string CallSid, ICallStore store)
    {
        if (await FindAsync(http, CallSid, store) is null)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        var (page, pageSize, token, error) = ListQuery.Paging(http.Request.Query);
        if ((error ?? ListQuery.RecordingFilters(http.Request.Query)) is { } invalid)
        {
            return invalid;
        }
        var offset = PageEnvelope.OffsetOf(token, page, pageSize);
        return PageEnvelope.OffsetPage(http, page, pageSize, token, offset, Array.Empty<object>(), "recordings", static (_, _) => { });
    }

    private static async Task<IResult> ListNotificationsAsync(HttpContext http, string CallSid, ICallStore store)
    {
        if (await FindAsync(http, CallSid, store) is not { } call)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        var (page, pageSize, token, error) = ListQuery.Paging(http.Request.Query);
        if (error is not null)
        {
            return error;
        }
        var (filter, filterError) = ListQuery.Notifications(http.Request.Query);
        if (filter is null)
        {
            return filterError!;
        }
        var offset = PageEnvelope.OffsetOf(token, page, pageSize);
        var rows = await store.ListNotificationsAsync(call.Sid, filter, offset, pageSize + 1, http.RequestAborted);
        return PageEnvelope.OffsetPage(http, page, pageSize, token, offset, rows, "notifications", (j, n) => CallJson.WriteNotification(j, n, instance: false));
    }

    private static async Task<IResult> FetchNotificationAsync(HttpContext http, string CallSid, string Sid, ICallStore store)
    {
        if (await FindAsync(http, CallSid, store) is not { } call
            || await store.GetNotificationAsync(Sid, http.RequestAborted) is not { } notification
            || notification.CallSid != call.Sid)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        return new JsonResult(StatusCodes.Status200OK, json => CallJson.WriteNotification(json, notification, instance: true));
    }

    /// <summary>The account's call with this SID, or null (unknown, malformed, or another account's: all 20404).</summary>
    private static async Task<Call?> FindAsync(HttpContext http, string callSid, ICallStore store)
    {
        if (!Calls.CallSid.TryParse(callSid, out var sid))
        {
            return null;
        }
        var call = await store.GetCallAsync(sid, http.RequestAborted);
        return call is not null && call.AccountSid == http.Account().Sid ? call : null;
    }
}
