using Microsoft.Playwright;

namespace Gerbang.Api.Tests.Browser;

/// <summary>The API reference at <c>/docs</c>, in headless Chromium: authorize with a test key, then call the API from the page.</summary>
[Collection("browser")]
public sealed class DocsBrowserTests(BrowserFixture gerbang) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task The_docs_page_authorizes_with_a_test_key_and_calls_the_api()
    {
        var merchant = await gerbang.NewMerchantAsync("Docs reader");
        var context = await gerbang.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };

        await page.GotoAsync(gerbang.BaseUrl + "/docs/index.html");
        await page.Locator(".auth-wrapper button.authorize").ClickAsync(new() { Timeout = 60_000 });
        var scheme = page.Locator(".auth-container").Filter(new() { HasText = "merchantKey" });
        await scheme.Locator("input").FillAsync(merchant.Key);
        await scheme.Locator("button.authorize").ClickAsync();
        await page.Locator(".auth-btn-wrapper button.btn-done").First.ClickAsync();

        var operation = page.Locator("#operations-balance-getBalance");
        await operation.Locator(".opblock-summary").First.ClickAsync();
        await operation.Locator("button.try-out__btn").ClickAsync();
        await operation.Locator("button.execute").ClickAsync();
        var status = operation.Locator(".live-responses-table tbody .response-col_status").First;
        await Assertions.Expect(status).ToHaveTextAsync("200", new() { Timeout = 30_000 });
        await Assertions.Expect(operation.Locator(".live-responses-table tbody .response-col_description").First).ToContainTextAsync("\"object\": \"balance\"");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotDir, "docs-try-it.png"), FullPage = false });
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        await context.CloseAsync();
    }
}
