using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchboard.Testing;
using Twilio.Exceptions;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;

namespace Switchboard.Tests.Api;

/// <summary>The Calls REST API end to end: updates, paging, filters, errors, delete, events and notifications.</summary>
public sealed class CallsApiTests : IAsyncLifetime
{
    private const string OtherAccountSid = "AC11111111111111111111111111111111";
    private const string OtherAuthToken = "other";

    private SwitchboardHost _host = null!;
    private WebhookReceiver _receiver = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await SwitchboardHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Accounts:0:Sid"] = OtherAccountSid,
            ["Accounts:0:AuthToken"] = OtherAuthToken,
        });
        _receiver = await WebhookReceiver.StartAsync(_host.AuthToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    private string CallPath(string sid, string suffix = ".json") => $"/2010-04-01/Accounts/{_host.AccountSid}/Calls/{sid}{suffix}";

    private Dictionary<string, string> ValidForm() => new()
    {
        ["To"] = "+14155550100",
        ["From"] = "+14155550199",
        ["Twiml"] = "<Response><Hangup/></Response>",
    };

    private async Task<(HttpStatusCode Status, JsonElement Json)> PostFormAsync(IEnumerable<KeyValuePair<string, string>> form, string? path = null)
    {
        using var response = await _host.Http.PostAsync(path ?? _host.CallsPath, new FormUrlEncodedContent(form));
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        return string.IsNullOrEmpty(body) ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task<(HttpStatusCode Status, JsonElement Json)> GetAsync(string path, HttpClient? http = null)
    {
        using var response = await (http ?? _host.Http).GetAsync(path);
        return (response.StatusCode, await ReadJsonAsync(response));
    }

    private static void AssertTwilioError(JsonElement json, int code, int status)
    {
        Assert.Equal(code, json.GetProperty("code").GetInt32());
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("message").GetString()));
        Assert.Contains(code.ToString(), json.GetProperty("more_info").GetString());
    }

    private static string Scalar(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

    private async Task<CallResource> CompletedCallAsync(string to = "+14155550100")
    {
        var call = await _host.CreateCallAsync(to, _receiver, twiml: "<Response><Hangup/></Response>");
        await _host.AdvanceUntilAsync(() => _receiver.StatusCallbacks(call.Sid).Any(c => c["CallStatus"] == "completed"), 30, "completed");
        return call;
    }

    // 1
    [Fact]
    public async Task Cancel_WhileRinging_EndsCanceled()
    {
        var call = await _host.CreateCallAsync("+14155550102", _receiver, timeout: 30);
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");

        var updated = await CallResource.UpdateAsync(pathSid: call.Sid, status: CallResource.UpdateStatusEnum.Canceled, client: _host.Client);

        Assert.Equal(CallResource.StatusEnum.Canceled, updated.Status);
        var completed = await _receiver.WaitForStatusAsync(call.Sid, "canceled");
        Assert.Equal("canceled", completed["CallStatus"]);
        Assert.True(completed.SignatureValid);
    }

    // 2
    [Fact]
    public async Task Cancel_WhileQueued_EndsCanceledWithoutCallbacks()
    {
        var host = await SwitchboardHost.StartAsync(settings: new Dictionary<string, string?> { ["Calls:CallsPerSecond"] = "1" });
        await _host.DisposeAsync();
        _host = host;
        var first = await host.CreateCallAsync("+14155550102", _receiver, timeout: 30);
        var second = await host.CreateCallAsync("+14155550102", _receiver, timeout: 30);
        Assert.Equal("1000", second.QueueTime);
        Assert.Equal(CallResource.StatusEnum.Queued, second.Status);

        var updated = await CallResource.UpdateAsync(pathSid: second.Sid, status: CallResource.UpdateStatusEnum.Canceled, client: host.Client);
        Assert.Equal(CallResource.StatusEnum.Canceled, updated.Status);

        await _receiver.WaitForStatusAsync(first.Sid, "initiated");
        host.Advance(1);
        await Task.Delay(200);
        host.Advance(1);
        await _receiver.WaitForStatusAsync(first.Sid, "ringing");
        await Task.Delay(300);
        Assert.DoesNotContain(_receiver.Received, r => r.Get("CallSid") == second.Sid);
        var fetched = await CallResource.FetchAsync(pathSid: second.Sid, client: host.Client);
        Assert.Equal(CallResource.StatusEnum.Canceled, fetched.Status);
    }

    // 3
    [Fact]
    public async Task HangUp_InProgress_CompletesWithDuration()
    {
        var call = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Pause length=\"60\"/></Response>");
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(call.Sid, "in-progress");
        _host.Advance(5);

        var updated = await CallResource.UpdateAsync(pathSid: call.Sid, status: CallResource.UpdateStatusEnum.Completed, client: _host.Client);

        Assert.Equal(CallResource.StatusEnum.Completed, updated.Status);
        var completed = await _receiver.WaitForStatusAsync(call.Sid, "completed");
        Assert.Equal("5", completed["CallDuration"]);
    }

    // 4a
    [Fact]
    public async Task Redirect_WithTwiml_Completes()
    {
        var call = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Pause length=\"60\"/></Response>");
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(call.Sid, "in-progress");

        await CallResource.UpdateAsync(pathSid: call.Sid, twiml: new Twiml("<Response><Hangup/></Response>"), client: _host.Client);

        await _receiver.WaitForStatusAsync(call.Sid, "completed");
    }

    // 4b
    [Fact]
    public async Task Redirect_WithUrl_FetchesNewTwimlThenCompletes()
    {
        _receiver.ServeTwiml("next", "<Response><Hangup/></Response>");
        var call = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Pause length=\"60\"/></Response>");
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(call.Sid, "in-progress");

        await CallResource.UpdateAsync(pathSid: call.Sid, url: new Uri(_receiver.Url("next")), client: _host.Client);

        var next = await _receiver.WaitForAsync(r => r.Path == "/next", what: "POST /next");
        Assert.Equal("POST", next.Method);
        Assert.Equal("in-progress", next["CallStatus"]);
        Assert.Equal(call.Sid, next["CallSid"]);
        Assert.True(next.SignatureValid);
        await _receiver.WaitForStatusAsync(call.Sid, "completed");
    }

    // 5
    [Fact]
    public async Task Update_FinishedCall_Fails21220()
    {
        var call = await CompletedCallAsync();

        var ex = await Assert.ThrowsAsync<ApiException>(() =>
            CallResource.UpdateAsync(pathSid: call.Sid, twiml: new Twiml("<Response><Hangup/></Response>"), client: _host.Client));

        Assert.Equal(21220, ex.Code);
        Assert.Equal(400, ex.Status);
    }

    // 6a
    [Fact]
    public async Task List_PageSize2_SdkEnumeratesAllPages()
    {
        var sids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            sids.Add((await _host.CreateCallAsync("+14155550102", timeout: 30)).Sid);
        }

        var listed = (await CallResource.ReadAsync(pageSize: 2, client: _host.Client)).Select(c => c.Sid).ToList();

        Assert.Equal(5, listed.Count);
        Assert.Equal(5, listed.Distinct().Count());
        Assert.Equal(sids.Order(), listed.Order());
    }

    // 6b
    [Fact]
    public async Task List_RawPageSize2_HasTwilioPageShape()
    {
        for (var i = 0; i < 5; i++)
        {
            await _host.CreateCallAsync("+14155550102", timeout: 30);
        }

        var (status, json) = await GetAsync(_host.CallsPath + "?PageSize=2");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(
            ["calls", "end", "first_page_uri", "next_page_uri", "page", "page_size", "previous_page_uri", "start", "uri"],
            json.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(2, json.GetProperty("calls").GetArrayLength());
        Assert.Contains("PageToken=PA", json.GetProperty("next_page_uri").GetString());
        Assert.Equal(2, json.GetProperty("page_size").GetInt32());
        Assert.Equal(0, json.GetProperty("page").GetInt32());
    }

    // 7
    [Fact]
    public async Task List_Filters_SelectMatchingCalls()
    {
        var done = await CompletedCallAsync("+14155550100");
        var ringing = await _host.CreateCallAsync("+14155550102", _receiver, timeout: 60);
        await _receiver.WaitForStatusAsync(ringing.Sid, "ringing");

        var byStatus = await GetAsync(_host.CallsPath + "?Status=completed");
        Assert.Equal([done.Sid], byStatus.Json.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("sid").GetString()!).ToArray());

        var byTo = await GetAsync(_host.CallsPath + "?To=" + Uri.EscapeDataString("+14155550102"));
        Assert.Equal([ringing.Sid], byTo.Json.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("sid").GetString()!).ToArray());

        var sdkByStatus = await CallResource.ReadAsync(status: CallResource.StatusEnum.Completed, client: _host.Client);
        Assert.Equal([done.Sid], sdkByStatus.Select(c => c.Sid).ToArray());

        var since = await GetAsync(_host.CallsPath + "?StartTime%3E=2026-07-01");
        Assert.Equal(HttpStatusCode.OK, since.Status);
        Assert.Contains(done.Sid, since.Json.GetProperty("calls").EnumerateArray().Select(c => c.GetProperty("sid").GetString()));

        var future = await GetAsync(_host.CallsPath + "?StartTime%3E=2026-07-02");
        Assert.Equal(HttpStatusCode.OK, future.Status);
        Assert.Equal(0, future.Json.GetProperty("calls").GetArrayLength());
    }

    // 8
    [Theory]
    [InlineData("To", null, 21201)]
    [InlineData("From", null, 21213)]
    [InlineData("To", "12345", 21211)]
    [InlineData("From", "abc", 21212)]
    [InlineData("Twiml", null, 21205)]
    [InlineData("Url", "not a url", 21205)]
    [InlineData("Timeout", "abc", 21200)]
    [InlineData("Method", "PUT", 21200)]
    public async Task Create_InvalidForm_ReturnsTwilioError400(string field, string? value, int code)
    {
        var form = ValidForm();
        form.Remove(field);
        if (value is not null)
        {
            if (field == "Url")
            {
                form.Remove("Twiml");
            }
            form[field] = value;
        }
        if (field == "Method")
        {
            form.Remove("Twiml");
            form["Url"] = _receiver.Url("twiml");
        }

        var (status, json) = await PostFormAsync(form);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertTwilioError(json, code, 400);
    }

    [Fact]
    public async Task Create_WrongPassword_Returns401_20003()
    {
        using var http = new HttpClient { BaseAddress = _host.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_host.AccountSid}:wrong")));

        using var response = await http.PostAsync(_host.CallsPath, new FormUrlEncodedContent(ValidForm()));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertTwilioError(await ReadJsonAsync(response), 20003, 401);
    }

    [Fact]
    public async Task Recordings_OfACall_AnEmptyPageThroughTheSdk()
    {
        var call = await _host.CreateCallAsync("+14155550100", _receiver);

        var recordings = await Twilio.Rest.Api.V2010.Account.Call.RecordingResource.ReadAsync(pathCallSid: call.Sid, client: _host.Client);
        Assert.Empty(recordings);
        var (status, json) = await GetAsync(CallPath(call.Sid, "/Recordings.json?DateCreated%3E=2026-07-01"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(0, json.GetProperty("recordings").GetArrayLength());
        Assert.Equal(CallPath(call.Sid, "/Recordings.json?DateCreated%3E=2026-07-01&PageSize=50&Page=0"), json.GetProperty("uri").GetString());

        var unknown = await Assert.ThrowsAsync<ApiException>(() => Twilio.Rest.Api.V2010.Account.Call.RecordingResource.ReadAsync(
            pathCallSid: "CA00000000000000000000000000000000", client: _host.Client));
        Assert.Equal(20404, unknown.Code);
        var (badStatus, bad) = await GetAsync(CallPath(call.Sid, "/Recordings.json?DateCreated=yesterday"));
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        AssertTwilioError(bad, 20001, 400);
        var (fetchStatus, _) = await GetAsync(CallPath(call.Sid, "/Recordings/RE00000000000000000000000000000000.json"));
        Assert.Equal(HttpStatusCode.NotFound, fetchStatus);
    }

    [Fact]
    public async Task UnknownResource_UnderAnAccount_401WithoutCredentialsAnd404With()
    {
        var path = $"/2010-04-01/Accounts/{_host.AccountSid}/Conferences.json";
        using var anonymous = new HttpClient { BaseAddress = _host.BaseUri };
        using var unauthenticated = await anonymous.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        AssertTwilioError(await ReadJsonAsync(unauthenticated), 20003, 401);

        var (status, json) = await GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertTwilioError(json, 20404, 404);
        var (postStatus, _) = await PostFormAsync(new Dictionary<string, string> { ["x"] = "y" }, CallPath("CA00000000000000000000000000000000", "/Recordings.json"));
        Assert.Equal(HttpStatusCode.NotFound, postStatus);
    }

    [Fact]
    public async Task Create_ResourceJson_HasTheCallsUrisAndFormattedNumbers()
    {
        var form = ValidForm();
        form["To"] = "+447700900123";
        var (status, json) = await PostFormAsync(form);

        Assert.Equal(HttpStatusCode.Created, status);
        var sid = json.GetProperty("sid").GetString()!;
        var path = $"/2010-04-01/Accounts/{_host.AccountSid}/Calls/{sid}";
        Assert.Equal(path + ".json", json.GetProperty("uri").GetString());
        var subresources = json.GetProperty("subresource_uris");
        Assert.Equal(path + "/Events.json", subresources.GetProperty("events").GetString());
        Assert.Equal(path + "/Notifications.json", subresources.GetProperty("notifications").GetString());
        Assert.Equal(path + "/UserDefinedMessageSubscriptions.json", subresources.GetProperty("user_defined_message_subscriptions").GetString());
        Assert.Equal(9, subresources.EnumerateObject().Count());
        // NANP numbers are formatted as Twilio formats them; others are shown as given.
        Assert.Equal("(415) 555-0199", json.GetProperty("from_formatted").GetString());
        Assert.Equal("+447700900123", json.GetProperty("to_formatted").GetString());

        var (_, fetched) = await GetAsync(path + ".json");
        Assert.Equal(json.GetProperty("uri").GetString(), fetched.GetProperty("uri").GetString());
        Assert.Equal(subresources.GetRawText(), fetched.GetProperty("subresource_uris").GetRawText());
    }

    /// <summary>
    /// Authorization headers as clients send them (RFC 7617: the scheme is case-insensitive, the token is everything
    /// after the first colon) and as they should be refused. "{sid}"/"{token}" stand for the account's credentials;
    /// "b64:" means the rest is sent base64-encoded after "Basic ".
    /// </summary>
    [Theory]
    [InlineData("b64:{sid}:{token}", true)]
    [InlineData("basic {b64}", true)]
    [InlineData("  BASIC    {b64}  ", true)]
    [InlineData("b64:{sid}:wrong", false)]
    [InlineData("b64:{sid}:{token}x", false)]
    [InlineData("b64:{sid}:", false)]
    [InlineData("b64:{sid}", false)]
    [InlineData("b64::{token}", false)]
    [InlineData("b64:AC00000000000000000000000000000000:{token}", false)]
    [InlineData("b64:{sid}{token}", false)]
    [InlineData("Basic !!not-base64!!", false)]
    [InlineData("Basic", false)]
    [InlineData("Basic ", false)]
    [InlineData("Bearer {b64}", false)]
    [InlineData("Basic{b64}", false)]
    [InlineData("Basic {long}", false)]
    public async Task AuthorizationHeader_OnlyTheAccountsOwnCredentialsAreAccepted(string template, bool accepted)
    {
        string Credentials(string text) => text.Replace("{sid}", _host.AccountSid).Replace("{token}", _host.AuthToken);
        var header = template.StartsWith("b64:", StringComparison.Ordinal)
            ? "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(Credentials(template[4..])))
            : Credentials(template)
                .Replace("{b64}", Convert.ToBase64String(Encoding.UTF8.GetBytes(Credentials("{sid}:{token}"))))
                .Replace("{long}", Convert.ToBase64String(Encoding.UTF8.GetBytes(Credentials("{sid}:{token}") + new string('x', 5_000))));
        using var http = new HttpClient { BaseAddress = _host.BaseUri };
        using var request = new HttpRequestMessage(HttpMethod.Get, _host.CallsPath);
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", header));

        using var response = await http.SendAsync(request);

        if (accepted)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        else
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            AssertTwilioError(await ReadJsonAsync(response), 20003, 401);
        }
    }

    [Fact]
    public async Task Fetch_UnknownSid_Returns404_20404()
    {
        var (status, json) = await GetAsync(CallPath("CA00000000000000000000000000000000"));

        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertTwilioError(json, 20404, 404);
    }

    [Fact]
    public async Task Fetch_OtherAccountsCall_Returns404_20404()
    {
        var call = await _host.CreateCallAsync("+14155550102", timeout: 30);
        using var http = new HttpClient { BaseAddress = _host.BaseUri };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{OtherAccountSid}:{OtherAuthToken}")));

        var (status, json) = await GetAsync($"/2010-04-01/Accounts/{OtherAccountSid}/Calls/{call.Sid}.json", http);
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertTwilioError(json, 20404, 404);

        var ex = await Assert.ThrowsAsync<ApiException>(() =>
            CallResource.FetchAsync(pathSid: call.Sid, client: _host.CreateClient(OtherAccountSid, OtherAuthToken)));
        Assert.Equal(20404, ex.Code);
        Assert.Equal(404, ex.Status);
    }

    [Fact]
    public async Task Create_MalformedFormBody_ReturnsTwilio4xx()
    {
        using var content = new StringContent("%%%=&&==", Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await _host.Http.PostAsync(_host.CallsPath, content);

        Assert.InRange((int)response.StatusCode, 400, 499);
        var json = await ReadJsonAsync(response);
        Assert.Equal((int)response.StatusCode, json.GetProperty("status").GetInt32());
        Assert.True(json.GetProperty("code").GetInt32() > 0);
        Assert.NotNull(json.GetProperty("message").GetString());
        Assert.NotNull(json.GetProperty("more_info").GetString());
    }

    [Fact]
    public async Task Create_100KbBody_Returns413TwilioShaped()
    {
        var form = ValidForm();
        form["Padding"] = new string('x', 100 * 1024);

        var (status, json) = await PostFormAsync(form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal(413, json.GetProperty("status").GetInt32());
        Assert.True(json.GetProperty("code").GetInt32() > 0);
        Assert.NotNull(json.GetProperty("message").GetString());
        Assert.NotNull(json.GetProperty("more_info").GetString());
    }

    // 9
    [Fact]
    public async Task Delete_FinishedCall_Returns204ThenGone()
    {
        var call = await CompletedCallAsync();

        using var response = await _host.Http.DeleteAsync(CallPath(call.Sid));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var (status, json) = await GetAsync(CallPath(call.Sid));
        Assert.Equal(HttpStatusCode.NotFound, status);
        AssertTwilioError(json, 20404, 404);
    }

    [Fact]
    public async Task Delete_LiveCall_Returns400_20009()
    {
        var call = await _host.CreateCallAsync("+14155550102", _receiver, timeout: 30);
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");

        using var response = await _host.Http.DeleteAsync(CallPath(call.Sid));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertTwilioError(await ReadJsonAsync(response), 20009, 400);
        var ex = await Assert.ThrowsAsync<ApiException>(() => CallResource.DeleteAsync(pathSid: call.Sid, client: _host.Client));
        Assert.Equal(20009, ex.Code);
    }

    // 10
    [Fact]
    public async Task Events_CompletedCall_ListsCreateAndCallbackRequests()
    {
        var call = await CompletedCallAsync();
        await Task.Delay(300);

        var (status, json) = await GetAsync(CallPath(call.Sid, "/Events.json"));

        Assert.Equal(HttpStatusCode.OK, status);
        var events = json.GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("request").GetProperty("method").GetString() == "POST"
            && Scalar(e.GetProperty("request").GetProperty("url")).Contains("/Calls.json"));
        var callbacks = events.Where(e => Scalar(e.GetProperty("request").GetProperty("url")).Contains("/status")).ToList();
        Assert.NotEmpty(callbacks);
        Assert.All(callbacks, e => Assert.Equal("200", Scalar(e.GetProperty("response").GetProperty("response_code"))));
    }

    // 11a
    [Fact]
    public async Task MalformedTwiml_ViaUrl_CompletesAndRecordsNotification12100()
    {
        _receiver.ServeTwiml("bad", "<Response><Say>unclosed");
        var call = await _host.CreateCallAsync("+14155550100", _receiver, url: new Uri(_receiver.Url("bad")));
        await _host.AdvanceUntilAsync(() => _receiver.StatusCallbacks(call.Sid).Any(c => c["CallStatus"] == "completed"), 30, "completed");

        var (status, json) = await GetAsync(CallPath(call.Sid, "/Notifications.json"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains(json.GetProperty("notifications").EnumerateArray(), n => Scalar(n.GetProperty("error_code")) == "12100");
    }

    // 11a′
    [Fact]
    public async Task Notifications_FilteredByLogAndMessageDate_ThroughTheSdk()
    {
        _receiver.ServeTwiml("bad", "<Response><Say>unclosed");
        // A warning at create (21626, an invalid event name) and an error a second later, at the answer (12100).
        var (status, json) = await PostFormAsync(new Dictionary<string, string>
        {
            ["To"] = "+14155550100", ["From"] = "+14155550199", ["Url"] = _receiver.Url("bad"), ["StatusCallbackEvent"] = "bogus",
        });
        Assert.Equal(HttpStatusCode.Created, status);
        var sid = json.GetProperty("sid").GetString()!;
        async Task<string[]> Codes(int? log = null, DateTime? on = null, DateTime? before = null, DateTime? after = null) =>
            [.. (await Twilio.Rest.Api.V2010.Account.Call.NotificationResource.ReadAsync(pathCallSid: sid, log: log, messageDate: on,
                messageDateBefore: before, messageDateAfter: after, client: _host.Client)).Select(n => n.ErrorCode)];
        for (var i = 0; i < 60 && (await Codes()).Length < 2; i++)
        {
            _host.Advance(0.5);
            await Task.Delay(20);
        }

        Assert.Equal(["12100", "21626"], await Codes());
        Assert.Equal(["12100"], await Codes(log: 0));
        Assert.Equal(["21626"], await Codes(log: 1));
        Assert.Equal(["12100", "21626"], await Codes(on: new DateTime(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Empty(await Codes(on: new DateTime(2026, 7, 2, 0, 0, 0, DateTimeKind.Utc)));
        // The SDKs send dates only: MessageDate> is from that day's midnight, MessageDate< before it.
        var nextDay = new DateTime(2026, 7, 2, 0, 0, 0, DateTimeKind.Utc);
        Assert.Empty(await Codes(after: nextDay));
        Assert.Equal(["12100", "21626"], await Codes(before: nextDay));
        Assert.Equal(["12100", "21626"], await Codes(after: nextDay.AddDays(-1)));
        Assert.Equal(["12100"], await Codes(log: 0, on: nextDay.AddDays(-1)));
        // A full timestamp is read to the second, as in the Calls list's StartTime> and StartTime<.
        async Task<string[]> Raw(string query) =>
            [.. (await GetAsync(CallPath(sid, "/Notifications.json?" + query))).Json.GetProperty("notifications").EnumerateArray()
                .Select(n => Scalar(n.GetProperty("error_code")))];
        Assert.Equal(["12100"], await Raw("MessageDate%3E=2026-07-01T12:00:01Z"));
        Assert.Equal(["21626"], await Raw("MessageDate%3C=2026-07-01T12:00:01Z"));

        var (badStatus, bad) = await GetAsync(CallPath(sid, "/Notifications.json?Log=2"));
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        AssertTwilioError(bad, 20001, 400);
    }

    // 11b
    [Fact]
    public async Task MalformedTwiml_WithFallbackUrl_RequestsFallbackWithErrorCode12100()
    {
        _receiver.ServeTwiml("bad", "<Response><Say>unclosed");
        _receiver.ServeTwiml("fallback", "<Response><Hangup/></Response>");
        var form = new Dictionary<string, string>
        {
            ["To"] = "+14155550100",
            ["From"] = "+14155550199",
            ["Url"] = _receiver.Url("bad"),
            ["FallbackUrl"] = _receiver.Url("fallback"),
            ["StatusCallback"] = _receiver.Url("status"),
        };
        var (status, json) = await PostFormAsync(form);
        Assert.Equal(HttpStatusCode.Created, status);
        var sid = json.GetProperty("sid").GetString()!;
        await _host.AdvanceUntilAsync(() => _receiver.Received.Any(r => r.Path == "/fallback"), 30, "fallback request");

        var fallback = _receiver.Received.First(r => r.Path == "/fallback");
        Assert.Equal("12100", fallback["ErrorCode"]);
        Assert.Equal(sid, fallback["CallSid"]);
        Assert.True(fallback.SignatureValid);
        await _receiver.WaitForStatusAsync(sid, "completed");
    }

    // 11c
    [Fact]
    public async Task TwimlUrl_Answering500_RequestsFallbackWithErrorCode11217AndRecordsIt()
    {
        _receiver.Respond("broken", _ => (500, "oops"));
        _receiver.ServeTwiml("fallback", "<Response><Hangup/></Response>");
        var (status, json) = await PostFormAsync(new Dictionary<string, string>
        {
            ["To"] = "+14155550100", ["From"] = "+14155550199", ["Url"] = _receiver.Url("broken"),
            ["FallbackUrl"] = _receiver.Url("fallback"), ["StatusCallback"] = _receiver.Url("status"),
        });
        Assert.Equal(HttpStatusCode.Created, status);
        var sid = json.GetProperty("sid").GetString()!;
        await _host.AdvanceUntilAsync(() => _receiver.Received.Any(r => r.Path == "/fallback"), 30, "fallback request");

        Assert.Equal("11217", _receiver.Received.First(r => r.Path == "/fallback")["ErrorCode"]);
        await _receiver.WaitForStatusAsync(sid, "completed");
        var (_, notifications) = await GetAsync(CallPath(sid, "/Notifications.json"));
        Assert.Contains(notifications.GetProperty("notifications").EnumerateArray(), n => Scalar(n.GetProperty("error_code")) == "11217");
    }

    // 12
    [Fact]
    public async Task StatusCallbackEvent_SpaceSeparatedSingleValue_SendsFourCallbacks()
    {
        var form = new Dictionary<string, string>
        {
            ["To"] = "+14155550100",
            ["From"] = "+14155550199",
            ["Twiml"] = "<Response><Hangup/></Response>",
            ["StatusCallback"] = _receiver.Url("status"),
            ["StatusCallbackEvent"] = "initiated ringing answered completed",
        };
        var (status, json) = await PostFormAsync(form);
        Assert.Equal(HttpStatusCode.Created, status);
        var sid = json.GetProperty("sid").GetString()!;

        await _host.AdvanceUntilAsync(() => _receiver.StatusCallbacks(sid).Any(c => c["CallStatus"] == "completed"), 30, "completed");

        Assert.Equal(["initiated", "ringing", "in-progress", "completed"], _receiver.StatusCallbacks(sid).Select(c => c["CallStatus"]).ToArray());
    }
}
