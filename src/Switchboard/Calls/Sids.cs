using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Switchboard.Calls;

/// <summary>Twilio resource identifiers: a two-letter prefix and 32 hex digits.</summary>
internal static class Sids
{
    public static bool IsValid([NotNullWhen(true)] string? text, string prefix)
    {
        if (text is null || text.Length != 34 || !text.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        for (var i = 2; i < 34; i++)
        {
            if (!char.IsAsciiHexDigit(text[i]))
            {
                return false;
            }
        }
        return true;
    }

    public static string New(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
