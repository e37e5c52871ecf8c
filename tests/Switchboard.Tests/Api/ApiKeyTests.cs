using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Switchboard.Testing;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;

namespace Switchboard.Tests.Api;

/// <summary>API keys (<c>SK…:secret</c>) through the official SDK, as <c>TwilioClient.Init(keySid, keySecret, accountSid)</c> uses them.</summary>
public sealed class ApiKeyTests : IAsyncLifetime
{
    private const string KeySid = "SK0123456789abcdef0123456789abcdef";
    private const string KeySecret = "key-secret-0123456789";
    private const string OtherAccountSid = "AC11111111111111111111111111111111";
    private const string OtherKeySid = "SKfedcba9876543210fedcba9876543210";

    private SwitchboardHost _host = null!;

    public async ValueTask InitializeAsync() =>
        _host = await SwitchboardHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Accounts:0:Sid"] = OtherAccountSid,
            ["Accounts:0:AuthToken"] = "other-token",
            ["ApiKeys:0:Sid"] = KeySid,
            ["ApiKeys:0:Secret"] = KeySecret,
            ["ApiKeys:1:Sid"] = OtherKeySid,
            ["ApiKeys:1:Secret"] = "other-secret",
            ["ApiKeys:1:AccountSid"] = OtherAccountSid,
        });

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ApiKey_OfTheDefaultAccount_CreatesFetchesAndListsItsCalls()
    {
        var client = _host.CreateClient(KeySid, KeySecret, _host.AccountSid);

        var call = await CallResource.CreateAsync(to: new Twilio.Types.PhoneNumber("+14155550100"), from: new Twilio.Types.PhoneNumber("+14155550199"),
            twiml: new Twilio.Types.Twiml("<Response><Hangup/></Response>"), client: client);
        Assert.Equal(_host.AccountSid, call.AccountSid);
        Assert.Equal(call.Sid, (await CallResource.FetchAsync(pathSid: call.Sid, client: client)).Sid);
        Assert.Contains(await CallResource.ReadAsync(client: client), c => c.Sid == call.Sid);
    }

    [Fact]
    public async Task ApiKey_WrongSecretOrUnknownKey_Is401()
    {
        foreach (var (sid, secret) in new[] { (KeySid, "wrong"), ("SK00000000000000000000000000000000", KeySecret), (KeySid, "") })
        {
            var ex = await Assert.ThrowsAsync<ApiException>(() => CallResource.ReadAsync(client: _host.CreateClient(sid, secret, _host.AccountSid)));
            Assert.Equal(20003, ex.Code);
            Assert.Equal(401, ex.Status);
        }
    }

    [Fact]
    public async Task ApiKey_OfAnotherAccount_DoesNotSeeThisAccountsCalls()
    {
        var call = await CallResource.CreateAsync(to: new Twilio.Types.PhoneNumber("+14155550100"), from: new Twilio.Types.PhoneNumber("+14155550199"),
            twiml: new Twilio.Types.Twiml("<Response><Hangup/></Response>"), client: _host.Client);

        // The other account's key, with this account's SID in the path: not found, as for the other account's token.
        var ex = await Assert.ThrowsAsync<ApiException>(() => CallResource.FetchAsync(pathSid: call.Sid, client: _host.CreateClient(OtherKeySid, "other-secret", _host.AccountSid)));
        Assert.Equal(20404, ex.Code);
        var own = await CallResource.ReadAsync(client: _host.CreateClient(OtherKeySid, "other-secret", OtherAccountSid));
        Assert.DoesNotContain(own, c => c.Sid == call.Sid);
    }

    [Fact]
    public async Task ApiKey_OpensTheDashboard()
    {
        using var http = new HttpClient { BaseAddress = _host.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{KeySid}:{KeySecret}")));
        using var response = await http.GetAsync("/dashboard", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("SK123", "secret", null)]
    [InlineData(KeySid, "", null)]
    [InlineData(KeySid, "secret", "AC22222222222222222222222222222222")]
    public async Task ApiKey_Invalid_StopsTheStart(string sid, string secret, string? accountSid)
    {
        var start = SwitchboardHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["ApiKeys:0:Sid"] = sid,
            ["ApiKeys:0:Secret"] = secret,
            ["ApiKeys:0:AccountSid"] = accountSid,
        });
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await (await start).DisposeAsync());
        Assert.Contains("API key", ex.Message, StringComparison.Ordinal);
    }
}
