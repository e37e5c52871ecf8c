using System.Buffers;
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
        // Ordinal (UTF-16) order, as the SDK validators sort: "CallSid" < "CallStatus" < "CallbackSource" < "Called".
        // Python and Node append each value of a repeated name, values sorted; our webhooks never repeat names.
        // Sorting the pairs by name, then value, gives that order. The signed text is built in pooled buffers:
        // every status callback is signed, so this runs once per delivery.
        var pairs = postParameters.ToArray();
        Array.Sort(pairs, static (a, b) =>
        {
            var byName = string.CompareOrdinal(a.Key, b.Key);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        var length = url.Length;
        foreach (var (key, value) in pairs)
        {
            length += key.Length + value.Length;
        }
        var chars = ArrayPool<char>.Shared.Rent(length);
        var bytes = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(length));
        try
        {
            url.CopyTo(chars);
            var at = url.Length;
            foreach (var (key, value) in pairs)
            {
                key.CopyTo(chars.AsSpan(at));
                at += key.Length;
                value.CopyTo(chars.AsSpan(at));
                at += value.Length;
            }
            var count = Encoding.UTF8.GetBytes(chars, 0, length, bytes, 0);
            Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
            HMACSHA1.HashData(Encoding.UTF8.GetBytes(authToken), bytes.AsSpan(0, count), mac);
            return Convert.ToBase64String(mac);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}
