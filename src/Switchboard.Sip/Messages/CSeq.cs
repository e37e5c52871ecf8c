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

        var parts = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        // RFC 3261 8.1.1.5: the number must be expressible as a 32-bit unsigned integer and below 2^31.
        if (parts.Length != 2
            || parts[0].Length > 10
            || !uint.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            || number >= 1u << 31
            || !SipSyntax.IsToken(parts[1]))
        {
            return false;
        }

        cseq = new CSeq(number, parts[1]);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Number} {Method}");
}
