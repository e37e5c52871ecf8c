using System.Globalization;
using Switchboard.Api;
using Switchboard.Calls;

namespace Switchboard.Callbacks;

/// <summary>
/// The parameters Twilio sends about a call: the voice request set (DOC-TWIML "Request parameters") and
/// the call-progress additions of status callbacks (reference §9.2).
/// </summary>
public static class CallParameters
{
    public const string ApiVersion = "2010-04-01";

    /// <summary>Parameters of a voice request (TwiML fetch) for the call in its current state.</summary>
    public static List<KeyValuePair<string, string>> Voice(Call call)
    {
        var p = new List<KeyValuePair<string, string>>(16)
        {
            new("CallSid", call.Sid.Value),
            new("AccountSid", call.AccountSid),
            new("From", call.From),
            new("To", call.To),
            new("Caller", call.From),
            new("Called", call.To),
            new("CallStatus", call.Status.ToWire()),
            new("ApiVersion", ApiVersion),
            new("Direction", call.Direction),
        };
        if (call.ParentCallSid is { } parent)
        {
            p.Add(new("ParentCallSid", parent.Value));
        }
        if (call.AnsweredBy is { } answeredBy && call.Instructions.MachineDetection is not null)
        {
            p.Add(new("AnsweredBy", answeredBy));
        }
        return p;
    }

    /// <summary>Parameters of the status callback for <paramref name="callbackEvent"/>.</summary>
    public static List<KeyValuePair<string, string>> StatusCallback(Call call, CallbackEvent callbackEvent, int sequenceNumber, DateTimeOffset timestamp)
    {
        var p = Voice(call);
        p.Add(new("CallbackSource", "call-progress-events"));
        p.Add(new("SequenceNumber", sequenceNumber.ToString(CultureInfo.InvariantCulture)));
        p.Add(new("Timestamp", Rfc2822.Format(timestamp)));
        if (callbackEvent == CallbackEvent.Completed)
        {
            var seconds = call.State.Duration;
            p.Add(new("CallDuration", seconds.ToString(CultureInfo.InvariantCulture)));
            // Billed minutes, rounded up (reference §9.2: 10 s → 1, 49 s → 1).
            p.Add(new("Duration", ((seconds + 59) / 60).ToString(CultureInfo.InvariantCulture)));
            if (call.State.SipResponseCode is { } sip)
            {
                p.Add(new("SipResponseCode", sip.ToString(CultureInfo.InvariantCulture)));
            }
        }
        return p;
    }
}
