namespace Switchboard.TwiML;

/// <summary>Why a TwiML document was rejected, as a Twilio error code and a message naming the culprit.</summary>
/// <param name="Code">One of <see cref="DocumentParseFailureCode"/>, <see cref="SchemaValidationCode"/>, <see cref="BodyTooLargeCode"/>.</param>
/// <param name="Message">Human-readable detail naming the offending element or attribute.</param>
internal sealed record TwimlError(int Code, string Message)
{
    /// <summary>Not well-formed XML, or not a <c>&lt;Response&gt;</c> document. https://www.twilio.com/docs/api/errors/12100</summary>
    public const int DocumentParseFailureCode = 12100;

    /// <summary>Well-formed XML that is not valid TwiML. https://www.twilio.com/docs/api/errors/12200</summary>
    public const int SchemaValidationCode = 12200;

    /// <summary>The TwiML response body is over the size limit. https://www.twilio.com/docs/api/errors/11750</summary>
    public const int BodyTooLargeCode = 11750;

    // Values are echoed into messages and logs; a 64 KiB attribute should not be.
    private const int MaxQuotedChars = 100;

    public static TwimlError DocumentParseFailure(string detail) =>
        new(DocumentParseFailureCode, $"Document parse failure: {detail}");

    public static TwimlError EmptyBody() => DocumentParseFailure("the response body is empty");

    public static TwimlError WrongRoot(string name) =>
        DocumentParseFailure($"the root element is <{name}>, expected <Response>");

    public static TwimlError BodyTooLarge(int length, int limit) =>
        new(BodyTooLargeCode, $"TwiML response body too large: {length} characters, the limit is {limit}");

    public static TwimlError SchemaValidation(string detail) => new(SchemaValidationCode, detail);

    public static TwimlError UnknownVerb(string name) => SchemaValidation($"Unknown verb <{name}>");

    public static TwimlError InvalidAttribute(string verb, string attribute, string value) =>
        SchemaValidation($"Invalid attribute value '{Quote(value)}' for '{attribute}' on <{verb}>");

    public static TwimlError NotAllowedInside(string child, string parent) =>
        SchemaValidation($"<{child}> is not allowed inside <{parent}>");

    public static TwimlError MissingContent(string verb, string what) =>
        SchemaValidation($"<{verb}> requires {what}");

    /// <summary>A &lt;Dial&gt; destination that cannot be dialed. https://www.twilio.com/docs/errors/13224</summary>
    public const int InvalidDialDestinationCode = 13224;

    public static TwimlError InvalidDialDestination(string value) =>
        new(InvalidDialDestinationCode, $"Dial: invalid destination '{Quote(value)}'");

    public static TwimlError StrayText(string text) =>
        SchemaValidation($"Unexpected text '{Quote(text.Trim())}' directly inside <Response>");

    private static string Quote(string value) =>
        value.Length <= MaxQuotedChars ? value : string.Concat(value.AsSpan(0, MaxQuotedChars), "…");
}
