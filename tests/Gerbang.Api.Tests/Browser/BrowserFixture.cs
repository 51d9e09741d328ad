using Gerbang.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Playwright;

namespace Gerbang.Api.Tests.Browser;

/// <summary>
/// Gerbang, the example shop from <c>samples/shop</c> served from another origin, and headless
/// Chromium from Debian's package driven by Playwright (which never downloads a browser here).
/// </summary>
public sealed class BrowserFixture : GerbangFixture
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private WebApplication? _shop;

    public IBrowser Browser { get; private set; } = null!;

    public string ShopUrl { get; private set; } = "";

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Gerbang.slnx")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Gerbang.slnx not found above the test binaries.");
        }
    }

    /// <summary>Where screenshots go, beside the test results.</summary>
    public static string ScreenshotDir
    {
        get
        {
            var dir = Environment.GetEnvironmentVariable("GERBANG_SCREENSHOTS") ?? Path.Combine(RepositoryRoot, "artifacts", "screenshots");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: install Debian's chromium package (test.sh does so when run as root).");

        var files = new PhysicalFileProvider(Path.Combine(RepositoryRoot, "samples", "shop"));
        (_shop, ShopUrl) = await LoopbackApp.StartAsync(shop =>
        {
            shop.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            shop.UseStaticFiles(new StaticFileOptions { FileProvider = files });
            shop.MapGet("/success", () => Results.Content("<!doctype html><title>Order paid</title><h1 id=\"thanks\">Order paid</h1>", "text/html"));
        });

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
        });
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_shop is not null)
        {
            await _shop.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
