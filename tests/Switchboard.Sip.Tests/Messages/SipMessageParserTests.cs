using System.Text;
using Switchboard.Sip.Messages;

namespace Switchboard.Sip.Tests.Messages;

public sealed class SipMessageParserTests
{
    public static TheoryData<string> ValidVectors => [.. VectorFiles.List("valid")];

    public static TheoryData<string> InvalidVectors => [.. VectorFiles.List("invalid")];

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void Parse_ValidVector_Succeeds(string file)
    {
        var result = SipMessageParser.Parse(VectorFiles.Read("valid/" + file));

        Assert.True(result.Success, $"{file}: {result.Error}");
    }

    [Theory]
    [InlineData("badvers.sip", "unsupported SIP version")]
    [InlineData("huge-content-length.sip", "invalid Content-Length")]
    [InlineData("insuf.sip", "missing or invalid CSeq")]
    [InlineData("mcl01.sip", "conflicting Content-Length headers")]
    [InlineData("mismatch01.sip", "CSeq method does not match the request method")]
    [InlineData("missing-cseq.sip", "missing or invalid CSeq")]
    [InlineData("ncl.sip", "invalid Content-Length")]
    [InlineData("no-header-end.sip", "no empty line after the headers")]
    [InlineData("scalarlg.sip", "invalid status code")]
    [InlineData("truncated-body.sip", "Content-Length larger than the datagram")]
    public void Parse_InvalidVector_FailsWithReason(string file, string error)
    {
        var result = SipMessageParser.Parse(VectorFiles.Read("invalid/" + file));

        Assert.False(result.Success, file + " should not parse");
        Assert.Equal(error, result.Error);
    }

    [Fact]
    public void InvalidVectors_AreAllCoveredByTheReasonTest() => Assert.Equal(10, InvalidVectors.Count);

    [Theory]
    [MemberData(nameof(ValidVectors))]
    public void Serialize_ValidVector_RoundTripsToTheSameMessage(string file)
    {
        var first = SipMessageParser.Parse(VectorFiles.Read("valid/" + file)).Message!;

        var second = SipMessageParser.Parse(SipSerializer.Serialize(first));

        Assert.True(second.Success, second.Error);
        Assert.Equal(first.Headers.Where(h => h.Name != HeaderNames.ContentLength), second.Message.Headers.Where(h => h.Name != HeaderNames.ContentLength));
        Assert.Equal(first.Body.ToArray(), second.Message.Body.ToArray());
        Assert.Equal(first.CSeq, second.Message.CSeq);
        if (first is SipRequest request)
        {
            Assert.Equal(request.RequestUri.ToString(), ((SipRequest)second.Message).RequestUri.ToString());
        }
    }

    [Fact]
    public void Parse_Wsinv_UnfoldsLinesAndToleratesWhitespace()
    {
        var request = (SipRequest)SipMessageParser.Parse(VectorFiles.Read("valid/wsinv.sip")).Message!;

        Assert.Equal("INVITE", request.Method);
        Assert.Equal(new CSeq(9, "INVITE"), request.CSeq);
        Assert.Equal("1918181833n", request.To!.Tag);
        Assert.Equal("98asjd8", request.From!.Tag);
        Assert.Equal("\"J Rosenberg \\\\\\\"\"", request.From.DisplayName);
        Assert.Equal("newfangled value continued newfangled value", request.GetHeader("NewFangledHeader"));
        Assert.Equal(string.Empty, request.GetHeader("Subject"));
        var vias = request.GetValues(HeaderNames.Via).Select(v => Via.TryParse(v, out var via) ? via : null).ToList();
        Assert.Equal(["UDP", "TCP", "UDP"], vias.Select(v => v!.Transport));
        Assert.Equal(["390skdjuw", "z9hG4bK9ikj8", "z9hG4bK30239"], vias.Select(v => v!.Branch));
        Assert.Equal("spindle.example.com", vias[1]!.Host);
        Assert.Equal("0.33", SipSyntax.Find(request.Contact!.Parameters, "q"));
        Assert.Equal(150, request.Body.Length);
    }

    [Fact]
    public void Parse_Intmeth_KeepsUnusualMethodUriAndUtf8()
    {
        var request = (SipRequest)SipMessageParser.Parse(VectorFiles.Read("valid/intmeth.sip")).Message!;

        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", request.Method);
        Assert.Equal("example.com", request.RequestUri.Host);
        Assert.StartsWith("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:", request.RequestUri.User, StringComparison.Ordinal);
        Assert.Equal("_token~1'+`*%!-.", request.From!.Tag);
        Assert.Equal("\uFEFF大停電", request.GetHeader("extensionHeader-!.%*+_`'~"));
    }

    [Fact]
    public void Parse_Esc01_KeepsEscapesAsWritten()
    {
        var request = (SipRequest)SipMessageParser.Parse(VectorFiles.Read("valid/esc01.sip")).Message!;

        Assert.Equal("sips%3Auser%40example.com", request.RequestUri.User);
        Assert.Equal("%75se%72", request.To!.Uri.User);
        Assert.Equal("I%20have%20spaces", request.From!.Uri.User);
        Assert.Equal("v%61lue%25%30%30", request.Contact!.Uri.GetParameter("n%61me"));
        Assert.Equal("application/sdp", request.GetHeader(HeaderNames.ContentType));
        Assert.Equal("esc01.239409asdfakjkn23onasd0-3234", request.CallId);
    }

    [Fact]
    public void Parse_CompactForms_ExpandToLongNames()
    {
        var response = (SipResponse)SipMessageParser.Parse(VectorFiles.Read("valid/compact.sip")).Message!;

        Assert.Equal(180, response.StatusCode);
        Assert.Equal("Ringing", response.ReasonPhrase);
        Assert.Equal("compact-1@127.0.0.1", response.CallId);
        Assert.Equal("def", response.To!.Tag);
        Assert.Equal("abc", response.From!.Tag);
        Assert.Equal("z9hG4bKcompact1", response.TopVia!.Branch);
        Assert.Equal("UDP", response.Contact!.Uri.GetParameter("transport"));
        Assert.Equal("timer", response.GetHeader(HeaderNames.Supported));
        Assert.Equal("0", response.GetHeader(HeaderNames.ContentLength));
    }

    [Fact]
    public void Parse_BareLineFeedsAndPaddedContentLength_AsSippSendsThem()
    {
        var response = (SipResponse)SipMessageParser.Parse(VectorFiles.Read("valid/lfonly-padded.sip")).Message!;

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(new CSeq(2, "INVITE"), response.CSeq);
        Assert.StartsWith("v=0\n", Encoding.ASCII.GetString(response.Body.Span), StringComparison.Ordinal);
        Assert.Equal(5070, response.Contact!.Uri.Port);
    }

    [Fact]
    public void Parse_BytesAfterContentLength_AreIgnoredOnUdp()
    {
        var text = "SIP/2.0 100 Trying\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\ngarbage";

        var result = SipMessageParser.Parse(Encoding.ASCII.GetBytes(text));

        Assert.True(result.Success, result.Error);
        Assert.True(result.Message.Body.IsEmpty);
    }

    [Fact]
    public void Parse_KeepAliveCrLf_FailsQuietly()
    {
        Assert.False(SipMessageParser.Parse("\r\n\r\n"u8).Success);
        Assert.False(SipMessageParser.Parse([]).Success);
    }

    [Fact]
    public void GetValues_AuthenticationHeaders_AreNeverSplitOnCommas()
    {
        var text = "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n"
            + "WWW-Authenticate: Digest realm=\"a,b\", nonce=\"n\", qop=\"auth,auth-int\"\r\nContent-Length: 0\r\n\r\n";

        var response = SipMessageParser.Parse(Encoding.ASCII.GetBytes(text)).Message!;

        Assert.Single(response.GetValues(HeaderNames.WwwAuthenticate));
    }
}
