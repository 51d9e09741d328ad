using System.Net.Http.Json;
using Gerbang.Providers.Testing;

namespace Gerbang.Providers.Simulator;

public sealed class SimulatorTestControl(HttpClient http) : IProviderTestControl
{
    public string Provider => SimulatorProvider.ProviderName;

    public Task<TestControlResult> PayAsync(string providerReference, long? amount, CancellationToken cancellationToken) =>
        SendAsync($"control/payments/{Uri.EscapeDataString(providerReference)}/pay", amount is { } a ? new { amount = a } : null, cancellationToken);

    public Task<TestControlResult> FailAsync(string providerReference, CancellationToken cancellationToken) =>
        SendAsync($"control/payments/{Uri.EscapeDataString(providerReference)}/fail", null, cancellationToken);

    public Task<TestControlResult> ExpireAsync(string providerReference, CancellationToken cancellationToken) =>
        SendAsync($"control/payments/{Uri.EscapeDataString(providerReference)}/expire", null, cancellationToken);

    public Task<TestControlResult> CompletePayoutAsync(string providerReference, bool succeed, CancellationToken cancellationToken) =>
        SendAsync($"control/payouts/{Uri.EscapeDataString(providerReference)}/{(succeed ? "succeed" : "fail")}", null, cancellationToken);

    /// <summary>A control call with no body, for other simulators' control APIs of the same shape.</summary>
    public Task<TestControlResult> PostAsync(string path, CancellationToken cancellationToken) => SendAsync(path, null, cancellationToken);

    private async Task<TestControlResult> SendAsync(string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body));
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return new TestControlResult(false, (int)response.StatusCode, text);
            }

            // The simulator reports how the gateway answered its notification.
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            var delivered = !doc.RootElement.TryGetProperty("receiver_status", out var status)
                || (status.ValueKind == System.Text.Json.JsonValueKind.Number && status.GetInt32() is >= 200 and < 300);
            return delivered
                ? new TestControlResult(true, (int)response.StatusCode, null)
                : new TestControlResult(false, (int)response.StatusCode, "the gateway did not accept the notification");
        }
        catch (HttpRequestException ex)
        {
            return new TestControlResult(false, null, ex.HttpRequestError.ToString());
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new TestControlResult(false, null, "the simulator did not answer in time");
        }
    }
}
