using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Gerbang.Domain;
using Microsoft.Extensions.Options;

namespace Gerbang.Simulators.Generic;

/// <summary>Sends the simulated provider's own signed notifications to the merchant system's URL.</summary>
public sealed class GenericNotifier(
    IHttpClientFactory httpClientFactory,
    IOptions<GenericSimulatorOptions> options,
    GenericSimulatorState state,
    TimeProvider timeProvider)
{
    public const string HttpClientName = "simulator-notifier";

    private static readonly TimeSpan[] RetryDelays = [TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1)];

    public ConcurrentQueue<SimSentNotification> Sent { get; } = new();

    /// <summary>
    /// Sends one notification, as the knobs say: not at all (lost), twice, or followed by a stale copy
    /// that says the payment is still pending (delivered out of order).
    /// </summary>
    public async Task<SimSentNotification> SendAsync(Uri url, string type, SimNotificationData data, CancellationToken cancellationToken)
    {
        var knobs = state.Knobs;
        if (knobs.DropNotifications)
        {
            // Lost on the way, but sent: the provider's retry (a redelivery) can bring it later.
            var (id, body, signature) = Sign(type, data);
            knobs.Sent.Add(url, System.Text.Encoding.UTF8.GetString(body), new Dictionary<string, string> { [GenericSignature.Header] = signature }, "application/json", timeProvider.GetUtcNow(), null, dropped: true);
            var lost = new SimSentNotification(id, "", "", null);
            Sent.Enqueue(lost);
            return lost;
        }

        var sent = await SendOnceAsync(url, type, data, cancellationToken);
        if (knobs.DuplicateNotifications)
        {
            await RepeatAsync(url, sent, cancellationToken);
        }

        if (knobs.OutOfOrderNotifications && data.Object == "payment" && data.Status != "pending")
        {
            await SendOnceAsync(url, "payment.pending", data with { Status = "pending", PaidAmount = 0 }, cancellationToken);
        }

        return sent;
    }

    private async Task RepeatAsync(Uri url, SimSentNotification sent, CancellationToken cancellationToken)
    {
        var body = System.Text.Encoding.UTF8.GetBytes(sent.Body);
        var status = await PostAsync(url, body, sent.Signature, cancellationToken);
        Sent.Enqueue(sent with { ReceiverStatus = status });
    }

    private async Task<SimSentNotification> SendOnceAsync(Uri url, string type, SimNotificationData data, CancellationToken cancellationToken)
    {
        var (id, body, signature) = Sign(type, data);
        // Like real providers, retry a notification the receiver did not take, here briefly and in line.
        int? status = null;
        foreach (var delay in RetryDelays)
        {
            await Task.Delay(delay, cancellationToken);
            status = await PostAsync(url, body, signature, cancellationToken);
            if (status is >= 200 and < 300)
            {
                break;
            }
        }

        var sent = new SimSentNotification(id, System.Text.Encoding.UTF8.GetString(body), signature, status);
        Sent.Enqueue(sent);
        state.Knobs.Sent.Add(url, sent.Body, new Dictionary<string, string> { [GenericSignature.Header] = signature }, "application/json", timeProvider.GetUtcNow(), status, dropped: false);
        return sent;
    }

    private (string Id, byte[] Body, string Signature) Sign(string type, SimNotificationData data)
    {
        var notification = new SimNotification(Ids.New("sevt"), type, timeProvider.GetUtcNow().ToUnixTimeSeconds(), data);
        var body = JsonSerializer.SerializeToUtf8Bytes(notification, SimulatorJson.Options);
        return (notification.Id, body, GenericSignature.Compute(options.Value.WebhookSecret, timeProvider.GetUtcNow().ToUnixTimeSeconds(), body));
    }

    public async Task<int?> PostAsync(Uri url, byte[] body, string signature, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(GenericSignature.Header, signature);
        try
        {
            using var response = await httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
            return (int)response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }
}
