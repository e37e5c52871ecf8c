using System.Text.RegularExpressions;

namespace Switchboard.Carriers.Simulated;

/// <summary>What the simulated callee does.</summary>
public enum SimulatedOutcome
{
    /// <summary>Answers after the ring time (200).</summary>
    Answer,
    /// <summary>Sends the final <see cref="SimulatedRule.SipCode"/> after the ring time.</summary>
    Reject,
    /// <summary>Rings until the caller gives up.</summary>
    NoAnswer,
}

/// <summary>
/// One behaviour of the simulated network, matched against the dialed <c>To</c> (a number,
/// <c>client:name</c> or a SIP URI) by a regular expression. Bound from the rules file.
/// </summary>
public sealed class SimulatedRule
{
    /// <summary>Regular expression matched against <c>To</c>.</summary>
    public string Pattern { get; set; } = "";
    /// <summary>Whether the callee rings (180) before the outcome. Default true.</summary>
    public bool Ring { get; set; } = true;
    /// <summary>Time from the start of ringing (or of dialing, when it does not ring) to the outcome. Default 1 s.</summary>
    public TimeSpan RingTime { get; set; } = TimeSpan.FromSeconds(1);
    public SimulatedOutcome Outcome { get; set; } = SimulatedOutcome.Answer;
    /// <summary>The final SIP response of a <see cref="SimulatedOutcome.Reject"/>.</summary>
    public int SipCode { get; set; } = 486;
    /// <summary>When set, the callee hangs up this long after answering.</summary>
    public TimeSpan? TalkTime { get; set; }
    /// <summary>What machine detection reports (human, machine_start, fax...). Default human.</summary>
    public string AnsweredBy { get; set; } = "human";

    private Regex? _regex;

    internal bool Matches(string to) =>
        (_regex ??= new Regex(Pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100))).IsMatch(to);
}
