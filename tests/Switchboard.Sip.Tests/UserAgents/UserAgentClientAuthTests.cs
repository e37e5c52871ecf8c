using Switchboard.Sip.Auth;
using Switchboard.Sip.Messages;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>Digest challenges (RFC 3261 22.2) as trunks send them: 401 from a UAS, 407 from a proxy.</summary>
public sealed class UserAgentClientAuthTests
{
    private static readonly SipCredentials Alice = new("alice", "secret");

    [Theory]
    [InlineData(401, "Unauthorized", HeaderNames.WwwAuthenticate, HeaderNames.Authorization)]
    [InlineData(407, "Proxy Authentication Required", HeaderNames.ProxyAuthenticate, HeaderNames.ProxyAuthorization)]
    public async Task Invite_Challenged_RetriesWithCredentialsNextCSeqSameCallIdAndIsAnswered(int code, string reason, string challengeHeader, string answerHeader)
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync(Alice);
        var (first, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);

        uas.Respond(first, caller, code, reason, null, new SipHeader(challengeHeader, "Digest realm=\"sipp.test\", nonce=\"n29142x2x3740\", qop=\"auth\", algorithm=MD5, opaque=\"op\""));

        var (ack, _) = await uas.ReceiveRequestAsync(SipMethods.Ack);
        Assert.Equal(first.TopVia!.Branch, ack.TopVia!.Branch);
        var (second, _) = await uas.ReceiveRequestAsync(SipMethods.Invite, skipRetransmissionsOf: first);
        // Reference 9: CSeq + 1, new branch, same Call-ID and From tag, no To tag.
        Assert.Equal(first.CSeq!.Value.Number + 1, second.CSeq!.Value.Number);
        Assert.Equal(first.CallId, second.CallId);
        Assert.Equal(first.From!.Tag, second.From!.Tag);
        Assert.Null(second.To!.Tag);
        AssertDigestIsValid(second, answerHeader);

        uas.Respond(second, caller, 200, "OK", UasFixture.AnswerSdp);
        await call.NextAsync<SipCallAnswered>();
        var (okAck, _) = await uas.ReceiveRequestAsync(SipMethods.Ack);
        Assert.Equal(second.CSeq.Value.Number, okAck.CSeq!.Value.Number);
        Assert.NotNull(okAck.GetHeader(answerHeader));
    }

    [Fact]
    public async Task Invite_ChallengedWithoutCredentials_FailsWith401()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync();
        var (invite, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);

        uas.Respond(invite, caller, 401, "Unauthorized", null, new SipHeader(HeaderNames.WwwAuthenticate, "Digest realm=\"r\", nonce=\"n\""));

        var failed = await call.NextAsync<SipCallFailed>();
        Assert.Equal(401, failed.StatusCode);
        Assert.False(failed.IsLocal);
    }

    [Fact]
    public async Task Invite_ChallengedTwiceForTheSameRealm_FailsWithTheSecondChallenge()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync(Alice);
        var challenge = new SipHeader(HeaderNames.ProxyAuthenticate, "Digest realm=\"r\", nonce=\"n1\"");
        var (first, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);
        uas.Respond(first, caller, 407, "Proxy Authentication Required", null, challenge);
        var (second, _) = await uas.ReceiveRequestAsync(SipMethods.Invite, skipRetransmissionsOf: first);
        AssertDigestIsValid(second, HeaderNames.ProxyAuthorization);

        uas.Respond(second, caller, 407, "Proxy Authentication Required", null, challenge);

        var failed = await call.NextAsync<SipCallFailed>();
        Assert.Equal(407, failed.StatusCode);
    }

    private static void AssertDigestIsValid(SipRequest request, string header)
    {
        var value = request.GetHeader(header);
        Assert.NotNull(value);
        var fields = SipSyntax.SplitOutside(value["Digest ".Length..], ',')
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0].Trim(), p => SipSyntax.Unquote(p[1].Trim()), StringComparer.Ordinal);
        Assert.Equal(request.RequestUri.ToString(), fields["uri"]);
        var qop = fields.GetValueOrDefault("qop");
        var expected = DigestAuthenticator.ComputeResponse(
            "MD5", "alice", fields["realm"], "secret", request.Method, fields["uri"], fields["nonce"], qop,
            fields.GetValueOrDefault("nc") ?? string.Empty, fields.GetValueOrDefault("cnonce") ?? string.Empty);
        Assert.Equal(expected, fields["response"]);
        Assert.Equal("alice", fields["username"]);
        if (qop is not null)
        {
            Assert.Equal("00000001", fields["nc"]);
            Assert.Equal("op", fields["opaque"]);
        }
    }
}
