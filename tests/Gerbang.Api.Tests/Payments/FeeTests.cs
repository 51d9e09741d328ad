using System.Text;
using Gerbang.Api.Payments;
using Gerbang.Api.Tests.Infrastructure;
using Gerbang.Domain;
using Microsoft.Extensions.DependencyInjection;

namespace Gerbang.Api.Tests.Payments;

public sealed class FeeTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    private FeeResolver Fees => gerbang.App.Services.GetRequiredService<FeeResolver>();

    private static async Task<int> PutAsync(HttpClient client, string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request);
        return (int)response.StatusCode;
    }

    private Task<Money> FeeAsync(string merchant, string method, long amount, DateTimeOffset? at = null) =>
        Fees.ResolveAsync(merchant, method, new Money(amount, Currency.Idr), at ?? gerbang.Clock.GetUtcNow(), CancellationToken.None);

    [Fact]
    public async Task Contract_beats_default_margin_and_holidays_add_rounding_favours_the_merchant_and_the_fee_is_capped()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var other = await gerbang.NewMerchantAsync();
        using var finance = await gerbang.AsRoleAsync("finance");
        using var root = await gerbang.AsRoleAsync("super_admin");

        Assert.Equal(4000, (await FeeAsync(merchant.Id, "va", 150_000)).Amount);
        Assert.Equal(1050, (await FeeAsync(merchant.Id, "qris", 150_000)).Amount);
        Assert.Equal(0, (await FeeAsync(merchant.Id, "qris", 142)).Amount);   // 0.99 rounds down
        Assert.Equal(3000, (await FeeAsync(merchant.Id, "va", 3000)).Amount); // never more than the amount
        Assert.Equal(2290, (await FeeAsync(merchant.Id, "card", 10_000)).Amount); // 2.9% plus Rp2.000
        Assert.Equal(50, (await FeeAsync(merchant.Id, "upi", 10_000)).Amount); // 0.5%
        await Assert.ThrowsAsync<FeeUnresolvedException>(() => FeeAsync(merchant.Id, "ewallet", 10_000));

        Assert.Equal(200, await PutAsync(finance, $"/admin/v1/merchants/{merchant.Id}/fees/qris", """{"basis_points":50,"reason":"volume contract"}"""));
        Assert.Equal(200, await PutAsync(finance, "/admin/v1/fees/defaults/va", """{"flat":3500,"reason":"price change"}"""));
        Assert.Equal(750, (await FeeAsync(merchant.Id, "qris", 150_000)).Amount);
        Assert.Equal(1050, (await FeeAsync(other.Id, "qris", 150_000)).Amount);
        Assert.Equal(3500, (await FeeAsync(other.Id, "va", 150_000)).Amount);

        Assert.Equal(403, await PutAsync(finance, "/admin/v1/fees/margin", """{"enabled":true,"flat":100,"reason":"try"}"""));
        Assert.Equal(200, await PutAsync(root, "/admin/v1/fees/margin", """{"enabled":true,"flat":100,"basis_points":10,"reason":"platform margin"}"""));
        Assert.Equal(750 + 100 + 150, (await FeeAsync(merchant.Id, "qris", 150_000)).Amount);
        Assert.Equal(200, (await finance.GetJsonAsync("/admin/v1/fees/margin")).Status);

        var jakartaToday = gerbang.Clock.GetUtcNow().ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(200, await PutAsync(finance, $"/admin/v1/fees/holidays/{jakartaToday}", """{"name":"Idul Fitri","flat":500,"reason":"holiday surcharge"}"""));
        Assert.Equal(750 + 100 + 150 + 500, (await FeeAsync(merchant.Id, "qris", 150_000)).Amount);
        Assert.Equal(750 + 100 + 150, (await FeeAsync(merchant.Id, "qris", 150_000, gerbang.Clock.GetUtcNow().AddDays(2))).Amount);

        Assert.Equal(200, await PutAsync(root, "/admin/v1/fees/margin", """{"enabled":false,"reason":"margin off"}"""));
        Assert.Equal(750 + 500, (await FeeAsync(merchant.Id, "qris", 150_000)).Amount);
        var (_, schedule) = await finance.GetJsonAsync("/admin/v1/fees");
        Assert.Single(schedule.GetProperty("holidays").EnumerateArray());
        Assert.Contains((await gerbang.AuditAsync("fees.merchant_set")).EnumerateArray(), a => a.Str("target_id") == merchant.Id && a.Str("reason") == "volume contract");

        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/admin/v1/fees/holidays/{jakartaToday}") { Content = new StringContent("""{"reason":"moved"}""", Encoding.UTF8, "application/json") };
        Assert.Equal(200, (int)(await finance.SendAsync(delete)).StatusCode);
        Assert.Equal(750, (await FeeAsync(merchant.Id, "qris", 150_000)).Amount);
    }

    [Fact]
    public async Task A_paid_payment_is_charged_the_merchants_contracted_fee()
    {
        var merchant = await gerbang.NewMerchantAsync();
        using var finance = await gerbang.AsRoleAsync("finance");
        Assert.Equal(200, await PutAsync(finance, $"/admin/v1/merchants/{merchant.Id}/fees/va", """{"flat":1000,"reason":"partner rate"}"""));
        var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.VaPayment("ORDER-FEE-1", 100_000));
        var (_, paid, _) = await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
        Assert.Equal(1000, paid.Long("fee"));
        Assert.Equal(99_000, (await merchant.Client.GetJsonAsync("/v1/balance")).Body.GetProperty("available")[0].Long("amount"));
    }
}
