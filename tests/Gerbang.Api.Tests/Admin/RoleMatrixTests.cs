using System.Net.Http.Headers;
using Gerbang.Api.Admin;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Admin;

public sealed class RoleMatrixTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private static readonly string[] Anonymous = ["/admin/v1/login", "/admin/v1/token/refresh"];

    private IReadOnlyList<(string Method, string Route, string Policy)> AdminRoutes()
    {
        var routes = new List<(string, string, string)>();
        foreach (var endpoint in gerbang.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            if (!pattern.StartsWith("/admin/v1", StringComparison.Ordinal) || Anonymous.Contains(pattern))
            {
                continue;
            }

            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).Where(p => p is not null).ToList();
            Assert.True(policies.Count == 1, $"{pattern} must name exactly one permission policy");
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                routes.Add((method, pattern, policies[0]!));
            }
        }

        return routes;
    }

    [Fact]
    public void Every_admin_route_names_a_permission_from_the_role_table()
    {
        var routes = AdminRoutes();
        Assert.True(routes.Count >= 12, $"only {routes.Count} admin routes found");
        Assert.All(routes, r => Assert.Contains(r.Policy, AdminRoles.Permissions.Keys));
    }

    [Fact]
    public async Task Every_admin_route_answers_each_role_exactly_as_the_table_says()
    {
        var clients = new Dictionary<string, HttpClient>();
        foreach (var role in AdminRoles.All)
        {
            clients[role] = await gerbang.AsRoleAsync(role);
        }

        var merchant = await gerbang.NewMerchantAsync();
        using var anonymous = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        var failures = new List<string>();
        foreach (var (method, route, policy) in AdminRoutes())
        {
            var path = System.Text.RegularExpressions.Regex.Replace(route, "{[^}]+}", "does_not_exist");
            foreach (var (who, client) in clients.Select(c => (c.Key, c.Value)).Append(("merchant key", merchant.Client)).Append(("no token", anonymous)))
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method != "GET")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                var allowed = AdminRoles.Permissions[policy].Contains(who);
                var expected = who is "merchant key" or "no token" ? "401" : allowed ? "not 401/403" : "403";
                var ok = who is "merchant key" or "no token" ? status == 401 : allowed ? status is not (401 or 403) : status == 403;
                if (!ok)
                {
                    failures.Add($"{method} {route} as {who}: {status}, expected {expected}");
                }

                if (status >= 500)
                {
                    failures.Add($"{method} {route} as {who}: {status}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
