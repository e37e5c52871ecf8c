using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Switchboard.Accounts;
using Switchboard.Api;
using Switchboard.Callbacks;
using Switchboard.Calls;
using Switchboard.Calls.Engine;
using Switchboard.Carriers;
using Switchboard.Carriers.Sip;
using Switchboard.Carriers.Simulated;
using Switchboard.Carriers.Trunking;
using Switchboard.Dashboard;
using Switchboard.Insights;
using Switchboard.Storage;
using Switchboard.Storage.Sqlite;
using Switchboard.TwiML;

namespace Switchboard;

/// <summary>Composition of the server: services, endpoints, start-up.</summary>
public static class SwitchboardApp
{
    public const string DefaultConnectionString = "Data Source=switchboard.db";

    /// <summary>Builds the server; <paramref name="configure"/> lets a host (tests, benchmarks) replace services.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The default database lives in the content root, next to appsettings.json: with reload-on-change every
        // database write woke the configuration file watcher (5.6 % of the server's CPU under load). Settings are
        // read at start; a command-line or DOTNET_ value can still turn reloading back on.
        var builder = WebApplication.CreateBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5000");
        }
        builder.Services.AddSwitchboard(builder.Configuration);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapSwitchboard();
        return app;
    }

    public static IServiceCollection AddSwitchboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CallOptions>().BindConfiguration("Calls").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CallbackOptions>().BindConfiguration("Callbacks").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SimulationOptions>().BindConfiguration("Simulation");
        services.AddOptions<CarrierOptions>().BindConfiguration("Carriers");
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<ICallStore>(_ => CreateStore(configuration.GetConnectionString("Switchboard") ?? DefaultConnectionString));
        services.AddSingleton<StoreWriter>();
        services.AddSingleton<AccountRegistry>();
        services.AddSingleton<WebhookClient>();
        services.AddSingleton<CallbackMetrics>();
        services.AddSingleton<CallMetrics>();
        services.AddSingleton<CallbackDispatcher>();
        services.AddSingleton<TwimlFetcher>();
        services.AddSingleton<CallsPerSecondGate>();
        services.AddSingleton<SimulatedCarrier>();
        services.AddSingleton<SipEndpointProvider>();
        services.AddSingleton<CarrierRouter>();
        services.AddSingleton<CallEngine>();
        services.AddSingleton<BasicAuthFilter>();
        services.AddSingleton<Readiness>();
        services.AddSingleton<LiveCallView>();
        services.AddSingleton<StatusEventFeed>();
        services.AddSingleton<InsightsMetrics>();
        services.AddSingleton<InsightsStartup>();
        services.AddHostedService<SwitchboardStartup>();
        // After SwitchboardStartup: trunk calls need the accounts loaded and the store writer running.
        services.AddSingleton<TrunkCallBridge>();
        services.AddHostedService(sp => sp.GetRequiredService<TrunkCallBridge>());

        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Telemetry.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());
        return services;
    }

    public static WebApplication MapSwitchboard(this WebApplication app)
    {
        // A failure that is not the request's fault (say, the store cannot commit) is logged by the middleware and
        // answered in Twilio's error shape, so SDKs raise their usual exception instead of failing to parse a body.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context => TwilioErrors.Result(StatusCodes.Status500InternalServerError, TwilioErrors.Internal,
                "An internal server error has occurred").ExecuteAsync(context),
        });
        app.MapGet("/healthz", (Readiness readiness) => readiness.IsReady
            ? Results.Text("ok")
            : Results.Text("starting", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapCallsEndpoints();
        app.MapInsightsEndpoints();
        app.MapDashboardEndpoints();
        app.MapCallbacksEndpoints();
        return app;
    }

    private static ICallStore CreateStore(string connectionString)
    {
        if (connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase))
        {
            throw new NotSupportedException("PostgreSQL storage is not available yet; use a SQLite connection string (Data Source=...)");
        }
        return new SqliteCallStore(connectionString);
    }
}
