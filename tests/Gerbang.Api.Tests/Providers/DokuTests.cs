using System.Text;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Providers.Doku;
using Gerbang.Simulators.Doku;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gerbang.Api.Tests.Providers;

/// <summary>The DOKU adapter (Non-SNAP VA, SNAP QRIS) against the DOKU simulator over real HTTP, through the public API.</summary>
public sealed class DokuTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private DokuSimulatorState State => gerbang.App.Services.GetRequiredService<DokuSimulatorState>();

    private DokuSimulatorOptions Options => gerbang.App.Services.GetRequiredService<IOptions<DokuSimulatorOptions>>().Value;

    private static object Pinned(string method, string? bank, string order, long amount = 150_000) => TestApi.Pinned("doku", method, bank, order, amount);

    [Theory]
    [InlineData("va", "bca")]
    [InlineData("va", "bni")]
    [InlineData("va", "bri")]
    [InlineData("va", "bsi")]
    [InlineData("va", "mandiri")]
    [InlineData("va", "permata")]
    [InlineData("va", "cimb")]
    [InlineData("qris", null)]
    public async Task A_payment_is_issued_by_DOKU_paid_notified_in_its_scheme_confirmed_and_credited(string method, string? bank)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned(method, bank, $"ORDER-DK-{bank ?? method}"));
        Assert.True(status == 201, payment.ToString());
        Assert.Equal("doku", payment.Str("provider"));
        var instructions = payment.GetProperty("payment_instructions");
        var stored = State.Payments.Values.Single(p => payment.Str("provider_reference").EndsWith(p.Invoice, StringComparison.Ordinal));
        Assert.Equal(method == "qris" ? "qris" : "va", stored.Kind);
        Assert.Equal(stored.Instrument, method == "qris" ? instructions.Str("qr_string") : instructions.Str("va_number"));

        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(150_000 - paid.Long("fee"), (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount"));
        Assert.Equal("applied", await StatusOfNotificationAsync(payment.Str("id")));
    }

    [Fact]
    public async Task A_VA_notification_signed_for_another_path_or_key_or_changed_is_refused()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bca", "ORDER-DK-FORGED"));
        var invoice = payment.Str("provider_reference");
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["transaction"] = new System.Text.Json.Nodes.JsonObject { ["status"] = "SUCCESS" },
            ["order"] = new System.Text.Json.Nodes.JsonObject { ["invoice_number"] = invoice, ["amount"] = 150_000 },
        }.ToJsonString();
        const string ts = "2026-01-01T00:00:00Z";
        var cases = new (string Path, string Secret, string Sent)[]
        {
            ("/webhooks/other", Options.SecretKey, body),          // signed over the wrong path
            ("/webhooks/doku", "SK-not-the-secret", body),         // wrong key
            ("/webhooks/doku", Options.SecretKey, body.Replace("150000", "150001", StringComparison.Ordinal)), // tampered after signing
        };
        foreach (var (path, secret, sent) in cases)
        {
            var signature = DokuSignature.NonSnap(Options.ClientId, "rid-1", ts, path, DokuSignature.Digest(Encoding.UTF8.GetBytes(body)), secret);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/doku") { Content = new StringContent(sent, Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Client-Id", Options.ClientId);
            request.Headers.TryAddWithoutValidation("Request-Id", "rid-1");
            request.Headers.TryAddWithoutValidation("Request-Timestamp", ts);
            request.Headers.TryAddWithoutValidation("Signature", signature);
            Assert.Equal(401, (int)(await gerbang.Http.SendAsync(request)).StatusCode);
        }

        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
    }

    [Fact]
    public async Task The_simulator_refuses_a_bad_Non_SNAP_signature_and_a_token_request_not_signed_with_the_merchant_key()
    {
        var body = """{"order":{"invoice_number":"INV-X","amount":10000}}"""u8.ToArray();
        using var va = new HttpRequestMessage(HttpMethod.Post, "/_sim/doku/bca-virtual-account/v2/payment-code") { Content = new ByteArrayContent(body) };
        va.Headers.TryAddWithoutValidation("Client-Id", Options.ClientId);
        va.Headers.TryAddWithoutValidation("Request-Id", "r1");
        va.Headers.TryAddWithoutValidation("Request-Timestamp", "2026-01-01T00:00:00Z");
        va.Headers.TryAddWithoutValidation("Signature", DokuSignature.NonSnap(Options.ClientId, "r1", "2026-01-01T00:00:00Z", "/bca-virtual-account/v2/payment-code", DokuSignature.Digest(body), "SK-wrong"));
        Assert.Equal(401, (int)(await gerbang.Http.SendAsync(va)).StatusCode);
        Assert.False(State.Payments.ContainsKey("INV-X"));

        using var other = System.Security.Cryptography.RSA.Create(2048);
        const string ts = "2026-01-01T07:00:00+07:00";
        using var token = new HttpRequestMessage(HttpMethod.Post, "/_sim/doku/authorization/v1/access-token/b2b") { Content = new StringContent("""{"grantType":"client_credentials"}""", Encoding.UTF8, "application/json") };
        token.Headers.TryAddWithoutValidation("X-CLIENT-KEY", Options.ClientId);
        token.Headers.TryAddWithoutValidation("X-TIMESTAMP", ts);
        token.Headers.TryAddWithoutValidation("X-SIGNATURE", Convert.ToBase64String(other.SignData(Encoding.UTF8.GetBytes(Options.ClientId + "|" + ts), System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1)));
        Assert.Equal(401, (int)(await gerbang.Http.SendAsync(token)).StatusCode);
    }

    [Fact]
    public async Task Expiry_QRIS_cancel_and_refund_go_through_DOKU_and_a_VA_cannot_be_cancelled_there()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, lapsing, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bri", "ORDER-DK-EXP"));
        Assert.Equal("expired", (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{lapsing.Str("id")}/expire", null)).Body.Str("status"));

        var (_, qrisToCancel, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("qris", null, "ORDER-DK-CANCEL"));
        Assert.Equal("cancelled", (await merchant.Client.PostJsonAsync($"/v1/payments/{qrisToCancel.Str("id")}/cancel", null)).Body.Str("status"));
        Assert.Equal("CANCELLED", State.Payments[qrisToCancel.Str("provider_reference")[5..]].Status);

        var (_, vaKept, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bni", "ORDER-DK-VA-CANCEL"));
        Assert.Equal(409, (await merchant.Client.PostJsonAsync($"/v1/payments/{vaKept.Str("id")}/cancel", null)).Status);

        var (_, qris, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("qris", null, "ORDER-DK-REFUND", 100_000));
        await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{qris.Str("id")}/pay", null);
        var (_, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{qris.Str("id")}/refunds", new { amount = 40_000 });
        await gerbang.DriveUntilAsync(merchant, $"/v1/refunds/{refund.Str("id")}", "succeeded", "failed");
        Assert.Equal("succeeded", (await merchant.Client.GetJsonAsync($"/v1/refunds/{refund.Str("id")}")).Body.Str("status"));
        Assert.Equal(40_000, State.Payments[qris.Str("provider_reference")[5..]].Refunded);
    }

    private async Task<string?> StatusOfNotificationAsync(string paymentId)
    {
        await using var cmd = gerbang.Db.CreateCommand("select status from provider_notifications where provider = 'doku' and payment_id = $1");
        cmd.Parameters.Add(new() { Value = paymentId });
        return (string?)await cmd.ExecuteScalarAsync();
    }
}
