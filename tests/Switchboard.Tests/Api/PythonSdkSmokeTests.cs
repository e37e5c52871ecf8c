using System.Diagnostics;
using System.Net;
using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Api;

/// <summary>
/// Drives the real server with the official Python SDK (twilio-python; Debian's python3-twilio, which .ci/run
/// installs): tests/python-smoke/smoke.py creates, fetches, pages, filters, reads a call's events, cancels, deletes
/// and provokes errors, and receives a call's status callbacks checking each signature with the SDK's RequestValidator;
/// this test checks its exit code and what the server holds afterwards.
/// </summary>
public sealed class PythonSdkSmokeTests
{
    private static readonly TimeSpan PythonTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SmokeScript_AgainstRealServer_PassesAndDeleteIsStored()
    {
        var smokeDir = Path.Combine(SdkScript.FindRepoRoot(), "tests", "python-smoke");
        var python = await FindPythonWithTwilioAsync();
        if (python is null)
        {
            SdkScript.SkipUnlessCi("no python3 that imports twilio (apt-get install python3-twilio, or set SWITCHBOARD_PYTHON)");
        }

        await SdkScript.RunSmokeAsync(python!, Path.Combine(smokeDir, "smoke.py"), "smoke: all checks passed", PythonTimeout,
            async (host, stdout, output) =>
            {
                var canceled = SdkScript.MarkedSid(stdout, "CANCELED", output);
                var deleted = SdkScript.MarkedSid(stdout, "DELETED", output);
                Assert.Equal(canceled, deleted);

                // The deleted call is gone for every client; the two others are still live.
                using var response = await host.Http.GetAsync($"/2010-04-01/Accounts/{host.AccountSid}/Calls/{deleted}.json",
                    TestContext.Current.CancellationToken);
                Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
                var calls = (await CallResource.ReadAsync(client: host.Client)).ToList();
                Assert.Equal(2, calls.Count);
                Assert.DoesNotContain(calls, c => c.Sid == deleted);
                Assert.All(calls, c => Assert.True(c.Status == CallResource.StatusEnum.Queued || c.Status == CallResource.StatusEnum.Ringing,
                    $"{c.Sid} is {c.Status}"));
            });
    }

    /// <summary>
    /// SWITCHBOARD_PYTHON if set, then the system's /usr/bin/python3 (where Debian's python3-twilio lives), then the
    /// python3 on the PATH: the first that can import twilio.
    /// </summary>
    private static async Task<string?> FindPythonWithTwilioAsync()
    {
        string?[] candidates = [Environment.GetEnvironmentVariable("SWITCHBOARD_PYTHON"), "/usr/bin/python3", SdkScript.FindOnPath("python3")];
        foreach (var candidate in candidates.Distinct())
        {
            if (string.IsNullOrEmpty(candidate) || !File.Exists(candidate))
            {
                continue;
            }
            var start = new ProcessStartInfo(candidate) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("import twilio.rest");
            using var process = Process.Start(start)!;
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            if (process.ExitCode == 0)
            {
                return candidate;
            }
        }
        return null;
    }
}
