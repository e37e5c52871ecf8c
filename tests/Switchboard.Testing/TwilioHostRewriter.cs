namespace Switchboard.Testing;

/// <summary>
/// Points the official C# SDK at a local server: it hard-codes https://api.twilio.com, so requests are
/// rewritten to the target host (reference §19).
/// </summary>
public sealed class TwilioHostRewriter(Uri target, HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        if (uri.Host.EndsWith(".twilio.com", StringComparison.OrdinalIgnoreCase))
        {
            request.RequestUri = new UriBuilder(uri) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
        }
        return base.SendAsync(request, cancellationToken);
    }
}
