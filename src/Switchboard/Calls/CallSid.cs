using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Switchboard.Calls;

/// <summary>A call's identifier: <c>CA</c> followed by 32 lowercase hex digits (Twilio's format).</summary>
public readonly record struct CallSid
{
    private CallSid(string value) => Value = value;

    public string Value { get; }

    /// <summary>
    /// A new SID: 12 hex digits of the creation time (microseconds) then 20 random ones. New calls thus sort
    /// after older ones, so the store appends to its SID index instead of touching a random page per call;
    /// the random tail keeps SIDs unguessable and spreads calls over engine partitions.
    /// </summary>
    public static CallSid New(DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[16];
        var micros = (ulong)((now.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10);
        for (var i = 5; i >= 0; i--)
        {
            bytes[i] = (byte)micros;
            micros >>= 8;
        }
        RandomNumberGenerator.Fill(bytes[6..]);
        return new("CA" + Convert.ToHexStringLower(bytes));
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out CallSid sid)
    {
        if (Sids.IsValid(text, "CA"))
        {
            sid = new CallSid(text);
            return true;
        }
        sid = default;
        return false;
    }

    public static CallSid Parse(string text) =>
        TryParse(text, out var sid) ? sid : throw new FormatException($"'{text}' is not a CallSid");

    public override string ToString() => Value ?? "";
}
