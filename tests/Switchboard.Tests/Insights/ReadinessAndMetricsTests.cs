using System.Net;
using System.Text.Json;
using Switchboard.Testing;

namespace Switchboard.Tests.Insights;

/// <summary><c>/readyz</c> and the insights instruments on the Prometheus endpoint.</summary>
public sealed class ReadinessAndMetricsTests : IAsyncLifetime
{
    private SwitchboardHost _host = null!;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await SwitchboardHost.StartAsync();
        _receiver = await WebhookReceiver.StartAsync(_host.AuthToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Readyz_StartedWithStorageAndCarrier_IsReady()
    {
        var (status, json) = await ReadyzAsync(_host);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ready", json.GetProperty("status").GetString());
        Assert.Equal("ok", json.GetProperty("storage").GetString());
        Assert.Equal("ok", json.GetProperty("carriers").GetString());
    }

    [Fact]
    public async Task Readyz_OnlyRoutesForOtherCountriesThanPlusOne_IsReady()
    {
        await using var host = await SwitchboardHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Carriers:Trunks:0:Name"] = "uk",
            ["Carriers:Trunks:0:Kind"] = "sim",
            ["Carriers:Routes:0:Prefix"] = "+44",
            ["Carriers:Routes:0:Trunks:0"] = "uk",
        });
        var (status, json) = await ReadyzAsync(host);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", json.GetProperty("carriers").GetString());
    }

    /// <summary><c>/readyz</c> without credentials: its status and body.</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Json)> ReadyzAsync(SwitchboardHost host)
    {
        using var anonymous = new HttpClient { BaseAddress = host.BaseUri };
        using var response = await anonymous.GetAsync("/readyz", TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return (response.StatusCode, JsonDocument.Parse(body).RootElement);
    }

    [Fact]
    public async Task Metrics_RingingAndEndedCalls_InFlightByStateAndCarrierOutcomes()
    {
        var ringing = await _host.CreateCallAsync("+14155550102", _receiver);
        var busy = await _host.CreateCallAsync("+14155550101", _receiver);
        await _receiver.WaitForStatusAsync(ringing.Sid, "ringing");
        await _receiver.WaitForStatusAsync(busy.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(busy.Sid, "busy");

        using var anonymous = new HttpClient { BaseAddress = _host.BaseUri };
        static bool RingingLine(string l) => l.StartsWith("switchboard_calls_in_flight", StringComparison.Ordinal)
                                             && l.Contains("status=\"ringing\"", StringComparison.Ordinal) && l.EndsWith(" 1", StringComparison.Ordinal);
        static bool BusyLine(string l) => l.StartsWith("switchboard_carrier_outcomes", StringComparison.Ordinal)
                                          && l.Contains("carrier=\"simulated\"", StringComparison.Ordinal)
                                          && l.Contains("sip_response_code=\"486\"", StringComparison.Ordinal)
                                          && l.Contains("status=\"busy\"", StringComparison.Ordinal);
        string[] lines = [];
        // The exporter caches a scrape briefly: poll (bounded) until a scrape taken after both calls settled shows.
        for (var i = 0; i < 50 && !(lines.Any(RingingLine) && lines.Any(BusyLine)); i++)
        {
            if (i > 0)
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
            lines = (await anonymous.GetStringAsync("/metrics", TestContext.Current.CancellationToken)).Split('\n');
        }
        Assert.Contains(lines, RingingLine);
        Assert.Contains(lines, BusyLine);
    }
}
