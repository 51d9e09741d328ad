using System.Text.Json;
using Gerbang.Api.Tests.Infrastructure;

namespace Gerbang.Api.Tests.Streams;

public sealed class StreamFixture : GerbangFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Gerbang:Streams:Heartbeat"] = "00:00:00.300";
}

/// <summary>The merchant's live event stream over real HTTP, fed through PostgreSQL.</summary>
public sealed class EventStreamTests(StreamFixture gerbang) : IClassFixture<StreamFixture>
{
    private sealed record Sse(string? Id, string? Type, string? Data, bool Heartbeat);

    private sealed class Reader(StreamReader reader) : IDisposable
    {
        public async Task<Sse> NextAsync(CancellationToken ct)
        {
            string? id = null, type = null, data = null;
            var comment = false;
            while (true)
            {
                var line = await reader.ReadLineAsync(ct) ?? throw new EndOfStreamException();
                if (line.Length == 0)
                {
                    if (id is not null || comment)
                    {
                        return new Sse(id, type, data, comment && id is null);
                    }

                    continue;
                }

                if (line.StartsWith(':'))
                {
                    comment = true;
                }
                else if (line.StartsWith("id: ", StringComparison.Ordinal))
                {
                    id = line[4..];
                }
                else if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    type = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data = line[6..];
                }
            }
        }

        /// <summary>The next event that is not a heartbeat, within five seconds.</summary>
        public async Task<Sse> NextEventAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            while (true)
            {
                var e = await NextAsync(timeout.Token);
                if (!e.Heartbeat)
                {
                    return e;
                }
            }
        }

        public void Dispose() => reader.Dispose();
    }

    private static async Task<(HttpResponseMessage Response, Reader Reader)> OpenAsync(TestMerchant merchant, string query = "", string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/v1/events/stream" + query);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var response = await merchant.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        return (response, new Reader(new StreamReader(await response.Content.ReadAsStreamAsync())));
    }

    private static object StorePayment(string order, string store) =>
        new { amount = 25_000, currency = "IDR", method = "qris", order_id = order, metadata = new { store_id = store } };

    [Fact]
    public async Task A_cashier_display_sees_its_own_stores_payments_live_and_heartbeats_between()
    {
        var merchant = await gerbang.NewMerchantAsync();
        var other = await gerbang.NewMerchantAsync();
        var (response, stream) = await OpenAsync(merchant, "?store_id=jkt-01");
        using (response)
        using (stream)
        {
            Assert.True((await stream.NextAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token)).Heartbeat); // the retry line aside, a heartbeat comes first

            await merchant.Client.PostJsonAsync("/v1/payments", StorePayment("ORDER-SSE-OTHER-STORE", "bdg-02"));
            await other.Client.PostJsonAsync("/v1/payments", StorePayment("ORDER-SSE-OTHER-MERCHANT", "jkt-01"));
            var (_, payment, _) = await merchant.Client.PostJsonAsync("/v1/payments", StorePayment("ORDER-SSE-1", "jkt-01"));
            var created = await stream.NextEventAsync();
            Assert.Equal("payment.created", created.Type);
            using var body = JsonDocument.Parse(created.Data!);
            Assert.Equal(created.Id, body.RootElement.Str("id"));
            Assert.Equal(payment.Str("id"), body.RootElement.GetProperty("data").GetProperty("object").Str("id"));

            await merchant.Client.PostJsonAsync($"/v1/test_helpers/payments/{payment.Str("id")}/pay", null);
            Assert.Equal("payment.paid", (await stream.NextEventAsync()).Type);
        }
    }

    [Fact]
    public async Task A_stream_resumed_with_Last_Event_ID_gets_what_it_missed_and_nothing_twice()
    {
        var merchant = await gerbang.NewMerchantAsync();
        string lastSeen;
        var (response, stream) = await OpenAsync(merchant);
        using (response)
        using (stream)
        {
            await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-SSE-R1"));
            lastSeen = (await stream.NextEventAsync()).Id!;
        }

        // While disconnected:
        var (_, missed1, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-SSE-R2"));
        var (_, missed2, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-SSE-R3"));

        (response, stream) = await OpenAsync(merchant, lastEventId: lastSeen);
        using (response)
        using (stream)
        {
            var (_, live, _) = await merchant.Client.PostJsonAsync("/v1/payments", TestApi.QrisPayment("ORDER-SSE-R4"));
            var seen = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                using var doc = JsonDocument.Parse((await stream.NextEventAsync()).Data!);
                seen.Add(doc.RootElement.GetProperty("data").GetProperty("object").Str("id"));
            }

            Assert.Equal([missed1.Str("id"), missed2.Str("id"), live.Str("id")], seen);
        }
    }

    [Fact]
    public async Task The_stream_needs_a_key()
    {
        var response = await gerbang.Http.GetAsync("/v1/events/stream");
        Assert.Equal(401, (int)response.StatusCode);
    }
}
