using System.Text.Json;
using Switchboard.Callbacks;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>JSON of the Callbacks resource: one status callback of a call and its delivery state.</summary>
internal static class CallbackJson
{
    public static string StateName(CallbackState state) => state switch
    {
        CallbackState.Pending => "pending",
        CallbackState.Delivered => "delivered",
        CallbackState.DeadLettered => "dead-lettered",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParseState(string text, out CallbackState state)
    {
        foreach (var candidate in Enum.GetValues<CallbackState>())
        {
            if (string.Equals(StateName(candidate), text, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }
        state = default;
        return false;
    }

    public static string Uri(OutboxEntry e) =>
        $"/2010-04-01/Accounts/{e.AccountSid}/Calls/{e.CallSid.Value}/Callbacks/{e.SequenceNumber}.json";

    public static void Write(Utf8JsonWriter json, OutboxEntry e)
    {
        json.WriteStartObject();
        json.WriteString("account_sid", e.AccountSid);
        json.WriteString("call_sid", e.CallSid.Value);
        json.WriteNumber("sequence_number", e.SequenceNumber);
        var parameters = OutboxEntry.ParseBody(e.Body);
        WriteNullable(json, "call_status", parameters.FirstOrDefault(p => p.Key == "CallStatus").Value);
        json.WriteString("url", e.Url);
        json.WriteString("method", e.Method);
        json.WriteString("state", StateName(e.State));
        json.WriteNumber("attempts", e.Attempts);
        WriteNullable(json, "last_error", e.LastError);
        json.WriteString("idempotency_token", e.IdempotencyToken);
        Rfc2822.Write(json, "date_created", e.CreatedAt);
        Rfc2822.Write(json, "next_attempt_at", e.State == CallbackState.Pending ? e.NextAttemptAt : null);
        Rfc2822.Write(json, "date_replayed", e.ReplayedAt);
        json.WriteString("uri", Uri(e));
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
