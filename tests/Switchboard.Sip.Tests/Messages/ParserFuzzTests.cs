using System.Text;
using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Tests.Messages;

public sealed class ParserFuzzTests
{
    private const int Iterations = 20_000;

    [Fact]
    public void Parse_TruncatedMutatedAndGarbageDatagrams_NeverThrows()
    {
        var random = new Random(5061);
        var seeds = VectorFiles.List("valid").Select(f => VectorFiles.Read("valid/" + f)).ToArray();
        var parsed = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var datagram = FuzzDatagrams.Next(random, seeds);

            var result = SipMessageParser.Parse(datagram);

            if (result.Success)
            {
                parsed++;
                TouchEveryAccessor(result.Message);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(result.Error));
            }
        }

        // The mutations are mild enough that some still parse: both paths were exercised.
        Assert.InRange(parsed, 1, Iterations - 1);
    }

    [Fact]
    public void Parse_Oversized70KiBDatagram_FailsWithoutThrowing()
    {
        var head = Encoding.ASCII.GetBytes("INVITE sip:a@b SIP/2.0\r\nSubject: ");
        var datagram = head.Concat(Enumerable.Repeat((byte)'x', 70 * 1024)).ToArray();

        var result = SipMessageParser.Parse(datagram);

        Assert.False(result.Success);
        Assert.Equal("oversized datagram", result.Error);
    }

    [Fact]
    public void HeaderParsers_RandomText_NeverThrow()
    {
        var random = new Random(3261);
        const string Alphabet = "sip:@;=,<>\"\\ \t/.:?[]0123456789abcSIPUDPtagbranchDigest realm nonce qop";
        for (var i = 0; i < Iterations; i++)
        {
            var chars = new char[random.Next(0, 80)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = random.Next(10) == 0 ? (char)random.Next(0, 0x3000) : Alphabet[random.Next(Alphabet.Length)];
            }

            var text = new string(chars);
            _ = SipUri.TryParse(text, out _);
            _ = NameAddress.TryParse(text, out _);
            _ = Via.TryParse(text, out _);
            _ = CSeq.TryParse(text, out _);
            _ = DigestChallenge.TryParse("Digest " + text, out _);
        }
    }

    private static void TouchEveryAccessor(SipMessage message)
    {
        _ = message.CSeq;
        _ = message.TopVia;
        _ = message.From;
        _ = message.To;
        _ = message.Contact;
        _ = message.CallId;
        _ = message.GetValues(HeaderNames.Via).Count();
        _ = message.GetValues(HeaderNames.RecordRoute).Count();
        _ = DigestChallenge.TryParse(message.GetHeader(HeaderNames.WwwAuthenticate), out _);
        _ = SdpBody.GetSdp(message);
        _ = SipSerializer.Serialize(message);
    }
}
