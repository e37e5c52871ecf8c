using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using Switchboard.Bench;

// Switchboard benchmark: every figure is measured in this one run against a baseline from the same run,
// all traffic on 127.0.0.1. `--quick` shortens every phase (for a smoke run; the figures are noisier).
var quick = args.Contains("--quick");
// `--latency-rate N`: phase (c) runs at N calls/s instead of half the maximum, so that two builds can be
// compared at one rate (half the maximum moves with the create rate of the build measured).
var latencyRateAt = Array.IndexOf(args, "--latency-rate");
double? latencyRate = latencyRateAt >= 0 && latencyRateAt + 1 < args.Length
    ? double.Parse(args[latencyRateAt + 1], CultureInfo.InvariantCulture)
    : null;
if (args.Contains("--sip"))
{
    // SIP calls per second against sipp, next to sipp's own rate (docs/performance.md, "SIP calls per second").
    // `--sip-phase server|control|stack [--sip-calls N]`: that phase alone (for profiling it).
    var sipPhase = Array.IndexOf(args, "--sip-phase") is var at && at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    var sipCalls = Array.IndexOf(args, "--sip-calls") is var c && c >= 0 && c + 1 < args.Length ? int.Parse(args[c + 1], CultureInfo.InvariantCulture) : (int?)null;
    Environment.ExitCode = sipPhase is null ? await SipBench.RunAsync(quick) : await SipBench.RunPhaseAsync(sipPhase, sipCalls ?? 10_000);
    return;
}
var plan = quick ? Plan.Quick : Plan.Full;
// `--phase b`: phase (b) alone (its rounds as in the run chosen), with the process id printed first, for profiling it
// (`perf record -p`, /proc/PID/task/*/stat).
// `--callback-calls N` sets its backlog (N calls, 3 callbacks each); `--hold S` waits S seconds with the backlog held
// before opening the gate, after printing "gate opens", so that a profiler can attach to the delivery alone.
var onlyB = ArgValue("--phase") == "b";
if (ArgValue("--callback-calls") is { } callbackCalls)
{
    plan = plan with { CallbackCalls = int.Parse(callbackCalls, CultureInfo.InvariantCulture) };
}
// `--rounds N` sets the number of alternating rounds of (a) and (b) (more rounds: a steadier A/B of two builds).
if (ArgValue("--rounds") is { } rounds)
{
    plan = plan with { Rounds = int.Parse(rounds, CultureInfo.InvariantCulture) };
}
var hold = ArgValue("--hold") is { } holdSeconds ? TimeSpan.FromSeconds(double.Parse(holdSeconds, CultureInfo.InvariantCulture)) : TimeSpan.Zero;
var total = Stopwatch.StartNew();
var inv = CultureInfo.InvariantCulture;

Console.WriteLine($"# Switchboard benchmark ({(quick ? "quick" : "full")} run)");
Console.WriteLine();
Console.WriteLine($"- machine: {Environment.ProcessorCount} cores, {CpuModel()}, {RuntimeInformation.OSDescription}");
Console.WriteLine($"- runtime: {RuntimeInformation.FrameworkDescription}, server GC {GCSettings.IsServerGC}, {(Debugger.IsAttached ? "debugger" : "no debugger")}, " +
    $"{(IsOptimized() ? "Release" : "Debug")} build");
Console.WriteLine($"- load: in-process HttpClient (SocketsHttpHandler), {plan.Connections} keep-alive connections, " +
    $"warm-up {plan.Warmup.TotalSeconds} s, then {plan.Rounds} round(s) of {plan.Round.TotalSeconds} s per rate");
Console.WriteLine();

var rulesPath = Path.Combine(Path.GetTempPath(), $"switchboard-bench-rules-{Environment.ProcessId}.json");
await File.WriteAllTextAsync(rulesPath, """
    { "rules": [ { "pattern": "^\\+1999", "ring": false, "ringTime": "00:00:00", "outcome": "Answer" } ] }
    """);

await using var receiver = await Receiver.StartAsync();
var cb = receiver.Url.ToString();
string[] allEvents = ["initiated", "ringing", "answered", "completed"];
const string Hangup = "<Response><Hangup/></Response>";

// ---- (d) memory of live calls: the Release server alone, in a process of its own, fresh (so no earlier phase
// leaves a high-water mark), fed from this process. Its resident size is read from /proc, its heap from its /metrics.
if (onlyB)
{
    Step($"phase (b) alone, pid {Environment.ProcessId}");
}
if (ArgValue("--phase") == "queued")
{
    // `--phase queued`: the create request alone as in (a″), for profiling it: `--rounds N` rounds, the process id first.
    Step($"create requests alone (calls wait in queued), pid {Environment.ProcessId}");
    await using var queuing = await SwitchboardServer.StartAsync(rulesPath, new Dictionary<string, string?> { ["Calls:CallsPerSecond"] = "0.001" });
    using var client = Load.Client(plan.Connections);
    // `--allocations`: the types allocated in the last round, from the runtime's allocation samples.
    using var sampler = args.Contains("--allocations") ? new AllocationSampler() : null;
    for (var round = 0; round < plan.Rounds; round++)
    {
        if (round == plan.Rounds - 1)
        {
            sampler?.Start();
        }
        var allocated = GC.GetTotalAllocatedBytes();
        var gen0 = GC.CollectionCount(0);
        var queued = await Load.ClosedLoopAsync(client, Post(queuing.CallsUrl, CallForm("+14155550100", Hangup, "http://127.0.0.1:9/cb", allEvents)),
            HttpStatusCode.Created, plan.Connections, round == 0 ? plan.Warmup : Plan.RoundWarmup, plan.Round);
        // Over the round and its warm-up (this process: the load's client side too); per request counted in the round.
        var requests = queued.Ok * (1 + (round == 0 ? plan.Warmup : Plan.RoundWarmup) / plan.Round);
        Step($"  round {round + 1}: create, calls wait in queued: {queued.Rate:N0}/s ({queued.Failed} failed) {Latency(queued)}; " +
            $"about {(GC.GetTotalAllocatedBytes() - allocated) / requests / 1024:F1} KiB allocated per request, {GC.CollectionCount(0) - gen0} gen0 collections");
    }
    foreach (var (type, share) in sampler?.Stop().Take(40) ?? [])
    {
        Console.WriteLine(string.Create(inv, $"    {share,6:P1}  {type}"));
    }
    File.Delete(rulesPath);
    return;
}
MemoryResult memory = null!;
if (!onlyB)
{
    var serverDll = ServerProcess.FindDll(ArgValue("--server-dll"));
    Step($"memory: {plan.LiveCalls:N0} live calls ringing (+14155550102, Timeout=600) in the server alone: dotnet {serverDll}");
    // --server-env NAME=VALUE (repeatable) sets a variable for the server process only (runtime knobs, for comparisons).
    var serverEnv = args.Select((a, i) => (a, i)).Where(p => p.a == "--server-env" && p.i + 1 < args.Length)
        .Select(p => args[p.i + 1].Split('=', 2)).Select(kv => KeyValuePair.Create(kv[0], kv.Length > 1 ? kv[1] : "")).ToList();
    if (serverEnv.Count > 0)
    {
        Step($"  server environment: {string.Join(' ', serverEnv.Select(kv => $"{kv.Key}={kv.Value}"))}");
    }
    await using (var server = await ServerProcess.StartAsync(serverDll, serverEnv))
    {
        var (startRss, _) = server.ReadResident();
        using var client = Load.Client(plan.Connections);
        var post = Post(server.CallsUrl, CallForm("+14155550102", Hangup, cb, [], timeout: 600));
        var warm = await Load.CountAsync(client, post, HttpStatusCode.Created, plan.Connections, 2_000); // JIT and pools warm
        var heapBefore = await server.CollectAndReadHeapAsync();
        var (rssBefore, _) = server.ReadResident();
        var liveBefore = await server.LiveCallsAsync();
        var cpu = new CpuMeter(server.CpuTime);
        var ioBefore = server.ReadIo();
        // The kernel's VmHWM is updated lazily; sampling VmRSS while the calls are created catches the peak too.
        using var sampling = new CancellationTokenSource();
        var sampledPeak = Task.Run(async () =>
        {
            long max = 0;
            while (!sampling.IsCancellationRequested)
            {
                max = Math.Max(max, server.ReadResident().Rss);
                await Task.Delay(50);
            }
            return max;
        });
        var created = await Load.CountAsync(client, post, HttpStatusCode.Created, plan.Connections, plan.LiveCalls);
        var liveAfter = await server.LiveCallsAsync();
        await sampling.CancelAsync();
        var (rssAfter, hwm) = server.ReadResident();
        var partsAfter = server.ReadResidentParts();
        var ioAfter = server.ReadIo();
        var peak = Math.Max(hwm, await sampledPeak);
        var memoryCpu = cpu.Stop();
        var heapAfter = await server.CollectAndReadHeapAsync();
        var (rssCollected, hwmCollected) = server.ReadResident();
        var peakCollected = Math.Max(peak, hwmCollected);
        memory = new MemoryResult((int)(liveAfter - liveBefore), (int)liveAfter, startRss, rssBefore, heapBefore, rssAfter, peak, heapAfter,
            rssCollected, created, memoryCpu);
        Step($"  server pid {server.Pid}: RSS {Mb(startRss)} MB at start; warm-up {warm.Ok:N0} calls ({warm.Failed} failed), then RSS {Mb(rssBefore)} MB, " +
            $"heap {Mb(heapBefore.Live)} MB live ({Mb(heapBefore.Size)} MB with free space, GC committed {Mb(heapBefore.Committed)} MB)");
        Step($"  {memory.Added:N0} calls added in {created.Seconds:F1} s ({created.Rate:N0}/s, {created.Failed} failed{Error(created)}), {liveAfter:N0} live" +
            $"{(memory.Added == plan.LiveCalls ? "" : $" (NOT all {plan.LiveCalls:N0} live)")}; " +
            $"RSS {Mb(rssAfter)} MB, peak {Mb(peak)} MB (VmHWM and VmRSS sampled every 50 ms); after a full collection: heap {Mb(heapAfter.Live)} MB live ({Mb(heapAfter.Size)} MB with free space, " +
            $"GC committed {Mb(heapAfter.Committed)} MB), RSS {Mb(rssCollected)} MB, peak {Mb(peakCollected)} MB; {memoryCpu}");
        Step($"  resident with the calls: anonymous {Mb(partsAfter.Anon)} MB (GC heap, native, stacks), file-backed {Mb(partsAfter.File)} MB " +
            $"(mapped assemblies and libraries), shared {Mb(partsAfter.Shmem)} MB (double-mapped JIT code and stubs)");
        // --gcdump PATH: a heap dump of the server with the calls still live (needs dotnet-gcdump on the PATH or in ~/.dotnet/tools).
        if (ArgValue("--gcdump") is { } dumpPath)
        {
            var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
            using var dump = Process.Start(File.Exists(tool) ? tool : "dotnet-gcdump", ["collect", "-p", server.Pid.ToString(CultureInfo.InvariantCulture), "-o", dumpPath]);
            await dump.WaitForExitAsync();
            Step($"  gcdump written to {dumpPath} (exit {dump.ExitCode})");
        }
        Step($"  per added call: heap {memory.HeapPerCall:N0} B, RSS {memory.RssPerCall:N0} B; server system calls per added call " +
            $"(sockets and SQLite): {(double)(ioAfter.ReadCalls - ioBefore.ReadCalls) / memory.Added:F1} reads, {(double)(ioAfter.WriteCalls - ioBefore.WriteCalls) / memory.Added:F1} writes");
    }
}
if (args.Contains("--memory"))
{
    // Phase (d) alone (for comparing builds: --server-dll PATH).
    File.Delete(rulesPath);
    Console.WriteLine($"- total run time {total.Elapsed.TotalSeconds:F0} s");
    return;
}

// ---- (a) create-call rate against a hello-world POST, in alternating rounds so that load from outside
// this process (it changes over time) falls on both alike.
List<LoadResult> helloRounds = [], boundRounds = [], createRounds = [], quietRounds = [], queuedHelloRounds = [], queuedRounds = [];
double alongside = 0;
CpuShare createCpu = default;
if (!onlyB)
{
    Step($"create-call rate vs hello-world POST ({plan.Rounds} alternating rounds of {plan.Round.TotalSeconds} s)");
    await using (var helloApp = await HelloWorld.StartAsync())
    await using (var server = await SwitchboardServer.StartAsync(rulesPath))
    await using (var boundReceiver = await Receiver.StartAsync())
    {
        var cpu = new CpuMeter();
        var form = CallForm("+14155550100", Hangup, cb, allEvents);
        using var helloClient = Load.Client(plan.Connections);
        using var client = Load.Client(plan.Connections);
        // The bound on (a) for any server: per call, the create answered as cheaply as hello-world answers it and its 4
        // callbacks sent as cheaply as the raw POST of (b), to a receiver of their own (the drain below counts arrivals).
        using var boundClient = Load.Client(Plan.CallbackConnections);
        var rawCallback = new LoadStep(boundClient, new PostTemplate(boundReceiver.Url, TypicalCallbackForm(), headers: TypicalCallbackHeaders()),
            HttpStatusCode.OK);
        LoadStep[] boundUnit = [new(helloClient, Post(helloApp.Url, form), HttpStatusCode.Created), rawCallback, rawCallback, rawCallback, rawCallback];
        for (var round = 0; round < plan.Rounds; round++)
        {
            var warmup = round == 0 ? plan.Warmup : Plan.RoundWarmup;
            var h = await Load.ClosedLoopAsync(helloClient, Post(helloApp.Url, form), HttpStatusCode.Created, plan.Connections, warmup, plan.Round);
            helloRounds.Add(h);
            var b = await Load.ClosedLoopAsync(boundUnit, plan.Connections, Plan.RoundWarmup, plan.Round);
            boundRounds.Add(b);

            var arrived = receiver.Arrived;
            var window = Stopwatch.StartNew();
            var c = await Load.ClosedLoopAsync(client, Post(server.CallsUrl, form), HttpStatusCode.Created, plan.Connections, warmup, plan.Round);
            alongside += (receiver.Arrived - arrived) / window.Elapsed.TotalSeconds / plan.Rounds;
            createRounds.Add(c);
            var drained = await DrainAsync(server, receiver, TimeSpan.FromSeconds(60));

            var quiet = await Load.ClosedLoopAsync(client, Post(server.CallsUrl, CallForm("+14155550100", Hangup, null, [])),
                HttpStatusCode.Created, plan.Connections, warmup, plan.Round);
            quietRounds.Add(quiet);
            await WaitAsync(() => server.LiveCalls == 0, TimeSpan.FromSeconds(60));

            Step($"  round {round + 1}: hello-world {h.Rate:N0}/s {Latency(h)}; hello-world + 4 raw callback POSTs {b.Rate:N0}/s " +
                $"({b.Failed} failed{Error(b)}); create (4 callback events) {c.Rate:N0}/s " +
                $"({c.Failed} failed{Error(c)}) {Latency(c)}; create (no StatusCallback) {quiet.Rate:N0}/s ({quiet.Failed} failed{Error(quiet)}) " +
                $"{Latency(quiet)}; callbacks drained in {drained.Seconds:F1} s ({drained.Received:N0}/{drained.Expected:N0})");
        }
        createCpu = cpu.Stop();
        Step($"  {createCpu}");

    }
}
var hello = Merge(helloRounds);
var bound = Merge(boundRounds);
var create = Merge(createRounds);
var createQuiet = Merge(quietRounds);
var callbacksAlongside = alongside;

// ---- (b) callback delivery rate against a raw HttpClient → Kestrel POST, alternating as well.
Step($"callback delivery rate vs raw HttpClient POST ({plan.Rounds} alternating rounds)");
List<LoadResult> rawRounds = [];
long delivered = 0;
double deliverySeconds = 0;
double callbacksPerCall = 0;
long backlog = 0;
CpuShare callbackCpu;
await using (var server = await SwitchboardServer.StartAsync(rulesPath))
{
    var cpu = new CpuMeter();
    using var rawClient = Load.Client(Plan.CallbackConnections);
    using var client = Load.Client(plan.Connections);
    var rawPost = new PostTemplate(receiver.Url, TypicalCallbackForm(), headers: TypicalCallbackHeaders());

    // One backlog: the gate closes, `calls` calls fill the outbox, the gate opens, every callback is answered.
    async Task<(long Expected, LoadResult Fill, long Held, double Seconds, bool Done, TimeSpan Cpu)> BacklogAsync(int calls, TimeSpan holdFor)
    {
        receiver.Reset();
        receiver.CloseGate();
        var before = (await server.ReadOutboxAsync()).Count;
        var fill = await Load.CountAsync(client, Post(server.CallsUrl, CallForm("+19995550000", Hangup, cb, allEvents)),
            HttpStatusCode.Created, plan.Connections, calls);
        await WaitAsync(() => server.LiveCalls == 0, TimeSpan.FromSeconds(60));
        await server.FlushAsync();
        var expected = (await server.ReadOutboxAsync()).Count - before;
        await WaitAsync(() => receiver.Received >= Math.Min(expected, Plan.CallbackConnections), TimeSpan.FromSeconds(10));
        var held = receiver.Received;
        if (holdFor > TimeSpan.Zero)
        {
            Step($"  gate opens in {holdFor.TotalSeconds} s");
            await Task.Delay(holdFor);
        }
        var deliveryCpu = Environment.CpuUsage.TotalTime;
        var opened = Stopwatch.GetTimestamp();
        receiver.OpenGate();
        var done = await WaitAsync(() => receiver.Answered >= expected, TimeSpan.FromSeconds(120));
        deliveryCpu = Environment.CpuUsage.TotalTime - deliveryCpu;
        return (expected, fill, held, Stopwatch.GetElapsedTime(opened, receiver.LastAnsweredTimestamp).TotalSeconds, done, deliveryCpu);
    }

    // The raw POST is measured after a warm-up (a longer one in round 1); the delivery gets one as well: a backlog
    // of half the size, delivered and not counted, so that this server's code is compiled and its pools filled.
    var warm = await BacklogAsync(plan.CallbackCalls / 2, TimeSpan.Zero);
    Step($"  warm-up (not counted): {warm.Expected:N0} callbacks delivered in {warm.Seconds:F2} s{(warm.Done ? "" : " (TIMED OUT)")}");
    for (var round = 0; round < plan.Rounds; round++)
    {
        receiver.Reset();
        var rawCpu = Environment.CpuUsage.TotalTime;
        var r = await Load.ClosedLoopAsync(rawClient, rawPost, HttpStatusCode.OK, Plan.CallbackConnections,
            round == 0 ? plan.Warmup : Plan.RoundWarmup, plan.Round);
        rawCpu = Environment.CpuUsage.TotalTime - rawCpu;
        rawRounds.Add(r);

        var (expected, fill, held, seconds, done, deliveryCpu) = await BacklogAsync(plan.CallbackCalls, hold);
        backlog += expected;
        callbacksPerCall = (double)expected / plan.CallbackCalls;
        delivered += receiver.Answered;
        deliverySeconds += seconds;
        Step($"  round {round + 1}: raw POST ({Plan.CallbackConnections} connections) {r.Rate:N0}/s ({r.Failed} failed) {Latency(r)}; " +
            $"backlog of {expected:N0} callbacks from {plan.CallbackCalls:N0} calls (filled in {fill.Seconds:F1} s, {fill.Failed} failed, " +
            $"{held} held at the receiver) delivered in {seconds:F2} s{(done ? "" : " (TIMED OUT)")}: {receiver.Answered / seconds:N0}/s; " +
            // This process's CPU (load, receiver and server alike): per raw POST over the round with its warm-up, per callback from the gate's opening.
            $"CPU per raw POST {rawCpu.TotalMicroseconds / r.Ok:F1} µs, per delivered callback {deliveryCpu.TotalMicroseconds / receiver.Answered:F1} µs");
    }
    callbackCpu = cpu.Stop();
    Step($"  {callbackCpu}");
}
var raw = Merge(rawRounds);
var deliveryRate = delivered / deliverySeconds;
if (onlyB)
{
    Console.WriteLine($"- (b) {deliveryRate:N0}/s vs raw POST {raw.Rate:N0}/s: {deliveryRate / raw.Rate:P0}; other processes used {callbackCpu.Others:P0} of the CPU");
    File.Delete(rulesPath);
    return;
}

// ---- (c) event → receipt latency at half the maximum load.
var maxCalls = Math.Min(create.Rate, deliveryRate / callbacksPerCall);
var halfRate = latencyRate ?? maxCalls / 2;
Step($"latency at {(latencyRate is null ? "half load" : "the given rate")}: {halfRate:N0} calls/s ≈ {halfRate * callbacksPerCall:N0} callbacks/s " +
    $"(max = min(create {create.Rate:N0}/s, delivery {deliveryRate:N0}/s ÷ {callbacksPerCall:F1} per call))");
LatencyResult latency;
CpuShare latencyCpu;
await using (var server = await SwitchboardServer.StartAsync(rulesPath))
{
    receiver.Reset();
    using var client = Load.Client(plan.Connections);
    var post = Post(server.CallsUrl, CallForm("+19995550000", Hangup, cb, allEvents));
    // Warm the server up (JIT, pools) before the measured window.
    await Load.OpenLoopAsync(client, post, HttpStatusCode.Created, halfRate, plan.Warmup, 4096);
    var measureFrom = NowMicros();
    var cpu = new CpuMeter();
    // The process's collections in the window (server, load and receiver share it): pauses show in the tail.
    var gcBefore = (G0: GC.CollectionCount(0), G1: GC.CollectionCount(1), G2: GC.CollectionCount(2), Pause: GC.GetTotalPauseDuration(),
        Allocated: GC.GetTotalAllocatedBytes(precise: true));
    var open = await Load.OpenLoopAsync(client, post, HttpStatusCode.Created, halfRate, plan.LatencyDuration, 4096);
    var measureTo = NowMicros();
    latencyCpu = cpu.Stop();
    var gcWindow = $"GC in the window: {GC.CollectionCount(0) - gcBefore.G0} gen0, {GC.CollectionCount(1) - gcBefore.G1} gen1, " +
        $"{GC.CollectionCount(2) - gcBefore.G2} gen2 collections (each counts in the lower ones), {(GC.GetTotalPauseDuration() - gcBefore.Pause).TotalMilliseconds:F0} ms paused, " +
        $"{(GC.GetTotalAllocatedBytes(precise: true) - gcBefore.Allocated) / Math.Max(1, open.Ok) / 1024.0:F0} KiB allocated per call";
    var drained = await DrainAsync(server, receiver, TimeSpan.FromSeconds(60));
    var outbox = await server.ReadOutboxAsync();
    var samples = new List<double>();
    var firstSamples = new List<double>();
    foreach (var arrival in receiver.Arrivals)
    {
        if (outbox.TryGetValue((arrival.CallSid, arrival.SequenceNumber), out var eventMicros) && eventMicros >= measureFrom && eventMicros < measureTo)
        {
            var ms = (arrival.ArrivedMicros - eventMicros) / 1000.0;
            samples.Add(ms);
            if (arrival.SequenceNumber == 0)
            {
                firstSamples.Add(ms);
            }
        }
    }
    var expected = outbox.Values.Count(v => v >= measureFrom && v < measureTo);
    latency = new LatencyResult(halfRate, open, samples.Order().ToArray(), firstSamples.Order().ToArray(), expected, drained);
    Step($"  sent {open.Sent:N0} creates in {open.Seconds:F1} s ({open.Ok:N0} ok, {open.Failed} failed, {open.Skipped} not sent); " +
        $"{samples.Count:N0} of {expected:N0} callbacks in the window received; " +
        $"p50 {Pct(latency.All, 50):F2} ms, p90 {Pct(latency.All, 90):F2} ms, p99 {Pct(latency.All, 99):F2} ms, max {latency.All.LastOrDefault():F1} ms; {latencyCpu}; {gcWindow}");
}

// ---- (e) delivery when the receiver fails 10 % of requests (HTTP 500, retried after the 1 s ±20 % backoff;
// a later callback of the same call waits for the retried one). Backlog drain as in (b), then latency as in (c).
Step("callback delivery with a receiver that fails 10 % of requests");
FailingResult failing;
await using (var server = await SwitchboardServer.StartAsync(rulesPath))
{
    var cpu = new CpuMeter();
    using var client = Load.Client(plan.Connections);
    var post = Post(server.CallsUrl, CallForm("+19995550000", Hangup, cb, allEvents));
    receiver.Reset();
    receiver.FailEvery = 10;
    receiver.CloseGate();
    await Load.CountAsync(client, post, HttpStatusCode.Created, plan.Connections, plan.CallbackCalls);
    await WaitAsync(() => server.LiveCalls == 0, TimeSpan.FromSeconds(60));
    await server.FlushAsync();
    var expected = (await server.ReadOutboxAsync()).Count;
    await WaitAsync(() => receiver.Received >= Math.Min(expected, Plan.CallbackConnections), TimeSpan.FromSeconds(10));
    var opened = Stopwatch.GetTimestamp();
    receiver.OpenGate();
    // The tail is set by the backoff (a callback failing twice waits 1 s + 2 s), not by throughput: note when 90 % had arrived.
    await WaitAsync(() => receiver.Answered >= expected * 9 / 10, TimeSpan.FromSeconds(120));
    var ninetySeconds = Stopwatch.GetElapsedTime(opened).TotalSeconds;
    var done = await WaitAsync(() => receiver.Answered >= expected, TimeSpan.FromSeconds(120));
    var drainSeconds = Stopwatch.GetElapsedTime(opened, receiver.LastAnsweredTimestamp).TotalSeconds;
    var drainRate = receiver.Answered / drainSeconds;
    Step($"  backlog of {expected:N0} callbacks: {receiver.Answered:N0} delivered in {drainSeconds:F2} s{(done ? "" : " (TIMED OUT)")} = {drainRate:N0}/s " +
        $"(90 % within {ninetySeconds:F2} s = {expected * 0.9 / ninetySeconds:N0}/s); " +
        $"{receiver.Failed:N0} requests answered 500 ({(double)receiver.Failed / (receiver.Failed + receiver.Answered):P1})");
    var backlogFailed = receiver.Failed;

    // No reset: the drain below counts every outbox row of this server, the backlog's included.
    var measureFrom = NowMicros();
    var open = await Load.OpenLoopAsync(client, post, HttpStatusCode.Created, halfRate, plan.LatencyDuration, 4096);
    var measureTo = NowMicros();
    var drained = await DrainAsync(server, receiver, TimeSpan.FromSeconds(60));
    var outbox = await server.ReadOutboxAsync();
    var samples = receiver.Arrivals
        .Where(a => outbox.TryGetValue((a.CallSid, a.SequenceNumber), out var t) && t >= measureFrom && t < measureTo)
        .Select(a => (a.ArrivedMicros - outbox[(a.CallSid, a.SequenceNumber)]) / 1000.0).Order().ToArray();
    var windowExpected = outbox.Values.Count(v => v >= measureFrom && v < measureTo);
    var failingCpu = cpu.Stop();
    failing = new FailingResult(expected, receiver.Answered == 0 ? 0 : drainRate, drainSeconds, expected * 0.9 / ninetySeconds, backlogFailed,
        halfRate, samples, windowExpected, receiver.Failed - backlogFailed, failingCpu);
    Step($"  open loop at {halfRate:N0} calls/s for {open.Seconds:F1} s: {samples.Length:N0} of {windowExpected:N0} callbacks of the window delivered " +
        $"({receiver.Failed - backlogFailed:N0} requests answered 500); event → successful receipt p50 {Pct(samples, 50):F2} ms, p90 {Pct(samples, 90):F2} ms, " +
        $"p99 {Pct(samples, 99):F2} ms, max {samples.LastOrDefault():F0} ms; drained {drained.Received:N0}/{drained.Expected:N0}; {failingCpu}");
    receiver.FailEvery = 0;
}

// ---- (a″) The create request alone: a server whose account may start one call per 1,000 s keeps every call queued,
// so no transition and no callback runs in the window (one call per run is dispatched; its callbacks go to a closed
// port, not to the receiver). Last, with hello-world rounds of its own, so that the queued calls it accumulates (and
// their garbage) weigh on no other phase.
if (!onlyB)
{
    Step($"create request alone (the call waits in queued) vs hello-world POST ({plan.Rounds} alternating rounds of {plan.Round.TotalSeconds} s)");
    await using var helloApp = await HelloWorld.StartAsync();
    await using var queuing = await SwitchboardServer.StartAsync(rulesPath, new Dictionary<string, string?> { ["Calls:CallsPerSecond"] = "0.001" });
    using var helloClient = Load.Client(plan.Connections);
    using var client = Load.Client(plan.Connections);
    var queuedForm = CallForm("+14155550100", Hangup, "http://127.0.0.1:9/cb", allEvents);
    for (var round = 0; round < plan.Rounds; round++)
    {
        var warmup = round == 0 ? plan.Warmup : Plan.RoundWarmup;
        var h = await Load.ClosedLoopAsync(helloClient, Post(helloApp.Url, queuedForm), HttpStatusCode.Created, plan.Connections, warmup, plan.Round);
        queuedHelloRounds.Add(h);
        var q = await Load.ClosedLoopAsync(client, Post(queuing.CallsUrl, queuedForm), HttpStatusCode.Created, plan.Connections, warmup, plan.Round);
        queuedRounds.Add(q);
        Step($"  round {round + 1}: hello-world {h.Rate:N0}/s {Latency(h)}; create, the call waits in queued {q.Rate:N0}/s ({q.Failed} failed{Error(q)}) {Latency(q)}");
    }
}
var queuedHello = Merge(queuedHelloRounds);
var createQueued = Merge(queuedRounds);

File.Delete(rulesPath);

// ---- The table.
var createRatio = create.Rate / hello.Rate;
var quietRatio = createQuiet.Rate / hello.Rate;
var boundRatio = bound.Rate / hello.Rate;
var queuedRatio = createQueued.Rate / queuedHello.Rate;
var deliveryRatio = deliveryRate / raw.Rate;
var p99 = Pct(latency.All, 99);
// A quick run adds fewer calls; its peak is shown as measured, not scaled (RSS does not grow linearly from a warm-up).
var fullMemory = memory.Added >= 100_000;
var liveLabel = fullMemory ? "100,000" : $"{memory.Added:N0} (quick run)";
var table = new StringBuilder();
table.AppendLine(inv, $"| measurement | Switchboard | baseline, same run | ratio | target | result |");
table.AppendLine("|---|---:|---:|---:|---|---|");
table.AppendLine(inv, $"| (a) create call, 4 callback events (req/s) | {create.Rate:N0} | hello-world POST {hello.Rate:N0} | {createRatio:P0} | ≥ 50 % | {Verdict(createRatio >= 0.5)} |");
table.AppendLine(inv, $"| (a) bound for any server: a hello-world POST and 4 raw callback POSTs per call (per s) | {bound.Rate:N0} | hello-world POST {hello.Rate:N0} | {boundRatio:P0} | (info) | |");
table.AppendLine(inv, $"| (a') create call, no StatusCallback (req/s) | {createQuiet.Rate:N0} | hello-world POST {hello.Rate:N0} | {quietRatio:P0} | (info) | |");
table.AppendLine(inv, $"| (a″) create request alone, the call waits in queued (req/s) | {createQueued.Rate:N0} | hello-world POST {queuedHello.Rate:N0} | {queuedRatio:P0} | (info) | |");
table.AppendLine(inv, $"| (b) status callbacks delivered (per s) | {deliveryRate:N0} | raw HttpClient POST {raw.Rate:N0} | {deliveryRatio:P0} | ≥ 60 % | {Verdict(deliveryRatio >= 0.6)} |");
table.AppendLine(inv, $"| (c) event → receipt latency at {latency.CallsPerSecond:N0} calls/s ({latency.CallsPerSecond * callbacksPerCall:N0} callbacks/s) | p50 {Pct(latency.All, 50):F2} ms, p99 {p99:F2} ms | — | — | p99 < 10 ms | {Verdict(p99 < 10)} |");
table.AppendLine(inv, $"| (d) server process alone, peak RSS with {liveLabel} live calls | {Mb(memory.Peak)} MB | — | — | < 200 MB | {(fullMemory ? Verdict(memory.Peak < 200L * 1024 * 1024) : "(not the target's 100,000)")} |");
table.AppendLine(inv, $"| (e) callbacks delivered, receiver failing 10 %: whole backlog (per s) | {failing.DrainRate:N0} | (b) without failures {deliveryRate:N0} | {failing.DrainRate / deliveryRate:P0} | (info) | |");
table.AppendLine(inv, $"| (e) same, first 90 % of the backlog (per s) | {failing.NinetyRate:N0} | (b) without failures {deliveryRate:N0} | {failing.NinetyRate / deliveryRate:P0} | (info) | |");
table.AppendLine(inv, $"| (e) event → successful receipt at {failing.CallsPerSecond:N0} calls/s, receiver failing 10 % | p50 {Pct(failing.Latencies, 50):F2} ms, p99 {Pct(failing.Latencies, 99):F2} ms | (c) p99 {p99:F2} ms | — | (info) | |");
Console.WriteLine();
Console.Write(table);
Console.WriteLine();
Console.WriteLine($"- (a) request latency p50/p99: hello-world {Pct(Sorted(hello), 50):F2}/{Pct(Sorted(hello), 99):F2} ms, " +
    $"create {Pct(Sorted(create), 50):F2}/{Pct(Sorted(create), 99):F2} ms; callbacks delivered while creating at full speed: {callbacksAlongside:N0}/s");
Console.WriteLine($"- (b) {plan.Rounds} backlogs, {backlog:N0} callbacks in all ({callbacksPerCall:F1} per call), held at the receiver, then drained; " +
    $"raw POST with {Plan.CallbackConnections} connections (the dispatcher's per-host limit)");
Console.WriteLine($"- other processes on the machine used {createCpu.Others:P0} (a), {callbackCpu.Others:P0} (b), {latencyCpu.Others:P0} (c) of its CPU");
Console.WriteLine($"- (c) {latency.All.Length:N0} callbacks (of {latency.Expected:N0}) whose event fell in the {plan.LatencyDuration.TotalSeconds} s window; " +
    $"p90 {Pct(latency.All, 90):F2} ms, max {latency.All.LastOrDefault():F1} ms; first callback (initiated) p50/p99 {Pct(latency.First, 50):F2}/{Pct(latency.First, 99):F2} ms; " +
    $"create requests {latency.Load.Ok:N0} ok, {latency.Load.Failed} failed, {latency.Load.Skipped} not sent");
Console.WriteLine($"- (d) the server alone (own process): {memory.Added:N0} calls added ({memory.Live:N0} live) in {memory.Load.Seconds:F1} s; RSS {Mb(memory.StartRss)} MB at start, " +
    $"{Mb(memory.RssBefore)} MB after the warm-up, {Mb(memory.RssAfter)} MB with the calls (peak {Mb(memory.Peak)} MB), {Mb(memory.RssCollected)} MB after a full collection; " +
    $"managed heap (live, after a full collection) {Mb(memory.HeapBefore.Live)} → {Mb(memory.HeapAfter.Live)} MB: {memory.HeapPerCall:N0} B per call, RSS {memory.RssPerCall:N0} B per call; " +
    $"GC committed {Mb(memory.HeapAfter.Committed)} MB; other processes used {memory.Cpu.Others:P0} of the CPU");
Console.WriteLine($"- (e) backlog of {failing.Backlog:N0} callbacks drained in {failing.DrainSeconds:F2} s with {failing.BacklogFailed:N0} answers of 500; " +
    $"latency window: {failing.Latencies.Length:N0} of {failing.WindowExpected:N0} callbacks, p90 {Pct(failing.Latencies, 90):F2} ms, max {failing.Latencies.LastOrDefault():F0} ms, " +
    $"{failing.WindowFailed:N0} answers of 500; other processes used {failing.Cpu.Others:P0} of the CPU");
Console.WriteLine($"- total run time {total.Elapsed.TotalSeconds:F0} s");
return;

void Step(string message) => Console.WriteLine($"[{total.Elapsed.TotalSeconds,6:F1} s] {message}");

static LoadResult Merge(List<LoadResult> rounds) => new(rounds.Sum(r => r.Ok), rounds.Sum(r => r.Failed), rounds.Sum(r => r.Seconds),
    [.. rounds.SelectMany(r => r.LatenciesMs)], rounds.Select(r => r.FirstError).FirstOrDefault(e => e is not null));

string? ArgValue(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static PostTemplate Post(Uri url, string form) => new(url, form, SwitchboardServer.AccountSid, SwitchboardServer.AuthToken);

static string CallForm(string to, string twiml, string? statusCallback, string[] events, int? timeout = null)
{
    var form = new StringBuilder();
    form.Append(CultureInfo.InvariantCulture, $"To={Uri.EscapeDataString(to)}&From={Uri.EscapeDataString("+14155550199")}&Twiml={Uri.EscapeDataString(twiml)}");
    if (statusCallback is not null)
    {
        form.Append(CultureInfo.InvariantCulture, $"&StatusCallback={Uri.EscapeDataString(statusCallback)}");
    }
    foreach (var e in events)
    {
        form.Append(CultureInfo.InvariantCulture, $"&StatusCallbackEvent={e}");
    }
    if (timeout is { } t)
    {
        form.Append(CultureInfo.InvariantCulture, $"&Timeout={t}");
    }
    return form.ToString();
}

// What a status callback carries (reference §9.2), for the raw baseline: same receiver, similar size.
static string TypicalCallbackForm() => string.Join('&', new Dictionary<string, string>
{
    ["CallSid"] = "CA0123456789abcdef0123456789abcdef",
    ["AccountSid"] = SwitchboardServer.AccountSid,
    ["From"] = "+14155550199",
    ["To"] = "+19995550000",
    ["Caller"] = "+14155550199",
    ["Called"] = "+19995550000",
    ["CallStatus"] = "in-progress",
    ["ApiVersion"] = "2010-04-01",
    ["Direction"] = "outbound-api",
    ["CallbackSource"] = "call-progress-events",
    ["SequenceNumber"] = "1",
    ["Timestamp"] = "Wed, 01 Jul 2026 12:00:00 +0000",
}.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

static List<KeyValuePair<string, string>> TypicalCallbackHeaders() =>
[
    new("X-Twilio-Signature", "q3mMhI8Tz2fJ0iBZ6e3R7kM0V1c="),
    new("I-Twilio-Idempotency-Token", Guid.NewGuid().ToString()),
    new("User-Agent", "TwilioProxy/1.1"),
    new("Accept", "*/*"),
];

static async Task<bool> WaitAsync(Func<bool> condition, TimeSpan timeout)
{
    var started = Stopwatch.GetTimestamp();
    while (!condition())
    {
        if (Stopwatch.GetElapsedTime(started) > timeout)
        {
            return false;
        }
        await Task.Delay(20);
    }
    return true;
}

// Waits until every call has ended and every callback in the outbox has reached the receiver.
static async Task<DrainResult> DrainAsync(SwitchboardServer server, Receiver receiver, TimeSpan timeout)
{
    var started = Stopwatch.GetTimestamp();
    await WaitAsync(() => server.LiveCalls == 0, timeout);
    await server.FlushAsync();
    var expected = (await server.ReadOutboxAsync()).Count;
    await WaitAsync(() => receiver.Arrived >= expected, timeout - Stopwatch.GetElapsedTime(started));
    return new DrainResult(expected, receiver.Arrived, Stopwatch.GetElapsedTime(started).TotalSeconds);
}

static long NowMicros() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).Ticks / 10;

static double[] Sorted(LoadResult r) => [.. r.LatenciesMs.Order()];

static double Pct(double[] sorted, double p) => Load.Percentile(sorted, p);

static string Latency(LoadResult r)
{
    var s = Sorted(r);
    return string.Create(CultureInfo.InvariantCulture, $"[p50 {Pct(s, 50):F2} ms, p99 {Pct(s, 99):F2} ms]");
}

static string Error(LoadResult r) => r.FirstError is null ? "" : $"; first error: {r.FirstError[..Math.Min(200, r.FirstError.Length)]}";

static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("F1", CultureInfo.InvariantCulture);

static string Verdict(bool met) => met ? "met" : "**missed**";

static string CpuModel()
{
    try
    {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }
    catch (IOException)
    {
        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}

static bool IsOptimized() =>
    typeof(Plan).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false) is not [DebuggableAttribute { IsJITOptimizerDisabled: true }];
