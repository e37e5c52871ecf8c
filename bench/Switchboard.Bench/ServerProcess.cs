using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Diagnostics.NETCore.Client;

namespace Switchboard.Bench;

/// <summary>
/// The Release server run as it ships, in a process of its own (<c>dotnet Switchboard.dll --urls ...</c>), so
/// that its memory is measured without the benchmark's receiver and load generator. Settings go in through the
/// environment, as a deployment would give them.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _databasePath;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private ServerProcess(Process process, Uri baseUrl, string databasePath, string dll)
    {
        _process = process;
        BaseUrl = baseUrl;
        _databasePath = databasePath;
        Dll = dll;
        CallsUrl = new Uri(baseUrl, $"/2010-04-01/Accounts/{SwitchboardServer.AccountSid}/Calls.json");
    }

    public Uri BaseUrl { get; }
    public Uri CallsUrl { get; }
    public string Dll { get; }
    public int Pid => _process.Id;

    /// <summary>
    /// The server's build output next to this benchmark's (the same configuration), unless <paramref name="dll"/>
    /// names another build (for A/B comparisons).
    /// </summary>
    public static string FindDll(string? dll)
    {
        if (dll is not null)
        {
            return Path.GetFullPath(dll);
        }
        var configuration = typeof(ServerProcess).Assembly.Location.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
            {
                return Path.Combine(dir.FullName, "src", "Switchboard", "bin", configuration, "net10.0", "Switchboard.dll");
            }
        }
        throw new InvalidOperationException("Switchboard.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Starts the server; <paramref name="extraEnvironment"/> adds or overrides variables (e.g. <c>DOTNET_*</c> runtime knobs, for comparisons).</summary>
    public static async Task<ServerProcess> StartAsync(string dll, IEnumerable<KeyValuePair<string, string>>? extraEnvironment = null)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} not found: build src/Switchboard first (dotnet build -c Release)", dll);
        }
        var port = FreePort();
        var databasePath = Path.Combine(Path.GetTempPath(), $"switchboard-bench-{Guid.NewGuid():N}.db");
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        var env = info.Environment;
        env["TWILIO_ACCOUNT_SID"] = SwitchboardServer.AccountSid;
        env["TWILIO_AUTH_TOKEN"] = SwitchboardServer.AuthToken;
        env["ConnectionStrings__Switchboard"] = $"Data Source={databasePath}";
        // The default (1/s, Twilio's account default) would queue nearly every call.
        env["Calls__CallsPerSecond"] = "0";
        // Per-call Information logs to the console would be measured instead of the engine.
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Warning";
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in extraEnvironment ?? [])
        {
            env[name] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        // Drain its output so that it never blocks on a full pipe; only warnings and errors are printed.
        process.OutputDataReceived += (_, e) => Echo(e.Data);
        process.ErrorDataReceived += (_, e) => Echo(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"), databasePath, dll);
        var started = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with code {process.ExitCode} during start-up");
            }
            try
            {
                using var response = await server._http.GetAsync(new Uri(server.BaseUrl, "/healthz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }
            if (started.Elapsed > TimeSpan.FromSeconds(30))
            {
                await server.DisposeAsync();
                throw new TimeoutException("the server did not answer /healthz 200 within 30 s");
            }
            await Task.Delay(100);
        }
    }

    private static void Echo(string? line)
    {
        if (!string.IsNullOrWhiteSpace(line))
        {
            Console.WriteLine($"    server: {line}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>VmRSS (resident now) and VmHWM (the peak resident size so far) of the server process.</summary>
    public (long Rss, long Peak) ReadResident()
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
        }
        return (rss, peak);

        static long Kilobytes(string line) =>
            long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Where the resident memory is: anonymous (GC heap, native allocations, stacks), file-backed (mapped assemblies and libraries) and shared (the runtime's double-mapped code).</summary>
    public (long Anon, long File, long Shmem) ReadResidentParts()
    {
        long anon = 0, file = 0, shmem = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/status"))
        {
            var parts = line.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !parts[1].EndsWith(" kB", StringComparison.Ordinal))
            {
                continue;
            }
            var bytes = long.Parse(parts[1][..^3], CultureInfo.InvariantCulture) * 1024;
            switch (parts[0])
            {
                case "RssAnon":
                    anon = bytes;
                    break;
                case "RssFile":
                    file = bytes;
                    break;
                case "RssShmem":
                    shmem = bytes;
                    break;
            }
        }
        return (anon, file, shmem);
    }

    /// <summary>The server's I/O counters from /proc/PID/io: read and write system calls, and bytes read from storage (not the page cache).</summary>
    public (long ReadCalls, long WriteCalls, long StorageBytesRead) ReadIo()
    {
        long reads = 0, writes = 0, storage = 0;
        foreach (var line in File.ReadLines($"/proc/{Pid}/io"))
        {
            var parts = line.Split(':', StringSplitOptions.TrimEntries);
            var value = long.Parse(parts[1], CultureInfo.InvariantCulture);
            switch (parts[0])
            {
                case "syscr":
                    reads = value;
                    break;
                case "syscw":
                    writes = value;
                    break;
                case "read_bytes":
                    storage = value;
                    break;
            }
        }
        return (reads, writes, storage);
    }

    /// <summary>CPU time the server process used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>The server's /metrics (Prometheus text): series name with labels → value.</summary>
    public async Task<Dictionary<string, double>> MetricsAsync()
    {
        var text = await _http.GetStringAsync(new Uri(BaseUrl, "/metrics"));
        var values = new Dictionary<string, double>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var space = line.LastIndexOf(' ');
            if (space > 0 && double.TryParse(line.AsSpan(space + 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                values[line[..space]] = value;
            }
        }
        return values;
    }

    /// <summary>The server's live-call gauge (<c>switchboard.calls.active</c>).</summary>
    public async Task<long> LiveCallsAsync() =>
        (long)(await MetricsAsync()).Where(m => m.Key.StartsWith("switchboard_calls_active", StringComparison.Ordinal)).Sum(m => m.Value);

    /// <summary>
    /// Makes the server run a full blocking collection, as <c>dotnet-gcdump</c> does (an EventPipe session with the
    /// runtime's GCHeapCollect keyword), then reads the managed heap it left: the size after that collection of every
    /// generation, less its fragmentation (free space), from the runtime's own gauges in /metrics.
    /// </summary>
    public async Task<HeapReading> CollectAndReadHeapAsync()
    {
        var before = Gen2Collections(await MetricsAsync());
        const long GcKeyword = 0x1;
        const long GcHeapCollectKeyword = 0x800000;
        var client = new DiagnosticsClient(Pid);
        using (var session = client.StartEventPipeSession(
            [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcKeyword | GcHeapCollectKeyword)],
            requestRundown: false, circularBufferMB: 16))
        {
            var drain = session.EventStream.CopyToAsync(Stream.Null);
            var started = Stopwatch.StartNew();
            Dictionary<string, double> metrics;
            // The exporter caches a scrape for a moment: poll until the induced collection shows.
            while (Gen2Collections(metrics = await MetricsAsync()) <= before)
            {
                if (started.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new TimeoutException("the server did not run the requested full collection within 30 s");
                }
                await Task.Delay(200);
            }
            await session.StopAsync(CancellationToken.None);
            await drain;
            var size = Sum(metrics, "dotnet_gc_last_collection_heap_size_bytes");
            var free = Sum(metrics, "dotnet_gc_last_collection_heap_fragmentation_size_bytes");
            var committed = Sum(metrics, "dotnet_gc_last_collection_memory_committed_size_bytes");
            return new HeapReading((long)(size - free), (long)size, (long)committed);
        }

        static double Gen2Collections(Dictionary<string, double> m) =>
            m.Where(p => p.Key.StartsWith("dotnet_gc_collections_total", StringComparison.Ordinal) && p.Key.Contains("\"gen2\"", StringComparison.Ordinal)).Sum(p => p.Value);

        static double Sum(Dictionary<string, double> m, string name) =>
            m.Where(p => p.Key.StartsWith(name + "{", StringComparison.Ordinal) || p.Key == name).Sum(p => p.Value);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM: the server stops as a deployment would stop it.
            Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)])?.WaitForExit();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        _process.Dispose();
        _http.Dispose();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try
            {
                File.Delete(_databasePath + suffix);
            }
            catch (IOException)
            {
            }
        }
    }
}

/// <summary>Managed heap after a full collection: live bytes, the heap with its free space, and what the GC had committed.</summary>
internal readonly record struct HeapReading(long Live, long Size, long Committed);
