using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Callbacks;

/// <summary>
/// Computes <c>X-Twilio-Signature</c> (reference §13.1; twilio-csharp <c>RequestValidator</c>): HMAC-SHA1,
/// keyed with the account's auth token, over the URL followed by each POST parameter's name and value,
/// names in ordinal order; Base64. The URL is the one requested, without its fragment.
/// </summary>
public static class RequestSigner
{
    public static string Sign(string authToken, string url, IEnumerable<KeyValuePair<string, string>> postParameters)
    {
        var data = new StringBuilder(url);
        // Ordinal (UTF-16) order, as the SDK validators sort: "CallSid" < "CallStatus" < "CallbackSource" < "Called".
        foreach (var group in postParameters.GroupBy(p => p.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // Python and Node append each value of a repeated name, values sorted; our webhooks never repeat names.
            foreach (var value in group.Select(p => p.Value).Order(StringComparer.Ordinal))
            {
                data.Append(group.Key).Append(value);
            }
        }
        var mac = HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(data.ToString()));
        return Convert.ToBase64String(mac);
    }
}
