using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchboard.Sip.Messages;

/// <summary>Random identifiers: branches, tags, Call-IDs and cnonces, 64 bits or more each.</summary>
internal static class SipTokens
{
    // Random bytes are drawn from the system's cryptographic generator a pool at a time: an outgoing call takes six
    // tokens (Call-ID, tag, CSeq and the branches of INVITE, ACK and BYE), and one call to the generator each cost more
    // than building the token.
    private const int PoolSize = 256;

    [ThreadStatic]
    private static byte[]? t_pool;

    [ThreadStatic]
    private static int t_taken;

    /// <summary>RFC 3261 8.1.1.7: unique per transaction and starting with the magic cookie.</summary>
    public static string NewBranch() => Via.MagicCookie + Hex(8);

    /// <summary>RFC 3261 19.3: at least 32 bits of randomness; we use 64.</summary>
    public static string NewTag() => Hex(8);

    /// <summary>RFC 3261 8.1.1.4: globally unique; random part @ our host.</summary>
    public static string NewCallId(string host) => Hex(12) + "@" + host;

    public static string NewCnonce() => Hex(8);

    /// <summary>RFC 3261 8.1.1.5: a first CSeq number, arbitrary but below 2^31 (here 1 to 65,535).</summary>
    public static uint NewSequence()
    {
        Span<byte> bytes = stackalloc byte[2];
        Fill(bytes);
        return (uint)(BinaryPrimitives.ReadUInt16LittleEndian(bytes) % 65_535) + 1;
    }

    private static string Hex(int count)
    {
        Span<byte> bytes = stackalloc byte[count];
        Fill(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Fills <paramref name="destination"/> (at most <see cref="PoolSize"/> bytes) from this thread's pool of cryptographically random bytes; each byte is used once.</summary>
    private static void Fill(Span<byte> destination)
    {
        var pool = t_pool;
        if (pool is null)
        {
            t_pool = pool = new byte[PoolSize];
            t_taken = PoolSize;
        }
        if (t_taken + destination.Length > PoolSize)
        {
            RandomNumberGenerator.Fill(pool);
            t_taken = 0;
        }
        var source = pool.AsSpan(t_taken, destination.Length);
        source.CopyTo(destination);
        // Taken bytes do not stay in memory to be read again.
        source.Clear();
        t_taken += destination.Length;
    }
}
