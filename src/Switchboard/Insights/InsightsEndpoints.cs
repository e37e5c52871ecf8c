using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchboard.Api;
using Switchboard.Calls;
using Switchboard.Carriers;
using Switchboard.Storage;

namespace Switchboard.Insights;

/// <summary>
/// The status event stream, the analytics API, call summaries and the readiness check (README "Seeing calls").
/// </summary>
internal static class InsightsEndpoints
{
    /// <summary>Rows read per query while replaying; a stream catching up reads in pages of this size.</summary>
    private const int StreamPage = 500;

    // Proxies and load balancers close idle connections after 30–60 s; a comment line every 15 s keeps the stream open.
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static IEndpointRouteBuilder MapInsightsEndpoints(this IEndpointRouteBuilder app)
    {
        var accounts = app.MapGroup("/2010-04-01/Accounts/{AccountSid}").AddEndpointFilter<BasicAuthFilter>();
        // Three segments under Calls/, so it never matches Calls/{CallSid}.json.
        accounts.MapGet("/Calls/Events/Stream", StreamAsync);
        accounts.MapGet("/Insights/Calls/Metrics.json", MetricsAsync);
        accounts.MapGet("/Insights/Calls/{CallSid}/Summary.json", SummaryAsync);
        app.MapGet("/readyz", ReadyAsync);
        return app;
    }

    /// <summary>
    /// Server-sent events of every status change of the account's calls, <c>id:</c> = the row of the status
    /// event log. Resumes after <c>Last-Event-ID</c> (header, as EventSource sends it, or query parameter).
    /// </summary>
    private static async Task<IResult> StreamAsync(HttpContext http, ICallStore store, StatusEventFeed feed, IHostApplicationLifetime lifetime,
        ILogger<StatusEventFeed> logger)
    {
        var account = http.Account();
        var lastId = http.Request.Headers["Last-Event-ID"].ToString() is { Length: > 0 } header ? header : http.Request.Query["LastEventId"].ToString();
        long after = 0;
        if (lastId.Length > 0 && (!long.TryParse(lastId, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, "Last-Event-ID must be a sequence number from this stream");
        }
        // Streams never end by themselves: stop them when the server stops, not after its shutdown timeout.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var aborted = stop.Token;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        InsightsLog.StreamOpened(logger, account.Sid, after);
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            await response.Body.WriteAsync("retry: 1000\n\n"u8.ToArray(), aborted);
            await response.Body.FlushAsync(aborted);
            while (!aborted.IsCancellationRequested)
            {
                // Take the signal before reading: a commit after the read completes it, so nothing is slept through.
                var changed = feed.NextChange;
                var rows = await store.ListStatusEventsAsync(
                    new StatusEventQuery { AccountSid = account.Sid, AfterId = after, Limit = StreamPage }, aborted);
                if (rows.Count > 0)
                {
                    buffer.ResetWrittenCount();
                    foreach (var row in rows)
                    {
                        WriteEvent(buffer, row);
                        after = row.Id;
                    }
                    await response.Body.WriteAsync(buffer.WrittenMemory, aborted);
                    await response.Body.FlushAsync(aborted);
                    if (rows.Count == StreamPage)
                    {
                        continue;
                    }
                }
                try
                {
                    await changed.WaitAsync(KeepAlive, TimeProvider.System, aborted);
                }
                catch (TimeoutException)
                {
                    await response.Body.WriteAsync(": keep-alive\n\n"u8.ToArray(), aborted);
                    await response.Body.FlushAsync(aborted);
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
        catch (IOException) when (aborted.IsCancellationRequested)
        {
        }
        InsightsLog.StreamClosed(logger, account.Sid, after);
        return Results.Empty;
    }

    private static void WriteEvent(ArrayBufferWriter<byte> buffer, StatusEventRecord row)
    {
        buffer.Write(Encoding.UTF8.GetBytes($"id: {row.Id.ToString(CultureInfo.InvariantCulture)}\nevent: status\ndata: "));
        using (var json = new Utf8JsonWriter(buffer, JsonResult.Options))
        {
            InsightsJson.WriteStatusEvent(json, row);
        }
        buffer.Write("\n\n"u8);
    }

    /// <summary>
    /// Figures of the account's calls created in [<c>StartTime</c>, <c>EndTime</c>), optionally of one
    /// <c>Carrier</c> or <c>ToPrefix</c>, and <c>GroupBy=carrier</c> or <c>GroupBy=to_prefix</c>
    /// (<c>PrefixLength</c> characters of To, default 3).
    /// </summary>
    private static async Task<IResult> MetricsAsync(HttpContext http, ICallStore store)
    {
        var account = http.Account();
        var q = http.Request.Query;
        if (!TryTime(q["StartTime"], out var from) || !TryTime(q["EndTime"], out var before))
        {
            return TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, "StartTime and EndTime must be ISO 8601 times");
        }
        var groupBy = q["GroupBy"].ToString();
        if (groupBy is not ("" or "carrier" or "to_prefix"))
        {
            return TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, "GroupBy must be carrier or to_prefix");
        }
        var prefixLength = 3;
        if (q["PrefixLength"].ToString() is { Length: > 0 } length
            && (!int.TryParse(length, NumberStyles.None, CultureInfo.InvariantCulture, out prefixLength) || prefixLength is < 1 or > 16))
        {
            return TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, "PrefixLength must be between 1 and 16");
        }
        var query = new InsightsQuery
        {
            AccountSid = account.Sid,
            From = from,
            Before = before,
            Carrier = q["Carrier"].ToString() is { Length: > 0 } carrier ? carrier : null,
            ToPrefix = q["ToPrefix"].ToString() is { Length: > 0 } prefix ? prefix : null,
        };
        var calls = await store.ListCallFactsAsync(query, http.RequestAborted);
        var callbacks = await store.ListCallbackTimingsAsync(query, http.RequestAborted);
        var all = CallAnalytics.Compute(calls, callbacks);
        var perMinute = CallAnalytics.PerMinute(calls);

        List<(string Key, CallAnalytics Figures)> groups = [];
        if (groupBy.Length > 0)
        {
            Func<Call, string> keyOf = groupBy == "carrier"
                ? c => c.Carrier ?? "none"
                : c => c.To.Length <= prefixLength ? c.To : c.To[..prefixLength];
            var callbacksBySid = callbacks.ToLookup(c => c.CallSid);
            groups = [.. calls.GroupBy(c => keyOf(c.Call), StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => (g.Key, CallAnalytics.Compute([.. g], [.. g.SelectMany(c => callbacksBySid[c.Call.Sid])])))];
        }

        return new JsonResult(StatusCodes.Status200OK, json =>
        {
            json.WriteStartObject();
            json.WriteString("account_sid", account.Sid);
            WriteNullableTime(json, "start_time", from);
            WriteNullableTime(json, "end_time", before);
            WriteNullable(json, "carrier", query.Carrier);
            WriteNullable(json, "to_prefix", query.ToPrefix);
            InsightsJson.WriteAnalytics(json, all);
            InsightsJson.WritePerMinute(json, perMinute);
            if (groupBy.Length > 0)
            {
                json.WriteString("group_by", groupBy);
                json.WriteStartArray("groups");
                foreach (var (key, figures) in groups)
                {
                    json.WriteStartObject();
                    json.WriteString("key", key);
                    InsightsJson.WriteAnalytics(json, figures);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        });
    }

    private static void WriteNullableTime(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            json.WriteString(name, InsightsJson.Time(t));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            time = parsed;
            return true;
        }
        return false;
    }

    private static async Task<IResult> SummaryAsync(HttpContext http, string CallSid, ICallStore store)
    {
        var account = http.Account();
        if (!Calls.CallSid.TryParse(CallSid, out var sid))
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        var call = await store.GetCallAsync(sid, http.RequestAborted);
        if (call is null || call.AccountSid != account.Sid)
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        var timeline = await store.ListStatusEventsAsync(
            new StatusEventQuery { AccountSid = account.Sid, CallSid = sid, Limit = 1000 }, http.RequestAborted);
        var callbacks = await store.ListCallbacksAsync(sid, http.RequestAborted);
        var summary = new CallSummary
        {
            Call = call,
            RingingAt = timeline.FirstOrDefault(e => e.Status == CallStatus.Ringing)?.DateCreated,
            FinalCause = call.Status.IsFinal() ? timeline.LastOrDefault()?.Cause : null,
            Timeline = timeline,
            Callbacks = callbacks,
        };
        return new JsonResult(StatusCodes.Status200OK, json => InsightsJson.WriteSummary(json, summary));
    }

    /// <summary>Ready when start-up has finished, storage answers a query and at least one carrier can place calls.</summary>
    private static async Task<IResult> ReadyAsync(Readiness readiness, ICallStore store, CarrierRouter router, ILogger<StatusEventFeed> logger,
        CancellationToken cancellationToken)
    {
        var started = readiness.IsReady;
        var storage = "ok";
        try
        {
            await store.GetFirstAccountAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            InsightsLog.ReadinessFailed(logger, "storage", ex);
            storage = "failing";
        }
        var carriers = router.HasRoutes ? "ok" : "none";
        var ready = started && storage == "ok" && carriers == "ok";
        return new JsonResult(ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, json =>
        {
            json.WriteStartObject();
            json.WriteString("status", ready ? "ready" : "not-ready");
            json.WriteString("startup", started ? "ok" : "starting");
            json.WriteString("storage", storage);
            json.WriteString("carriers", carriers);
            json.WriteEndObject();
        });
    }
}
