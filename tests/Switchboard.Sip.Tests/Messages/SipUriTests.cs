using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Tests.Messages;

public sealed class SipUriTests
{
    [Theory]
    [InlineData("sip:callee@127.0.0.1:5070", "callee", "127.0.0.1", 5070)]
    [InlineData("SIP:alice@Example.COM", "alice", "Example.COM", null)]
    [InlineData("sips:[2001:db8::1]:5061;transport=tcp", null, "[2001:db8::1]", 5061)]
    [InlineData("sip:+15551234567@trunk.example.com;user=phone", "+15551234567", "trunk.example.com", null)]
    public void TryParse_WellFormed_SplitsParts(string text, string? user, string host, int? port)
    {
        Assert.True(SipUri.TryParse(text, out var uri));
        Assert.Equal(user, uri.User);
        Assert.Equal(host, uri.Host);
        Assert.Equal(port, uri.Port);
    }

    [Fact]
    public void TryParse_ManyHostsInTurn_EachUriKeepsItsOwnHost()
    {
        // More hosts than the parser's per-thread list of recent hosts, revisited out of order, in three kinds of header.
        string[] hosts = ["10.0.0.1", "10.0.0.10", "trunk.example.com", "TRUNK.example.com", "[2001:db8::1]", "h", "10.0.0.1", "pbx.local"];
        foreach (var round in Enumerable.Range(0, 3))
        {
            foreach (var host in round == 1 ? hosts.Reverse() : hosts)
            {
                Assert.True(SipUri.TryParse($"sip:+15551234567@{host}:5070;user=phone", out var uri));
                Assert.Equal(host, uri.Host);
                Assert.True(NameAddress.TryParse($"\"Caller\" <sip:alice@{host}>;tag=a{round}", out var address));
                Assert.Equal(host, address.Uri.Host);
                Assert.Equal($"a{round}", address.Tag);
                Assert.Equal("\"Caller\"", address.DisplayName);
                Assert.True(Via.TryParse($"SIP/2.0/UDP {host}:5060;branch=z9hG4bK{round}", out var via));
                Assert.Equal(host, via.Host);
                Assert.Equal(5060, via.Port);
            }
        }
    }

    [Theory]
    [InlineData("\"Alice\" <sip:alice@10.0.0.1:5070;transport=udp;lr>;tag=a1;x", "\"Alice\" <sip:alice@10.0.0.1:5070;transport=udp;lr>;tag=a1;x")]
    [InlineData("sip:bob@example.com;tag=b2", "<sip:bob@example.com>;tag=b2")]
    [InlineData("<sips:[2001:db8::1]:5061?subject=x>", "<sips:[2001:db8::1]:5061?subject=x>")]
    public void NameAddress_ToString_WritesDisplayNameUriAndParameters(string text, string written)
    {
        Assert.True(NameAddress.TryParse(text, out var address));
        Assert.Equal(written, address.ToString());
    }

    [Fact]
    public void Via_ToString_WritesProtocolSentByAndParameters()
    {
        Assert.True(Via.TryParse("SIP/2.0/udp 10.0.0.1:5060;branch=z9hG4bKx;rport=5062;received=10.0.0.9", out var via));
        Assert.Equal("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx;rport=5062;received=10.0.0.9", via.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("tel:+15551234567")]
    [InlineData("sip:")]
    [InlineData("sip:user@")]
    [InlineData("sip:user@host:99999")]
    [InlineData("sip:user@host:")]
    [InlineData("sip:us er@host")]
    [InlineData("sip:[::1")]
    [InlineData("sip:host;=x")]
    public void TryParse_Malformed_ReturnsFalse(string text) => Assert.False(SipUri.TryParse(text, out _));

    [Fact]
    public void TryParse_ParameterNamesAndValues_CompareCaseInsensitively()
    {
        Assert.True(SipUri.TryParse("sip:127.0.0.1:5070;Transport=UDP;lr", out var uri));

        Assert.Equal("UDP", uri.GetParameter("transport"));
        Assert.Equal(string.Empty, uri.GetParameter("LR"));
        Assert.Null(uri.GetParameter("maddr"));
        Assert.Equal("sip:127.0.0.1:5070;Transport=UDP;lr", uri.ToString());
    }

    [Fact]
    public void NameAddress_WithoutBrackets_ParamsBelongToTheHeader()
    {
        Assert.True(NameAddress.TryParse("sip:bob@example.com;tag=xyz", out var address));

        Assert.Equal("xyz", address.Tag);
        Assert.Empty(address.Uri.Parameters);
    }

    [Fact]
    public void NameAddress_QuotedDisplayNameWithComma_Parses()
    {
        Assert.True(NameAddress.TryParse("\"Doe, John <x>\" <sip:john@example.com;transport=udp>;tag=1", out var address));

        Assert.Equal("\"Doe, John <x>\"", address.DisplayName);
        Assert.Equal("udp", address.Uri.GetParameter("transport"));
        Assert.Equal("1", address.Tag);
    }

    [Fact]
    public void Equals_SameTextParsedTwice_IsEqualAndHostIsCaseInsensitive()
    {
        SipUri.TryParse("sip:alice@Example.com:5060;transport=udp", out var a);
        SipUri.TryParse("sip:alice@example.COM:5060;transport=udp", out var b);
        SipUri.TryParse("sip:alice@example.com:5060;transport=tcp", out var c);

        Assert.Equal(a, b);
        Assert.Equal(a!.GetHashCode(), b!.GetHashCode());
        Assert.NotEqual(a, c);
    }
}
