using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Twilio.Clients;
using Twilio.Http;

namespace Switchboard.Testing;

/// <summary>
/// The real server on Kestrel at 127.0.0.1:0 with its own SQLite file, optionally on a fake clock,
/// with the official Twilio SDK and a raw HTTP client pointed at it.
/// </summary>
public sealed class SwitchboardHost : IAsyncDisposable
{
    public const string DefaultAccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string DefaultAuthToken = "0123456789abcdef0123456789abcdef";

    private WebApplication? _app;

    private SwitchboardHost(string databasePath, FakeTimeProvider? clock)
    {
        DatabasePath = databasePath;
        Clock = clock;
    }

    public string DatabasePath { get; }
    public FakeTimeProvider? Clock { get; }
    public Uri BaseUri { get; private set; } = null!;
    public string AccountSid { get; private set; } = DefaultAccountSid;
    public string AuthToken { get; private set; } = DefaultAuthToken;
    public TwilioRestClient Client { get; private set; } = null!;
    public System.Net.Http.HttpClient Http { get; private set; } = null!;
    public IServiceProvider Services => _app!.Services;

    /// <summary>Starts a server. <paramref name="settings"/> adds configuration (e.g. <c>Calls:CallsPerSecond</c>).</summary>
    public static async Task<SwitchboardHost> StartAsync(bool fakeClock = true, IDictionary<string, string?>? settings = null,
        string? databasePath = null)
    {
        var path = databasePath ?? Path.Combine(Path.GetTempPath(), $"switchboard-test-{Guid.NewGuid():N}.db");
        var clock = fakeClock ? new FakeTimeProvider(new DateTimeOffset(2026, 7, 1, 12, 0, 0, TimeSpan.Zero)) : null;
        var host = new SwitchboardHost(path, clock);
        await host.StartAppAsync(settings);
        return host;
    }

    private async Task StartAppAsync(IDictionary<string, string?>? settings)
    {
        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Switchboard"] = $"Data Source={DatabasePath}",
            ["TWILIO_ACCOUNT_SID"] = DefaultAccountSid,
            ["TWILIO_AUTH_TOKEN"] = DefaultAuthToken,
            // Tests start many calls at one fake instant; the CPS queue has tests of its own.
            ["Calls:CallsPerSecond"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }
        _app = SwitchboardApp.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(config);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            if (Clock is not null)
            {
                builder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock));
            }
        });
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        BaseUri = new Uri(address);
        AccountSid = config["TWILIO_ACCOUNT_SID"]!;
        AuthToken = config["TWILIO_AUTH_TOKEN"]!;
        Client = CreateClient(AccountSid, AuthToken);
        Http = new System.Net.Http.HttpClient { BaseAddress = BaseUri };
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}")));
    }

    /// <summary>
    /// An SDK client for any credentials, pointed at this server: an account's SID and auth token, or an API key's SID and
    /// secret with the account's SID (<paramref name="accountSid"/>).
    /// </summary>
    public TwilioRestClient CreateClient(string username, string password, string? accountSid = null)
    {
        var http = new System.Net.Http.HttpClient(new TwilioHostRewriter(BaseUri, new HttpClientHandler { AllowAutoRedirect = false }));
        return new TwilioRestClient(username, password, accountSid: accountSid, httpClient: new SystemNetHttpClient(http));
    }

    public string CallsPath => $"/2010-04-01/Accounts/{AccountSid}/Calls.json";

    /// <summary>Stops the server without deleting its database (for restart tests).</summary>
    public async Task StopAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
        Http?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            try
            {
                File.Delete(DatabasePath + suffix);
            }
            catch (IOException)
            {
            }
        }
    }
}
