using Microsoft.Extensions.Options;
using Switchboard.Callbacks;
using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.TwiML;

/// <summary>The result of getting a call's next TwiML document.</summary>
internal sealed record FetchOutcome(TwimlDocument? Document, int ErrorCode, string? Error, WebhookResult? Response)
{
    public static FetchOutcome Ok(TwimlDocument document, WebhookResult? response) => new(document, 0, null, response);
}

/// <summary>
/// Fetches TwiML for a call as Twilio does (reference §12): signed voice request, Twilio's default of one
/// retry on connect or read failure within a 15 s total, URL fragment overrides honoured, each attempt
/// recorded in the call's Events; then parses the document. Failures come back as Twilio error codes.
/// </summary>
internal sealed class TwimlFetcher(WebhookClient client, StoreWriter writer, TimeProvider time, IOptions<CallbackOptions> options, ILogger<TwimlFetcher> logger)
{
    public async Task<FetchOutcome> FetchAsync(Call call, string urlWithFragment, string method, string authToken,
        IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        var (url, overrides) = ConnectionOverrides.Split(urlWithFragment);
        var retries = overrides.RetryCount ?? 1;
        var policy = overrides.RetryPolicy ?? (RetryOn.Connect | RetryOn.Read);
        var total = overrides.TotalTimeout ?? options.Value.TotalTimeout;
        var started = time.GetTimestamp();
        WebhookResult? result = null;

        for (var attempt = 0; attempt <= retries; attempt++)
        {
            var left = total - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                break;
            }
            result = await client.SendAsync(new WebhookRequest
            {
                Url = url,
                Method = method,
                Parameters = parameters,
                AuthToken = authToken,
                Overrides = overrides with { TotalTimeout = left },
            }, cancellationToken);
            writer.Submit(new StoreWrite { Event = CallEvents.From(call.Sid, call.AccountSid, time.GetUtcNow(), parameters, result) });
            CallbacksLog.Fetched(logger, result.Method, url, call.Sid.Value, result.Succeeded ? $"HTTP {result.StatusCode}" : result.Error ?? "");
            if (result.Succeeded || !result.IsRetryable(policy))
            {
                break;
            }
        }

        if (result is null)
        {
            return new FetchOutcome(null, 11205, $"Timed out fetching {url}", null);
        }
        if (!result.Succeeded)
        {
            var code = result.Failure switch
            {
                WebhookFailure.InvalidUrl => 11100,
                WebhookFailure.TooLarge => 11750,
                WebhookFailure.TooManyRedirects => 11215,
                WebhookFailure.Protocol => 11206,
                // "HTTP error response code": the server answered 4xx or 5xx (reference §12).
                WebhookFailure.Status => 11217,
                _ => 11205,
            };
            return new FetchOutcome(null, code, $"{result.Error} ({method} {url})", result);
        }
        if (result.ContentType is { } contentType && !IsTwimlContentType(contentType))
        {
            return new FetchOutcome(null, 12300, $"Invalid Content-Type '{contentType}' ({method} {url})", result);
        }
        var parsed = TwimlParser.Parse(result.Body);
        return parsed.Success
            ? FetchOutcome.Ok(parsed.Document, result)
            : new FetchOutcome(null, parsed.Error.Code, parsed.Error.Message, result);
    }

    // Twilio executes TwiML served as XML or as text/html or text/plain documents; other types
    // (JSON, audio...) are error 12300 here since no media is played.
    private static bool IsTwimlContentType(string contentType) =>
        contentType.Contains("xml", StringComparison.OrdinalIgnoreCase)
        || contentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase)
        || contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);
}
