using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

internal static class CallEvents
{
    /// <summary>The next event of the call, or a TimeoutException naming what was expected.</summary>
    public static async Task<T> NextAsync<T>(this SipCall call)
        where T : SipCallEvent
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(ScriptedUas.Bound);
        SipCallEvent next;
        try
        {
            next = await call.Events.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"No call event within {ScriptedUas.Bound.TotalSeconds} s; expected {typeof(T).Name}.");
        }

        return Assert.IsType<T>(next);
    }

    /// <summary>Asserts that the event stream completed after the terminal event.</summary>
    public static async Task AssertCompletedAsync(this SipCall call)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(ScriptedUas.Bound);
        Assert.False(await call.Events.WaitToReadAsync(timeout.Token), "events after the terminal event");
    }

    /// <summary>The next event of an incoming call, or a TimeoutException naming what was expected.</summary>
    public static async Task<T> NextAsync<T>(this IncomingSipCall call)
        where T : SipCallEvent
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(ScriptedUas.Bound);
        SipCallEvent next;
        try
        {
            next = await call.Events.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"No incoming call event within {ScriptedUas.Bound.TotalSeconds} s; expected {typeof(T).Name}.");
        }

        return Assert.IsType<T>(next);
    }
}
