using System.Globalization;

namespace Switchboard.Sip.Messages;

/// <summary>The CSeq header (RFC 3261 20.16): a sequence number below 2^31 and a method.</summary>
internal readonly record struct CSeq(uint Number, string Method)
{
    public static bool TryParse(string? text, out CSeq cseq)
    {
        cseq = default;
        if (text is null)
        {
            return false;
        }

        // Two fields separated by spaces or tabs, read in place: the CSeq of a message is read several times.
        var rest = text.AsSpan().Trim(" \t");
        var gap = rest.IndexOfAny(' ', '\t');
        if (gap < 0)
        {
            return false;
        }

        var numberText = rest[..gap];
        var method = rest[gap..].TrimStart(" \t");
        // RFC 3261 8.1.1.5: the number must be expressible as a 32-bit unsigned integer and below 2^31.
        if (numberText.Length > 10
            || !uint.TryParse(numberText, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number >= 1u << 31
            || !SipSyntax.IsToken(method))
        {
            return false;
        }

        cseq = new CSeq(number, SipMethods.Known(method));
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Number} {Method}");
}
