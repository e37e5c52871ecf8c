using System.Security.Cryptography;

namespace Switchboard.Sip.Messages;

/// <summary>Random identifiers: branches, tags, Call-IDs and cnonces, 64 bits or more each.</summary>
internal static class SipTokens
{
    /// <summary>RFC 3261 8.1.1.7: unique per transaction and starting with the magic cookie.</summary>
    public static string NewBranch() => Via.MagicCookie + Hex(8);

    /// <summary>RFC 3261 19.3: at least 32 bits of randomness; we use 64.</summary>
    public static string NewTag() => Hex(8);

    /// <summary>RFC 3261 8.1.1.4: globally unique; random part @ our host.</summary>
    public static string NewCallId(string host) => Hex(12) + "@" + host;

    public static string NewCnonce() => Hex(8);

    private static string Hex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));
}
