namespace Switchboard.Callbacks;

/// <summary>Why a webhook request did not get a 2xx answer.</summary>
public enum WebhookFailure
{
    None,
    /// <summary>The URL cannot be requested (error 11100).</summary>
    InvalidUrl,
    /// <summary>The destination network is denied by policy.</summary>
    Denied,
    /// <summary>The connection was refused or the host not found (11205).</summary>
    Connect,
    ConnectTimeout,
    ReadTimeout,
    TotalTimeout,
    /// <summary>The server answered, with a non-2xx status (11217 for TwiML, 15003 for status callbacks).</summary>
    Status,
    /// <summary>The response body was over the limit (11750).</summary>
    TooLarge,
    /// <summary>More redirects than allowed (11215).</summary>
    TooManyRedirects,
    /// <summary>The server broke HTTP (11206).</summary>
    Protocol,
}

/// <summary>The outcome of one webhook request.</summary>
public sealed record WebhookResult
{
    public required string Method { get; init; }
    /// <summary>The URL requested (for GET, with the parameters in its query).</summary>
    public required string Url { get; init; }
    public int? StatusCode { get; init; }
    public string? ContentType { get; init; }
    public string? Body { get; init; }
    public required TimeSpan Elapsed { get; init; }
    public WebhookFailure Failure { get; init; }
    public string? Error { get; init; }

    public bool Succeeded => Failure == WebhookFailure.None;

    /// <summary>Whether a retry is allowed for this failure under <paramref name="policy"/>.</summary>
    public bool IsRetryable(RetryOn policy) => Failure switch
    {
        WebhookFailure.Connect or WebhookFailure.ConnectTimeout => policy.HasFlag(RetryOn.Connect),
        WebhookFailure.ReadTimeout or WebhookFailure.TotalTimeout or WebhookFailure.Protocol => policy.HasFlag(RetryOn.Read),
        WebhookFailure.Status when StatusCode is >= 500 => policy.HasFlag(RetryOn.Status5xx),
        WebhookFailure.Status when StatusCode is >= 400 => policy.HasFlag(RetryOn.Status4xx),
        _ => false,
    };
}
