using Switchboard.Calls;

namespace Switchboard.TwiML;

public enum DialNounKind
{
    Number,
    Sip,
    Client,
}

/// <summary>A destination of <c>&lt;Dial&gt;</c>: <c>&lt;Number&gt;</c>, <c>&lt;Sip&gt;</c> or <c>&lt;Client&gt;</c> (DOC-NUMBER/SIP/CLIENT).</summary>
internal sealed record DialNoun
{
    public required DialNounKind Kind { get; init; }
    /// <summary>What is dialed, as Twilio writes it: E.164, <c>sip:user@host</c>, <c>client:identity</c>.</summary>
    public required string Target { get; init; }
    public string? StatusCallback { get; init; }
    public string StatusCallbackMethod { get; init; } = "POST";
    public CallbackEvent StatusCallbackEvents { get; init; } = CallbackEvent.Completed;
    /// <summary>Whisper TwiML run on the dialed party when it answers, before bridging.</summary>
    public string? Url { get; init; }
    public string Method { get; init; } = "POST";
    public string? SendDigits { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
}
