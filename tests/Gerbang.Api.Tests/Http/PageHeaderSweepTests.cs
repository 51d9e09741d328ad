using Gerbang.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Http;

/// <summary>
/// Every page in the route table, whoever asks (nobody, an operator, a merchant user), answers HTML only
/// with a content security policy that says who may frame it, <c>nosniff</c> and a referrer policy.
/// </summary>
public sealed class PageHeaderSweepTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private static readonly string[] NotPages = ["/v1", "/admin", "/_sim", "/webhooks", "/health", "/openapi", "/metrics"];

    [Fact]
    public async Task Every_html_answer_carries_the_security_headers()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, session, _) = await merchant.Client.PostJsonAsync("/v1/checkout/sessions", new { amount = 10_000, currency = "IDR", order_id = "ORDER-HEADERS", success_url = "https://shop.example/ok", cancel_url = "https://shop.example/cancel" });
        var (_, operatorClient) = await gerbang.DashboardSignInAsync(GerbangFixture.AdminEmail, GerbangFixture.AdminPassword);
        var (_, merchantClient) = await gerbang.DashboardSignInAsync(await gerbang.NewMerchantUserAsync(merchant), DashboardClients.MerchantUserPassword);
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(gerbang.BaseUrl) };

        var patterns = gerbang.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") != false)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(p => !NotPages.Any(n => p.StartsWith(n, StringComparison.Ordinal)) && !p.Contains("{**", StringComparison.Ordinal))
            .Distinct()
            .Append("/docs/index.html")
            .ToList();
        var checkedPages = 0;
        var failures = new List<string>();
        foreach (var pattern in patterns)
        {
            var path = System.Text.RegularExpressions.Regex.Replace(pattern.Replace("{id}", session.Str("id"), StringComparison.Ordinal), "{[^}]+}", "x_missing");
            foreach (var (who, client) in new[] { ("anonymous", anonymous), ("operator", operatorClient), ("merchant user", merchantClient) })
            {
                using var response = await client.GetAsync(path);
                if (response.Content.Headers.ContentType?.MediaType != "text/html")
                {
                    continue;
                }

                checkedPages++;
                var csp = response.Headers.TryGetValues("Content-Security-Policy", out var c) ? string.Join(";", c) : "";
                var nosniff = response.Headers.TryGetValues("X-Content-Type-Options", out var n) && n.Contains("nosniff");
                var referrer = response.Headers.Contains("Referrer-Policy");
                if (!csp.Contains("frame-ancestors", StringComparison.Ordinal) || !nosniff || !referrer)
                {
                    failures.Add($"GET {path} as {who} ({(int)response.StatusCode}): csp '{csp}', nosniff {nosniff}, referrer {referrer}");
                }
            }
        }

        Assert.True(checkedPages >= 30, $"only {checkedPages} HTML answers were checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
