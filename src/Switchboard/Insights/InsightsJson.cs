using System.Globalization;
using System.Text.Json;
using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Insights;

/// <summary>Wire shapes of the insights endpoints. Times are ISO 8601 UTC; durations are seconds unless named <c>_ms</c>.</summary>
internal static class InsightsJson
{
    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Time(Utf8JsonWriter json, string name, DateTimeOffset? time)
    {
        if (time is { } t)
        {
            json.WriteString(name, Time(t));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void Number(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void Text(Utf8JsonWriter json, string name, string? value)
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

    /// <summary>One status event: the data of an event-stream message.</summary>
    public static void WriteStatusEvent(Utf8JsonWriter json, StatusEventRecord e)
    {
        json.WriteStartObject();
        json.WriteNumber("sequence", e.Id);
        json.WriteString("account_sid", e.AccountSid);
        json.WriteString("call_sid", e.CallSid.Value);
        Text(json, "parent_call_sid", e.ParentCallSid?.Value);
        json.WriteString("status", e.Status.ToWire());
        Text(json, "previous_status", e.PreviousStatus?.ToWire());
        json.WriteString("timestamp", Time(e.DateCreated));
        Text(json, "cause", e.Cause);
        Text(json, "to", e.To);
        Text(json, "from", e.From);
        Text(json, "direction", e.Direction);
        Text(json, "carrier", e.Carrier);
        json.WriteEndObject();
    }

    public static void WriteAnalytics(Utf8JsonWriter json, CallAnalytics a)
    {
        json.WriteNumber("calls", a.Calls);
        json.WriteNumber("in_flight", a.InFlight);
        json.WriteStartObject("by_status");
        foreach (var (status, count) in a.ByStatus.OrderBy(p => p.Key))
        {
            json.WriteNumber(status.ToWire(), count);
        }
        json.WriteEndObject();
        json.WriteNumber("seizures", a.Seizures);
        json.WriteNumber("answered", a.Answered);
        Number(json, "answer_seizure_ratio", a.AnswerSeizureRatio);
        Number(json, "average_duration", a.AverageDuration);
        WriteDistribution(json, "post_dial_delay", a.PostDialDelay);
        WriteDistribution(json, "time_to_answer", a.TimeToAnswer);
        WriteDistribution(json, "ring_time", a.RingTime);
        WriteDistribution(json, "callback_latency", a.CallbackLatency);
        json.WriteStartObject("callbacks");
        json.WriteNumber("delivered", a.CallbacksDelivered);
        json.WriteNumber("pending", a.CallbacksPending);
        json.WriteNumber("dead_lettered", a.CallbacksDeadLettered);
        json.WriteEndObject();
    }

    private static void WriteDistribution(Utf8JsonWriter json, string name, Distribution d)
    {
        json.WriteStartObject(name);
        json.WriteNumber("count", d.Count);
        Number(json, "average", d.Average);
        Number(json, "min", d.Min);
        Number(json, "max", d.Max);
        Number(json, "p50", d.P50);
        Number(json, "p95", d.P95);
        json.WriteStartArray("histogram");
        for (var i = 0; i < d.Buckets.Length; i++)
        {
            json.WriteStartObject();
            Number(json, "le", i < Distribution.Bounds.Length ? Distribution.Bounds[i] : null);
            json.WriteNumber("count", d.Buckets[i]);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WritePerMinute(Utf8JsonWriter json, IReadOnlyList<(DateTimeOffset Minute, IReadOnlyDictionary<string, int> Counts)> minutes)
    {
        json.WriteStartArray("calls_per_minute");
        foreach (var (minute, counts) in minutes)
        {
            json.WriteStartObject();
            json.WriteString("minute", Time(minute));
            foreach (var (status, count) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteNumber(status, count);
            }
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

    public static void WriteSummary(Utf8JsonWriter json, CallSummary s)
    {
        var call = s.Call;
        json.WriteStartObject();
        json.WriteString("account_sid", call.AccountSid);
        json.WriteString("call_sid", call.Sid.Value);
        Text(json, "parent_call_sid", call.ParentCallSid?.Value);
        json.WriteString("call_type", "carrier");
        json.WriteString("call_state", call.Status.ToWire());
        json.WriteString("processing_state", call.Status.IsFinal() ? "complete" : "partial");
        Time(json, "created_time", call.DateCreated);
        Time(json, "start_time", call.State.StartTime);
        Time(json, "answer_time", call.State.AnswerTime);
        Time(json, "end_time", call.State.EndTime);
        Number(json, "duration", s.Duration);
        Number(json, "connect_duration", s.ConnectDuration);
        json.WriteStartObject("from");
        json.WriteString("caller", call.From);
        json.WriteEndObject();
        json.WriteStartObject("to");
        json.WriteString("callee", call.To);
        json.WriteEndObject();
        Text(json, "carrier", call.Carrier);
        json.WriteStartObject("properties");
        json.WriteString("direction", call.Direction);
        json.WriteString("disconnected_by", s.DisconnectedBy);
        json.WriteString("disposition", s.Disposition);
        Number(json, "last_sip_response_num", call.State.SipResponseCode);
        Number(json, "pdd_ms", s.PostDialDelayMs);
        Number(json, "ring_time_ms", s.RingTimeMs);
        Number(json, "time_to_answer_ms", s.TimeToAnswerMs);
        json.WriteNumber("queue_time", call.QueueTime);
        Text(json, "answered_by", call.AnsweredBy);
        Text(json, "end_cause", s.FinalCause);
        json.WriteEndObject();
        json.WriteStartArray("timeline");
        foreach (var e in s.Timeline)
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", e.Id);
            json.WriteString("status", e.Status.ToWire());
            Text(json, "previous_status", e.PreviousStatus?.ToWire());
            json.WriteString("timestamp", Time(e.DateCreated));
            Text(json, "cause", e.Cause);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("callbacks");
        foreach (var c in s.Callbacks)
        {
            json.WriteStartObject();
            json.WriteNumber("sequence_number", c.SequenceNumber);
            json.WriteString("url", c.Url);
            json.WriteString("method", c.Method);
            json.WriteString("state", c.State switch
            {
                CallbackState.Delivered => "delivered",
                CallbackState.DeadLettered => "dead-lettered",
                _ => "pending",
            });
            json.WriteNumber("attempts", c.Attempts);
            json.WriteString("created_time", Time(c.CreatedAt));
            Time(json, "delivered_time", c.State == CallbackState.Delivered ? c.NextAttemptAt : null);
            Text(json, "last_error", c.LastError);
            Text(json, "call_status", FormValue(c.Body, "CallStatus"));
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string? FormValue(string body, string name)
    {
        foreach (var pair in body.Split('&'))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && pair.AsSpan(0, eq).SequenceEqual(name))
            {
                return Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            }
        }
        return null;
    }

    /// <summary>A call in flight as the dashboard shows it.</summary>
    public static void WriteLiveCall(Utf8JsonWriter json, Call call)
    {
        json.WriteStartObject();
        json.WriteString("sid", call.Sid.Value);
        Text(json, "parent", call.ParentCallSid?.Value);
        json.WriteString("to", call.To);
        json.WriteString("from", call.From);
        json.WriteString("direction", call.Direction);
        Text(json, "carrier", call.Carrier);
        json.WriteString("status", call.Status.ToWire());
        // A call in the read model last changed with a status change, so date_updated is when it entered this status.
        json.WriteNumber("since", call.DateUpdated.ToUnixTimeMilliseconds());
        json.WriteNumber("created", call.DateCreated.ToUnixTimeMilliseconds());
        json.WriteEndObject();
    }
}
