using Microsoft.Extensions.Time.Testing;
using Switchboard.Sip.Messages;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>Timeouts on a fake clock over a real socket, and what the endpoint does with strangers.</summary>
public sealed class UserAgentClientTimerTests
{
    [Fact]
    public async Task Invite_SilentCallee_RetransmitsOnTimerAThenFails408OnTimerB()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync();
        var (invite, _) = await uas.ReceiveRequestAsync(SipMethods.Invite);

        fixture.Time.Advance(TimeSpan.FromMilliseconds(500));
        var (retransmission, _) = await uas.ReceiveRequestAsync(SipMethods.Invite);
        Assert.Equal(invite.TopVia!.Branch, retransmission.TopVia!.Branch);
        fixture.Time.Advance(TimeSpan.FromMilliseconds(31_500));

        var failed = await call.NextAsync<SipCallFailed>();
        Assert.Equal((408, true, false), (failed.StatusCode, failed.IsLocal, failed.WasCanceled));
        await call.AssertCompletedAsync();
    }

    [Fact]
    public async Task Invite_ShortT1_TimerBIs64TimesT1()
    {
        var time = new FakeTimeProvider();
        await using var fixture = new UasFixture(t1: TimeSpan.FromMilliseconds(100));
        var call = await fixture.InviteAsync();
        await fixture.Uas.ReceiveRequestAsync(SipMethods.Invite);

        fixture.Time.Advance(TimeSpan.FromMilliseconds(6_399));
        Assert.Equal(SipCallState.Calling, call.State);
        fixture.Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(408, (await call.NextAsync<SipCallFailed>()).StatusCode);
    }

    [Fact]
    public async Task Bye_NoAnswer_TerminatesLocallyWith408OnTimerF()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var (call, invite, caller) = await fixture.AnsweredCallAsync();
        await call.ByeAsync(TestContext.Current.CancellationToken);
        await uas.ReceiveRequestAsync(SipMethods.Bye);

        fixture.Time.Advance(TimeSpan.FromSeconds(32));

        var terminated = await call.NextAsync<SipCallTerminated>();
        Assert.Equal((SipCallParty.Local, 408), (terminated.By, terminated.StatusCode));
    }

    [Fact]
    public async Task RequestForAnUnknownDialog_Gets481()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var call = await fixture.InviteAsync();
        var (invite, caller) = await uas.ReceiveRequestAsync(SipMethods.Invite);
        var stranger = uas.CreateBye(invite).WithHeader(HeaderNames.CallId, "nobody@127.0.0.1");

        uas.Send(stranger, caller);

        Assert.Equal(481, (await uas.ReceiveResponseAsync(SipMethods.Bye)).StatusCode);
        Assert.Equal(SipCallState.Calling, call.State);
    }

    [Fact]
    public async Task OutOfDialogOptions_Gets200WithAllow()
    {
        await using var fixture = new UasFixture();
        var uas = fixture.Uas;
        var options = new SipRequest
        {
            Method = SipMethods.Options,
            RequestUri = SipUri.TryParse("sip:switchboard@127.0.0.1", out var uri) ? uri : throw new InvalidOperationException(),
            Headers =
            [
                new(HeaderNames.Via, $"SIP/2.0/UDP 127.0.0.1:{uas.EndPoint.Port};branch=z9hG4bKping"),
                new(HeaderNames.From, "<sip:trunk@127.0.0.1>;tag=t1"),
                new(HeaderNames.To, "<sip:switchboard@127.0.0.1>"),
                new(HeaderNames.CallId, "ping@127.0.0.1"),
                new(HeaderNames.CSeq, "1 OPTIONS"),
            ],
        };

        uas.Send(options, fixture.Endpoint.LocalEndPoint);

        var response = await uas.ReceiveResponseAsync(SipMethods.Options);
        Assert.Equal(200, response.StatusCode);
        Assert.Contains("BYE", response.GetHeader(HeaderNames.Allow), StringComparison.Ordinal);
        Assert.NotNull(response.To!.Tag);
    }
}
