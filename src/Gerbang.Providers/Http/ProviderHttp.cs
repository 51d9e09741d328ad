using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gerbang.Domain.Providers;

namespace Gerbang.Providers.Http;

/// <summary>
/// Turns an HTTP exchange with a provider into a <see cref="ProviderResult{T}"/>, keeping apart what
/// the provider cannot have acted on (no connection, 5xx, 429) from what it may have (a timeout after
/// the request left).
/// </summary>
public static class ProviderHttp
{
    public static async Task<ProviderResult<T>> SendAsync<T>(
        HttpClient client,
        HttpRequestMessage request,
        Func<HttpResponseMessage, Task<ProviderResult<T>>> onAnswer,
        CancellationToken cancellationToken)
        where T : class
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (HttpRequestException ex) when (ex.InnerException is SocketException || ex.HttpRequestError == HttpRequestError.ConnectionError || ex.HttpRequestError == HttpRequestError.NameResolutionError)
        {
            return new ProviderFailure(ProviderFailureKind.ConnectionFailed, "provider_unreachable", "The provider could not be reached.");
        }
        catch (HttpRequestException)
        {
            // The connection broke after the request may have been sent.
            return new ProviderFailure(ProviderFailureKind.Timeout, "provider_connection_lost", "The provider connection broke before it answered.");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ProviderFailure(ProviderFailureKind.Timeout, "provider_timeout", "The provider did not answer in time.");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            if (status >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                return new ProviderFailure(
                    ProviderFailureKind.ServerError,
                    status == 429 ? "provider_rate_limited" : "provider_error",
                    $"The provider answered {status}.",
                    response.Headers.RetryAfter?.Delta);
            }

            try
            {
                return await onAnswer(response);
            }
            catch (Exception ex) when (ex is JsonException or NullReferenceException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
            {
                // The provider answered but its answer is unreadable or lacks a field: it may have acted,
                // so the outcome is unknown (settled by a status query, then by reconciliation), never a decline.
                return status < 300
                    ? new ProviderFailure(ProviderFailureKind.Timeout, "provider_bad_response", "The provider's answer could not be read; its outcome is unknown.")
                    : new ProviderFailure(ProviderFailureKind.ServerError, "provider_bad_response", "The provider's answer could not be read.");
            }
        }
    }

    public static ProviderFailure Declined(string code, string message) => new(ProviderFailureKind.Declined, code, message);

    /// <summary>A request with a JSON body, as the providers' APIs take them.</summary>
    public static HttpRequestMessage JsonRequest(HttpMethod method, string path, System.Text.Json.Nodes.JsonNode body)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return request;
    }
}
