using System.Security.Cryptography;
using System.Text;
using Switchboard.Accounts;
using Switchboard.Storage;

namespace Switchboard.Api;

/// <summary>
/// HTTP Basic authentication with <c>AccountSid:AuthToken</c> or <c>ApiKeySid:ApiKeySecret</c> (reference §2). The account in the path
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

    /// <summary>The longest encoded credentials read: far above an account SID and token, well within the stack.</summary>
    private const int MaxCredentialsLength = 1024;

    /// <summary>
    /// The account whose credentials the <c>Authorization</c> header carries (RFC 7617: <c>Basic</c>, case-insensitive,
    /// then base64 of <c>sid:token</c>; the token is what follows the first colon), or null. Read from the stack: every
    /// API request comes through here.
    /// </summary>
    internal Account? Authenticate(string header)
    {
        var value = header.AsSpan().Trim(' ');
        const string scheme = "Basic";
        if (value.Length <= scheme.Length || !value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || value[scheme.Length] != ' ')
        {
            return null;
        }
        var encoded = value[scheme.Length..].TrimStart(' ');
        if (encoded.IsEmpty || encoded.Length > MaxCredentialsLength)
        {
            return null;
        }
        Span<byte> decoded = stackalloc byte[encoded.Length];
        if (!Convert.TryFromBase64Chars(encoded, decoded, out var written))
        {
            return null;
        }
        decoded = decoded[..written];
        var colon = decoded.IndexOf((byte)':');
        if (colon < 0)
        {
            return null;
        }
        Span<char> sid = stackalloc char[colon];
        if (!Encoding.UTF8.TryGetChars(decoded[..colon], sid, out var sidLength))
        {
            return null;
        }
        sid = sid[..sidLength];
        Account account;
        string secret;
        if (sid.StartsWith("SK", StringComparison.Ordinal))
        {
            if (accounts.FindKey(sid) is not { } key)
            {
                return null;
            }
            (account, secret) = key;
        }
        else if (accounts.Find(sid) is { } found)
        {
            (account, secret) = (found, found.AuthToken);
        }
        else
        {
            return null;
        }
        if (secret.Length > MaxCredentialsLength)
        {
            // Longer than any secret the header could carry.
            return null;
        }
        var given = decoded[(colon + 1)..];
        Span<byte> expected = stackalloc byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        expected = expected[..Encoding.UTF8.GetBytes(secret, expected)];
        return CryptographicOperations.FixedTimeEquals(given, expected) ? account : null;
    }
}

internal static class HttpContextAccountExtensions
{
    public static Account Account(this HttpContext http) => (Account)http.Items[BasicAuthFilter.AccountItem]!;
}
