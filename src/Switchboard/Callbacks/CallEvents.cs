using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Callbacks;

/// <summary>Builds the Call Events record of a webhook request (reference §7).</summary>
internal static class CallEvents
{
    // Events keep the start of a response body only: enough to diagnose, bounded in size.
    private const int MaxStoredBody = 4096;

    public static CallEventRecord From(CallSid callSid, string accountSid, DateTimeOffset now,
        IReadOnlyList<KeyValuePair<string, string>> parameters, WebhookResult result) => new()
    {
        CallSid = callSid,
        AccountSid = accountSid,
        DateCreated = now,
        Method = result.Method,
        Url = result.Url,
        Parameters = parameters,
        ResponseCode = result.StatusCode,
        RequestDurationMs = (long)result.Elapsed.TotalMilliseconds,
        ContentType = result.ContentType,
        ResponseBody = result.Body is { Length: > MaxStoredBody } b ? b[..MaxStoredBody] : result.Body,
        Error = result.Error,
    };
}
