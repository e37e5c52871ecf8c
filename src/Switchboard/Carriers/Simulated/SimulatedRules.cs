using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchboard.Carriers.Simulated;

/// <summary>
/// The rule table of the simulated network: the rules file first, then the built-in magic numbers
/// (last seven digits <c>55501DD</c>, any country or area code), then the default (rings 1 s, answers).
/// </summary>
public sealed class SimulatedRules
{
    public static readonly IReadOnlyList<SimulatedRule> BuiltIn =
    [
        Rule("00", SimulatedOutcome.Answer),
        Rule("01", SimulatedOutcome.Reject, sipCode: 486),
        Rule("02", SimulatedOutcome.NoAnswer),
        Rule("03", SimulatedOutcome.Reject, sipCode: 404, ring: false, ringTime: TimeSpan.Zero),
        Rule("04", SimulatedOutcome.Answer, talkTime: TimeSpan.FromSeconds(2)),
        Rule("05", SimulatedOutcome.Answer, answeredBy: "machine_start"),
        Rule("06", SimulatedOutcome.Reject, sipCode: 503, ring: false, ringTime: TimeSpan.Zero),
        Rule("07", SimulatedOutcome.Reject, sipCode: 603),
        Rule("08", SimulatedOutcome.Answer, ringTime: TimeSpan.FromSeconds(5)),
    ];

    private static readonly SimulatedRule Default = new() { Pattern = ".*" };

    private readonly IReadOnlyList<SimulatedRule> _custom;

    public SimulatedRules(IReadOnlyList<SimulatedRule> custom) => _custom = custom;

    /// <summary>
    /// The rule for a destination: the first rules-file rule whose pattern matches it as written, else the built-in
    /// rule for its number (see <see cref="Dialed"/>), else the default.
    /// </summary>
    public SimulatedRule For(string to)
    {
        foreach (var rule in _custom)
        {
            if (rule.Matches(to))
            {
                return rule;
            }
        }
        var dialed = Dialed(to);
        foreach (var rule in BuiltIn)
        {
            if (rule.Matches(dialed))
            {
                return rule;
            }
        }
        return Default;
    }

    /// <summary>
    /// What the built-in table reads of a destination: a number as it is, a <c>sip:</c> URI's user part
    /// (<c>sip:+14155550101@pbx.example.com</c> → <c>+14155550101</c>), a <c>client:</c> identity.
    /// </summary>
    internal static string Dialed(string to)
    {
        if (to.StartsWith("client:", StringComparison.OrdinalIgnoreCase))
        {
            return to["client:".Length..];
        }
        var scheme = to.StartsWith("sips:", StringComparison.OrdinalIgnoreCase) ? "sips:".Length
            : to.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) ? "sip:".Length
            : 0;
        if (scheme == 0)
        {
            return to;
        }
        var user = to.AsSpan(scheme);
        var end = user.IndexOfAny('@', ';');
        return (end < 0 ? user : user[..end]).ToString();
    }

    public static SimulatedRules Load(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return new SimulatedRules([]);
        }
        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize(stream, SimulatedRulesJson.Default.RulesFile)
            ?? throw new InvalidDataException($"{path} holds no rules");
        foreach (var rule in file.Rules)
        {
            _ = rule.Matches("");
        }
        return new SimulatedRules(file.Rules);
    }

    private static SimulatedRule Rule(string dd, SimulatedOutcome outcome, int sipCode = 200, bool ring = true,
        TimeSpan? ringTime = null, TimeSpan? talkTime = null, string answeredBy = "human") => new()
    {
        // The digits of a number end in 55501DD whatever precedes them.
        Pattern = $"^\\+?[0-9]*55501{dd}$",
        Outcome = outcome,
        SipCode = sipCode,
        Ring = ring,
        RingTime = ringTime ?? TimeSpan.FromSeconds(1),
        TalkTime = talkTime,
        AnsweredBy = answeredBy,
    };
}

internal sealed class RulesFile
{
    public List<SimulatedRule> Rules { get; set; } = [];
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true,
    PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(RulesFile))]
internal sealed partial class SimulatedRulesJson : JsonSerializerContext;
