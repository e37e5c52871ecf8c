using System.Collections.Frozen;

namespace Switchboard.Calls;

/// <summary>The one table between <see cref="CallStatus"/> and Twilio's wire values.</summary>
public static class CallStatusNames
{
    private static readonly FrozenDictionary<CallStatus, string> Names = new Dictionary<CallStatus, string>
    {
        [CallStatus.Queued] = "queued",
        [CallStatus.Initiated] = "initiated",
        [CallStatus.Ringing] = "ringing",
        [CallStatus.InProgress] = "in-progress",
        [CallStatus.Completed] = "completed",
        [CallStatus.Busy] = "busy",
        [CallStatus.NoAnswer] = "no-answer",
        [CallStatus.Failed] = "failed",
        [CallStatus.Canceled] = "canceled",
    }.ToFrozenDictionary();

    private static readonly FrozenDictionary<string, CallStatus> ByName =
        Names.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>The value sent in webhooks' <c>CallStatus</c>.</summary>
    public static string ToWire(this CallStatus status) => Names[status];

    /// <summary>
    /// The value of the REST resource's <c>status</c>: the resource enum has no <c>initiated</c>
    /// (reference §6), so a dialing call still reads <c>queued</c> there (reference §8.2).
    /// </summary>
    public static string ToResource(this CallStatus status) =>
        status == CallStatus.Initiated ? Names[CallStatus.Queued] : Names[status];

    public static bool TryParse(string? wire, out CallStatus status)
    {
        if (wire is not null && ByName.TryGetValue(wire, out status))
        {
            return true;
        }
        status = default;
        return false;
    }

    public static bool IsFinal(this CallStatus status) => status >= CallStatus.Completed;
}
