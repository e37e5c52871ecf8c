using Switchboard.Calls;
using Switchboard.Insights;
using Switchboard.Storage;

namespace Switchboard.Tests.Insights;

/// <summary>The read model of calls in flight: snapshots, coalesced changes, counts, and a reader that fell behind.</summary>
public sealed class LiveCallViewTests
{
    private const string Account = "AC0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset T0 = new(2026, 7, 1, 12, 0, 0, TimeSpan.Zero);

    private static Call NewCall(int n, CallStatus status, string account = Account) => new()
    {
        Sid = CallSid.Parse($"CA{n:x32}"),
        AccountSid = account,
        To = "+14155550100",
        From = "+14155550199",
        Direction = "outbound-api",
        DateCreated = T0,
        DateUpdated = T0,
        State = new CallState { Status = status },
        Instructions = new CallInstructions { Timeout = TimeSpan.FromSeconds(60), TimeLimit = TimeSpan.FromHours(4) },
    };

    private static StoreWrite Changed(Call call) => new() { Call = call, StatusChange = new StatusChange(null) };

    [Fact]
    public void ChangesSince_SeveralChangesOfOneCall_CoalescesToTheLatest()
    {
        var view = new LiveCallView();
        var call = NewCall(1, CallStatus.Queued);
        view.Apply([Changed(call)]);
        using var watching = view.Watch();
        var (version, calls) = view.Snapshot(Account);
        Assert.Single(calls);

        view.Apply([Changed(call with { State = call.State with { Status = CallStatus.Ringing } }),
            Changed(call with { State = call.State with { Status = CallStatus.InProgress } })]);
        var (next, changed) = view.ChangesSince(Account, version);
        Assert.Equal(CallStatus.InProgress, Assert.Single(changed!).Status);
        Assert.Equal(version + 2, next);

        view.Apply([Changed(call with { State = call.State with { Status = CallStatus.Completed } })]);
        (_, changed) = view.ChangesSince(Account, next);
        Assert.Equal(CallStatus.Completed, Assert.Single(changed!).Status);
        Assert.Empty(view.Snapshot(Account).Calls);
    }

    [Fact]
    public void Apply_WritesWithoutStatusChangeOrOfOtherAccounts_AreNotShown()
    {
        var view = new LiveCallView();
        view.Apply([new StoreWrite { Call = NewCall(1, CallStatus.Ringing) }, Changed(NewCall(2, CallStatus.Ringing, "AC" + new string('f', 32)))]);
        Assert.Empty(view.Snapshot(Account).Calls);
        Assert.Empty(view.ChangesSince(Account, 0).Changed!);
        Assert.Equal(1, view.CountsByStatus().Single(c => c.Status == CallStatus.Ringing).Count);
    }

    [Fact]
    public void CountsByStatus_LoadedAndChangedCalls_CountsEachCallOnceInItsStatus()
    {
        var view = new LiveCallView();
        view.Load([NewCall(1, CallStatus.Ringing), NewCall(2, CallStatus.Ringing), NewCall(3, CallStatus.InProgress)]);
        view.Apply([Changed(NewCall(1, CallStatus.InProgress)), Changed(NewCall(2, CallStatus.Busy))]);
        var counts = view.CountsByStatus().ToDictionary(c => c.Status, c => c.Count);
        Assert.Equal(0, counts[CallStatus.Ringing]);
        Assert.Equal(2, counts[CallStatus.InProgress]);
        Assert.DoesNotContain(CallStatus.Busy, counts.Keys);
    }

    [Fact]
    public void ChangesSince_ReaderFurtherBehindThanTheLog_GetsNullToResnapshot()
    {
        var view = new LiveCallView();
        var call = NewCall(1, CallStatus.Ringing);
        for (var i = 0; i < 70_000; i++)
        {
            view.Apply([Changed(call)]);
        }
        Assert.Null(view.ChangesSince(Account, 0).Changed);
        Assert.NotNull(view.ChangesSince(Account, 70_000 - 100).Changed);
    }

    [Fact]
    public void FinalStates_AreKeptForReadersOnlyWhileOneWatches()
    {
        var view = new LiveCallView();
        var first = NewCall(1, CallStatus.Ringing);
        var second = NewCall(2, CallStatus.Ringing);
        view.Apply([Changed(first), Changed(second)]);
        var ended = EndUnwatched(view, first);

        // Nobody watched when the first call ended: the view let go of it (a later reader starts from a snapshot).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.False(ended.TryGetTarget(out _));

        var watching = view.Watch();
        var (version, _) = view.Snapshot(Account);
        view.Apply([Changed(second with { State = second.State with { Status = CallStatus.Completed } })]);
        Assert.Equal(CallStatus.Completed, Assert.Single(view.ChangesSince(Account, version).Changed!).Status);

        watching.Dispose();
        watching.Dispose();
        var third = NewCall(3, CallStatus.Ringing);
        view.Apply([Changed(third)]);
        (version, _) = view.Snapshot(Account);
        view.Apply([Changed(third with { State = third.State with { Status = CallStatus.Busy } })]);
        Assert.Empty(view.ChangesSince(Account, version).Changed!);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference<Call> EndUnwatched(LiveCallView view, Call call)
    {
        var ended = call with { State = call.State with { Status = CallStatus.Completed } };
        view.Apply([Changed(ended)]);
        return new WeakReference<Call>(ended);
    }
}
