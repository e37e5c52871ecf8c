using System.Net;
using System.Net.Sockets;
using Switchboard.Sip.Messages;
using Switchboard.Sip.UserAgents;

namespace Switchboard.Sip.Tests.UserAgents;

/// <summary>Calls over TCP when the target says <c>;transport=tcp</c> (RFC 3261 18), against a real loopback listener.</summary>
public sealed class UserAgentClientTcpTests
{
    [Fact]
    public async Task Invite_OverTcp_AnsweredAndHungUpOnOneConnection()
    {
        await using var fixture = new UasFixture();
        using var uas = new ScriptedTcpUas();
        var call = await InviteAsync(fixture, uas.Port);

        var invite = await uas.ReceiveRequestAsync(SipMethods.Invite);
        Assert.Equal("TCP", invite.TopVia!.Transport);
        Assert.Equal("tcp", invite.Contact!.Uri.GetParameter("transport"));
        uas.Respond(invite, 180, "Ringing");
        uas.Respond(invite, 200, "OK");
        await call.NextAsync<SipCallRinging>();
        await call.NextAsync<SipCallAnswered>();
        var ack = await uas.ReceiveRequestAsync(SipMethods.Ack);
        Assert.Equal(invite.CSeq!.Value.Number, ack.CSeq!.Value.Number);

        await call.ByeAsync(TestContext.Current.CancellationToken);
        var bye = await uas.ReceiveRequestAsync(SipMethods.Bye);
        uas.Respond(bye, 200, "OK");

        Assert.Equal(200, (await call.NextAsync<SipCallTerminated>()).StatusCode);
    }

    [Fact]
    public async Task CalleeBye_OverTcp_IsAnsweredOnTheSameConnection()
    {
        await using var fixture = new UasFixture();
        using var uas = new ScriptedTcpUas();
        var call = await InviteAsync(fixture, uas.Port);
        var invite = await uas.ReceiveRequestAsync(SipMethods.Invite);
        uas.Respond(invite, 200, "OK");
        await call.NextAsync<SipCallAnswered>();

        uas.Send(ScriptedUas.CreateBye(invite, uas.Tag, "TCP", uas.Port));

        Assert.Equal(200, (await uas.ReceiveResponseAsync(SipMethods.Bye)).StatusCode);
        Assert.Equal(SipCallParty.Remote, (await call.NextAsync<SipCallTerminated>()).By);
    }

    [Fact]
    public async Task Invite_OverTcp_ConnectionRefused_Fails503()
    {
        await using var fixture = new UasFixture();
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var call = await InviteAsync(fixture, port);

        var failed = await call.NextAsync<SipCallFailed>();
        Assert.Equal((503, true), (failed.StatusCode, failed.IsLocal));
    }

    private static Task<SipCall> InviteAsync(UasFixture fixture, int port) =>
        fixture.Endpoint.UserAgentClient.InviteAsync(
            new SipInviteRequest { Target = SipUri.TryParse($"sip:callee@127.0.0.1:{port};transport=tcp", out var uri) ? uri : throw new InvalidOperationException() },
            TestContext.Current.CancellationToken);
}
