using Microsoft.Extensions.Options;

namespace Switchboard.Calls.Engine;

/// <summary>
/// Spaces the start of an account's calls at its calls-per-second limit (reference §15): each new call
/// gets the next free slot, and waits in <c>queued</c> until then, in creation order.
/// </summary>
internal sealed class CallsPerSecondGate(IOptions<CallOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _nextSlot = new(StringComparer.Ordinal);

    public DateTimeOffset Reserve(string accountSid, DateTimeOffset now)
    {
        var cps = options.Value.CallsPerSecond;
        if (cps <= 0)
        {
            return now;
        }
        var interval = TimeSpan.FromSeconds(1 / cps);
        lock (_lock)
        {
            var slot = _nextSlot.TryGetValue(accountSid, out var next) && next > now ? next : now;
            _nextSlot[accountSid] = slot + interval;
            return slot;
        }
    }
}
