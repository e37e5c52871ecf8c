namespace Switchboard.Sip.Tests.Messages;

/// <summary>Seeded generator of hostile datagrams: truncations, byte flips, splices, line-ending damage and noise.</summary>
internal static class FuzzDatagrams
{
    private static readonly byte[][] Tokens =
    [
        "\r\n"u8.ToArray(), "\n"u8.ToArray(), "\r\n\r\n"u8.ToArray(), ":"u8.ToArray(), ";"u8.ToArray(), ","u8.ToArray(),
        "\""u8.ToArray(), "<"u8.ToArray(), ">"u8.ToArray(), " "u8.ToArray(), "\t"u8.ToArray(), "\0"u8.ToArray(),
        "Content-Length: -1\r\n"u8.ToArray(), "Content-Length: 99999\r\n"u8.ToArray(), "l: 4294967296\r\n"u8.ToArray(),
        "CSeq: 1 INVITE\r\n"u8.ToArray(), "CSeq: 99999999999 BYE\r\n"u8.ToArray(), "Via: SIP/2.0/\r\n"u8.ToArray(),
        "SIP/2.0 "u8.ToArray(), "sip:@:;?"u8.ToArray(), "[::"u8.ToArray(), [0xff, 0xfe, 0xc0, 0x80],
    ];

    public static byte[] Next(Random random, byte[][] seeds)
    {
        var seed = seeds[random.Next(seeds.Length)];
        return random.Next(8) switch
        {
            0 => seed[..random.Next(seed.Length + 1)],
            1 => Noise(random, random.Next(0, 1500)),
            2 => Splice(random, seed, seeds[random.Next(seeds.Length)]),
            _ => Mutate(random, seed, random.Next(1, 12)),
        };
    }

    private static byte[] Noise(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Splice(Random random, byte[] a, byte[] b) =>
        [.. a.AsSpan(0, random.Next(a.Length + 1)), .. b.AsSpan(random.Next(b.Length + 1))];

    private static byte[] Mutate(Random random, byte[] seed, int edits)
    {
        var bytes = new List<byte>(seed);
        for (var i = 0; i < edits && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 40), bytes.Count - at));
                    break;
                case 2:
                    bytes.InsertRange(at, Tokens[random.Next(Tokens.Length)]);
                    break;
                default:
                    var length = Math.Min(random.Next(1, 60), bytes.Count - at);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
            }
        }

        return [.. bytes];
    }
}
