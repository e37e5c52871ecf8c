using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Switchboard.Calls;

/// <summary>A call's identifier: <c>CA</c> followed by 32 lowercase hex digits (Twilio's format).</summary>
public readonly record struct CallSid
{
    private CallSid(string value) => Value = value;

    public string Value { get; }

    public static CallSid New() => new("CA" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));

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
