using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Accounts;
using Switchboard.Testing;

namespace Switchboard.Tests.Api;

/// <summary>The accounts a server serves, by what its start is given (DESIGN "Contracts"), on a real database file.</summary>
public sealed class AccountsAtStartTests : IAsyncDisposable
{
    // No TWILIO_* variables and no Accounts section: the development account applies.
    private static readonly Dictionary<string, string?> Unconfigured = new()
    {
        ["TWILIO_ACCOUNT_SID"] = null,
        ["TWILIO_AUTH_TOKEN"] = null,
    };

    private readonly string _database = Path.Combine(Path.GetTempPath(), $"switchboard-accounts-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task Unconfigured_CreatesADevelopmentAccountOnceAndKeepsIt()
    {
        var first = await StartAsync(Unconfigured);
        var created = Registry(first).DevelopmentAccount!;
        Assert.Equal(HttpStatusCode.OK, await ListCallsAsync(first, created.Sid, created.AuthToken));
        await first.StopAsync();

        var second = await StartAsync(Unconfigured);
        var found = Registry(second).DevelopmentAccount!;
        Assert.Equal(created.Sid, found.Sid);
        Assert.Equal(created.AuthToken, found.AuthToken);
        await second.StopAsync();
    }

    [Fact]
    public async Task Unconfigured_AfterARunWithTwilioVariables_DoesNotServeOrPrintThatAccount()
    {
        const string Sid = "AC99999999999999999999999999999999";
        const string Token = "real-token-from-the-environment";
        var configured = await StartAsync(new Dictionary<string, string?> { ["TWILIO_ACCOUNT_SID"] = Sid, ["TWILIO_AUTH_TOKEN"] = Token });
        Assert.Null(Registry(configured).DevelopmentAccount);
        Assert.Equal(HttpStatusCode.OK, await ListCallsAsync(configured, Sid, Token));
        await configured.StopAsync();

        var unconfigured = await StartAsync(Unconfigured);
        var development = Registry(unconfigured).DevelopmentAccount!;
        Assert.NotEqual(Sid, development.Sid);
        Assert.NotEqual(Token, development.AuthToken);
        Assert.Equal(HttpStatusCode.Unauthorized, await ListCallsAsync(unconfigured, Sid, Token));
        Assert.Equal(HttpStatusCode.OK, await ListCallsAsync(unconfigured, development.Sid, development.AuthToken));
        await unconfigured.StopAsync();
    }

    private async Task<SwitchboardHost> StartAsync(Dictionary<string, string?> settings) =>
        await SwitchboardHost.StartAsync(settings: settings, databasePath: _database);

    private static AccountRegistry Registry(SwitchboardHost host) => host.Services.GetRequiredService<AccountRegistry>();

    private static async Task<HttpStatusCode> ListCallsAsync(SwitchboardHost host, string sid, string token)
    {
        using var client = new HttpClient { BaseAddress = host.BaseUri };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{sid}:{token}")));
        using var response = await client.GetAsync($"/2010-04-01/Accounts/{sid}/Calls.json");
        return response.StatusCode;
    }

    public ValueTask DisposeAsync()
    {
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_database + suffix);
        }
        return ValueTask.CompletedTask;
    }
}
