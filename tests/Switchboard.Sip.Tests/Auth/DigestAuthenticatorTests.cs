using Switchboard.Sip.Auth;

namespace Switchboard.Sip.Tests.Auth;

public sealed class DigestAuthenticatorTests
{
    [Fact]
    public void ComputeResponse_Rfc2617Section35Example_MatchesPublishedResponse()
    {
        var response = DigestAuthenticator.ComputeResponse(
            "MD5", "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
            "dcd98b7102dd2f0e8b11d0f600bfb0c093", "auth", "00000001", "0a4f113b");

        Assert.Equal("6629fae49393a05397450978507c4ef1", response);
    }

    [Fact]
    public void ComputeResponse_SippVerifiedExchange_MatchesReference()
    {
        var response = DigestAuthenticator.ComputeResponse(
            "MD5", "alice", "sipp.test", "secret", "INVITE", "sip:callee@127.0.0.1:5091",
            "n29142x2x3740", "auth", "00000001", "5tkubwqxclzxd7u7");

        Assert.Equal("31ccefc0c1afc2ae2ea761d6ff466eea", response);
    }

    [Fact]
    public void ComputeResponse_WithoutQop_UsesRfc2069Form()
    {
        var response = DigestAuthenticator.ComputeResponse(
            "MD5", "Mufasa", "testrealm@host.com", "Circle Of Life", "GET", "/dir/index.html",
            "dcd98b7102dd2f0e8b11d0f600bfb0c093", null, "00000001", "0a4f113b");

        // MD5(HA1:nonce:HA2), computed independently with Python's hashlib.
        Assert.Equal("670fd8c2df070c60b045671b8b24ff02", response);
    }

    [Fact]
    public void TryParse_Challenge_ReadsQuotedListsAndFlags()
    {
        Assert.True(DigestChallenge.TryParse(
            "Digest realm=\"sipp.test\", nonce=\"n1\", qop=\"auth,auth-int\", opaque=\"o,1\", stale=TRUE, algorithm=MD5",
            out var challenge));

        Assert.Equal("sipp.test", challenge.Realm);
        Assert.Equal("n1", challenge.Nonce);
        Assert.Equal(["auth", "auth-int"], challenge.QopOptions);
        Assert.True(challenge.OffersAuthQop);
        Assert.Equal("o,1", challenge.Opaque);
        Assert.True(challenge.Stale);
    }

    [Theory]
    [InlineData("Basic realm=\"x\"")]
    [InlineData("Digest nonce=\"n\"")]
    [InlineData("Digest")]
    [InlineData("")]
    public void TryParse_NotAUsableDigestChallenge_ReturnsFalse(string header) =>
        Assert.False(DigestChallenge.TryParse(header, out _));

    [Fact]
    public void CreateAuthorization_QopAuth_WritesRfc2617Header()
    {
        DigestChallenge.TryParse("Digest realm=\"testrealm@host.com\", qop=\"auth\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", out var challenge);

        var header = DigestAuthenticator.CreateAuthorization(challenge!, new SipCredentials("Mufasa", "Circle Of Life"), "GET", "/dir/index.html", "0a4f113b");

        Assert.Equal(
            "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
            + "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"0a4f113b\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"",
            header);
    }

    [Fact]
    public void Credentials_ToString_DoesNotRevealThePassword() =>
        Assert.DoesNotContain("secret", new SipCredentials("alice", "secret").ToString(), StringComparison.Ordinal);
}
