using System.Diagnostics;
using Microsoft.Playwright;
using Switchboard.Testing;
using Twilio.Rest.Api.V2010.Account;
using Twilio.Types;
using static Microsoft.Playwright.Assertions;

namespace Switchboard.Tests.Dashboard;

/// <summary>The dashboard in a real browser against a running server on the fake clock.</summary>
public sealed class DashboardBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private SwitchboardHost _host = null!;
    private WebhookReceiver _receiver = null!;
    private IBrowserContext? _context;

    public async ValueTask InitializeAsync()
    {
        _host = await SwitchboardHost.StartAsync();
        _receiver = await WebhookReceiver.StartAsync(_host.AuthToken);
        SetDefaultExpectTimeout(20_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.DisposeAsync();
        }
        await _receiver.DisposeAsync();
        await _host.DisposeAsync();
    }

    private async Task<IPage> OpenDashboardAsync(string fragment = "")
    {
        _context = await browser.Require().NewContextAsync(new BrowserNewContextOptions
        {
            HttpCredentials = new HttpCredentials { Username = _host.AccountSid, Password = _host.AuthToken },
            ViewportSize = new ViewportSize { Width = 1400, Height = 1000 },
        });
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(_host.BaseUri, "/dashboard" + fragment).ToString());
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        // Marks this document: if the page reloaded, the mark would be gone.
        await page.EvaluateAsync("() => { window.loadedOnce = 'yes'; }");
        return page;
    }

    private static ILocator Row(IPage page, string sid) => page.Locator($"#live-rows tr[data-sid='{sid}']");

    [Fact]
    public async Task Dashboard_WithoutCredentials_AsksForThem()
    {
        browser.Require();
        using var anonymous = new HttpClient { BaseAddress = _host.BaseUri };
        using var response = await anonymous.GetAsync("/dashboard", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Basic", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Dashboard_CallsCreatedThroughSdk_AppearChangeStateAndLeaveWithoutReload()
    {
        var page = await OpenDashboardAsync();
        var answers = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Pause length=\"3\"/></Response>");
        var rings = await _host.CreateCallAsync("+14155550102", _receiver, timeout: 60);

        await Expect(Row(page, answers.Sid)).ToHaveAttributeAsync("data-status", "ringing");
        await Expect(Row(page, rings.Sid)).ToHaveAttributeAsync("data-status", "ringing");
        await Expect(Row(page, answers.Sid).Locator("td").Nth(3)).ToHaveTextAsync("+14155550100");
        await Expect(Row(page, answers.Sid).Locator("td").Nth(5)).ToHaveTextAsync("outbound-api");
        await Expect(Row(page, answers.Sid).Locator("td").Nth(7)).ToHaveTextAsync("simulated");
        await Expect(page.Locator("#count-ringing")).ToHaveTextAsync("2");

        _host.Advance(1);
        await _receiver.WaitForStatusAsync(answers.Sid, "in-progress");
        await Expect(Row(page, answers.Sid)).ToHaveAttributeAsync("data-status", "in-progress");
        await Expect(page.Locator("#count-in-progress")).ToHaveTextAsync("1");

        _host.Advance(3);
        await _receiver.WaitForStatusAsync(answers.Sid, "completed");
        await Expect(Row(page, answers.Sid)).ToHaveCountAsync(0);
        await Expect(page.Locator("#count-in-progress")).ToHaveTextAsync("0");
        // The call that still rings has been ringing 4 s of server time.
        await Expect(Row(page, rings.Sid).Locator("td.age")).ToHaveTextAsync("4s");

        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.loadedOnce"));
    }

    [Fact]
    public async Task Dashboard_LongRingingCall_StandsOutPastTheThreshold()
    {
        var page = await OpenDashboardAsync();
        await page.FillAsync("#threshold", "10");
        var call = await _host.CreateCallAsync("+14155550102", _receiver, timeout: 60);
        await Expect(Row(page, call.Sid)).ToHaveAttributeAsync("data-status", "ringing");
        await Expect(Row(page, call.Sid)).Not.ToHaveClassAsync("long-ringing");

        _host.Advance(11);
        await Expect(Row(page, call.Sid)).ToHaveClassAsync("long-ringing");
        await Expect(page.Locator("#count-long")).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task Dashboard_CancelRingingCallFromThePage_EndsCanceledWithItsCallback()
    {
        var page = await OpenDashboardAsync();
        var call = await _host.CreateCallAsync("+14155550102", _receiver, timeout: 60);
        await Expect(Row(page, call.Sid)).ToHaveAttributeAsync("data-status", "ringing");

        await Row(page, call.Sid).ClickAsync();
        await Expect(page.Locator("#detail-sid")).ToHaveTextAsync(call.Sid);
        await Expect(page.Locator("#action-cancel")).ToBeEnabledAsync();
        await page.ClickAsync("#action-cancel");

        var callback = await _receiver.WaitForStatusAsync(call.Sid, "canceled");
        Assert.True(callback.SignatureValid);
        await Expect(Row(page, call.Sid)).ToHaveCountAsync(0);
        await Expect(page.Locator("#timeline li").Last).ToHaveAttributeAsync("data-status", "canceled");
        var fetched = await CallResource.FetchAsync(pathSid: call.Sid, client: _host.Client);
        Assert.Equal(CallResource.StatusEnum.Canceled, fetched.Status);
    }

    [Fact]
    public async Task Dashboard_CallNotStoredYet_DetailSaysSoAndOffersNoAction()
    {
        // A trunk call is stored only once it has ended; until then its panel has nothing to load (404).
        var page = await OpenDashboardAsync("#CA0123456789abcdef0123456789abcdef");

        await Expect(page.Locator("#detail-summary")).ToContainTextAsync("trunk call is stored when it ends");
        foreach (var action in new[] { "#action-cancel", "#action-hangup", "#action-redirect", "#action-replay" })
        {
            await Expect(page.Locator(action)).ToBeDisabledAsync();
        }
    }

    [Fact]
    public async Task Dashboard_HangUpAnsweredCallFromThePage_EndsCompleted()
    {
        var page = await OpenDashboardAsync();
        var call = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Pause length=\"60\"/></Response>");
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(1);
        await Expect(Row(page, call.Sid)).ToHaveAttributeAsync("data-status", "in-progress");

        await Row(page, call.Sid).ClickAsync();
        await Expect(page.Locator("#action-hangup")).ToBeEnabledAsync();
        await Expect(page.Locator("#action-cancel")).ToBeDisabledAsync();
        await page.ClickAsync("#action-hangup");

        var completed = await _receiver.WaitForStatusAsync(call.Sid, "completed");
        Assert.Equal("0", completed["CallDuration"]);
        await Expect(Row(page, call.Sid)).ToHaveCountAsync(0);
        await Expect(page.Locator("dd[data-field='disconnected by']")).ToHaveTextAsync("caller");
    }

    [Fact]
    public async Task Dashboard_RedirectAnsweredCallFromThePage_FetchesTheNewTwiml()
    {
        _receiver.ServeTwiml("/next", "<Response><Hangup/></Response>");
        var page = await OpenDashboardAsync();
        var call = await _host.CreateCallAsync("+14155550100", _receiver, twiml: "<Response><Pause length=\"60\"/></Response>");
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(1);
        await Expect(Row(page, call.Sid)).ToHaveAttributeAsync("data-status", "in-progress");

        await Row(page, call.Sid).ClickAsync();
        await Expect(page.Locator("#action-redirect")).ToBeEnabledAsync();
        await page.FillAsync("#redirect-url", _receiver.Url("next"));
        await page.ClickAsync("#action-redirect");

        var fetched = await _receiver.WaitForAsync(r => r.Path == "/next" && r.Get("CallSid") == call.Sid, what: "the redirect's TwiML request");
        Assert.True(fetched.SignatureValid);
        await _receiver.WaitForStatusAsync(call.Sid, "completed");
        await Expect(Row(page, call.Sid)).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Dashboard_OpenCallTimeline_ShowsStatusesCallbacksAndRequests()
    {
        var call = await _host.CreateCallAsync("+442075550101", _receiver);
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(call.Sid, "busy");

        var page = await OpenDashboardAsync("#" + call.Sid);
        await Expect(page.Locator("#detail-sid")).ToHaveTextAsync(call.Sid);
        var timeline = page.Locator("#timeline li");
        await Expect(timeline).ToHaveCountAsync(4);
        Assert.Equal(["queued", "initiated", "ringing", "busy"],
            await timeline.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.status)"));
        await Expect(timeline.Last).ToContainTextAsync("2026-07-01T12:00:01.000Z");
        await Expect(page.Locator("dd[data-field='SIP code']")).ToHaveTextAsync("486");
        await Expect(page.Locator("dd[data-field='disconnected by']")).ToHaveTextAsync("callee");
        await Expect(page.Locator("#callbacks tr")).ToHaveCountAsync(3);
        // Each status callback made one request, recorded as a Call Event with the receiver's 200 (the create request is one more).
        await Expect(page.Locator("#events tr")).ToHaveCountAsync(4);
        await Expect(page.Locator("#action-cancel")).ToBeDisabledAsync();
    }

    [Fact]
    public async Task Dashboard_CallbacksDeliveredWhileTheCallIsOpen_ShowTheirOutcomesAndRequests()
    {
        var release = new TaskCompletionSource<(int, string?)>(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.RespondAsync("held", _ => release.Task);
        var call = await _host.CreateCallAsync("+442075550101", events: ["initiated", "completed"], statusCallback: new Uri(_receiver.Url("held")));
        await _receiver.WaitForStatusAsync(call.Sid, "initiated");
        var status = call.Status;
        for (var i = 0; i < 100 && status != CallResource.StatusEnum.Busy; i++)
        {
            _host.Advance(0.1);
            await Task.Delay(20);
            status = (await CallResource.FetchAsync(pathSid: call.Sid, client: _host.Client)).Status;
        }
        Assert.Equal(CallResource.StatusEnum.Busy, status);

        // The call has ended; its two callbacks wait behind the receiver's first answer.
        var page = await OpenDashboardAsync("#" + call.Sid);
        await Expect(page.Locator("#timeline li").Last).ToHaveAttributeAsync("data-status", "busy");
        await Expect(page.Locator("#callbacks tr[data-state='pending']")).ToHaveCountAsync(2);
        await Expect(page.Locator("#events tr")).ToHaveCountAsync(1);

        release.SetResult((200, null));
        await Expect(page.Locator("#callbacks tr[data-state='delivered']")).ToHaveCountAsync(2);
        await Expect(page.Locator("#events tr")).ToHaveCountAsync(3);
        Assert.Equal("yes", await page.EvaluateAsync<string>("() => window.loadedOnce"));
    }

    [Fact]
    public async Task Dashboard_ReplayCallbacksFromThePage_RedeliversThemWithTheirTokens()
    {
        var call = await _host.CreateCallAsync("+442075550101", _receiver);
        await _receiver.WaitForStatusAsync(call.Sid, "ringing");
        _host.Advance(1);
        await _receiver.WaitForStatusAsync(call.Sid, "busy");
        var first = _receiver.StatusCallbacks(call.Sid).ToList();
        Assert.Equal(3, first.Count);

        var page = await OpenDashboardAsync("#" + call.Sid);
        await Expect(page.Locator("#callbacks tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("#action-replay")).ToBeEnabledAsync();
        await page.ClickAsync("#action-replay");
        await Expect(page.Locator("#action-result")).ToHaveTextAsync("replayed 3");

        await _receiver.WaitForAsync(_ => _receiver.StatusCallbacks(call.Sid).Count == 6, what: "three replayed callbacks");
        var replayed = _receiver.StatusCallbacks(call.Sid).Skip(3).ToList();
        Assert.Equal(first.Select(c => c["SequenceNumber"]), replayed.Select(c => c["SequenceNumber"]));
        Assert.Equal(first.Select(c => c.Headers["I-Twilio-Idempotency-Token"]), replayed.Select(c => c.Headers["I-Twilio-Idempotency-Token"]));
        Assert.All(replayed, c => Assert.True(c.SignatureValid));
    }

    [Fact]
    public async Task Dashboard_UnderLoad_TenThousandRingingCalls_StaysSmoothAndSavesScreenshot()
    {
        const int Calls = 10000;
        var page = await OpenDashboardAsync();
        var watch = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(32);
        var creates = Enumerable.Range(0, Calls).Select(async i =>
        {
            await gate.WaitAsync(TestContext.Current.CancellationToken);
            try
            {
                await CallResource.CreateAsync(to: new PhoneNumber($"+1415{i:D3}5550102"), from: new PhoneNumber("+14155550199"),
                    twiml: new Twiml("<Response><Pause length=\"10\"/></Response>"), timeout: 120, client: _host.Client);
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(creates);
        var created = watch.Elapsed;

        await Expect(page.Locator("#count-ringing")).ToHaveTextAsync(Calls.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 });
        var shown = watch.Elapsed;
        await Expect(page.Locator("#shown")).ToHaveTextAsync($"showing 500 of {Calls} (longest in state first)");
        await Expect(page.Locator("#live-rows tr")).ToHaveCountAsync(500);

        _host.Advance(30);
        await Expect(page.Locator("#count-long")).ToHaveTextAsync(Calls.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var screenshot = Path.Combine(BrowserFixture.ArtifactsDirectory(), "dashboard-10000-ringing.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = false });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is empty");

        // Each repaint of the table and counts is measured in the page (performance.measure in app.js).
        var renders = await page.EvaluateAsync<double[]>("() => performance.getEntriesByName('dashboard-render').map(e => e.duration)");
        Assert.NotEmpty(renders);
        // Smooth: a repaint takes well under the 250 ms between pushes, so updates never queue up behind it.
        Assert.True(renders.Order().ElementAt(renders.Length / 2) < 250, $"median repaint {renders.Order().ElementAt(renders.Length / 2):F1} ms");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{Calls} calls created in {created.TotalSeconds:F1} s; all on the page after {shown.TotalSeconds:F1} s; " +
            $"{renders.Length} repaints, median {renders.Order().ElementAt(renders.Length / 2):F1} ms, max {renders.Max():F1} ms; screenshot {screenshot}");
    }
}
