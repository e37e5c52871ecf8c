using System.Text.Json;
using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Api;

/// <summary>
/// Drives the real server with the official Node SDK (twilio-node, pinned in tests/node-smoke/package.json):
/// tests/node-smoke/smoke.js creates, fetches, pages, lists a call's recordings and notifications, cancels and provokes
/// an error, and this test checks its exit code and that the server holds the call it canceled.
/// </summary>
public sealed class NodeSdkSmokeTests
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SmokeScript_AgainstRealServer_PassesAndCancelIsStored()
    {
        var smokeDir = Path.Combine(SdkScript.FindRepoRoot(), "tests", "node-smoke");
        var node = SdkScript.FindOnPath("node");
        if (node is null)
        {
            SdkScript.SkipUnlessCi("node is not on PATH (install Node 20+)");
        }
        if (!Directory.Exists(Path.Combine(smokeDir, "node_modules", "twilio")))
        {
            SdkScript.SkipUnlessCi($"{Path.Combine(smokeDir, "node_modules")} is missing: run `npm ci` in tests/node-smoke");
        }

        await SdkScript.RunSmokeAsync(node!, Path.Combine(smokeDir, "smoke.js"), "smoke: all checks passed", NodeTimeout,
            async (host, stdout, output) =>
            {
                var sid = SdkScript.MarkedSid(stdout, "CANCELED", output);

                // The wire form, as any client reads it.
                var json = await host.Http.GetStringAsync($"/2010-04-01/Accounts/{host.AccountSid}/Calls/{sid}.json",
                    TestContext.Current.CancellationToken);
                using var doc = JsonDocument.Parse(json);
                Assert.Equal(sid, doc.RootElement.GetProperty("sid").GetString());
                Assert.Equal("canceled", doc.RootElement.GetProperty("status").GetString());

                // And through the C# SDK.
                var call = await CallResource.FetchAsync(pathSid: sid, client: host.Client);
                Assert.Equal(CallResource.StatusEnum.Canceled, call.Status);
            });
    }
}
