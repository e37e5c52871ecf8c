namespace Switchboard.Carriers.Simulated;

/// <summary>Options of the simulated network (section <c>Simulation</c>).</summary>
public sealed class SimulationOptions
{
    /// <summary>A JSON file of rules (<c>{ "rules": [ ... ] }</c>) checked before the built-in table.</summary>
    public string? RulesPath { get; set; }

    /// <summary>How long <c>&lt;Say&gt;</c> speaks, per word (at least <see cref="MinimumSayTime"/>). Default 0.4 s (150 words a minute).</summary>
    public TimeSpan SayTimePerWord { get; set; } = TimeSpan.FromSeconds(0.4);

    /// <summary>Shortest <c>&lt;Say&gt;</c>. Default 1 s.</summary>
    public TimeSpan MinimumSayTime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long one <c>&lt;Play&gt;</c> of a URL lasts (no media is fetched). Default 5 s.</summary>
    public TimeSpan PlayTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long each DTMF digit of <c>&lt;Play digits&gt;</c> takes; <c>w</c> waits 0.5 s. Default 0.1 s.</summary>
    public TimeSpan DigitTime { get; set; } = TimeSpan.FromSeconds(0.1);
}
