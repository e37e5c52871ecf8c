using Microsoft.Extensions.Options;

namespace Switchboard.Calls.Engine;

/// <summary>
/// Spaces the start of calls at the calls-per-second limits of their account (reference §15) and of the
/// trunk they are routed to: each new call gets the first slot free under both, and waits in
/// <c>queued</c> until then, in creation order.
/// </summary>
internal sealed class CallsPerSecondGate(IOptions<CallOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _nextSlot = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _nextTrunkSlot = new(StringComparer.OrdinalIgnoreCase);

    public DateTimeOffset Reserve(string accountSid, DateTimeOffset now, string? trunk = null, double trunkCallsPerSecond = 0)
    {
        var cps = options.Value.CallsPerSecond;
        var limitTrunk = trunk is not null && trunkCallsPerSecond > 0;
        if (cps <= 0 && !limitTrunk)
        {
            return now;
        }
        lock (_lock)
        {
            var slot = now;
            if (cps > 0 && _nextSlot.TryGetValue(accountSid, out var next) && next > slot)
            {
                slot = next;
            }
            if (limitTrunk && _nextTrunkSlot.TryGetValue(trunk!, out var nextTrunk) && nextTrunk > slot)
            {
                slot = nextTrunk;
            }
            if (cps > 0)
            {
                _nextSlot[accountSid] = slot + TimeSpan.FromSeconds(1 / cps);
            }
            if (limitTrunk)
            {
                _nextTrunkSlot[trunk!] = slot + TimeSpan.FromSeconds(1 / trunkCallsPerSecond);
            }
            return slot;
        }
    }

    /// <summary>
    /// A trunk call's slot under its trunk's limit alone (an account's limit is for calls it makes through the API,
    /// as Twilio's is). False, and nothing reserved, when the first free slot is more than <paramref name="maxWait"/> away.
    /// </summary>
    public bool TryReserveTrunk(string trunk, double trunkCallsPerSecond, DateTimeOffset now, TimeSpan maxWait, out DateTimeOffset slot)
    {
        slot = now;
        if (trunkCallsPerSecond <= 0)
        {
            return true;
        }
        lock (_lock)
        {
            if (_nextTrunkSlot.TryGetValue(trunk, out var next) && next > slot)
            {
                slot = next;
            }
            if (slot - now > maxWait)
            {
                return false;
            }
            _nextTrunkSlot[trunk] = slot + TimeSpan.FromSeconds(1 / trunkCallsPerSecond);
            return true;
        }
    }
}
