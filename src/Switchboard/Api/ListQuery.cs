using System.Globalization;
using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>Parses List Calls' query (reference §5.1) into a <see cref="CallQuery"/> and its page envelope.</summary>
internal static class ListQuery
{
    private static readonly HashSet<string> PagingKeys = new(StringComparer.Ordinal) { "PageSize", "Page", "PageToken" };

    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFF",
    ];

    public static (int Page, int PageSize, string? Token, IResult? Error) Paging(IQueryCollection query)
    {
        var pageSize = 50;
        if (query.TryGetValue("PageSize", out var ps) && ps.ToString() is { Length: > 0 } psText)
        {
            if (!int.TryParse(psText, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) && !long.TryParse(psText, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return (0, 0, null, TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, $"Invalid PageSize: {psText}"));
            }
            // The SDKs send PageSize = limit without capping it: clamp rather than refuse (reference §5.1).
            pageSize = pageSize <= 0 && psText.Length > 9 ? 1000 : Math.Clamp(pageSize, 1, 1000);
        }
        var page = 0;
        if (query.TryGetValue("Page", out var p) && p.ToString() is { Length: > 0 } pText
            && !int.TryParse(pText, NumberStyles.None, CultureInfo.InvariantCulture, out page))
        {
            return (0, 0, null, TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, $"Invalid Page: {pText}"));
        }
        var token = query.TryGetValue("PageToken", out var t) && t.ToString() is { Length: > 0 } tText ? tText : null;
        return (page, pageSize, token, null);
    }

    public static List<KeyValuePair<string, string>> Filters(IQueryCollection query) =>
        query.Where(q => !PagingKeys.Contains(q.Key)).Select(q => new KeyValuePair<string, string>(q.Key, q.Value.ToString())).ToList();

    public static (CallQuery? Query, IResult? Error) Calls(IQueryCollection query, string accountSid, int page, int pageSize, string? token)
    {
        var q = new CallQuery { AccountSid = accountSid, PageSize = pageSize + 1, Offset = page * pageSize };
        if (Get(query, "To") is { } to)
        {
            q = q with { To = PhoneNumbers.TryNormalize(to, out var n) ? n : to };
        }
        if (Get(query, "From") is { } from)
        {
            q = q with { From = PhoneNumbers.TryNormalize(from, out var n) ? n : from };
        }
        if (Get(query, "ParentCallSid") is { } parent)
        {
            if (!CallSid.TryParse(parent, out var parentSid))
            {
                return (null, TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, $"Invalid ParentCallSid: {parent}"));
            }
            q = q with { ParentCallSid = parentSid };
        }
        if (Get(query, "Status") is { } status)
        {
            if (!CallStatusNames.TryParse(status, out var parsed) || parsed == CallStatus.Initiated)
            {
                return (null, TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, $"Invalid Status: {status}"));
            }
            // The resource reads "queued" while a call is being dialed (CallStatusNames.ToResource).
            q = q with { Statuses = parsed == CallStatus.Queued ? ["queued", "initiated"] : [parsed.ToWire()] };
        }
        foreach (var field in new[] { "StartTime", "EndTime" })
        {
            if (DateRange(query, field, out var rangeStart, out var before) is { } dateError)
            {
                return (null, dateError);
            }
            q = field == "StartTime" ? q with { StartTimeFrom = rangeStart, StartTimeBefore = before } : q with { EndTimeFrom = rangeStart, EndTimeBefore = before };
        }
        if (token is not null)
        {
            if (token.Length == 36 && (token.StartsWith("PA", StringComparison.Ordinal) || token.StartsWith("PB", StringComparison.Ordinal))
                && CallSid.TryParse(token[2..], out var cursor))
            {
                q = q with { Cursor = cursor, Backward = token[1] == 'B' };
            }
            else
            {
                return (null, TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, $"Invalid PageToken: {token}"));
            }
        }
        return (q, null);
    }

    /// <summary>List Call Notifications' filters: <c>Log</c> (0 errors, 1 warnings) and <c>MessageDate</c> as the Calls list reads its dates.</summary>
    public static (NotificationQuery? Query, IResult? Error) Notifications(IQueryCollection query)
    {
        int? log = null;
        if (Get(query, "Log") is { } logText)
        {
            if (logText is not ("0" or "1"))
            {
                return (null, TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, $"Invalid Log: {logText} (0 for errors, 1 for warnings)"));
            }
            log = logText[0] - '0';
        }
        if (DateRange(query, "MessageDate", out var from, out var before) is { } dateError)
        {
            return (null, dateError);
        }
        return (log is null && from is null && before is null ? NotificationQuery.All : new NotificationQuery { Log = log, From = from, Before = before }, null);
    }

    /// <summary>List Call Recordings' filters (<c>DateCreated</c> and its forms), checked; null when they are valid.</summary>
    public static IResult? RecordingFilters(IQueryCollection query) => DateRange(query, "DateCreated", out _, out _);

    /// <summary>
    /// A date filter and its <c>&lt;</c>/<c>&gt;</c> forms: <c>field=</c> matches that whole UTC day (also when the SDKs send a
    /// full timestamp); <c>field&gt;</c> is from the instant given, <c>field&lt;</c> before it.
    /// </summary>
    private static IResult? DateRange(IQueryCollection query, string field, out DateTimeOffset? from, out DateTimeOffset? before)
    {
        from = null;
        before = null;
        if (Get(query, field) is { } exact)
        {
            if (!TryParseDate(exact, out var day, out _))
            {
                return BadDate(field, exact);
            }
            from = new DateTimeOffset(day.UtcDateTime.Date, TimeSpan.Zero);
            before = from.Value.AddDays(1);
        }
        if (Get(query, field + ">") is { } after)
        {
            if (!TryParseDate(after, out var t, out _))
            {
                return BadDate(field + ">", after);
            }
            from = t;
        }
        if (Get(query, field + "<") is { } until)
        {
            if (!TryParseDate(until, out var t, out _))
            {
                return BadDate(field + "<", until);
            }
            before = t;
        }
        return null;
    }

    private static IResult BadDate(string field, string value) =>
        TwilioErrors.BadRequest(TwilioErrors.InvalidRequest, $"Invalid {field}: {value} (expected YYYY-MM-DD)");

    internal static bool TryParseDate(string text, out DateTimeOffset value, out bool dateOnly)
    {
        dateOnly = text.Length == 10;
        if (DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    private static string? Get(IQueryCollection query, string key) =>
        query.TryGetValue(key, out var v) && v.ToString() is { Length: > 0 } s ? s : null;
}
