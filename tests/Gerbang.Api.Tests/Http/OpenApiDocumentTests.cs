using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gerbang.Api.Tests.Browser;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Http;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>, checked against the route table, by a third-party
/// linter (Redocly's recommended rules), by sending each documented example to the operation it
/// documents, and by driving a payment's life through a TypeScript client generated from it.
/// </summary>
public sealed class OpenApiDocumentTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private static readonly string Tools = Path.Combine(BrowserFixture.RepositoryRoot, "tests", "openapi");

    /// <summary>Route families that are pages, probes or the in-process simulators, not the API.</summary>
    private static readonly string[] NotApi = ["/dashboard", "/checkout", "/health/", "/openapi/", "/_sim/", "/docs"];

    private async Task<JsonElement> DocumentAsync()
    {
        using var response = await gerbang.Http.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<string> DocumentFileAsync(string dir)
    {
        var path = Path.Combine(dir, "openapi.json");
        await File.WriteAllTextAsync(path, (await DocumentAsync()).GetRawText());
        return path;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string tool, string arguments, string workingDirectory, IDictionary<string, string>? environment = null)
    {
        var path = Path.Combine(Tools, "node_modules", ".bin", tool);
        Assert.True(File.Exists(path) || tool == "node", $"{path} is missing: scripts/ensure-node-tools.sh installs it (test.sh runs it).");
        var start = new ProcessStartInfo(tool == "node" ? "node" : path, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document)
    {
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                yield return (path.Name, operation.Name.ToUpperInvariant(), operation.Value);
            }
        }
    }

    [Fact]
    public async Task Every_route_of_the_api_is_documented_with_a_summary_an_id_a_tag_and_its_answers()
    {
        var document = await DocumentAsync();
        var documented = Operations(document).Select(o => (o.Method, o.Path)).ToHashSet();
        var routes = new List<(string Method, string Path)>();
        foreach (var endpoint in gerbang.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + endpoint.RoutePattern.RawText!.Trim('/');
            if (NotApi.Any(p => pattern.StartsWith(p, StringComparison.Ordinal) || pattern + "/" == p) || endpoint.Metadata.GetMetadata<HttpMethodMetadata>() is not { } methods)
            {
                continue;
            }

            routes.AddRange(methods.HttpMethods.Select(m => (m, pattern)));
        }

        Assert.True(routes.Count >= 90, $"only {routes.Count} API routes found");
        var undocumented = routes.Where(r => !documented.Contains(r)).ToList();
        Assert.True(undocumented.Count == 0, "undocumented: " + string.Join(", ", undocumented));

        var tags = document.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("description").GetString());
        var ids = new HashSet<string>();
        foreach (var (path, method, operation) in Operations(document))
        {
            var where = $"{method} {path}";
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), where);
            Assert.True(ids.Add(operation.GetProperty("operationId").GetString()!), $"{where}: operationId used twice");
            var tag = Assert.Single(operation.GetProperty("tags").EnumerateArray()).GetString()!;
            Assert.True(tags.TryGetValue(tag, out var description) && description is { Length: > 10 }, $"{where}: tag '{tag}' has no description");
            Assert.True(operation.TryGetProperty("security", out _), $"{where}: no security");

            var responses = operation.GetProperty("responses").EnumerateObject().ToList();
            Assert.Contains(responses, r => r.Name.StartsWith('2'));
            foreach (var response in responses)
            {
                var content = response.Value.GetProperty("content");
                if (response.Name.StartsWith('2'))
                {
                    Assert.True(content.EnumerateObject().Any(m => m.Value.TryGetProperty("schema", out _)), $"{where} {response.Name}: no schema");
                }
                else
                {
                    Assert.True(content.TryGetProperty("application/problem+json", out var problem), $"{where} {response.Name}: not problem+json");
                    Assert.Equal("#/components/schemas/Problem", problem.GetProperty("schema").GetProperty("$ref").GetString());
                    Assert.Contains('`', response.Value.GetProperty("description").GetString()!); // names its codes
                }
            }

            if (operation.TryGetProperty("requestBody", out var body))
            {
                Assert.True(body.GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _) || path.StartsWith("/webhooks/", StringComparison.Ordinal), $"{where}: body without an example");
            }

            var merchant = operation.GetProperty("security").EnumerateArray().Any(s => s.TryGetProperty("merchantKey", out _));
            var parameters = operation.TryGetProperty("parameters", out var p) ? p.EnumerateArray().Select(x => x.GetProperty("name").GetString()).ToList() : [];
            if (merchant && method == "POST")
            {
                Assert.Contains("Idempotency-Key", parameters);
            }

            if (merchant)
            {
                Assert.Contains(responses, r => r.Name == "401");
            }
        }

        // What answers 201 or 202 says so.
        Assert.True(document.GetProperty("paths").GetProperty("/v1/payments").GetProperty("post").GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(document.GetProperty("paths").GetProperty("/v1/events/{id}/resend").GetProperty("post").GetProperty("responses").TryGetProperty("202", out _));
        var listPayments = document.GetProperty("paths").GetProperty("/v1/payments").GetProperty("get").GetProperty("parameters").EnumerateArray().Select(x => x.GetProperty("name").GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "limit", "starting_after", "ending_before", "created[gte]", "created[lte]", "status", "method", "order_id" }, listPayments.ToHashSet());

        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("merchantKey").GetProperty("scheme").GetString());
        Assert.Equal("X-API-Key", schemes.GetProperty("merchantApiKey").GetProperty("name").GetString());
        Assert.Equal("JWT", schemes.GetProperty("adminToken").GetProperty("bearerFormat").GetString());

        // Every event type is in the webhooks section with the Standard Webhooks headers.
        var webhooks = document.GetProperty("webhooks");
        foreach (var type in Gerbang.Api.Webhooks.EventTypes.All)
        {
            var post = webhooks.GetProperty(type).GetProperty("post");
            var headers = post.GetProperty("parameters").EnumerateArray().Select(x => x.GetProperty("name").GetString()).ToList();
            Assert.Equal(["webhook-id", "webhook-timestamp", "webhook-signature"], headers);
            Assert.Equal(type, post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("properties").GetProperty("type").GetProperty("const").GetString());
        }
    }

    [Fact]
    public async Task Redocly_finds_no_error_and_no_warning_with_its_recommended_rules()
    {
        var dir = Directory.CreateTempSubdirectory("gerbang-openapi-").FullName;
        try
        {
            var file = await DocumentFileAsync(dir);
            var (exit, output) = await RunAsync("redocly", $"lint \"{file}\" --format=json", dir);
            var json = output[output.IndexOf('{', StringComparison.Ordinal)..(output.LastIndexOf('}') + 1)];
            var totals = JsonDocument.Parse(json).RootElement.GetProperty("totals");
            Assert.True(exit == 0 && totals.GetProperty("errors").GetInt32() == 0 && totals.GetProperty("warnings").GetInt32() == 0, output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Every documented request example goes to its operation, as the caller it documents, against real
    /// objects where the path names one: none is refused as invalid (400) or of the wrong type (415),
    /// so a documented field the parser does not take would fail here.
    /// </summary>
    [Fact]
    public async Task Every_documented_example_is_accepted_by_its_operation()
    {
        var document = await DocumentAsync();
        var merchant = await gerbang.NewMerchantAsync("Examples");
        var managed = await gerbang.NewMerchantAsync("Managed by examples"); // the admin examples approve and suspend it
        var admin = await gerbang.AdminTokenAsync();
        using var payment = await merchant.Client.PostAsJsonAsync("/v1/payments", new { amount = 150000, currency = "IDR", method = "qris", order_id = "EX-1" });
        var paymentId = (await payment.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        (await merchant.Client.PostAsync($"/v1/test_helpers/payments/{paymentId}/pay", null)).EnsureSuccessStatusCode();
        using var endpoint = await merchant.Client.PostAsJsonAsync("/v1/webhook_endpoints", new { url = "https://hooks.example/gerbang", enabled_events = new[] { "*" } });
        var endpointId = (await endpoint.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var eventId = (await (await merchant.Client.GetAsync("/v1/events?limit=1")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data")[0].GetProperty("id").GetString()!;
        var objects = new Dictionary<string, string>
        {
            ["/v1/payments/{id}"] = paymentId,
            ["/v1/test_helpers/payments/{id}"] = paymentId,
            ["/v1/webhook_endpoints/{id}"] = endpointId,
            ["/v1/events/{id}"] = eventId,
            ["/admin/v1/merchants/{id}"] = managed.Id,
            ["/admin/v1/fees/defaults/{method}"] = "qris",
            ["/admin/v1/fees/holidays/{date}"] = "2027-03-31",
        };

        var sent = 0;
        var accepted = 0;
        foreach (var (path, method, operation) in Operations(document))
        {
            if (!operation.TryGetProperty("requestBody", out var body) || !body.GetProperty("content").GetProperty("application/json").TryGetProperty("example", out var example)
                || path is "/admin/v1/me/password" or "/admin/v1/login" or "/admin/v1/token/refresh")
            {
                continue; // sign-in examples would count as failed sign-ins
            }

            var url = path;
            foreach (var (prefix, id) in objects.OrderByDescending(o => o.Key.Length))
            {
                if (url.StartsWith(prefix, StringComparison.Ordinal))
                {
                    url = prefix[..prefix.LastIndexOf('{')] + id + url[prefix.Length..];
                    break;
                }
            }

            url = url.Replace("{method}", "qris", StringComparison.Ordinal).Replace("{id}", "missing", StringComparison.Ordinal)
                .Replace("{bankAccount}", "ba_missing", StringComparison.Ordinal).Replace("{user}", "mu_missing", StringComparison.Ordinal)
                .Replace("{name}", "simulator", StringComparison.Ordinal);
            using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent(example.GetRawText(), Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", path.StartsWith("/admin/", StringComparison.Ordinal) ? admin : merchant.Key);
            using var response = await gerbang.Http.SendAsync(request);
            var answer = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode is not (400 or 401 or 403 or 415 or >= 500), $"{method} {url} refused its documented example: {(int)response.StatusCode} {answer}");
            sent++;
            accepted += response.IsSuccessStatusCode ? 1 : 0;
        }

        // Most examples do what they say; the rest meet a business refusal (a payment already paid, an id that is not there).
        Assert.True(sent >= 35 && accepted >= 25, $"{sent} examples sent, {accepted} accepted");
    }

    [Fact]
    public async Task A_typescript_client_generated_from_the_document_drives_a_payment_from_creation_to_refund()
    {
        var merchant = await gerbang.NewMerchantAsync("Generated client");
        var dir = Path.Combine(Tools, ".run-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(Path.Combine(dir, "generated"));
        try
        {
            var file = await DocumentFileAsync(dir);
            File.Copy(Path.Combine(Tools, "lifecycle.ts"), Path.Combine(dir, "lifecycle.ts"));
            File.Copy(Path.Combine(Tools, "tsconfig.json"), Path.Combine(dir, "tsconfig.json"));
            File.Copy(Path.Combine(Tools, "package.json"), Path.Combine(dir, "package.json"));
            var (generated, generateOutput) = await RunAsync("openapi-typescript", $"\"{file}\" -o generated/schema.ts", dir);
            Assert.True(generated == 0, generateOutput);

            var (compiled, compileOutput) = await RunAsync("tsc", "-p .", dir);
            Assert.True(compiled == 0, compileOutput);

            // The types are real: a body that breaks them does not compile.
            await File.WriteAllTextAsync(Path.Combine(dir, "wrong.ts"), """
                import createClient from "openapi-fetch";
                import type { paths } from "./generated/schema.js";
                const client = createClient<paths>({ baseUrl: "http://127.0.0.1:1" });
                await client.POST("/v1/payments", { body: { amount: "150000", currency: "IDR", method: "va", order_id: "X" } });
                """);
            var (wrong, wrongOutput) = await RunAsync("tsc", "-p .", dir);
            Assert.True(wrong != 0 && wrongOutput.Contains("wrong.ts", StringComparison.Ordinal), wrongOutput);
            File.Delete(Path.Combine(dir, "wrong.ts"));

            var (exit, output) = await RunAsync("node", "build/lifecycle.js", dir, new Dictionary<string, string>
            {
                ["GERBANG_URL"] = gerbang.BaseUrl,
                ["GERBANG_KEY"] = merchant.Key,
                ["GERBANG_ORDER_ID"] = "TS-" + Guid.NewGuid().ToString("N")[..8],
            });
            Assert.True(exit == 0, output);
            var result = JsonDocument.Parse(output.Trim().Split('\n')[^1]).RootElement;
            Assert.Equal(1, await gerbang.CountAsync("select count(*) from refunds where id = $1 and payment_id = $2 and amount = 50000", result.GetProperty("refund").GetString()!, result.GetProperty("payment").GetString()!));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
