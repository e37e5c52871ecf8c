using System.Globalization;
using Switchboard.Testing;

namespace Switchboard.Tests.Callbacks;

/// <summary>Order across a restart: callbacks left pending by the previous run go out before those the restart itself causes.</summary>
public sealed class CallbackRestartTests
{
    [Fact]
    public async Task Restart_PendingCallbacksAndRecoveryCallback_DeliveredInSequenceOrder()
    {
        var database = Path.Combine(Path.GetTempPath(), $"switchboard-restart-{Guid.NewGuid():N}.db");
        await using var receiver = await WebhookReceiver.StartAsync(SwitchboardHost.DefaultAuthToken);
        var held = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.RespondAsync("status", _ => held.Task);
        string callSid;
        var first = await SwitchboardHost.StartAsync(databasePath: database);
        try
        {
            // Rings until its timeout; its first callback is held unanswered, so the later ones stay pending behind it.
            var call = await first.CreateCallAsync("+14155550102", receiver, twiml: "<Response><Hangup/></Response>", timeout: 600);
            callSid = call.Sid;
            await receiver.WaitForStatusAsync(callSid, "initiated");
            first.Advance(1);
            await Task.Delay(100);
        }
        finally
        {
            await first.StopAsync();
        }

        receiver.Respond("status", _ => (200, null));
        held.SetResult((200, null));
        await using var second = await SwitchboardHost.StartAsync(databasePath: database);
        // The restart ends the ringing call (its leg died with the old process): that callback comes last.
        var failed = await receiver.WaitForStatusAsync(callSid, "failed");
        var firstSeen = receiver.StatusCallbacks(callSid).Select(r => int.Parse(r["SequenceNumber"], CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.Equal(Enumerable.Range(0, firstSeen.Count), firstSeen);
        Assert.Equal(firstSeen[^1].ToString(CultureInfo.InvariantCulture), failed["SequenceNumber"]);
        Assert.True(firstSeen.Count >= 2, $"expected the pending callbacks before the final one: {string.Join(",", firstSeen)}");
    }
}
