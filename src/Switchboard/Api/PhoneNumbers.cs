using System.Diagnostics.CodeAnalysis;

namespace Switchboard.Api;

/// <summary>Validation and display of call endpoints: E.164 numbers, <c>client:</c> identities, SIP URIs.</summary>
public static class PhoneNumbers
{
    /// <summary>
    /// Normalises an endpoint: an E.164 number (separators such as spaces, dashes, dots and parentheses
    /// removed), <c>client:identity</c> or a <c>sip:</c> URI. Returns false for anything else.
    /// </summary>
    public static bool TryNormalize(string? value, [NotNullWhen(true)] out string? endpoint)
    {
        endpoint = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }
        value = value.Trim();
        if (value.StartsWith("client:", StringComparison.OrdinalIgnoreCase))
        {
            var identity = value[7..];
            // DOC-CLIENT: identities are at most 256 characters.
            if (identity.Length is 0 or > 256 || identity.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                return false;
            }
            endpoint = "client:" + identity;
            return true;
        }
        if (value.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || value.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            // DOC-SIP: a URI under 255 characters with a user and a host.
            var at = value.IndexOf('@', StringComparison.Ordinal);
            if (value.Length >= 255 || at < 5 || at == value.Length - 1 || value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                return false;
            }
            endpoint = value;
            return true;
        }
        if (value[0] != '+')
        {
            return false;
        }
        Span<char> digits = stackalloc char[16];
        var n = 0;
        foreach (var c in value.AsSpan(1))
        {
            if (char.IsAsciiDigit(c))
            {
                if (n == 15)
                {
                    return false;
                }
                digits[n++] = c;
            }
            else if (c is not (' ' or '-' or '.' or '(' or ')'))
            {
                return false;
            }
        }
        // E.164: at most 15 digits, no leading zero; shorter than 7 is no dialable number.
        if (n < 7 || digits[0] == '0')
        {
            return false;
        }
        endpoint = "+" + new string(digits[..n]);
        return true;
    }

    public static bool IsPhoneNumber(string endpoint) => endpoint.StartsWith('+');

    /// <summary>
    /// Twilio's <c>*_formatted</c>: a NANP number as <c>(415) 555-0100</c>, written into <paramref name="buffer"/> (at
    /// least <see cref="FormattedNanpLength"/> characters), anything else as is.
    /// </summary>
    public static ReadOnlySpan<char> Format(string endpoint, Span<char> buffer)
    {
        if (endpoint.Length != 12 || !endpoint.StartsWith("+1", StringComparison.Ordinal))
        {
            return endpoint;
        }
        var digits = endpoint.AsSpan(2);
        buffer[0] = '(';
        digits[..3].CopyTo(buffer[1..]);
        buffer[4] = ')';
        buffer[5] = ' ';
        digits[3..6].CopyTo(buffer[6..]);
        buffer[9] = '-';
        digits[6..].CopyTo(buffer[10..]);
        return buffer[..FormattedNanpLength];
    }

    /// <summary>The length of <c>(415) 555-0100</c>.</summary>
    public const int FormattedNanpLength = 14;
}
