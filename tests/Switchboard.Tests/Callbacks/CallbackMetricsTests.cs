using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Switchboard.Testing;

namespace Switchboard.Tests.Callbacks;

/// <summary>The callback delivery metrics, as an exporter sees them, for deliveries that succeed, retry, hang and give up.</summary>
public sealed class CallbackMetricsTests
{
    [Fact]
    public async Task Metrics_DeliveredRetriedDeadLetteredInFlightAndLag_AreRecorded()
    {
        await using var host = await SwitchboardHost.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(host.AuthToken);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var delivered = new MetricCollector<long>(meters, "Switchboard", "switchboard.callback.delivered");
        using var retried = new MetricCollector<long>(meters, "Switchboard", "switchboard.callback.retries");
        using var deadLettered = new MetricCollector<long>(meters, "Switchboard", "switchboard.callback.dead_lettered");
        using var inFlight = new MetricCollector<long>(meters, "Switchboard", "switchboard.callback.in_flight");
        using var lag = new MetricCollector<double>(meters, "Switchboard", "switchboard.callback.lag");

        // One callback answered 500 once then 200 (one retry, lag about the 1 s backoff); one refused for good.
        var failures = 0;
        receiver.Respond("once", _ => Interlocked.Increment(ref failures) == 1 ? (500, null) : (200, null));
        receiver.Respond("never", _ => (400, null));
        await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["initiated"],
            statusCallback: new Uri(receiver.Url("once")));
        await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["initiated"],
            statusCallback: new Uri(receiver.Url("never")));
        await host.AdvanceUntilAsync(() => delivered.GetMeasurementSnapshot().Count == 1 && deadLettered.GetMeasurementSnapshot().Count == 1,
            10, "one delivery and one dead letter", step: 0.25);

        Assert.Equal(1, delivered.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, retried.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, deadLettered.GetMeasurementSnapshot().EvaluateAsCounter());
        var lagSeconds = Assert.Single(lag.GetMeasurementSnapshot()).Value;
        Assert.InRange(lagSeconds, 0.75, 1.5);

        // In flight: up while a request waits for its answer, down after.
        var release = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.RespondAsync("held", _ => release.Task);
        await host.CreateCallAsync("+14155550100", twiml: "<Response><Hangup/></Response>", events: ["initiated"],
            statusCallback: new Uri(receiver.Url("held")));
        await receiver.WaitForAsync(r => r.Path == "/held", what: "the held request");
        // The gauge is read when metrics are collected (as a scrape does).
        inFlight.RecordObservableInstruments();
        Assert.Equal(1, inFlight.LastMeasurement!.Value);
        release.SetResult((200, null));
        await delivered.WaitForMeasurementsAsync(2, TimeSpan.FromSeconds(10));
        inFlight.RecordObservableInstruments();
        Assert.Equal(0, inFlight.LastMeasurement!.Value);
        Assert.Equal(2, lag.GetMeasurementSnapshot().Count);
        Assert.Equal("s", lag.Instrument!.Unit);
    }
}
