using System.Diagnostics;
using Gerbang.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Gerbang.Cli.Tests;

/// <summary>The <c>gerbang</c> command line against a whole Gerbang over real HTTP and PostgreSQL.</summary>
public sealed class CommandLineTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private string[] As(TestMerchant merchant, params string[] args) => [.. args, "--api-url", gerbang.BaseUrl, "--key", merchant.Key];

    [Fact]
    public async Task A_payment_is_created_paid_and_read_back_from_the_command_line()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var created = await CliRun.RunAsync(As(merchant, "payments", "create", "--amount", "150000", "--method", "va", "--bank", "bca", "--order-id", "CLI-1", "--metadata", "store_id=jkt-01"));
        Assert.Equal(0, created.Exit);
        Assert.Equal("", created.Error);
        var id = created.Json.Str("id");
        Assert.Equal("jkt-01", created.Json.GetProperty("metadata").Str("store_id"));

        var paid = await CliRun.RunAsync(As(merchant, "test", "pay", id));
        Assert.Equal((0, "paid"), (paid.Exit, paid.Json.Str("status")));
        var balance = await CliRun.RunAsync(As(merchant, "balance"));
        Assert.Equal(150_000 - 4_000, balance.Json.GetProperty("available")[0].Long("amount"));

        for (var i = 2; i <= 3; i++)
        {
            Assert.Equal(0, (await CliRun.RunAsync(As(merchant, "payments", "create", "--amount", "10000", "--method", "qris", "--order-id", $"CLI-{i}"))).Exit);
        }

        var all = await CliRun.RunAsync(As(merchant, "payments", "list", "--limit", "1", "--all"));
        Assert.Equal(0, all.Exit);
        Assert.Equal(3, all.Json.GetArrayLength());
        Assert.Equal(id, all.Json[2].Str("id"));
        var byStatus = await CliRun.RunAsync(As(merchant, "payments", "list", "--status", "paid"));
        Assert.Equal(id, Assert.Single(byStatus.Json.GetProperty("data").EnumerateArray()).Str("id"));
    }

    [Fact]
    public async Task A_refusal_prints_the_problem_on_stderr_and_exits_2()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var refused = await CliRun.RunAsync(As(merchant, "payments", "create", "--amount", "0", "--method", "va", "--order-id", "CLI-BAD"));
        Assert.Equal(2, refused.Exit);
        Assert.Equal("", refused.Out);
        Assert.Contains("amount_too_small", refused.Error, StringComparison.Ordinal);
        Assert.Contains("bank: parameter_missing", refused.Error, StringComparison.Ordinal);
        Assert.Contains("request req_", refused.Error, StringComparison.Ordinal);

        var missing = await CliRun.RunAsync(As(merchant, "payments", "get", "pay_doesnotexist"));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("404 resource_missing", missing.Error, StringComparison.Ordinal);
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task Without_a_key_it_is_a_usage_error_and_help_never_prints_a_secret()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var noKey = await CliRun.RunAsync("balance", "--api-url", gerbang.BaseUrl);
        Assert.Equal(1, noKey.Exit);
        Assert.Contains("GERBANG_API_KEY", noKey.Error, StringComparison.Ordinal);

        var environment = new Dictionary<string, string> { ["GERBANG_API_KEY"] = merchant.Key, ["GERBANG_API_URL"] = gerbang.BaseUrl };
        var fromEnvironment = await CliRun.RunWithAsync(environment, null, "balance");
        Assert.Equal(0, fromEnvironment.Exit);
        var help = await CliRun.RunWithAsync(environment, null, "--help");
        Assert.Equal(0, help.Exit);
        Assert.DoesNotContain(merchant.Key, help.Out, StringComparison.Ordinal);
        Assert.Contains("payments", help.Out, StringComparison.Ordinal);
        Assert.Equal(1, (await CliRun.RunWithAsync(environment, null, "payments", "create", "--method", "va")).Exit);
    }

    [Fact]
    public async Task The_same_idempotency_key_replays_the_payment_instead_of_creating_another()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var args = As(merchant, "payments", "create", "--amount", "10000", "--method", "qris", "--order-id", "CLI-IDEM", "--idempotency-key", "cli-test-key");
        var first = await CliRun.RunAsync(args);
        var second = await CliRun.RunAsync(args);
        Assert.Equal((0, 0), (first.Exit, second.Exit));
        Assert.Equal(first.Out, second.Out);
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
    }

    [Fact]
    public async Task An_answer_lost_on_the_way_is_asked_again_with_the_same_key_and_acts_once()
    {
        var merchant = await gerbang.NewMerchantAsync();
        await using var proxy = await LossyProxy.StartAsync(gerbang.BaseUrl);
        var created = await CliRun.RunAsync("payments", "create", "--amount", "10000", "--method", "qris", "--order-id", "CLI-LOST", "--api-url", proxy.Url, "--key", merchant.Key);
        Assert.Equal(0, created.Exit);
        Assert.Equal(2, proxy.Keys.Count);
        Assert.Single(proxy.Keys.Distinct());
        Assert.StartsWith("cli_", proxy.Keys[0], StringComparison.Ordinal);
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
        Assert.Equal(created.Json.Str("id"), (await merchant.Client.GetJsonAsync("/v1/payments")).Body.GetProperty("data")[0].Str("id"));
    }

    [Fact]
    public async Task Listen_prints_the_events_and_forwards_them_signed_to_a_local_handler()
    {
        var merchant = await gerbang.NewMerchantAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        const string secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (listening, errorSoFar) = CliRun.Start(As(merchant, "listen", "--forward-to", receiver.Url, "--secret", secret, "--events", "payment.*", "--max-events", "2"));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!errorSoFar().Contains("Listening for events", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "the listener never subscribed: " + errorSoFar());
            await Task.Delay(20);
        }

        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("CLI-LISTEN"));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        var listened = await listening.WaitAsync(stop.Token);

        Assert.Equal(0, listened.Exit);
        var lines = listened.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("payment.created", StringComparison.Ordinal) && l.Contains(payment.Str("id"), StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("payment.paid", StringComparison.Ordinal) && l.EndsWith("paid", StringComparison.Ordinal));
        Assert.Equal(2, lines.Count(l => l.Contains("-> 200", StringComparison.Ordinal)));
        Assert.Equal(2, receiver.Received.Count);
        Assert.All(receiver.Received, hook => Assert.True(StandardWebhooksVerifier.Verify(
            secret, hook.Headers["webhook-id"], hook.Headers["webhook-timestamp"], hook.Body, hook.Headers["webhook-signature"])));
    }

    [Fact]
    public async Task An_admin_signs_in_with_the_password_on_stdin_and_creates_a_merchant()
    {
        var login = await CliRun.RunWithAsync(null, GerbangFixture.AdminPassword + "\n",
            "admin", "login", "--email", GerbangFixture.AdminEmail, "--password-stdin", "--token-only", "--api-url", gerbang.BaseUrl);
        Assert.Equal(0, login.Exit);
        var token = login.Out.Trim();
        Assert.DoesNotContain(GerbangFixture.AdminPassword, login.Out + login.Error, StringComparison.Ordinal);

        var created = await CliRun.RunAsync("admin", "merchants", "create", "--name", "Toko CLI", "--reason", "onboarding from the CLI", "--api-url", gerbang.BaseUrl, "--admin-token", token);
        Assert.Equal(0, created.Exit);
        Assert.StartsWith("sk_test_", created.Json.Str("secret_key"), StringComparison.Ordinal);
        var noToken = await CliRun.RunAsync("admin", "jobs", "--api-url", gerbang.BaseUrl);
        Assert.Equal(1, noToken.Exit);

        var viaApi = await CliRun.RunWithAsync(null, """{"amount":10000,"currency":"IDR","method":"qris","order_id":"CLI-API"}""",
            "api", "POST", "/v1/payments", "-d", "@-", "--api-url", gerbang.BaseUrl, "--key", created.Json.Str("secret_key"));
        Assert.Equal(0, viaApi.Exit);
        Assert.Equal("pending", viaApi.Json.Str("status"));
    }

    [Fact]
    public async Task The_built_gerbang_executable_answers_health()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gerbang.dll");
        using var process = Process.Start(new ProcessStartInfo("dotnet", [dll, "health", "--api-url", gerbang.BaseUrl])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("\"ready\"", output, StringComparison.Ordinal);
    }

    /// <summary>A reverse proxy that forwards the first POST to Gerbang and then drops the connection before answering.</summary>
    private sealed class LossyProxy : IAsyncDisposable
    {
        private readonly HttpClient _upstream;
        private WebApplication _app = null!;

        private LossyProxy(HttpClient upstream) => _upstream = upstream;

        public List<string> Keys { get; } = [];

        public string Url { get; private set; } = "";

        public static async Task<LossyProxy> StartAsync(string upstream)
        {
            var proxy = new LossyProxy(new HttpClient { BaseAddress = new Uri(upstream) });
            (proxy._app, proxy.Url) = await LoopbackApp.StartAsync(app => app.Run(proxy.ForwardAsync));
            return proxy;
        }

        private async Task ForwardAsync(HttpContext context)
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString) { Content = new ByteArrayContent(body.ToArray()) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType);
            foreach (var name in new[] { "Authorization", "Idempotency-Key" })
            {
                request.Headers.TryAddWithoutValidation(name, context.Request.Headers[name].ToString());
            }

            bool drop;
            lock (Keys)
            {
                Keys.Add(context.Request.Headers["Idempotency-Key"].ToString());
                drop = Keys.Count == 1;
            }

            using var response = await _upstream.SendAsync(request);
            var answer = await response.Content.ReadAsByteArrayAsync();
            if (drop)
            {
                context.Abort(); // Gerbang acted; its answer never reaches the client
                return;
            }

            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await context.Response.Body.WriteAsync(answer);
        }

        public async ValueTask DisposeAsync()
        {
            _upstream.Dispose();
            await _app.DisposeAsync();
        }
    }
}
