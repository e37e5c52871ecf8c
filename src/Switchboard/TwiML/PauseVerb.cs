namespace Switchboard.TwiML;

/// <summary><c>&lt;Pause&gt;</c>: wait silently.</summary>
/// <param name="Length">Seconds to wait, 0 to 3600.</param>
internal sealed record PauseVerb(int Length) : TwimlVerb;
