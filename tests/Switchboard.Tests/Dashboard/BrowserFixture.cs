using Microsoft.Playwright;

namespace Switchboard.Tests.Dashboard;

/// <summary>
/// Debian's chromium driven by Playwright's bundled node driver (no browser download). Missing chromium
/// skips a test locally and fails it under CI, where <c>.ci/run</c> installs it.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser? Browser { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            return;
        }
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
    }

    /// <summary>The browser, or a skip (locally) / failure (under CI) saying what is missing.</summary>
    public IBrowser Require()
    {
        if (Browser is not null)
        {
            return Browser;
        }
        var reason = $"{ChromiumPath} is missing: apt-get install -y chromium";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Assert.Fail(reason);
        }
        Assert.Skip(reason);
        return null!;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }

    /// <summary>Where screenshots go: <c>artifacts/dashboard/</c> at the repository root (git-ignored).</summary>
    public static string ArtifactsDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Switchboard.slnx")))
        {
            dir = dir.Parent;
        }
        var path = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", "dashboard");
        Directory.CreateDirectory(path);
        return path;
    }
}
