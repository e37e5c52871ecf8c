using System.Diagnostics;
using System.Text;
using Switchboard.Testing;

namespace Switchboard.Tests.Api;

/// <summary>
/// Runs a smoke script of another official Twilio SDK (Node, Python) against a test server: the server's URL and the
/// account's credentials in its environment, its output captured, bounded in time.
/// </summary>
internal static class SdkScript
{
    /// <summary>
    /// Starts a server on a fake clock (created calls stay queued or ringing until canceled), runs the script against it,
    /// fails unless it exits with 0 and printed <paramref name="passedLine"/>, then lets <paramref name="verify"/> check
    /// the server's state with the script's output (stdout, and everything for messages).
    /// </summary>
    public static async Task RunSmokeAsync(string program, string script, string passedLine, TimeSpan timeout,
        Func<SwitchboardHost, string, string, Task> verify)
    {
        var host = await SwitchboardHost.StartAsync(fakeClock: true);
        try
        {
            var (exitCode, stdout, stderr) = await RunAsync(program, Path.GetDirectoryName(script)!, script, host, timeout);
            var output = $"exit code {exitCode}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}";
            TestContext.Current.TestOutputHelper?.WriteLine(output);
            Assert.True(exitCode == 0, $"{Path.GetFileName(script)} failed: {output}");
            Assert.True(stdout.Contains(passedLine, StringComparison.Ordinal), $"{Path.GetFileName(script)} did not print '{passedLine}': {output}");
            await verify(host, stdout, output);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string program, string workingDirectory,
        string script, SwitchboardHost host, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(script);
        start.Environment["SWITCHBOARD_URL"] = host.BaseUri.ToString().TrimEnd('/');
        start.Environment["TWILIO_ACCOUNT_SID"] = host.AccountSid;
        start.Environment["TWILIO_AUTH_TOKEN"] = host.AuthToken;
        // The SDKs read these and would rewrite the host; the smoke tests talk to loopback only.
        start.Environment.Remove("TWILIO_REGION");
        start.Environment.Remove("TWILIO_EDGE");
        // Their HTTP clients (axios, requests) honour proxy variables; loopback must never go through a proxy.
        start.Environment["NO_PROXY"] = start.Environment["no_proxy"] = "127.0.0.1,localhost";

        using var process = new Process { StartInfo = start };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            Assert.Fail($"{Path.GetFileName(script)} did not finish within {timeout.TotalSeconds:0} s\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
        }
        // The parameterless wait drains the redirected streams.
        process.WaitForExit();
        return (process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The SID on the script's line <c>"{marker} CA..."</c>, or a failed assertion.</summary>
    public static string MarkedSid(string stdout, string marker, string output)
    {
        var prefix = marker + " CA";
        var sid = stdout.Split('\n').Select(l => l.Trim())
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .Select(l => l[(marker.Length + 1)..]).SingleOrDefault();
        Assert.True(sid is not null, $"the script printed no {marker} line: {output}");
        return sid!;
    }

    /// <summary>A missing tool skips the test on a developer's machine; under CI (the CI variable set) it fails it.</summary>
    public static void SkipUnlessCi(string reason)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail($"{reason} (CI is set, so this is a failure, not a skip)");
        }
        Assert.Skip(reason);
    }

    public static string? FindOnPath(string name)
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

    public static string FindRepoRoot()
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
