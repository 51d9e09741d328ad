using System.Net.Http.Headers;
using System.Text;

namespace Gerbang.Simulators.Shared;

/// <summary>How simulated providers deliver their notifications: JSON, a few quick retries, the receiver's answer reported.</summary>
public static class NotificationSender
{
    /// <summary>
    /// Delivers one notification as the run's knobs say: not at all when notifications are dropped
    /// (the answer is then null, as if nobody heard), or twice when they are duplicated.
    /// </summary>
    public static async Task<int?> DeliverAsync(SimulatorKnobs knobs, HttpClient client, Uri url, string body, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken, string contentType = "application/json")
    {
        if (knobs.DropNotifications)
        {
            knobs.Sent.Add(url, body, headers, contentType, DateTimeOffset.UtcNow, null, dropped: true);
            return null;
        }

        var answered = await PostAsync(client, url, body, headers, cancellationToken, contentType);
        if (knobs.DuplicateNotifications)
        {
            answered = await PostAsync(client, url, body, headers, cancellationToken, contentType);
        }

        knobs.Sent.Add(url, body, headers, contentType, DateTimeOffset.UtcNow, answered, dropped: false);
        return answered;
    }

    /// <summary>Delivers a notification sent earlier again, byte for byte: the provider's own retry.</summary>
    public static Task<int?> RedeliverAsync(HttpClient client, SentNotification sent, CancellationToken cancellationToken) =>
        PostAsync(client, sent.Url, sent.Body, sent.Headers, cancellationToken, sent.ContentType);

    public static async Task<int?> PostAsync(HttpClient client, Uri url, string json, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken, string contentType = "application/json")
    {
        int? answered = null;
        for (var attempt = 0; attempt < 3 && answered is not (>= 200 and < 300); attempt++)
        {
            using var content = new StringContent(json, Encoding.UTF8);
            content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
            using var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
            foreach (var (name, value) in headers ?? new Dictionary<string, string>())
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            try
            {
                using var response = await client.SendAsync(message, cancellationToken);
                answered = (int)response.StatusCode;
            }
            catch (HttpRequestException)
            {
                answered = null;
            }
        }

        return answered;
    }
}
