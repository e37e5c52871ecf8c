using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Switchboard.Calls.Engine;
using Switchboard.Testing;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Switchboard.Tests.Api;

/// <summary>
/// When the store cannot commit: a create answers in Twilio's error shape (and creates again once it can); a
/// transition the store refuses for a moment is written on a later try, with its callbacks.
/// </summary>
public sealed class StoreFailureTests : IAsyncLifetime
{
    private SwitchboardHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await SwitchboardHost.StartAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    /// <summary>Runs SQL on the server's database file from a second connection (a trigger stands in for a full disk).</summary>
    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={_host.DatabasePath};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Create_CommitFails_TwilioShaped500_ThenCreatesAgainOnceTheStoreRecovers()
    {
        await ExecuteAsync("CREATE TRIGGER refuse_calls BEFORE INSERT ON calls BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;");

        using (var response = await _host.Http.PostAsync(_host.CallsPath, new FormUrlEncodedContent(new Dictionary<string, string>
               {
                   ["To"] = "+14155550100",
                   ["From"] = "+14155550199",
                   ["Twiml"] = "<Response><Hangup/></Response>",
               }), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement;
            Assert.Equal(20500, json.GetProperty("code").GetInt32());
            Assert.Equal(500, json.GetProperty("status").GetInt32());
            Assert.Equal("https://www.twilio.com/docs/errors/20500", json.GetProperty("more_info").GetString());
            Assert.False(string.IsNullOrEmpty(json.GetProperty("message").GetString()));
        }

        // The official SDK raises its usual ApiException with the code, rather than failing on the body.
        var error = await Assert.ThrowsAsync<ApiException>(() => CallResource.CreateAsync(
            to: new PhoneNumber("+14155550100"), from: new PhoneNumber("+14155550199"),
            twiml: new Twilio.Types.Twiml("<Response><Hangup/></Response>"), client: _host.Client));
        Assert.Equal(20500, error.Code);
        Assert.Equal(500, error.Status);

        // Neither call goes on without its row: the engine cancels what it had started and forgets them.
        var engine = _host.Services.GetRequiredService<CallEngine>();
        // The clock stands still: left alone they would ring forever, so only the abandonment can empty the engine.
        for (var i = 0; i < 250 && engine.LiveCalls > 0; i++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        Assert.Equal(0, engine.LiveCalls);
        Assert.Empty(await CallResource.ReadAsync(client: _host.Client));

        await ExecuteAsync("DROP TRIGGER refuse_calls;");
        var call = await CallResource.CreateAsync(
            to: new PhoneNumber("+14155550100"), from: new PhoneNumber("+14155550199"),
            twiml: new Twilio.Types.Twiml("<Response><Hangup/></Response>"), client: _host.Client);
        Assert.Equal(call.Sid, (await CallResource.FetchAsync(call.Sid, client: _host.Client)).Sid);
    }

    [Fact]
    public async Task Transition_RefusedForAMoment_WrittenOnALaterTry_AndItsCallbackIsDelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_host.AuthToken);
        using var retries = new MetricCollector<long>(_host.Services.GetRequiredService<IMeterFactory>(), "Switchboard", "switchboard.store.write_retries");
        // +1415555 0100 rings 1 s, then answers; the <Pause> keeps it up.
        var call = await _host.CreateCallAsync("+14155550100", twiml: "<Response><Pause length=\"30\"/></Response>", events: ["answered"],
            statusCallback: new Uri(receiver.Url("status")));
        await _host.Services.GetRequiredService<Switchboard.Storage.StoreWriter>().FlushAsync();

        // Every status change is refused now (a trigger stands in for a store that cannot write for a moment).
        await ExecuteAsync("CREATE TRIGGER refuse_status BEFORE INSERT ON call_status_events BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;");
        _host.Advance(1);
        // The answer's write (the in-progress row and the answered callback) failed and waits for its next try.
        await retries.WaitForMeasurementsAsync(1, TimeSpan.FromSeconds(10));
        await ExecuteAsync("DROP TRIGGER refuse_status;");

        await _host.AdvanceUntilAsync(() => receiver.StatusCallbacks(call.Sid).Any(r => r.Get("CallStatus") == "in-progress"), 10,
            "the answered callback", step: 0.1);
        Assert.Equal(CallResource.StatusEnum.InProgress, (await CallResource.FetchAsync(call.Sid, client: _host.Client)).Status);
    }
}
