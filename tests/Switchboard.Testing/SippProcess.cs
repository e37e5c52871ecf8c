using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Testing;

/// <summary>
/// A sipp far end on 127.0.0.1: one scenario, a free UDP port, <c>-m</c> calls, bounded by sipp's own
/// <c>-timeout</c> and an outer <c>timeout</c>; stopped by its PID on dispose.
/// </summary>
public sealed class SippProcess : IAsyncDisposable
{
    private readonly Process _process;
    private Task<string>? _stdout;
    private Task<string>? _stderr;

    private SippProcess(Process process, int port, string messagesPath)
    {
        _process = process;
        Port = port;
        MessagesPath = messagesPath;
    }

    public int Port { get; }

    /// <summary><c>127.0.0.1:port</c>, for a trunk's Address.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>Every SIP message sipp sent and received (<c>-trace_msg</c>).</summary>
    public string MessagesPath { get; }

    /// <summary>Whether sipp is on PATH.</summary>
    public static bool IsInstalled => Environment.GetEnvironmentVariable("PATH")?
        .Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, "sipp"))) == true;

    /// <summary>Starts <c>sipp -sf scenario</c> as a UAS for <paramref name="calls"/> calls.</summary>
    public static SippProcess StartUas(string scenarioPath, int calls = 1, IReadOnlyDictionary<string, string>? variables = null,
        int timeoutSeconds = 60, IEnumerable<string>? extraArguments = null)
    {
        var settings = (variables ?? new Dictionary<string, string>()).SelectMany(v => new[] { "-set", v.Key, v.Value });
        return Start(timeoutSeconds, (port, messages) =>
        [
            "-sf", Path.GetFullPath(scenarioPath), "-i", "127.0.0.1", "-p", Invariant(port),
            "-bind_local", "-nostdin", "-m", Invariant(calls),
            "-timeout", $"{timeoutSeconds}s", "-trace_msg", "-message_file", messages,
            .. settings, .. extraArguments ?? [],
        ]);
    }

    /// <summary>
    /// Starts <c>sipp remote -sf scenario</c> as a UAC placing <paramref name="calls"/> calls to
    /// <paramref name="service"/> (the Request-URI user), from 127.0.0.1 on a free port; <paramref name="holdMilliseconds"/>
    /// is <c>-d</c>, the length of the scenario's <c>pause</c>.
    /// </summary>
    public static SippProcess StartUac(string scenarioPath, string remote, string service, int holdMilliseconds = 0, int calls = 1,
        int timeoutSeconds = 60, IEnumerable<string>? extraArguments = null) =>
        Start(timeoutSeconds, (port, messages) =>
        [
            remote, "-sf", Path.GetFullPath(scenarioPath), "-s", service, "-i", "127.0.0.1", "-p", Invariant(port),
            "-bind_local", "-nostdin", "-m", Invariant(calls), "-d", Invariant(holdMilliseconds),
            "-timeout", $"{timeoutSeconds}s", "-recv_timeout", "20000",
            "-trace_msg", "-message_file", messages,
            .. extraArguments ?? [],
        ]);

    /// <summary>Runs <c>timeout N sipp …</c> on a free port in a fresh directory, with its message log there.</summary>
    private static SippProcess Start(int timeoutSeconds, Func<int, string, IEnumerable<string>> sippArguments)
    {
        var port = FreeUdpPort();
        var dir = Path.Combine(Path.GetTempPath(), $"sipp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        var messages = Path.Combine(dir, "messages.log");
        var info = new ProcessStartInfo("timeout")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Invariant(timeoutSeconds + 10));
        info.ArgumentList.Add("sipp");
        foreach (var arg in sippArguments(port, messages))
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("sipp did not start");
        var sipp = new SippProcess(process, port, messages);
        sipp._stdout = process.StandardOutput.ReadToEndAsync();
        sipp._stderr = process.StandardError.ReadToEndAsync();
        return sipp;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Waits for sipp to exit (after its <c>-m</c> calls) and returns its exit code; fails after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"sipp on port {Port} did not exit within {timeout.TotalSeconds} s; messages:\n{Messages()}");
        }
        return _process.ExitCode;
    }

    /// <summary>sipp's SIP message log so far (for failure messages).</summary>
    public string Messages() => File.Exists(MessagesPath) ? File.ReadAllText(MessagesPath) : "(no message log)";

    /// <summary>sipp's final statistics and errors (after exit).</summary>
    public async Task<string> OutputAsync() =>
        (_stdout is null ? "" : await _stdout) + (_stderr is null ? "" : await _stderr);

    /// <summary>
    /// A port that was free a moment ago for UDP and for TCP alike: sipp listens on both with <c>-t t1</c>, and a
    /// UDP port from the ephemeral range may be held by some TCP connection of another test.
    /// </summary>
    public static int FreeUdpPort()
    {
        for (var attempt = 0; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Only the process this fixture started, by its PID (the `timeout` wrapper forwards the signal).
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        await Task.CompletedTask;
    }
}
