using Switchboard.Api;

namespace Switchboard.Dashboard;

/// <summary>
/// The account's credentials, as for the API (HTTP Basic with <c>AccountSid:AuthToken</c>); a browser
/// prompts for them on the 401's <c>WWW-Authenticate</c>. The dashboard shows the account signed in.
/// </summary>
internal sealed class DashboardAuthFilter(BasicAuthFilter basic) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (basic.Authenticate(http.Request.Headers.Authorization.ToString()) is not { } account)
        {
            return TwilioErrors.Unauthorized();
        }
        http.Items[BasicAuthFilter.AccountItem] = account;
        return await next(context);
    }
}
