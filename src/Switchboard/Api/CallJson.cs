using System.Globalization;
using System.Text.Json;
using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>The Call resource as Twilio writes it (reference §6; OAI <c>api.v2010.account.call</c>).</summary>
internal static class CallJson
{
    private static readonly string[] SubresourceNames =
    [
        "notifications", "recordings", "payments", "events", "siprec", "streams", "transcriptions",
        "user_defined_message_subscriptions", "user_defined_messages",
    ];

    private static readonly string[] SubresourcePaths =
    [
        "Notifications", "Recordings", "Payments", "Events", "Siprec", "Streams", "Transcriptions",
        "UserDefinedMessageSubscriptions", "UserDefinedMessages",
    ];

    public static void Write(Utf8JsonWriter json, Call call)
    {
        var s = call.State;
        var final = s.Status.IsFinal();
        json.WriteStartObject();
        json.WriteString("account_sid", call.AccountSid);
        WriteNullable(json, "answered_by", call.AnsweredBy);
        json.WriteString("api_version", "2010-04-01");
        json.WriteNull("caller_name");
        Rfc2822.Write(json, "date_created", call.DateCreated);
        Rfc2822.Write(json, "date_updated", call.DateUpdated);
        json.WriteString("direction", call.Direction);
        // Duration is the connected time, set once the call has ended (reference §8.3).
        WriteNullable(json, "duration", final && s.StartTime is not null ? s.Duration.ToString(CultureInfo.InvariantCulture) : null);
        Rfc2822.Write(json, "end_time", s.EndTime);
        json.WriteNull("forwarded_from");
        json.WriteString("from", call.From);
        Span<char> formatted = stackalloc char[PhoneNumbers.FormattedNanpLength];
        json.WriteString("from_formatted", PhoneNumbers.Format(call.From, formatted));
        json.WriteNull("group_sid");
        WriteNullable(json, "parent_call_sid", call.ParentCallSid?.Value);
        json.WriteNull("phone_number_sid");
        // No billing here: a completed call costs nothing (docs/compatibility.md).
        WriteNullable(json, "price", final ? "0.00000" : null);
        json.WriteString("price_unit", "USD");
        Span<char> number = stackalloc char[20];
        json.WriteString("queue_time", call.QueueTime.TryFormat(number, out var digits, provider: CultureInfo.InvariantCulture) ? number[..digits] : call.QueueTime.ToString(CultureInfo.InvariantCulture));
        json.WriteString("sid", call.Sid.Value);
        Rfc2822.Write(json, "start_time", s.StartTime);
        json.WriteString("status", s.Status.ToResource());
        json.WriteStartObject("subresource_uris");
        // Each URI is the call's path and a subresource's name, written from one buffer rather than made a string each.
        const string apiPrefix = "/2010-04-01/Accounts/";
        const string calls = "/Calls/";
        var pathLength = apiPrefix.Length + call.AccountSid.Length + calls.Length + call.Sid.Value.Length;
        // Room for the longest subresource ("/UserDefinedMessageSubscriptions.json"); SIDs are 34 characters.
        var uri = pathLength <= 256 ? stackalloc char[pathLength + 64] : new char[pathLength + 64];
        apiPrefix.CopyTo(uri);
        call.AccountSid.CopyTo(uri[apiPrefix.Length..]);
        calls.CopyTo(uri[(apiPrefix.Length + call.AccountSid.Length)..]);
        call.Sid.Value.CopyTo(uri[(pathLength - call.Sid.Value.Length)..]);
        uri[pathLength] = '/';
        for (var i = 0; i < SubresourceNames.Length; i++)
        {
            var length = pathLength + 1;
            SubresourcePaths[i].CopyTo(uri[length..]);
            length += SubresourcePaths[i].Length;
            ".json".CopyTo(uri[length..]);
            json.WriteString(SubresourceNames[i], uri[..(length + 5)]);
        }
        json.WriteEndObject();
        json.WriteString("to", call.To);
        json.WriteString("to_formatted", PhoneNumbers.Format(call.To, formatted));
        WriteNullable(json, "trunk_sid", call.TrunkSid);
        ".json".CopyTo(uri[pathLength..]);
        json.WriteString("uri", uri[..(pathLength + 5)]);
        json.WriteNull("stir_verstat");
        json.WriteEndObject();
    }

    public static void WriteEvent(Utf8JsonWriter json, CallEventRecord e)
    {
        json.WriteStartObject();
        json.WriteStartObject("request");
        json.WriteString("method", e.Method);
        json.WriteString("url", e.Url);
        json.WriteStartObject("parameters");
        foreach (var (key, value) in e.Parameters)
        {
            json.WriteString(JsonNamingPolicy.SnakeCaseLower.ConvertName(key), value);
        }
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("response");
        if (e.ResponseCode is { } code)
        {
            json.WriteNumber("response_code", code);
        }
        else
        {
            json.WriteNull("response_code");
        }
        json.WriteNumber("request_duration", e.RequestDurationMs);
        WriteNullable(json, "content_type", e.ContentType);
        WriteNullable(json, "response_body", e.ResponseBody);
        Rfc2822.Write(json, "date_created", e.DateCreated);
        WriteNullable(json, "error", e.Error);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    public static void WriteNotification(Utf8JsonWriter json, NotificationRecord n, bool instance)
    {
        json.WriteStartObject();
        json.WriteString("account_sid", n.AccountSid);
        json.WriteString("api_version", "2010-04-01");
        json.WriteString("call_sid", n.CallSid.Value);
        Rfc2822.Write(json, "date_created", n.DateCreated);
        Rfc2822.Write(json, "date_updated", n.DateCreated);
        json.WriteString("error_code", n.ErrorCode.ToString(CultureInfo.InvariantCulture));
        json.WriteString("log", n.Log.ToString(CultureInfo.InvariantCulture));
        Rfc2822.Write(json, "message_date", n.DateCreated);
        json.WriteString("message_text", n.MessageText);
        json.WriteString("more_info", TwilioErrors.MoreInfo(n.ErrorCode));
        WriteNullable(json, "request_method", n.RequestMethod);
        WriteNullable(json, "request_url", n.RequestUrl);
        json.WriteString("sid", n.Sid);
        json.WriteString("uri", $"/2010-04-01/Accounts/{n.AccountSid}/Calls/{n.CallSid.Value}/Notifications/{n.Sid}.json");
        if (instance)
        {
            WriteNullable(json, "request_variables", n.RequestVariables);
            WriteNullable(json, "response_body", n.ResponseBody);
            WriteNullable(json, "response_headers", n.ResponseHeaders);
        }
        json.WriteEndObject();
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
}
