using System.Globalization;
using Microsoft.Extensions.Primitives;
using Switchboard.Calls;

namespace Switchboard.Api;

/// <summary>Binds and validates the form of Create Call and Update Call (reference §3, §4) into engine requests or a Twilio error.</summary>
internal static class CallForms
{
    // OAI: Twiml is at most 4,000 characters.
    private const int MaxTwimlChars = 4000;
    // Reference §3: Timeout at most 600 s; larger values are capped, not refused (docs/compatibility.md).
    private const int MaxTimeoutSeconds = 600;

    public static (NewCall? Call, bool InvalidEvents, IResult? Error) ParseCreate(IFormCollection form, string accountSid, CallOptions defaults)
    {
        var toRaw = Value(form, "To");
        var fromRaw = Value(form, "From");
        if (string.IsNullOrWhiteSpace(toRaw))
        {
            return Fail(TwilioErrors.ToMissing, "No 'To' number is specified");
        }
        if (string.IsNullOrWhiteSpace(fromRaw))
        {
            return Fail(TwilioErrors.FromMissing, "No 'From' number is specified");
        }
        if (!PhoneNumbers.TryNormalize(toRaw, out var to))
        {
            return Fail(TwilioErrors.InvalidTo, $"The 'To' number {toRaw} is not a valid phone number.");
        }
        // A call to a phone number must come from a phone number (reference §3).
        if (!PhoneNumbers.TryNormalize(fromRaw, out var from) || (PhoneNumbers.IsPhoneNumber(to) && !PhoneNumbers.IsPhoneNumber(from)))
        {
            return Fail(TwilioErrors.InvalidFrom, $"The 'From' number {fromRaw} is not a valid phone number, shortcode, or alphanumeric sender ID.");
        }
        if (Value(form, "ApplicationSid") is { Length: > 0 } app)
        {
            return Fail(TwilioErrors.InvalidApplicationSid, $"ApplicationSid {app} is not a valid application: this server has no TwiML applications; pass Url or Twiml");
        }

        var url = Value(form, "Url");
        var twiml = Value(form, "Twiml");
        if (string.IsNullOrEmpty(url) && string.IsNullOrEmpty(twiml))
        {
            return Fail(TwilioErrors.InvalidUrl, "Url parameter is required.");
        }
        if (!string.IsNullOrEmpty(url) && !IsWebhookUrl(url))
        {
            return Fail(TwilioErrors.InvalidUrl, $"Url is not a valid URL: {url}");
        }
        if (string.IsNullOrEmpty(url) && twiml!.Length > MaxTwimlChars)
        {
            return Fail(TwilioErrors.CallsResource, $"Twiml is {twiml.Length} characters long; the limit is {MaxTwimlChars}");
        }
        if ((CheckUrl(form, "FallbackUrl") ?? CheckUrl(form, "StatusCallback")) is { } urlError)
        {
            return (null, false, urlError);
        }
        if (Method(form, "Method") is not { } method || Method(form, "FallbackMethod") is not { } fallbackMethod
            || Method(form, "StatusCallbackMethod") is not { } statusCallbackMethod)
        {
            return Fail(TwilioErrors.CallsResource, "Method, FallbackMethod and StatusCallbackMethod must be GET or POST");
        }
        if (Seconds(form, "Timeout", defaults.DefaultTimeout) is not { } timeout)
        {
            return Fail(TwilioErrors.CallsResource, $"Timeout must be a whole number of seconds from 1 to {MaxTimeoutSeconds}: {Value(form, "Timeout")}");
        }
        if (timeout > TimeSpan.FromSeconds(MaxTimeoutSeconds))
        {
            timeout = TimeSpan.FromSeconds(MaxTimeoutSeconds);
        }
        if (Seconds(form, "TimeLimit", defaults.DefaultTimeLimit) is not { } timeLimit)
        {
            return Fail(TwilioErrors.CallsResource, $"TimeLimit must be a whole number of seconds: {Value(form, "TimeLimit")}");
        }
        var machineDetection = Value(form, "MachineDetection");
        if (!string.IsNullOrEmpty(machineDetection) && machineDetection is not ("Enable" or "DetectMessageEnd"))
        {
            return Fail(TwilioErrors.CallsResource, $"MachineDetection must be Enable or DetectMessageEnd: {machineDetection}");
        }
        var sendDigits = Value(form, "SendDigits");
        if (!string.IsNullOrEmpty(sendDigits) && (sendDigits.Length > 32 || sendDigits.Any(c => !IsDigitChar(c))))
        {
            return Fail(TwilioErrors.CallsResource, $"SendDigits may hold up to 32 of 0-9 A-D # * w W: {sendDigits}");
        }
        var (events, invalidEvents) = ParseEvents(form["StatusCallbackEvent"]);

        var call = new NewCall
        {
            AccountSid = accountSid,
            To = to,
            From = RepeatedValues.Share(from),
            Instructions = RepeatedValues.Share(new CallInstructions
            {
                Url = string.IsNullOrEmpty(url) ? null : RepeatedValues.Share(url),
                // Twiml is ignored when Url is given (reference §3).
                Twiml = string.IsNullOrEmpty(url) ? RepeatedValues.Share(twiml) : null,
                Method = method,
                FallbackUrl = NullIfEmpty(Value(form, "FallbackUrl")),
                FallbackMethod = fallbackMethod,
                StatusCallback = RepeatedValues.Share(NullIfEmpty(Value(form, "StatusCallback"))),
                StatusCallbackMethod = statusCallbackMethod,
                // Reference §9.1 / §18.17: an invalid event name gets warning 21626 and no callbacks.
                StatusCallbackEvents = invalidEvents ? CallbackEvent.None : events,
                Timeout = timeout,
                TimeLimit = timeLimit,
                // Reference §3: with SendDigits, MachineDetection is ignored.
                MachineDetection = string.IsNullOrEmpty(sendDigits) ? NullIfEmpty(machineDetection) : null,
                SendDigits = NullIfEmpty(sendDigits),
                Record = string.Equals(Value(form, "Record"), "true", StringComparison.OrdinalIgnoreCase),
            }),
        };
        return (call, invalidEvents, null);
    }

    public static (CallUpdate? Update, IResult? Error) ParseUpdate(IFormCollection form)
    {
        CallStatus? status = null;
        if (Value(form, "Status") is { Length: > 0 } s)
        {
            if (s is not ("canceled" or "completed"))
            {
                return (null, TwilioErrors.BadRequest(TwilioErrors.CallsResource, $"Status must be canceled or completed: {s}"));
            }
            status = s == "canceled" ? CallStatus.Canceled : CallStatus.Completed;
        }
        var url = NullIfEmpty(Value(form, "Url"));
        if (url is not null && !IsWebhookUrl(url))
        {
            return (null, TwilioErrors.BadRequest(TwilioErrors.InvalidUrl, $"Url is not a valid URL: {url}"));
        }
        var twiml = NullIfEmpty(Value(form, "Twiml"));
        if (url is null && twiml is { Length: > MaxTwimlChars })
        {
            return (null, TwilioErrors.BadRequest(TwilioErrors.CallsResource, $"Twiml is {twiml.Length} characters long; the limit is {MaxTwimlChars}"));
        }
        if ((CheckUrl(form, "FallbackUrl") ?? CheckUrl(form, "StatusCallback")) is { } urlError)
        {
            return (null, urlError);
        }
        if (Method(form, "Method") is not { } method || Method(form, "FallbackMethod") is not { } fallbackMethod
            || Method(form, "StatusCallbackMethod") is not { } statusCallbackMethod)
        {
            return (null, TwilioErrors.BadRequest(TwilioErrors.CallsResource, "Method, FallbackMethod and StatusCallbackMethod must be GET or POST"));
        }
        TimeSpan? timeLimit = null;
        if (Value(form, "TimeLimit") is { Length: > 0 })
        {
            if (Seconds(form, "TimeLimit", TimeSpan.Zero) is not { } limit)
            {
                return (null, TwilioErrors.BadRequest(TwilioErrors.CallsResource, $"TimeLimit must be a whole number of seconds: {Value(form, "TimeLimit")}"));
            }
            timeLimit = limit;
        }
        return (new CallUpdate
        {
            Status = status,
            Url = url,
            Twiml = url is null ? twiml : null,
            Method = Present(form, "Method") ? method : null,
            FallbackUrl = NullIfEmpty(Value(form, "FallbackUrl")),
            FallbackMethod = Present(form, "FallbackMethod") ? fallbackMethod : null,
            StatusCallback = NullIfEmpty(Value(form, "StatusCallback")),
            StatusCallbackMethod = Present(form, "StatusCallbackMethod") ? statusCallbackMethod : null,
            TimeLimit = timeLimit,
        }, null);
    }

    /// <summary>Events from repeated <c>StatusCallbackEvent</c> keys, each possibly space- or comma-separated.</summary>
    internal static (CallbackEvent Events, bool Invalid) ParseEvents(StringValues values)
    {
        if (values.Count == 0)
        {
            return (CallbackEvent.Completed, false);
        }
        var events = CallbackEvent.None;
        var invalid = false;
        foreach (var value in values)
        {
            foreach (var name in (value ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
            {
                events |= name switch
                {
                    "initiated" => CallbackEvent.Initiated,
                    "ringing" => CallbackEvent.Ringing,
                    "answered" => CallbackEvent.Answered,
                    "completed" => CallbackEvent.Completed,
                    _ => Invalid(ref invalid),
                };
            }
        }
        return (events == CallbackEvent.None && !invalid ? CallbackEvent.Completed : events, invalid);
    }

    private static CallbackEvent Invalid(ref bool invalid)
    {
        invalid = true;
        return CallbackEvent.None;
    }

    /// <summary>An absolute http(s) URL whose host is a valid hostname (no underscores, reference §9.4).</summary>
    internal static bool IsWebhookUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.Host.Length > 0
        && !uri.Host.Contains('_', StringComparison.Ordinal);

    private static IResult? CheckUrl(IFormCollection form, string key) =>
        Value(form, key) is { Length: > 0 } url && !IsWebhookUrl(url)
            ? TwilioErrors.BadRequest(TwilioErrors.CallsResource, $"{key} is not a valid URL: {url}")
            : null;

    private static string? Method(IFormCollection form, string key)
    {
        var value = Value(form, key);
        if (string.IsNullOrEmpty(value))
        {
            return "POST";
        }
        return value.ToUpperInvariant() is "GET" or "POST" ? value.ToUpperInvariant() : null;
    }

    private static TimeSpan? Seconds(IFormCollection form, string key, TimeSpan fallback)
    {
        var value = Value(form, key);
        if (string.IsNullOrEmpty(value))
        {
            return fallback;
        }
        if (value.AsSpan().ContainsAnyExceptInRange('0', '9'))
        {
            return null;
        }
        // All digits: a number too large for an int is simply large (a Timeout is then capped like any over 600).
        var seconds = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : int.MaxValue;
        return seconds > 0 ? TimeSpan.FromSeconds(seconds) : null;
    }

    private static bool IsDigitChar(char c) => char.IsAsciiDigit(c) || c is 'A' or 'B' or 'C' or 'D' or '#' or '*' or 'w' or 'W';

    private static bool Present(IFormCollection form, string key) => !string.IsNullOrEmpty(Value(form, key));

    private static string? Value(IFormCollection form, string key) => form.TryGetValue(key, out var v) ? v.ToString() : null;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static (NewCall?, bool, IResult?) Fail(int code, string message) => (null, false, TwilioErrors.BadRequest(code, message));
}
