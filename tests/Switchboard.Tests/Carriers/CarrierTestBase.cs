using Microsoft.Extensions.DependencyInjection;
using Switchboard.Calls;
using Switchboard.Storage;
using Switchboard.Testing;

namespace Switchboard.Tests.Carriers;

/// <summary>A server on the real clock (a SIP peer keeps real time), a webhook receiver, and what a test started.</summary>
public abstract class CarrierTestBase : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _owned = [];

    protected WebhookReceiver Receiver { get; private set; } = null!;

    protected SwitchboardHost Host { get; private set; } = null!;

    /// <summary>How long a test waits for one status callback.</summary>
    protected static readonly TimeSpan StatusWait = TimeSpan.FromSeconds(20);

    public async ValueTask InitializeAsync() => Receiver = await WebhookReceiver.StartAsync(SwitchboardHost.DefaultAuthToken);

    public async ValueTask DisposeAsync()
    {
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }
        await Receiver.DisposeAsync();
    }

    protected T Own<T>(T disposable) where T : IAsyncDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    protected Task StartServerAsync(IDictionary<string, string?> settings) => StartServerCoreAsync(settings);

    private async Task StartServerCoreAsync(IDictionary<string, string?> settings) =>
        Host = await SwitchboardHost.StartAsync(fakeClock: false, settings: settings);

    /// <summary>The call as the store holds it (fields the API does not show, such as the trunk).</summary>
    protected async Task<Call> StoredCallAsync(string sid) =>
        await Host.Services.GetRequiredService<ICallStore>().GetCallAsync(CallSid.Parse(sid), CancellationToken.None)
        ?? throw new InvalidOperationException($"{sid} is not in the store");

    /// <summary>Waits for each status callback in turn and checks order, sequence numbers and signatures.</summary>
    protected async Task<IReadOnlyList<ReceivedWebhook>> ExpectStatusesAsync(string callSid, params string[] statuses)
    {
        foreach (var status in statuses)
        {
            await Receiver.WaitForStatusAsync(callSid, status, StatusWait);
        }
        var callbacks = Receiver.StatusCallbacks(callSid);
        Assert.Equal(statuses, callbacks.Select(c => c["CallStatus"]));
        Assert.Equal(Enumerable.Range(0, statuses.Length).Select(i => i.ToString()), callbacks.Select(c => c["SequenceNumber"]));
        Assert.All(callbacks, c => Assert.True(c.SignatureValid, $"bad signature on {c["CallStatus"]}"));
        return callbacks;
    }
}
