using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Switchboard.Accounts;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// HTTP Basic authentication with <c>AccountSid:AuthToken</c> (reference §2). The account in the path
/// must be the authenticated one: another account's resources are not found (20404), never shown.
/// </summary>
internal sealed class BasicAuthFilter(AccountRegistry accounts) : IEndpointFilter
{
    public const string AccountItem = "switchboard.account";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (Authenticate(http.Request.Headers.Authorization.ToString()) is not { } account)
        {
            return TwilioErrors.Unauthorized();
        }
        if (http.GetRouteValue("AccountSid") is not string pathSid || !string.Equals(pathSid, account.Sid, StringComparison.Ordinal))
        {
            return TwilioErrors.NotFoundAt(http.Request.Path);
        }
        http.Items[AccountItem] = account;
        return await next(context);
    }

    /// <summary>The account whose credentials the <c>Authorization</c> header carries, or null.</summary>
    internal Account? Authenticate(string header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || value.Parameter is null)
        {
            return null;
        }
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return null;
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || accounts.Find(decoded[..colon]) is not { } account)
        {
            return null;
        }
        var given = Encoding.UTF8.GetBytes(decoded[(colon + 1)..]);
        var expected = Encoding.UTF8.GetBytes(account.AuthToken);
        return CryptographicOperations.FixedTimeEquals(given, expected) ? account : null;
    }
}

internal static class HttpContextAccountExtensions
{
    public static Account Account(this HttpContext http) => (Account)http.Items[BasicAuthFilter.AccountItem]!;
}
