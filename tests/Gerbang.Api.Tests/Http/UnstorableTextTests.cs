using System.Net.Http.Headers;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Http;

/// <summary>
/// Text that no column can hold (U+0000, half of a surrogate pair, bytes that are not UTF-8) is bad
/// input: 400 naming the field, and nothing written, on every route that takes a body or a filter.
/// </summary>
public sealed class UnstorableTextTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    public static TheoryData<string, string, string> Bodies => new()
    {
        { """{"amount":10000,"currency":"IDR","method":"qris","order_id":"a\u0000b"}""", "parameter_invalid_string", "order_id" },
        { """{"amount":10000,"currency":"IDR","method":"qris","order_id":"O","description":"\ud800"}""", "parameter_invalid_string", "description" },
        { """{"amount":10000,"currency":"IDR","method":"qris","order_id":"O","metadata":{"k":"\u0000"}}""", "parameter_invalid_string", "metadata[k]" },
        { """{"amount":10000,"currency":"IDR","method":"qris","order_id":"O","customer":{"name":"\udfff x"}}""", "parameter_invalid_string", "customer[name]" },
        { """{"amount":10000,"currency":"IDR","method":"qris","order_id":"O","items":[{"name":"\u0000","quantity":1,"price":10000}]}""", "parameter_invalid_string", "items[0][name]" },
        { """{"amount":10000,"currency":"IDR","method":"qris","order_id":"O","metadata":{"a\u0000":"v"}}""", "parameter_invalid_string", "metadata" },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task A_payment_with_unstorable_text_is_400_and_writes_nothing(string body, string code, string param)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", body, "nul-text");
        Assert.Equal(400, status);
        Assert.Equal((code, param), (problem.Str("code"), problem.Str("param")));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));

        // The refusal is not recorded against the key: the same key then creates the payment.
        var (again, _, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-NUL-OK"), "nul-text");
        Assert.Equal(201, again);
    }

    [Fact]
    public async Task A_body_that_is_not_UTF8_is_400()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var bytes = System.Text.Encoding.ASCII.GetBytes("""{"amount":10000,"currency":"IDR","method":"qris","order_id":"@@"}""");
        var at = Array.IndexOf(bytes, (byte)'@');
        (bytes[at], bytes[at + 1]) = (0xFF, 0xFE);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await merchant.Client.PostAsync("/v1/payments", content);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("invalid_json", (await TestApi.ReadAsync(response)).Str("code"));
    }

    [Theory]
    [InlineData("/v1/webhook_endpoints", """{"url":"http://127.0.0.1:9/hook","enabled_events":["*"],"description":"a\u0000"}""", "description")]
    [InlineData("/v1/bank_accounts", """{"bank_code":"bca","account_number":"1234567890","account_holder_name":"Sari\u0000"}""", "account_holder_name")]
    [InlineData("/v1/checkout/sessions", """{"amount":10000,"currency":"IDR","order_id":"\ud800","methods":["qris"],"success_url":"https://shop.example/ok","cancel_url":"https://shop.example/no"}""", "order_id")]
    public async Task Other_merchant_routes_refuse_it_too(string path, string body, string param)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, problem, _) = await merchant.Client.PostJsonAsync(path, body);
        Assert.Equal(400, status);
        Assert.Equal(("parameter_invalid_string", param), (problem.Str("code"), problem.Str("param")));
    }

    [Fact]
    public async Task A_NUL_in_a_query_filter_is_400_on_merchant_and_admin_lists()
    {
        var merchant = await gerbang.NewMerchantAsync();
        foreach (var path in new[] { "/v1/payments?order_id=a%00b", "/v1/events?object=a%00b", "/v1/payments?starting_after=pay_%00" })
        {
            var (status, problem) = await merchant.Client.GetJsonAsync(path);
            Assert.Equal(400, status);
            Assert.Equal("parameter_invalid_string", problem.Str("code"));
            Assert.StartsWith("req_", problem.Str("request_id"));
        }

        using var ops = await gerbang.AsRoleAsync("super_admin");
        var (adminStatus, adminProblem) = await ops.GetJsonAsync("/admin/v1/audit_log?action=a%00b");
        Assert.Equal((400, "action"), (adminStatus, adminProblem.Str("param")));
        Assert.Equal(200, (await merchant.Client.GetJsonAsync("/v1/payments?order_id=a%2500b")).Status);
    }
}
