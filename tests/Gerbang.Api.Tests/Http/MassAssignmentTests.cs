using System.Text;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Http;

public sealed class MassAssignmentTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    public static TheoryData<string> ReadOnlyFields => new() { "status", "merchant_id", "fee", "livemode", "role", "id" };

    [Theory]
    [MemberData(nameof(ReadOnlyFields))]
    public async Task Read_only_fields_are_refused_in_every_write_and_change_nothing(string field)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (_, endpoint, _) = await merchant.Client.PostJsonAsync("/v1/webhook_endpoints", new { url = "http://127.0.0.1:9/h", enabled_events = new[] { "*" } });
        var extra = $",\"{field}\":\"x\"";

        var writes = new List<(HttpMethod, string, string)>
        {
            (HttpMethod.Post, "/v1/payments", "{\"amount\":1000,\"currency\":\"IDR\",\"method\":\"qris\",\"order_id\":\"MA\"" + extra + "}"),
            (HttpMethod.Post, "/v1/webhook_endpoints", "{\"url\":\"http://127.0.0.1:9/x\",\"enabled_events\":[\"*\"]" + extra + "}"),
            (HttpMethod.Patch, $"/v1/webhook_endpoints/{endpoint.Str("id")}", "{\"description\":\"changed\"" + extra + "}"),
            (HttpMethod.Patch, "/v1/merchant", "{\"name\":\"Changed\"" + extra + "}"),
            (HttpMethod.Post, "/v1/merchant/api_keys/roll", "{\"expires_in\":60" + extra + "}"),
        };
        foreach (var (method, path, body) in writes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await merchant.Client.SendAsync(request);
            Assert.True((int)response.StatusCode == 400, $"{method} {path} with {field}: {(int)response.StatusCode}");
        }

        using var root = await gerbang.AsRoleAsync("super_admin");
        Assert.Equal(400, (await root.PostJsonAsync("/admin/v1/merchants", "{\"name\":\"M\",\"reason\":\"r1\"" + extra + "}")).Status);

        Assert.Equal(0, await gerbang.CountAsync("select count(*) from payments where merchant_id = $1", merchant.Id));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from webhook_endpoints where merchant_id = $1 and description is null", merchant.Id));
        Assert.Equal(1, await gerbang.CountAsync("select count(*) from api_keys where merchant_id = $1 and revoked_at is null and expires_at is null", merchant.Id));
        var (_, profile) = await merchant.Client.GetJsonAsync("/v1/merchant");
        Assert.Equal("Toko Test", profile.Str("name"));
    }

    [Fact]
    public async Task The_profile_can_be_changed_within_its_rules()
    {
        var merchant = await gerbang.NewMerchantAsync();
        using var request = new HttpRequestMessage(HttpMethod.Patch, "/v1/merchant") { Content = new StringContent("""{"name":"Toko Sari","support_email":"cs@toko.example","statement_name":"TOKO SARI"}""", Encoding.UTF8, "application/json") };
        using var response = await merchant.Client.SendAsync(request);
        var body = await TestApi.ReadAsync(response);
        Assert.Equal("Toko Sari", body.Str("name"));
        Assert.Equal("TOKO SARI", body.Str("statement_name"));
    }
}
