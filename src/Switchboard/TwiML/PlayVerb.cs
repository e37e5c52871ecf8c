namespace Switchboard.TwiML;

/// <summary><c>&lt;Play&gt;</c>: play an audio file, or send DTMF <paramref name="Digits"/>.</summary>
/// <param name="Url">The trimmed audio URL, or <see langword="null"/> when only <paramref name="Digits"/> is given.</param>
/// <param name="Loop">How many times to play; 0 repeats until the call ends.</param>
/// <param name="Digits">The <c>digits</c> attribute, or <see langword="null"/>; at least one of this and <paramref name="Url"/> is set.</param>
internal sealed record PlayVerb(string? Url, int Loop, string? Digits) : TwimlVerb;
