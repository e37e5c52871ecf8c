using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Callbacks;

/// <summary>Builds call notifications: the errors and warnings Twilio logs against a call.</summary>
internal static class Notifications
{
    public static NotificationRecord For(CallSid callSid, string accountSid, DateTimeOffset now, int errorCode, int log,
        string message, WebhookResult? result = null) => new()
    {
        Sid = Sids.New("NO"),
        CallSid = callSid,
        AccountSid = accountSid,
        DateCreated = now,
        ErrorCode = errorCode,
        Log = log,
        MessageText = message,
        RequestMethod = result?.Method,
        RequestUrl = result?.Url,
        ResponseBody = result?.Body is { Length: > 4096 } b ? b[..4096] : result?.Body,
    };
}
