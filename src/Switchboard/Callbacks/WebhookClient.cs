using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace Switchboard.Callbacks;

/// <summary>A webhook to send: the URL (without fragment), method, and the parameters to sign and send.</summary>
public sealed record WebhookRequest
{
    public required string Url { get; init; }
    public required string Method { get; init; }
    public required IReadOnlyList<KeyValuePair<string, string>> Parameters { get; init; }
    public required string AuthToken { get; init; }
    public string? IdempotencyToken { get; init; }
    /// <summary>The parameters already form-encoded (the outbox stores them so), sent as the POST body instead of encoding again.</summary>
    public string? FormBody { get; init; }
    public ConnectionOverrides Overrides { get; init; } = ConnectionOverrides.None;
    /// <summary>
    /// Whether the answer's body is used (a TwiML document): then a body over the size limit fails the request. A status
    /// callback's answer is only its status; its body is kept for the call's Events, cut at the limit.
    /// </summary>
    public bool UsesBody { get; init; } = true;
}

/// <summary>
/// Sends signed webhook requests as Twilio does (reference §9.4, §13): form-encoded POST or GET with the
/// parameters in the query, <c>X-Twilio-Signature</c>, <c>I-Twilio-Idempotency-Token</c>, bounded connect,
/// read and total times, a bounded response size and redirect count, and the destination network policy.
/// One pooled <see cref="HttpClient"/> serves every call; receivers that close each connection after answering get one
/// that never reuses a connection (<see cref="_oneShot"/>).
/// </summary>
public sealed class WebhookClient : IDisposable
{
    private static readonly HttpRequestOptionsKey<TimeSpan> ConnectTimeoutKey = new("switchboard.connect-timeout");

    private readonly HttpClient _http;
    // For origins that answered HTTP/1.0 without keep-alive: a connection per request. Such a receiver (Python's
    // http.server by default) closes each connection after its answer, but SocketsHttpHandler keeps an HTTP/1.0
    // connection for reuse unless the answer says "Connection: close"; the next request then races the receiver's
    // close and often fails with "The response ended prematurely" before reaching it (measured: about 40 % of first
    // attempts to such a receiver failed). A handler whose connections outlive no request never sends on one it closed.
    private readonly HttpClient _oneShot;
    private const int MaxClosingOrigins = 1024;
    private readonly ConcurrentDictionary<string, bool> _closingOrigins = new(StringComparer.OrdinalIgnoreCase);
    // Set once any origin was added: until then a request does not look the set up. Not the set's IsEmpty, which takes
    // all of its locks (and so serializes the senders) whenever the set is empty, as it nearly always is.
    private volatile bool _anyClosingOrigin;
    private readonly TimeProvider _time;
    private readonly CallbackOptions _options;
    private readonly NetworkPolicy _policy;
    private const int MaxCachedUris = 1024;
    private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);

    public WebhookClient(IOptions<CallbackOptions> options)
    {
        _options = options.Value;
        // Connect, read and total times bound real network I/O, so they run on the real clock. The
        // engine's clock (which tests replace with a fake one) schedules retries, not socket deadlines:
        // advancing a fake clock must not abort a request that is in flight on a real socket.
        _time = TimeProvider.System;
        _policy = new NetworkPolicy(_options.DeniedNetworks, _options.AllowedNetworks);
        _http = new HttpClient(Handler(TimeSpan.FromMinutes(2))) { Timeout = Timeout.InfiniteTimeSpan };
        // A connection past its lifetime is not reused: with zero, none is.
        _oneShot = new HttpClient(Handler(TimeSpan.Zero)) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private SocketsHttpHandler Handler(TimeSpan connectionLifetime) => new()
    {
        AllowAutoRedirect = _options.MaxRedirects > 0,
        MaxAutomaticRedirections = Math.Max(1, _options.MaxRedirects),
        PooledConnectionLifetime = connectionLifetime,
        MaxConnectionsPerServer = _options.MaxConcurrencyPerHost,
        UseCookies = false,
        UseProxy = false,
        ConnectCallback = ConnectAsync,
    };

    public NetworkPolicy Policy => _policy;

    public async Task<WebhookResult> SendAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var isGet = string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase);
        var url = isGet ? AppendQuery(request.Url, request.Parameters) : request.Url;
        WebhookResult Fail(WebhookFailure failure, string error, int? status = null, string? contentType = null, string? body = null) => new()
        {
            Method = isGet ? "GET" : "POST",
            Url = url,
            StatusCode = status,
            ContentType = contentType,
            Body = body,
            Elapsed = _time.GetElapsedTime(started),
            Failure = failure,
            Error = error,
        };

        if (ParseUrl(url, cache: !isGet) is not { } uri)
        {
            return Fail(WebhookFailure.InvalidUrl, $"Invalid URL: {url}");
        }

        var o = request.Overrides;
        // One timer serves both deadlines: before each wait it is armed for the read timeout or the rest of
        // the total time, whichever ends first, and remembers which one that was.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeouts = new Deadlines(deadline, _time, started, o.TotalTimeout ?? _options.TotalTimeout, o.ReadTimeout ?? _options.ReadTimeout);

        using var message = new HttpRequestMessage(isGet ? HttpMethod.Get : HttpMethod.Post, uri);
        if (o.ConnectTimeout is { } connectTimeout)
        {
            // Only a URL's #ct: the connect callback uses the configured time otherwise (the options are a dictionary per request).
            message.Options.Set(ConnectTimeoutKey, connectTimeout);
        }
        var signed = isGet ? [] : request.Parameters;
        message.Headers.TryAddWithoutValidation("X-Twilio-Signature", RequestSigner.Sign(request.AuthToken, url, signed));
        if (request.IdempotencyToken is { } token)
        {
            message.Headers.TryAddWithoutValidation("I-Twilio-Idempotency-Token", token);
        }
        // Fixed header values are added as text: typed header objects would be built (and parsed) per request.
        message.Headers.TryAddWithoutValidation("User-Agent", "TwilioProxy/1.1");
        message.Headers.TryAddWithoutValidation("Accept", "*/*");
        if (!isGet)
        {
            message.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(request.FormBody ?? FormEncode(request.Parameters)));
            message.Content.Headers.TryAddWithoutValidation("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8");
        }

        HttpResponseMessage response;
        var oneShot = _anyClosingOrigin && _closingOrigins.ContainsKey(Origin(uri));
        try
        {
            timeouts.Arm();
            response = await (oneShot ? _oneShot : _http).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ex switch
            {
                _ when deadline.IsCancellationRequested && timeouts.TotalExpired => Fail(WebhookFailure.TotalTimeout, "Total timeout exceeded"),
                _ when deadline.IsCancellationRequested => Fail(WebhookFailure.ReadTimeout, "Read timeout: no response in time"),
                HttpRequestException { InnerException: DeniedDestinationException d } => Fail(WebhookFailure.Denied, d.Message),
                HttpRequestException { InnerException: TimeoutException } => Fail(WebhookFailure.ConnectTimeout, "Connect timeout"),
                HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } =>
                    Fail(WebhookFailure.Connect, ex.InnerException?.Message ?? ex.Message),
                _ => Fail(WebhookFailure.Protocol, ex.Message),
            };
        }

        using (response)
        {
            LearnConnectionUse(uri, response, oneShot);
            var status = (int)response.StatusCode;
            // As sent, not parsed and formatted again.
            var contentType = response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var types) ? types.ToString() : null;
            string body;
            bool tooLarge;
            try
            {
                (body, tooLarge) = await ReadBodyAsync(response, timeouts, deadline.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return deadline.IsCancellationRequested && timeouts.TotalExpired
                    ? Fail(WebhookFailure.TotalTimeout, "Total timeout exceeded", status, contentType)
                    : deadline.IsCancellationRequested
                        ? Fail(WebhookFailure.ReadTimeout, "Read timeout while reading the body", status, contentType)
                        : Fail(WebhookFailure.Protocol, ex.Message, status, contentType);
            }
            if (status is >= 300 and < 400)
            {
                return Fail(WebhookFailure.TooManyRedirects, $"Too many redirects (over {_options.MaxRedirects})", status, contentType, body);
            }
            if (status is < 200 or >= 300)
            {
                return Fail(WebhookFailure.Status, $"HTTP {status}", status, contentType, body);
            }
            if (tooLarge && request.UsesBody)
            {
                return Fail(WebhookFailure.TooLarge, $"Response body over {_options.MaxResponseBytes} bytes", status, contentType, body);
            }
            return new WebhookResult
            {
                Method = isGet ? "GET" : "POST",
                Url = url,
                StatusCode = status,
                ContentType = contentType,
                Body = body,
                Elapsed = _time.GetElapsedTime(started),
            };
        }
    }

    /// <summary>
    /// Remembers whether the origin that answered closes its connections (HTTP/1.0 without keep-alive), so that its
    /// next requests go through <see cref="_oneShot"/>; a receiver that answers HTTP/1.1 again goes back to the pool.
    /// </summary>
    private void LearnConnectionUse(Uri uri, HttpResponseMessage response, bool oneShot)
    {
        var closes = response.Version < HttpVersion.Version11 && !KeepsAlive(response);
        if (closes == oneShot)
        {
            return;
        }
        // Keyed by the origin the request was sent to, which is what picks the client; after redirects the answer is the
        // last origin's, and the one-shot client does not reuse connections to any of them.
        var origin = Origin(uri);
        if (!closes)
        {
            _closingOrigins.TryRemove(origin, out _);
            return;
        }
        if (_closingOrigins.Count >= MaxClosingOrigins)
        {
            // Bounded: a server calling many such receivers starts over (their next first requests are pooled again).
            _closingOrigins.Clear();
        }
        _closingOrigins[origin] = true;
        _anyClosingOrigin = true;
    }

    private static bool KeepsAlive(HttpResponseMessage response) =>
        response.Headers.NonValidated.TryGetValues("Connection", out var values) &&
        values.Any(v => v.Contains("keep-alive", StringComparison.OrdinalIgnoreCase));

    private static string Origin(Uri uri) => uri.GetLeftPart(UriPartial.Authority);

    /// <summary>
    /// The absolute http(s) URI of a URL, or null. A POST's URL is parsed once: a receiver's status callbacks all go
    /// to one URL, and parsing it (host, IDN, escaping) cost about as much as signing the request. A GET's URL carries
    /// the request's parameters, so it is new each time and not kept.
    /// </summary>
    private Uri? ParseUrl(string url, bool cache)
    {
        if (cache && _uris.TryGetValue(url, out var known))
        {
            return known;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }
        if (!cache)
        {
            return uri;
        }
        if (_uris.Count >= MaxCachedUris)
        {
            // Bounded: a server calling many distinct URLs starts over.
            _uris.Clear();
        }
        _uris[url] = uri;
        return uri;
    }

    private async Task<(string Body, bool TooLarge)> ReadBodyAsync(HttpResponseMessage response, Deadlines timeouts,
        CancellationToken cancellationToken)
    {
        var limit = _options.MaxResponseBytes;
        if (response.Content.Headers.ContentLength == 0)
        {
            return ("", false);
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        // Most status-callback answers are empty or a few bytes: start with a small pooled buffer and grow
        // (still pooled) only for bodies that need it, up to one byte past the limit to detect an oversize body.
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 4096));
        var count = 0;
        try
        {
            while (count <= limit)
            {
                if (count == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, buffer.Length * 2));
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                timeouts.Arm();
                var n = await stream.ReadAsync(buffer.AsMemory(count, Math.Min(buffer.Length, limit + 1) - count), cancellationToken);
                if (n == 0)
                {
                    break;
                }
                count += n;
            }
            var tooLarge = count > limit;
            return (count == 0 ? "" : Encoding.UTF8.GetString(buffer, 0, Math.Min(count, limit)), tooLarge);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The read and total deadlines of one request on one cancellation source.</summary>
    private sealed class Deadlines(CancellationTokenSource source, TimeProvider time, long started, TimeSpan total, TimeSpan read)
    {
        /// <summary>Whether the last arming was bound by the total time (so its firing is a total timeout).</summary>
        public bool TotalExpired { get; private set; }

        public void Arm()
        {
            var left = total - time.GetElapsedTime(started);
            TotalExpired = left <= read;
            source.CancelAfter(left <= TimeSpan.Zero ? TimeSpan.Zero : TotalExpired ? left : read);
        }
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var timeout = context.InitialRequestMessage.Options.TryGetValue(ConnectTimeoutKey, out var t) ? t : _options.ConnectTimeout;
        using var cts = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cts.Token, cancellationToken);
        var endpoint = context.DnsEndPoint;
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(endpoint.Host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(endpoint.Host, linked.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException("Name resolution timed out");
        }

        var permitted = addresses.Where(a => NetworkPolicy.IsSupported(a.AddressFamily) && _policy.Permits(a)).ToArray();
        if (permitted.Length == 0)
        {
            throw new DeniedDestinationException($"Destination {endpoint.Host} is not an allowed network");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(permitted, endpoint.Port, linked.Token);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            socket.Dispose();
            throw new TimeoutException("Connect timed out");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// <c>name=value&amp;…</c>, each part escaped as <see cref="Uri.EscapeDataString(string)"/> does. Written into
    /// one pooled buffer: every status callback's body is encoded once, and a string per escaped part adds up.
    /// </summary>
    internal static string FormEncode(IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var buffer = ArrayPool<char>.Shared.Rent(1024);
        var length = 0;
        try
        {
            foreach (var (key, value) in parameters)
            {
                if (length > 0)
                {
                    Append("&");
                }
                AppendEscaped(key);
                Append("=");
                AppendEscaped(value);
            }
            return new string(buffer, 0, length);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }

        void Append(string text)
        {
            while (!text.TryCopyTo(buffer.AsSpan(length)))
            {
                Grow();
            }
            length += text.Length;
        }

        void AppendEscaped(string text)
        {
            int written;
            while (!Uri.TryEscapeDataString(text, buffer.AsSpan(length), out written))
            {
                Grow();
            }
            length += written;
        }

        void Grow()
        {
            var larger = ArrayPool<char>.Shared.Rent(buffer.Length * 2);
            buffer.AsSpan(0, length).CopyTo(larger);
            ArrayPool<char>.Shared.Return(buffer);
            buffer = larger;
        }
    }

    private static string AppendQuery(string url, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        if (parameters.Count == 0)
        {
            return url;
        }
        return url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + FormEncode(parameters);
    }

    public void Dispose()
    {
        _http.Dispose();
        _oneShot.Dispose();
    }

    private sealed class DeniedDestinationException(string message) : Exception(message);
}
