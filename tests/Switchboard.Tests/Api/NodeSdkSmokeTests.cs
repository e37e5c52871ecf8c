using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Switchboard.Testing;
using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Api;

/// <summary>
/// Drives the real server with the official Node SDK (twilio-node, pinned in tests/node-smoke/package.json):
/// tests/node-smoke/smoke.js creates, fetches, pages, cancels and provokes an error, and this test checks
/// its exit code and that the server holds the call it canceled.
/// </summary>
public sealed class NodeSdkSmokeTests
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SmokeScript_AgainstRealServer_PassesAndCancelIsStored()
    {
        var repoRoot = FindRepoRoot();
        var smokeDir = Path.Combine(repoRoot, "tests", "node-smoke");
        var node = FindOnPath("node");
        if (node is null)
        {
            SkipUnlessCi("node is not on PATH (install Node 20+)");
        }
        if (!Directory.Exists(Path.Combine(smokeDir, "node_modules", "twilio")))
        {
            SkipUnlessCi($"{Path.Combine(smokeDir, "node_modules")} is missing: run `npm ci` in tests/node-smoke");
        }

        var host = await SwitchboardHost.StartAsync(fakeClock: true);
        try
        {
            var (exitCode, stdout, stderr) = await RunNodeAsync(node!, smokeDir, host);
            var output = $"exit code {exitCode}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}";
            TestContext.Current.TestOutputHelper?.WriteLine(output);

            Assert.True(exitCode == 0, $"smoke.js failed: {output}");
            var sid = stdout.Split('\n').Select(l => l.Trim())
                .Where(l => l.StartsWith("CANCELED CA", StringComparison.Ordinal))
                .Select(l => l["CANCELED ".Length..]).SingleOrDefault();
            Assert.True(sid is not null, $"smoke.js printed no CANCELED line: {output}");

            // The wire form, as any client reads it.
            var json = await host.Http.GetStringAsync($"/2010-04-01/Accounts/{host.AccountSid}/Calls/{sid}.json",
                TestContext.Current.CancellationToken);
            using var doc = JsonDocument.Parse(json);
            Assert.Equal(sid, doc.RootElement.GetProperty("sid").GetString());
            Assert.Equal("canceled", doc.RootElement.GetProperty("status").GetString());

            // And through the C# SDK.
            var call = await CallResource.FetchAsync(pathSid: sid, client: host.Client);
            Assert.Equal(CallResource.StatusEnum.Canceled, call.Status);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunNodeAsync(string node, string smokeDir, SwitchboardHost host)
    {
        var start = new ProcessStartInfo(node)
        {
            WorkingDirectory = smokeDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(smokeDir, "smoke.js"));
        start.Environment["SWITCHBOARD_URL"] = host.BaseUri.ToString().TrimEnd('/');
        start.Environment["TWILIO_ACCOUNT_SID"] = host.AccountSid;
        start.Environment["TWILIO_AUTH_TOKEN"] = host.AuthToken;
        // The SDK reads these and would rewrite the host; the smoke test talks to loopback only.
        start.Environment.Remove("TWILIO_REGION");
        start.Environment.Remove("TWILIO_EDGE");

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(NodeTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"smoke.js did not finish within {NodeTimeout.TotalSeconds:0} s\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
        }
        // The parameterless wait drains the redirected streams.
        process.WaitForExit();
        return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    private static void SkipUnlessCi(string reason)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail($"{reason} (CI is set, so this is a failure, not a skip)");
        }
        Assert.Skip(reason);
    }

    private static string? FindOnPath(string name)
    {
        string[] names = OperatingSystem.IsWindows() ? [name + ".exe", name + ".cmd"] : [name];
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in names)
            {
                var path = Path.Combine(dir, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        return null;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"No Switchboard.slnx above {AppContext.BaseDirectory}");
    }
}
