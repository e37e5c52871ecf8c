using System.Globalization;
using System.Text;
using System.Xml;
using Switchboard.Api;
using Switchboard.Calls;

namespace Switchboard.TwiML;

internal static partial class TwimlParser
{
    // DOC-DIAL: up to 10 nouns are dialed at once.
    private const int MaxDialNouns = 10;

    /// <summary>Reads <c>&lt;Dial&gt;</c>, its attributes and nouns; the reader ends on its last node.</summary>
    private static DialVerb? ReadDial(XmlReader reader, out TwimlError? error)
    {
        var attributes = ReadAttributes(reader);
        var nouns = new List<DialNoun>();
        var text = new StringBuilder();
        error = null;
        if (!reader.IsEmptyElement)
        {
            var depth = reader.Depth;
            while (reader.Read() && reader.Depth > depth)
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element when reader.Depth == depth + 1:
                        var noun = ReadNoun(reader, out var nounError);
                        error ??= nounError;
                        if (noun is not null)
                        {
                            nouns.Add(noun);
                        }
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA when reader.Depth == depth + 1:
                        text.Append(reader.Value);
                        break;
                    default:
                        break;
                }
            }
        }
        if (error is not null)
        {
            return null;
        }

        var number = text.ToString().Trim();
        if (number.Length > 0)
        {
            if (nouns.Count > 0)
            {
                error = TwimlError.SchemaValidation("<Dial> holds both a plain number and nouns");
                return null;
            }
            if (!PhoneNumbers.TryNormalize(number, out var e164) || !PhoneNumbers.IsPhoneNumber(e164))
            {
                error = TwimlError.InvalidDialDestination(number);
                return null;
            }
            nouns.Add(new DialNoun { Kind = DialNounKind.Number, Target = e164 });
        }
        if (nouns.Count == 0)
        {
            error = TwimlError.MissingContent("Dial", "a number, <Number>, <Sip> or <Client>");
            return null;
        }
        if (nouns.Count > MaxDialNouns)
        {
            error = TwimlError.SchemaValidation($"<Dial> may hold at most {MaxDialNouns} nouns, not {nouns.Count}");
            return null;
        }

        var dial = new DialVerb { Nouns = nouns };
        if (attributes.TryGetValue("action", out var action) && action.Trim().Length > 0)
        {
            dial = dial with { Action = action.Trim() };
        }
        if (!TryMethod("Dial", attributes, "method", out var method, out error)
            || !TryInt("Dial", attributes, "timeout", 30, out var timeout, out error)
            || !TryInt("Dial", attributes, "timeLimit", 14400, out var timeLimit, out error)
            || !TryBool("Dial", attributes, "answerOnBridge", out var answerOnBridge, out error)
            || !TryBool("Dial", attributes, "hangupOnStar", out var hangupOnStar, out error)
            || !TryBool("Dial", attributes, "sequential", out var sequential, out error))
        {
            return null;
        }
        if (timeLimit == 0)
        {
            error = TwimlError.InvalidAttribute("Dial", "timeLimit", "0");
            return null;
        }
        var record = attributes.GetValueOrDefault("record", "do-not-record");
        if (record is not ("do-not-record" or "record-from-answer" or "record-from-ringing" or "record-from-answer-dual"
            or "record-from-ringing-dual" or "true" or "false"))
        {
            error = TwimlError.InvalidAttribute("Dial", "record", record);
            return null;
        }
        return dial with
        {
            Method = method,
            // DOC-DIAL: timeout is 5–600 s; values outside are brought into range, as Twilio does.
            Timeout = Math.Clamp(timeout, 5, 600),
            TimeLimit = timeLimit,
            CallerId = attributes.GetValueOrDefault("callerId") is { Length: > 0 } callerId ? callerId : null,
            AnswerOnBridge = answerOnBridge,
            HangupOnStar = hangupOnStar,
            Record = record,
            Sequential = sequential,
        };
    }

    private static DialNoun? ReadNoun(XmlReader reader, out TwimlError? error)
    {
        var name = reader.Name;
        var kind = name switch
        {
            "Number" => DialNounKind.Number,
            "Sip" => DialNounKind.Sip,
            "Client" => DialNounKind.Client,
            _ => (DialNounKind?)null,
        };
        var attributes = ReadAttributes(reader);
        var text = new StringBuilder();
        var identity = new StringBuilder();
        error = null;
        if (!reader.IsEmptyElement)
        {
            var depth = reader.Depth;
            var inIdentity = false;
            while (reader.Read() && reader.Depth > depth)
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        // <Client> may hold <Identity> and <Parameter>; nothing else nests in a noun.
                        if (kind == DialNounKind.Client && reader.Depth == depth + 1 && reader.Name is "Identity" or "Parameter")
                        {
                            inIdentity = reader.Name == "Identity" && !reader.IsEmptyElement;
                        }
                        else
                        {
                            error ??= TwimlError.NotAllowedInside(reader.Name, name);
                        }
                        break;
                    case XmlNodeType.EndElement:
                        inIdentity = false;
                        break;
                    case XmlNodeType.Text or XmlNodeType.CDATA:
                        (inIdentity ? identity : text).Append(reader.Value);
                        break;
                    default:
                        break;
                }
            }
        }
        if (kind is not { } k)
        {
            // Conference, Queue, Application... are Twilio nouns this server does not dial.
            error = TwimlError.SchemaValidation($"<{name}> is not a <Dial> noun supported here (Number, Sip, Client)");
            return null;
        }
        if (error is not null)
        {
            return null;
        }

        var value = (identity.Length > 0 ? identity : text).ToString().Trim();
        string target;
        switch (k)
        {
            case DialNounKind.Number:
                if (!PhoneNumbers.TryNormalize(value, out var e164) || !PhoneNumbers.IsPhoneNumber(e164))
                {
                    error = TwimlError.InvalidDialDestination(value);
                    return null;
                }
                target = e164;
                break;
            case DialNounKind.Sip:
                if (!value.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("sips:", StringComparison.OrdinalIgnoreCase)
                    || !PhoneNumbers.TryNormalize(value, out var uri))
                {
                    error = TwimlError.InvalidDialDestination(value);
                    return null;
                }
                target = uri;
                break;
            default:
                if (!PhoneNumbers.TryNormalize("client:" + value, out var client))
                {
                    error = TwimlError.InvalidDialDestination(value);
                    return null;
                }
                target = client;
                break;
        }

        if (!TryMethod(name, attributes, "statusCallbackMethod", out var statusCallbackMethod, out error)
            || !TryMethod(name, attributes, "method", out var method, out error))
        {
            return null;
        }
        var events = CallbackEvent.None;
        foreach (var e in attributes.GetValueOrDefault("statusCallbackEvent", "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            var parsed = e switch
            {
                "initiated" => CallbackEvent.Initiated,
                "ringing" => CallbackEvent.Ringing,
                "answered" => CallbackEvent.Answered,
                "completed" => CallbackEvent.Completed,
                _ => CallbackEvent.None,
            };
            if (parsed == CallbackEvent.None)
            {
                error = TwimlError.InvalidAttribute(name, "statusCallbackEvent", e);
                return null;
            }
            events |= parsed;
        }
        var sendDigits = attributes.GetValueOrDefault("sendDigits");
        return new DialNoun
        {
            Kind = k,
            Target = target,
            StatusCallback = attributes.GetValueOrDefault("statusCallback") is { Length: > 0 } cb ? cb.Trim() : null,
            StatusCallbackMethod = statusCallbackMethod,
            StatusCallbackEvents = events == CallbackEvent.None ? CallbackEvent.Completed : events,
            Url = attributes.GetValueOrDefault("url") is { Length: > 0 } url ? url.Trim() : null,
            Method = method,
            SendDigits = string.IsNullOrEmpty(sendDigits) ? null : sendDigits,
            Username = attributes.GetValueOrDefault("username"),
            Password = attributes.GetValueOrDefault("password"),
        };
    }

    private static bool TryMethod(string verb, Dictionary<string, string> attributes, string key, out string method, out TwimlError? error)
    {
        error = null;
        method = "POST";
        if (attributes.TryGetValue(key, out var value))
        {
            method = value.ToUpperInvariant();
            if (method is not ("GET" or "POST"))
            {
                error = TwimlError.InvalidAttribute(verb, key, value);
                return false;
            }
        }
        return true;
    }

    private static bool TryInt(string verb, Dictionary<string, string> attributes, string key, int fallback, out int value, out TwimlError? error)
    {
        error = null;
        value = fallback;
        if (attributes.TryGetValue(key, out var text) && !TryParseNonNegative(text, out value))
        {
            error = TwimlError.InvalidAttribute(verb, key, text);
            return false;
        }
        return true;
    }

    private static bool TryBool(string verb, Dictionary<string, string> attributes, string key, out bool value, out TwimlError? error)
    {
        error = null;
        value = false;
        if (attributes.TryGetValue(key, out var text))
        {
            if (!bool.TryParse(text, out value))
            {
                error = TwimlError.InvalidAttribute(verb, key, text);
                return false;
            }
        }
        return true;
    }
}
