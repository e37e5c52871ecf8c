using System.Globalization;
using System.Text;
using System.Xml;

namespace Switchboard.TwiML;

/// <summary>
/// Parses a TwiML voice document into <see cref="TwimlDocument"/>. Pure and total: every input,
/// however malformed or hostile, yields a <see cref="TwimlParseResult"/>; nothing is thrown.
/// </summary>
/// <remarks>
/// Error precedence: size (11750) before anything is read, then well-formedness (12100) over the
/// whole document, then the first TwiML validation error (12200) in document order. The reader is
/// driven iteratively, so nesting depth costs no stack.
/// </remarks>
internal static partial class TwimlParser
{
    /// <summary>The largest document accepted, in characters.</summary>
    // Twilio rejects TwiML responses larger than 64 kB with error 11750
    // (https://www.twilio.com/docs/api/errors/11750); we count characters so the check happens
    // before any parsing work is spent on an oversized body.
    public const int MaxDocumentChars = 64 * 1024;

    private const int DefaultLoop = 1;
    private const int DefaultPauseLength = 1;

    // https://www.twilio.com/docs/voice/twiml/pause: length is at most 3600 seconds.
    private const int MaxPauseLength = 3600;

    private const string ResponseElement = "Response";

    // Twilio's SSML examples write <amazon:effect> and <amazon:domain> without declaring the
    // prefix; pre-declare it so they are well-formed here as they are at Twilio.
    private const string AmazonPrefix = "amazon";
    private const string AmazonNamespace = "https://www.twilio.com/docs/voice/twiml/say/text-speech#amazon-ssml";

    private static readonly HashSet<string> UnsupportedVerbNames = new(StringComparer.Ordinal)
    {
        "Gather", "Record", "Enqueue", "Leave", "Connect", "Start", "Stop", "Pay", "Refer", "Echo", "Sms", "Message",
    };

    private static readonly HashSet<string> SupportedVerbNames = new(StringComparer.Ordinal)
    {
        "Say", "Play", "Pause", "Hangup", "Redirect", "Reject",
    };

    // SSML elements that separate words (a pause, a sentence, a paragraph): "One<break/>two" must
    // not be spoken as "Onetwo". Inline elements such as <emphasis> may split a word and add nothing.
    private static readonly HashSet<string> SsmlBoundaryElements = new(StringComparer.Ordinal)
    {
        "break", "s", "p",
    };

    /// <summary>What a verb element may contain besides text.</summary>
    private enum ContentModel
    {
        /// <summary>Text only; any child element is a validation error.</summary>
        TextOnly,

        /// <summary>Text and SSML elements, but no TwiML verbs.</summary>
        Ssml,

        /// <summary>Anything; the subtree is skipped unread (verbs this engine does not execute).</summary>
        Opaque,
    }

    public static TwimlParseResult Parse(string? xml)
    {
        if (xml is not null && xml.Length > MaxDocumentChars)
        {
            return TwimlParseResult.Fail(TwimlError.BodyTooLarge(xml.Length, MaxDocumentChars));
        }

        if (string.IsNullOrWhiteSpace(xml))
        {
            return TwimlParseResult.Fail(TwimlError.EmptyBody());
        }

        // A UTF-8 BOM decoded into the string by the HTTP client survives as U+FEFF; a TextReader
        // does not skip it, and it is not XML whitespace.
        var start = xml[0] == '\uFEFF' ? 1 : 0;

        try
        {
            using var text = new StringReader(start == 0 ? xml : xml[start..]);
            using var reader = XmlReader.Create(text, CreateSettings(), CreateContext());
            return ReadDocument(reader);
        }
        catch (XmlException ex)
        {
            return TwimlParseResult.Fail(TwimlError.DocumentParseFailure(ex.Message));
        }
    }

    private static XmlReaderSettings CreateSettings() => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = false,
    };

    private static XmlParserContext CreateContext()
    {
        var names = new NameTable();
        var namespaces = new XmlNamespaceManager(names);
        namespaces.AddNamespace(AmazonPrefix, AmazonNamespace);
        return new XmlParserContext(names, namespaces, xmlLang: null, XmlSpace.None);
    }

    private static TwimlParseResult ReadDocument(XmlReader reader)
    {
        if (reader.MoveToContent() != XmlNodeType.Element)
        {
            return TwimlParseResult.Fail(TwimlError.DocumentParseFailure("the root element is missing"));
        }

        if (!string.Equals(reader.Name, ResponseElement, StringComparison.Ordinal))
        {
            return TwimlParseResult.Fail(TwimlError.WrongRoot(reader.Name));
        }

        var verbs = new List<TwimlVerb>();
        TwimlError? error = null;
        if (!reader.IsEmptyElement)
        {
            // Each verb's subtree is consumed whole by ReadVerb, so the next EndElement is </Response>.
            while (reader.Read() && reader.NodeType != XmlNodeType.EndElement)
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element:
                        var verb = ReadVerb(reader, out var verbError);
                        error ??= verbError;
                        if (verb is not null)
                        {
                            verbs.Add(verb);
                        }

                        break;
                    case XmlNodeType.Text:
                    case XmlNodeType.CDATA:
                        if (!string.IsNullOrWhiteSpace(reader.Value))
                        {
                            error ??= TwimlError.StrayText(reader.Value);
                        }

                        break;
                    default:
                        break;
                }
            }
        }

        // Read to the end so trailing junk (a second root, an unclosed tag) is still a 12100.
        while (reader.Read())
        {
        }

        return error is null
            ? TwimlParseResult.Ok(new TwimlDocument(verbs))
            : TwimlParseResult.Fail(error);
    }

    /// <summary>Reads one verb element and its whole subtree; the reader ends on its last node.</summary>
    private static TwimlVerb? ReadVerb(XmlReader reader, out TwimlError? error)
    {
        var name = reader.Name;
        if (string.Equals(name, "Dial", StringComparison.Ordinal))
        {
            return ReadDial(reader, out error);
        }
        var isSupported = SupportedVerbNames.Contains(name);
        var model = !isSupported ? ContentModel.Opaque
            : string.Equals(name, "Say", StringComparison.Ordinal) ? ContentModel.Ssml
            : ContentModel.TextOnly;

        var attributes = isSupported ? ReadAttributes(reader) : null;
        var text = new StringBuilder();
        var contentError = ReadContent(reader, name, model, text);

        if (!isSupported)
        {
            error = UnsupportedVerbNames.Contains(name) ? null : TwimlError.UnknownVerb(name);
            return error is null ? new UnsupportedVerb(name) : null;
        }

        var verb = Build(name, attributes!, text.ToString(), out error);
        error ??= contentError;
        return error is null ? verb : null;
    }

    private static Dictionary<string, string> ReadAttributes(XmlReader reader)
    {
        // Twilio's attribute names are case-sensitive: loop="2" counts, Loop="2" is an unknown attribute.
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                attributes[reader.Name] = reader.Value;
            }
            while (reader.MoveToNextAttribute());

            reader.MoveToElement();
        }

        return attributes;
    }

    private static TwimlError? ReadContent(XmlReader reader, string verb, ContentModel model, StringBuilder text)
    {
        if (reader.IsEmptyElement)
        {
            return null;
        }

        var depth = reader.Depth;
        TwimlError? error = null;
        while (reader.Read() && reader.Depth > depth)
        {
            if (model == ContentModel.Opaque)
            {
                continue;
            }

            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    var child = reader.Name;
                    if (model == ContentModel.TextOnly || IsVerbName(child))
                    {
                        error ??= TwimlError.NotAllowedInside(child, verb);
                    }
                    else if (SsmlBoundaryElements.Contains(reader.LocalName))
                    {
                        text.Append(' ');
                    }

                    break;
                case XmlNodeType.EndElement:
                    if (SsmlBoundaryElements.Contains(reader.LocalName))
                    {
                        text.Append(' ');
                    }

                    break;
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    text.Append(reader.Value);
                    break;
                default:
                    break;
            }
        }

        return error;
    }

    private static bool IsVerbName(string name) =>
        SupportedVerbNames.Contains(name)
        || string.Equals(name, "Dial", StringComparison.Ordinal)
        || UnsupportedVerbNames.Contains(name)
        || string.Equals(name, ResponseElement, StringComparison.Ordinal);

    private static TwimlVerb? Build(string name, Dictionary<string, string> attributes, string text, out TwimlError? error)
    {
        error = null;
        switch (name)
        {
            case "Say":
            {
                if (!TryReadLoop(name, attributes, out var loop, out error))
                {
                    return null;
                }

                return new SayVerb(Collapse(text), attributes.GetValueOrDefault("voice"), attributes.GetValueOrDefault("language"), loop);
            }

            case "Play":
            {
                if (!TryReadLoop(name, attributes, out var loop, out error))
                {
                    return null;
                }

                var url = text.Trim();
                if (url.Length == 0)
                {
                    url = null;
                }

                var digits = attributes.GetValueOrDefault("digits");
                if (string.IsNullOrEmpty(digits))
                {
                    digits = null;
                }

                if (url is null && digits is null)
                {
                    error = TwimlError.MissingContent(name, "a URL or a 'digits' attribute");
                    return null;
                }

                return new PlayVerb(url, loop, digits);
            }

            case "Pause":
            {
                var length = DefaultPauseLength;
                if (attributes.TryGetValue("length", out var value)
                    && (!TryParseNonNegative(value, out length) || length > MaxPauseLength))
                {
                    error = TwimlError.InvalidAttribute(name, "length", value);
                    return null;
                }

                return new PauseVerb(length);
            }

            case "Hangup":
                return new HangupVerb();

            case "Redirect":
            {
                var method = "POST";
                if (attributes.TryGetValue("method", out var value))
                {
                    method = value.ToUpperInvariant();
                    if (method is not ("GET" or "POST"))
                    {
                        error = TwimlError.InvalidAttribute(name, "method", value);
                        return null;
                    }
                }

                var url = text.Trim();
                if (url.Length == 0)
                {
                    error = TwimlError.MissingContent(name, "a URL");
                    return null;
                }

                return new RedirectVerb(url, method);
            }

            case "Reject":
            {
                var reason = attributes.GetValueOrDefault("reason", "rejected");
                if (reason is not ("rejected" or "busy"))
                {
                    error = TwimlError.InvalidAttribute(name, "reason", reason);
                    return null;
                }

                return new RejectVerb(reason);
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "Not a supported verb.");
        }
    }

    private static bool TryReadLoop(string verb, Dictionary<string, string> attributes, out int loop, out TwimlError? error)
    {
        error = null;
        loop = DefaultLoop;
        if (attributes.TryGetValue("loop", out var value) && !TryParseNonNegative(value, out loop))
        {
            error = TwimlError.InvalidAttribute(verb, "loop", value);
            return false;
        }

        return true;
    }

    // Digits only: no sign, no whitespace, no exponent; "-1", "1.5" and "" are all invalid.
    private static bool TryParseNonNegative(string value, out int result) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result);

    private static string Collapse(string text)
    {
        var collapsed = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = collapsed.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                collapsed.Append(' ');
                pendingSpace = false;
            }

            collapsed.Append(c);
        }

        return collapsed.ToString();
    }
}
