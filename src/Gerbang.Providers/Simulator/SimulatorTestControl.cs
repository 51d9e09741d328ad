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

    private async Task<TestControlResult> SendAsync(string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.IsSuccessStatusCode
                ? new TestControlResult(true, (int)response.StatusCode, null)
                : new TestControlResult(false, (int)response.StatusCode, text);
        }
        catch (HttpRequestException ex)
        {
            return new TestControlResult(false, null, ex.Message);
        }
    }
}
