using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Storage;
using Switchboard.Testing;

namespace Switchboard.Tests.Insights;

internal static class InsightsTestExtensions
{
    /// <summary>Waits (real time, bounded) until no status callback of the account is pending, so the fake clock can move without changing delivery times.</summary>
    public static async Task WaitForCallbacksDeliveredAsync(this SwitchboardHost host, int expected)
    {
        var store = host.Services.GetRequiredService<ICallStore>();
        var query = new InsightsQuery { AccountSid = host.AccountSid };
        IReadOnlyList<CallbackTiming> timings = [];
        for (var i = 0; i < 500; i++)
        {
            timings = await store.ListCallbackTimingsAsync(query, CancellationToken.None);
            if (timings.Count >= expected && timings.All(t => t.State == CallbackState.Delivered))
            {
                return;
            }
            await Task.Delay(20);
        }
        throw new TimeoutException($"Expected {expected} delivered callbacks; have {timings.Count}, " +
            $"{timings.Count(t => t.State == CallbackState.Delivered)} delivered");
    }

    public static async Task<JsonElement> GetJsonAsync(this SwitchboardHost host, string path)
    {
        using var response = await host.Http.GetAsync(path, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }
}
