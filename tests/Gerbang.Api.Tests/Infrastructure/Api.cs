using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Gerbang.Api.Tests.Infrastructure;

/// <summary>Small helpers for talking JSON to Gerbang like a merchant's client would.</summary>
public static class TestApi
{
    public static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PostJsonAsync(this HttpClient client, string path, object? body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = body is string raw
                ? new StringContent(raw, Encoding.UTF8, "application/json")
                : JsonContent.Create(body);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await ReadAsync(response), response);
    }

    public static async Task<(int Status, JsonElement Body)> PatchJsonAsync(this HttpClient client, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, path) { Content = JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public static async Task<(int Status, JsonElement Body)> GetJsonAsync(this HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (string.IsNullOrEmpty(text) || !(response.Content.Headers.ContentType?.MediaType ?? "").Contains("json", StringComparison.Ordinal))
        {
            return default;
        }

        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    public static object VaPayment(string orderId, long amount = 150_000, string bank = "bca") =>
        new { amount, currency = "IDR", method = "va", bank, order_id = orderId };

    /// <summary>A VA (with <paramref name="bank"/>) or QRIS payment pinned to <paramref name="provider"/>.</summary>
    public static object Pinned(string provider, string method, string? bank, string orderId, long amount = 150_000) => bank is null
        ? new { amount, currency = "IDR", method, order_id = orderId, provider }
        : new { amount, currency = "IDR", method, bank, order_id = orderId, provider };

    public static object QrisPayment(string orderId, long amount = 50_000) =>
        new { amount, currency = "IDR", method = "qris", order_id = orderId };

    public static object CardPayment(string orderId, long amount = 100_000, string capture = "manual", string? provider = null) =>
        new { amount, currency = "IDR", method = "card", capture_method = capture, order_id = orderId, provider };

    public static string Str(this JsonElement e, string name) => e.GetProperty(name).GetString()!;

    public static long Long(this JsonElement e, string name) => e.GetProperty(name).GetInt64();
}
