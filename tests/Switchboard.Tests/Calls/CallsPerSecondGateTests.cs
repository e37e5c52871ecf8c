using Microsoft.Extensions.Options;
using Switchboard.Calls;
using Switchboard.Calls.Engine;

namespace Switchboard.Tests.Calls;

/// <summary>The calls-per-second slots of trunk calls: the trunk's limit alone, and a bounded wait.</summary>
public sealed class CallsPerSecondGateTests
{
    private static readonly DateTimeOffset Now = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TrunkSlots_TwoPerSecond_HalfASecondApart_AndTheAccountLimitDoesNotApply()
    {
        // The account's 1 CPS is for API calls: trunk calls are paced by their trunk only.
        var gate = new CallsPerSecondGate(Options.Create(new CallOptions { CallsPerSecond = 1 }));
        var slots = Enumerable.Range(0, 3).Select(_ =>
        {
            Assert.True(gate.TryReserveTrunk("carrier", 2, Now, TimeSpan.FromSeconds(20), out var slot));
            return slot - Now;
        }).ToList();
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(1)], slots);
        // Another trunk has its own slots.
        Assert.True(gate.TryReserveTrunk("other", 2, Now, TimeSpan.FromSeconds(20), out var other));
        Assert.Equal(Now, other);
    }

    [Fact]
    public void TrunkSlot_FurtherThanTheLongestWait_IsRefusedAndNotTaken()
    {
        var gate = new CallsPerSecondGate(Options.Create(new CallOptions()));
        Assert.True(gate.TryReserveTrunk("carrier", 1, Now, TimeSpan.FromSeconds(1), out _));
        Assert.True(gate.TryReserveTrunk("carrier", 1, Now, TimeSpan.FromSeconds(1), out var second));
        Assert.Equal(Now.AddSeconds(1), second);
        // The next free slot is 2 s away: refused, and the slot stays free for a call that can wait for it.
        Assert.False(gate.TryReserveTrunk("carrier", 1, Now, TimeSpan.FromSeconds(1), out _));
        Assert.True(gate.TryReserveTrunk("carrier", 1, Now.AddSeconds(1), TimeSpan.FromSeconds(1), out var third));
        Assert.Equal(Now.AddSeconds(2), third);
    }

    [Fact]
    public void TrunkWithoutLimit_NeverWaits()
    {
        var gate = new CallsPerSecondGate(Options.Create(new CallOptions()));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(gate.TryReserveTrunk("carrier", 0, Now, TimeSpan.Zero, out var slot));
            Assert.Equal(Now, slot);
        }
    }
}
