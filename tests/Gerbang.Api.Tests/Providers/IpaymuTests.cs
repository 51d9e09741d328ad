using System.Text;
using System.Text.Json.Nodes;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Simulators.Ipaymu;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gerbang.Api.Tests.Providers;

/// <summary>The iPaymu adapter against the iPaymu simulator over real HTTP, through the public API.</summary>
public sealed class IpaymuTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private IpaymuSimulatorState State => gerbang.App.Services.GetRequiredService<IpaymuSimulatorState>();

    private IpaymuSimulatorOptions Options => gerbang.App.Services.GetRequiredService<IOptions<IpaymuSimulatorOptions>>().Value;

    private static object Pinned(string method, string? bank, string order, long amount = 150_000) => TestApi.Pinned("ipaymu", method, bank, order, amount);

    [Theory]
    [InlineData("va", "bca")]
    [InlineData("va", "bni")]
    [InlineData("va", "bri")]
    [InlineData("va", "bsi")]
    [InlineData("va", "mandiri")]
    [InlineData("va", "permata")]
    [InlineData("va", "cimb")]
    [InlineData("qris", null)]
    public async Task A_direct_payment_is_issued_by_iPaymu_paid_called_back_with_its_signature_and_credited(string method, string? bank)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned(method, bank, $"ORDER-IP-{bank ?? method}"));
        Assert.True(status == 201, payment.ToString());
        Assert.Equal("ipaymu", payment.Str("provider"));
        var transaction = State.Find(payment.Str("provider_reference"))!;
        Assert.Equal(method == "qris" ? "mpm" : bank, transaction.Channel);
        if (method == "qris")
        {
            Assert.Equal(transaction.PaymentNo, payment.GetProperty("payment_instructions").Str("qr_string"));
        }
        else
        {
            Assert.Equal(transaction.PaymentNo, payment.GetProperty("payment_instructions").Str("va_number"));
        }

        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        Assert.Equal("paid", paid.Str("status"));
        Assert.Equal(150_000 - paid.Long("fee"), (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount"));
    }

    [Fact]
    public async Task A_QRIS_lives_five_minutes_at_iPaymu_and_the_payment_says_so()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("qris", null, "ORDER-IP-QR-EXP"));
        var expires = DateTimeOffset.Parse(payment.Str("expires_at"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(gerbang.Clock.GetUtcNow().AddMinutes(5), expires, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task Form_mode_callbacks_are_verified_with_the_documented_coercion()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bca", "ORDER-IP-FORM"));
        Options.CallbackFormat = "form";
        try
        {
            var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
            Assert.Equal("paid", paid.Str("status"));
            Assert.Contains("status_code=1", State.Sent.Last().Body, StringComparison.Ordinal);
        }
        finally
        {
            Options.CallbackFormat = "json";
        }
    }

    [Fact]
    public async Task A_callback_with_a_bad_or_missing_signature_or_a_changed_byte_is_refused_and_changes_nothing()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bni", "ORDER-IP-FORGED"));
        var body = new JsonObject
        {
            ["trx_id"] = payment.Str("provider_reference"),
            ["reference_id"] = "att_forged",
            ["status"] = "berhasil",
            ["status_code"] = "1",
            ["amount"] = "150000",
        }.ToJsonString();
        foreach (var signature in new[] { null, "00", new string('a', 64) })
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/ipaymu") { Content = content };
            if (signature is not null)
            {
                request.Headers.TryAddWithoutValidation("X-Signature", signature);
            }

            Assert.Equal(401, (int)(await gerbang.Http.SendAsync(request)).StatusCode);
        }

        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{payment.Str("id")}")).Body.Str("status"));
    }

    [Fact]
    public async Task The_simulator_refuses_a_request_signed_with_the_wrong_key()
    {
        var body = """{"name":"B","phone":"1","email":"b@example.com","amount":10000,"notifyUrl":"http://127.0.0.1/cb","referenceId":"R1","paymentMethod":"va","paymentChannel":"bca"}"""u8.ToArray();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_sim/ipaymu/api/v2/payment/direct") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("va", Options.Va);
        request.Headers.TryAddWithoutValidation("timestamp", "20260101120000");
        request.Headers.TryAddWithoutValidation("signature", Gerbang.Providers.Ipaymu.IpaymuSignature.Request(Options.Va, body, "not-the-api-key"));
        var response = await gerbang.Http.SendAsync(request);
        Assert.Equal(401, (int)response.StatusCode);
        Assert.DoesNotContain(State.Transactions.Values, t => t.ReferenceId == "R1");
    }

    [Fact]
    public async Task Expiry_is_reported_cancel_and_refunds_are_declined_and_duplicate_callbacks_credit_once()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, lapsing, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bri", "ORDER-IP-EXP"));
        Assert.Equal("expired", (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{lapsing.Str("id")}/expire", null)).Body.Str("status"));

        var (_, kept, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("va", "bni", "ORDER-IP-CANCEL"));
        var (cancelStatus, cancel, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{kept.Str("id")}/cancel", null);
        Assert.Equal(409, cancelStatus);
        Assert.Equal("payment_not_cancellable", cancel.Str("code"));
        Assert.Equal("pending", (await merchant.Client.GetJsonAsync($"/v1/payments/{kept.Str("id")}")).Body.Str("status"));

        var (_, qris, _) = await merchant.Client.PostJsonAsync("/v1/payments", Pinned("qris", null, "ORDER-IP-TWICE", 100_000));
        State.Knobs.DuplicateNotifications = true;
        try
        {
            Assert.Equal("paid", (await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{qris.Str("id")}/pay", null)).Body.Str("status"));
        }
        finally
        {
            State.Knobs.Reset();
        }

        Assert.Equal(1, await gerbang.CountAsync("select count(*) from ledger_entries where reference = $1", $"payment:{qris.Str("id")}:paid"));
        var reference = qris.Str("provider_reference");
        var deliveries = State.Sent.Where(s => s.Body.Contains($"\"trx_id\":\"{reference}\"", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(200, d.Answered));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from provider_notifications where provider = 'ipaymu' and payment_id = $1", qris.Str("id")));
        var (refundStatus, refund, _) = await merchant.Client.PostJsonAsync($"/v1/payments/{qris.Str("id")}/refunds", null);
        Assert.Equal(422, refundStatus);
        Assert.Equal("refund_not_supported", refund.Str("code"));
    }
}
