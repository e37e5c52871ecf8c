using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Storage;
using Switchboard.Testing;

namespace Switchboard.Tests.Callbacks;

/// <summary>
/// Delivery outcomes share commits: a write that may wait (<see cref="StoreWrite.MayWait"/>) commits when its time is
/// up, or at once with the next write that may not wait, in order; it is never lost by waiting.
/// </summary>
public sealed class OutcomeCommitTests : IAsyncLifetime
{
    private SwitchboardHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await SwitchboardHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    private StoreWriter Writer => _host.Services.GetRequiredService<StoreWriter>();

    [Fact]
    public async Task WriteThatMayWait_CommitsWithTheNextWriteThatMayNot()
    {
        var outcome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Writer.Submit(new StoreWrite { MayWait = TimeSpan.FromMinutes(5), Committed = outcome });

        // Nothing else is written on this idle server: the write waits for company.
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.False(outcome.Task.IsCompleted);

        // A write that may not wait takes it along, at once.
        var flushed = Stopwatch.StartNew();
        await Writer.FlushAsync().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.True(flushed.Elapsed < TimeSpan.FromSeconds(10));
        Assert.True(outcome.Task.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WriteThatMayWait_CommitsAloneWhenItsTimeIsUp()
    {
        var outcome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var submitted = Stopwatch.StartNew();
        Writer.Submit(new StoreWrite { MayWait = TimeSpan.FromMilliseconds(400), Committed = outcome });

        await outcome.Task.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        // Its time runs on the real clock (the test's clock is a fake one that stands still).
        Assert.True(submitted.Elapsed >= TimeSpan.FromMilliseconds(350), $"committed after {submitted.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task WriteThatMayWait_IsCommittedWhenTheServerStops()
    {
        var outcome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Writer.Submit(new StoreWrite { MayWait = TimeSpan.FromMinutes(5), Committed = outcome });
        await Task.Delay(100, TestContext.Current.CancellationToken);

        await _host.StopAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.True(outcome.Task.IsCompletedSuccessfully);
    }
}
