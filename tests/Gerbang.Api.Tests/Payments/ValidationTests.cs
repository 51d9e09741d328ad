using System.Net.Http.Headers;
using System.Text;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Payments;

public sealed class ValidationTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private const string Valid = """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","order_id":"ORDER-V"}""";

    public static TheoryData<string, string, string> BadBodies => new()
    {
        { "{not json", "invalid_json", "" },
        { "[1,2]", "invalid_json", "" },
        { """{"currency":"IDR","method":"va","bank":"bca","order_id":"O"}""", "parameter_missing", "amount" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","order_id":"O","colour":"red"}""", "parameter_unknown", "colour" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","order_id":"O","status":"paid"}""", "parameter_unknown", "status" },
        { """{"amount":0,"currency":"IDR","method":"va","bank":"bca","order_id":"O"}""", "amount_too_small", "amount" },
        { """{"amount":-5,"currency":"IDR","method":"va","bank":"bca","order_id":"O"}""", "amount_too_small", "amount" },
        { """{"amount":100.5,"currency":"IDR","method":"va","bank":"bca","order_id":"O"}""", "parameter_invalid_integer", "amount" },
        { """{"amount":1e5,"currency":"IDR","method":"va","bank":"bca","order_id":"O"}""", "parameter_invalid_integer", "amount" },
        { """{"amount":"150000","currency":"IDR","method":"va","bank":"bca","order_id":"O"}""", "parameter_invalid_type", "amount" },
        { """{"amount":9007199254740992,"currency":"IDR","method":"va","bank":"bca","order_id":"O"}""", "amount_too_large", "amount" },
        { """{"amount":99999999999999999999999,"currency":"IDR","method":"va","bank":"bca","order_id":"O"}""", "parameter_invalid_integer", "amount" },
        { """{"amount":150000,"currency":"IDR","method":"cash","order_id":"O"}""", "method_invalid", "method" },
        { """{"amount":150000,"currency":"IDR","method":"va","order_id":"O"}""", "parameter_missing", "bank" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"hsbc","order_id":"O"}""", "bank_invalid", "bank" },
        { """{"amount":150000,"currency":"idr","method":"va","bank":"bca","order_id":"O"}""", "currency_invalid", "currency" },
        { """{"amount":150000,"currency":"XYZ","method":"va","bank":"bca","order_id":"O"}""", "currency_invalid", "currency" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","order_id":""}""", "parameter_invalid_length", "order_id" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","order_id":"OOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOOO"}""", "parameter_invalid_length", "order_id" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","order_id":"O","metadata":{"k":1}}""", "metadata_value_invalid", "metadata[k]" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","order_id":"O","metadata":{"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk":"v"}}""", "metadata_key_invalid", "metadata[kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk]" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","order_id":"O","items":[{"name":"kopi","quantity":2,"price":1000}]}""", "items_total_mismatch", "items" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","order_id":"O","customer":{"name":"Sari","age":30}}""", "parameter_unknown", "customer[age]" },
        { """{"amount":150000,"currency":"IDR","method":"card","capture_method":"later","order_id":"O"}""", "parameter_invalid", "capture_method" },
        { """{"amount":150000,"currency":"IDR","method":"va","bank":"bca","capture_method":"manual","order_id":"O"}""", "parameter_unexpected", "capture_method" },
        { """{"amount":150000,"currency":"IDR","method":"qris","return_url":"https://shop.example/back","order_id":"O"}""", "parameter_unexpected", "return_url" },
        { """{"amount":150000,"currency":"IDR","method":"card","return_url":"javascript:alert(1)","order_id":"O"}""", "url_invalid", "return_url" },
        { """{"amount":150000,"currency":"IDR","method":"card","bank":"bca","order_id":"O"}""", "parameter_unexpected", "bank" },
        { """{"amount":150000,"currency":"IDR","method":"upi","order_id":"O"}""", "parameter_missing", "vpa" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_is_answered_with_a_problem_and_writes_nothing(string body, string code, string param)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, problem, response) = await merchant.Client.PostJsonAsync("/v1/payments", body, "bad-" + code);
        Assert.Equal(400, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var codes = problem.TryGetProperty("errors", out var errors)
            ? errors.EnumerateArray().Select(e => (e.Str("code"), e.Str("param"))).ToList()
            : [(problem.Str("code"), problem.TryGetProperty("param", out var p) ? p.GetString()! : "")];
        Assert.Contains((code, param), codes);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.StartsWith("req_", problem.Str("request_id"));
        Assert.Equal(problem.Str("request_id"), response.Headers.GetValues("Request-Id").Single());
        await AssertNothingWritten(merchant);
    }

    [Fact]
    public async Task Metadata_with_more_than_fifty_keys_is_refused()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var metadata = string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"k{i}\":\"v\""));
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", Valid[..^1] + ",\"metadata\":{" + metadata + "}}");
        Assert.Equal(400, status);
        Assert.Equal("metadata_too_many_keys", problem.Str("code"));
        await AssertNothingWritten(merchant);
    }

    [Fact]
    public async Task A_body_that_is_not_declared_as_JSON_is_refused_with_415()
    {
        var merchant = await gerbang.NewMerchantAsync();
        using var content = new StringContent(Valid, Encoding.UTF8, "text/plain");
        using var response = await merchant.Client.PostAsync("/v1/payments", content);
        Assert.Equal(415, (int)response.StatusCode);
        Assert.Equal("unsupported_media_type", (await TestApi.ReadAsync(response)).Str("code"));
        await AssertNothingWritten(merchant);
    }

    [Fact]
    public async Task A_body_over_64_KiB_is_refused_with_413()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var huge = Valid[..^1] + ",\"description\":\"" + new string('x', 70_000) + "\"}";
        var (status, problem, _) = await merchant.Client.PostJsonAsync("/v1/payments", huge);
        Assert.Equal(413, status);
        Assert.Equal("body_too_large", problem.Str("code"));

        using var chunked = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var response = await merchant.Client.SendAsync(request);
        Assert.Equal(413, (int)response.StatusCode);
        await AssertNothingWritten(merchant);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sk_test_short")]
    [InlineData("sk_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("pk_test_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_missing_or_unknown_key_gets_401(string? key)
    {
        using var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        var (status, problem, _) = await client.PostJsonAsync("/v1/payments", Valid);
        Assert.Equal(401, status);
        Assert.Equal("unauthorized", problem.Str("code"));
    }

    [Fact]
    public async Task The_key_is_also_accepted_in_X_API_Key()
    {
        var merchant = await gerbang.NewMerchantAsync();
        using var client = new HttpClient { BaseAddress = new Uri(gerbang.BaseUrl) };
        client.DefaultRequestHeaders.Add("X-API-Key", merchant.Key);
        var (status, _) = await client.GetJsonAsync("/v1/payments");
        Assert.Equal(200, status);
    }

    [Fact]
    public async Task Unknown_routes_answer_with_problem_details()
    {
        var merchant = await gerbang.NewMerchantAsync();
        using var response = await merchant.Client.GetAsync("/v1/nothing-here");
        Assert.Equal(404, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    private async Task AssertNothingWritten(TestMerchant merchant)
    {
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from events where merchant_id = $1", merchant.Id));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from idempotency_keys where merchant_id = $1", merchant.Id));
        Assert.Equal(0, await gerbang.CountAsync("select count(*) from idempotency_claims where merchant_id = $1", merchant.Id));
    }
}
