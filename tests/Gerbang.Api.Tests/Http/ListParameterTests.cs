using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Http;

/// <summary>
/// List parameters that cannot match anything are mistakes the client must hear about, not empty
/// pages: a status or type no object can have, and a cursor that is not one of the merchant's objects.
/// </summary>
public sealed class ListParameterTests(GerbangFixture gerbang) : IClassFixture<GerbangFixture>
{
    public static TheoryData<string, string> ImpossibleFilters => new()
    {
        { "/v1/payments?status=settled", "status" },
        { "/v1/payments?method=cash", "method" },
        { "/v1/payments?status=PAID", "status" },
        { "/v1/refunds?status=done", "status" },
        { "/v1/disbursements?status=sent", "status" },
        { "/v1/bank_accounts?status=active", "status" },
        { "/v1/balance_transactions?type=charge", "type" },
        { "/v1/balance_transactions?currency=idr", "currency" },
        { "/v1/events?type=payment.settled", "type" },
    };

    [Theory]
    [MemberData(nameof(ImpossibleFilters))]
    public async Task A_filter_value_no_object_can_have_is_400(string path, string param)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, problem) = await merchant.Client.GetJsonAsync(path);
        Assert.Equal(400, status);
        Assert.Equal("parameter_invalid", problem.Str("code"));
        Assert.Equal(param, problem.Str("param"));
    }

    [Theory]
    [InlineData("/v1/payments?status=cancelling")]
    [InlineData("/v1/payments?method=upi")]
    [InlineData("/v1/refunds?status=failed")]
    [InlineData("/v1/disbursements?status=processing")]
    [InlineData("/v1/bank_accounts?status=unverified")]
    [InlineData("/v1/balance_transactions?type=adjustment&currency=INR")]
    [InlineData("/v1/events?type=payment.overpaid")]
    public async Task Every_value_an_object_can_have_is_a_valid_filter(string path)
    {
        var merchant = await gerbang.NewMerchantAsync();
        var (status, list) = await merchant.Client.GetJsonAsync(path);
        Assert.Equal(200, status);
        Assert.Empty(list.GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task A_cursor_that_is_not_one_of_the_merchants_objects_is_400_and_the_end_of_a_list_is_not()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var other = await gerbang.NewMerchantAsync();
        var (_, mine, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-CURSOR-1"));
        var (_, theirs, _) = await other.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-CURSOR-2"));

        foreach (var cursor in new[] { "starting_after", "ending_before" })
        {
            foreach (var id in new[] { "pay_doesnotexist", theirs.Str("id") })
            {
                var (status, problem) = await merchant.Client.GetJsonAsync($"/v1/payments?{cursor}={id}");
                Assert.Equal(400, status);
                Assert.Equal("resource_missing", problem.Str("code"));
                Assert.Equal(cursor, problem.Str("param"));
            }

            // The merchant's only payment is both the first and the last: nothing after or before it.
            var (endStatus, end) = await merchant.Client.GetJsonAsync($"/v1/payments?{cursor}={mine.Str("id")}");
            Assert.Equal(200, endStatus);
            Assert.Empty(end.GetProperty("data").EnumerateArray());
            Assert.False(end.GetProperty("has_more").GetBoolean());
        }

        var (_, events) = await merchant.Client.GetJsonAsync("/v1/events");
        var lastEvent = events.GetProperty("data").EnumerateArray().Last().Str("id");
        Assert.Equal(200, (await merchant.Client.GetJsonAsync($"/v1/events?starting_after={lastEvent}")).Status);
        Assert.Equal(400, (await merchant.Client.GetJsonAsync("/v1/events?starting_after=evt_doesnotexist")).Status);
        Assert.Equal(400, (await merchant.Client.GetJsonAsync("/v1/refunds?ending_before=re_doesnotexist")).Status);
        Assert.Equal(400, (await merchant.Client.GetJsonAsync("/v1/balance_transactions?starting_after=bt_doesnotexist")).Status);
        Assert.Equal(400, (await merchant.Client.GetJsonAsync("/v1/webhook_endpoints?starting_after=we_doesnotexist")).Status);
    }
}
