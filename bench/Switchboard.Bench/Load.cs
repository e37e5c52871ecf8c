using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Switchboard.Bench;

/// <summary>A POST to send again and again: URL, pre-encoded form body, optional Basic auth.</summary>
internal sealed class PostTemplate(Uri url, string form, string? basicUser = null, string? basicPassword = null,
    IReadOnlyList<KeyValuePair<string, string>>? headers = null)
{
    private static readonly MediaTypeHeaderValue FormType = MediaTypeHeaderValue.Parse("application/x-www-form-urlencoded");
    private readonly byte[] _body = Encoding.UTF8.GetBytes(form);
    private readonly AuthenticationHeaderValue? _auth = basicUser is null ? null
        : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basicUser}:{basicPassword}")));

    public Uri Url { get; } = url;
    public int BodyBytes => _body.Length;

    public HttpRequestMessage Create()
    {
        var message = new HttpRequestMessage(HttpMethod.Post, Url) { Content = new ByteArrayContent(_body) };
        message.Content.Headers.ContentType = FormType;
        if (_auth is not null)
        {
            message.Headers.Authorization = _auth;
        }
        foreach (var (name, value) in headers ?? [])
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        return message;
    }
}

/// <summary>One request of a closed loop's unit of work: where to send it and the status that counts it as done.</summary>
internal sealed record LoadStep(HttpClient Client, PostTemplate Post, HttpStatusCode Expected);

internal sealed record LoadResult(long Ok, long Failed, double Seconds, double[] LatenciesMs, string? FirstError)
{
    public double Rate => Ok / Seconds;
}

/// <summary>HTTP load from this process: many pooled keep-alive connections (SocketsHttpHandler).</summary>
internal static class Load
{
    /// <summary>The <paramref name="percent"/>th percentile of <paramref name="sorted"/> (nearest rank), NaN when empty.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percent / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static HttpClient Client(int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        UseCookies = false,
        UseProxy = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <summary>
    /// Closed loop: <paramref name="concurrency"/> workers each send one request after another. Counts the
    /// responses with <paramref name="expected"/> status completed between the end of the warm-up and the end.
    /// </summary>
    public static Task<LoadResult> ClosedLoopAsync(HttpClient client, PostTemplate post, HttpStatusCode expected,
        int concurrency, TimeSpan warmup, TimeSpan duration) =>
        ClosedLoopAsync([new LoadStep(client, post, expected)], concurrency, warmup, duration);

    /// <summary>
    /// Closed loop of units of several requests: each worker sends <paramref name="steps"/> one after another, then
    /// starts again. A unit counts once all of its requests have been answered as expected; its latency is the whole unit's.
    /// </summary>
    public static async Task<LoadResult> ClosedLoopAsync(IReadOnlyList<LoadStep> steps, int concurrency, TimeSpan warmup, TimeSpan duration)
    {
        var state = new LoopState();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => WorkerAsync(steps, state, long.MaxValue))).ToArray();
        await Task.Delay(warmup);
        var (ok0, failed0) = (Interlocked.Read(ref state.Ok), Interlocked.Read(ref state.Failed));
        var start = Stopwatch.GetTimestamp();
        state.MeasureFrom = start;
        await Task.Delay(duration);
        var end = Stopwatch.GetTimestamp();
        state.MeasureTo = end;
        var (ok1, failed1) = (Interlocked.Read(ref state.Ok), Interlocked.Read(ref state.Failed));
        state.Stop = true;
        await Task.WhenAll(workers);
        return new LoadResult(ok1 - ok0, failed1 - failed0, Stopwatch.GetElapsedTime(start, end).TotalSeconds,
            [.. workers.SelectMany(w => w.Result)], state.FirstError);
    }

    /// <summary>Closed loop until <paramref name="count"/> requests have been sent.</summary>
    public static async Task<LoadResult> CountAsync(HttpClient client, PostTemplate post, HttpStatusCode expected, int concurrency, long count)
    {
        var state = new LoopState { MeasureFrom = Stopwatch.GetTimestamp(), MeasureTo = long.MaxValue };
        var start = Stopwatch.GetTimestamp();
        LoadStep[] steps = [new(client, post, expected)];
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(() => WorkerAsync(steps, state, count))).ToArray();
        await Task.WhenAll(workers);
        return new LoadResult(state.Ok, state.Failed, Stopwatch.GetElapsedTime(start).TotalSeconds, [], state.FirstError);
    }

    /// <summary>
    /// Reads a response's body to its end into a pooled buffer and drops it: a request counts once its whole answer has
    /// arrived, as with a buffered read, without the load generator copying every body into a growing array of its own
    /// (that was a fifth of the bytes allocated in a SIP server phase, all on the client's side).
    /// </summary>
    private static async Task DrainAsync(HttpResponseMessage response)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            while (await body.ReadAsync(buffer) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task<List<double>> WorkerAsync(IReadOnlyList<LoadStep> steps, LoopState state, long limit)
    {
        var latencies = new List<double>();
        while (!state.Stop && Interlocked.Increment(ref state.Issued) <= limit)
        {
            var sent = Stopwatch.GetTimestamp();
            var ok = true;
            for (var i = 0; ok && i < steps.Count; i++)
            {
                ok = await SendAsync(steps[i], state);
            }
            var done = Stopwatch.GetTimestamp();
            if (ok)
            {
                Interlocked.Increment(ref state.Ok);
            }
            else
            {
                Interlocked.Increment(ref state.Failed);
            }
            if (sent >= Volatile.Read(ref state.MeasureFrom) && done <= Volatile.Read(ref state.MeasureTo))
            {
                latencies.Add(Stopwatch.GetElapsedTime(sent, done).TotalMilliseconds);
            }
        }
        return latencies;
    }

    private static async Task<bool> SendAsync(LoadStep step, LoopState state)
    {
        try
        {
            using var request = step.Post.Create();
            using var response = await step.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            if (response.StatusCode != step.Expected)
            {
                state.FirstError ??= $"HTTP {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
                return false;
            }
            await DrainAsync(response);
            return true;
        }
        catch (HttpRequestException ex)
        {
            state.FirstError ??= ex.Message;
            return false;
        }
    }

    /// <summary>
    /// Open loop: starts requests at a fixed <paramref name="rate"/> whatever the responses do (at most
    /// <paramref name="maxInFlight"/> outstanding; requests beyond it are counted as not sent).
    /// </summary>
    public static async Task<OpenLoopResult> OpenLoopAsync(HttpClient client, PostTemplate post, HttpStatusCode expected,
        double rate, TimeSpan duration, int maxInFlight)
    {
        var inFlight = 0;
        long ok = 0, failed = 0, skipped = 0, sent = 0;
        var tasks = new List<Task>();
        var start = Stopwatch.GetTimestamp();
        while (true)
        {
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (elapsed >= duration)
            {
                break;
            }
            var due = (long)(elapsed.TotalSeconds * rate);
            for (; sent < due; sent++)
            {
                if (Volatile.Read(ref inFlight) >= maxInFlight)
                {
                    skipped++;
                    continue;
                }
                Interlocked.Increment(ref inFlight);
                tasks.Add(SendOneAsync());
            }
            await Task.Delay(1);
        }
        await Task.WhenAll(tasks);
        return new OpenLoopResult(sent, ok, failed, skipped, Stopwatch.GetElapsedTime(start).TotalSeconds);

        async Task SendOneAsync()
        {
            try
            {
                using var request = post.Create();
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                await DrainAsync(response);
                Interlocked.Increment(ref response.StatusCode == expected ? ref ok : ref failed);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref failed);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }

    private sealed class LoopState
    {
        public long Ok;
        public long Failed;
        public long Issued;
        public long MeasureFrom = long.MaxValue;
        public long MeasureTo = long.MaxValue;
        public volatile bool Stop;
        public string? FirstError;
    }
}

internal sealed record OpenLoopResult(long Sent, long Ok, long Failed, long Skipped, double Seconds);
