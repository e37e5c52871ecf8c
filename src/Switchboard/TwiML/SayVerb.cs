namespace Switchboard.TwiML;

/// <summary><c>&lt;Say&gt;</c>: speak <paramref name="Text"/> with text-to-speech.</summary>
/// <param name="Text">The element's text, including text inside nested SSML elements, whitespace collapsed and trimmed.</param>
/// <param name="Voice">The <c>voice</c> attribute as written, or <see langword="null"/>.</param>
/// <param name="Language">The <c>language</c> attribute as written, or <see langword="null"/>.</param>
/// <param name="Loop">How many times to speak; 0 repeats until the call ends.</param>
internal sealed record SayVerb(string Text, string? Voice, string? Language, int Loop) : TwimlVerb;
