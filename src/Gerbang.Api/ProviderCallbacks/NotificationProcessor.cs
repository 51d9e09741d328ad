using Gerbang.Api.Http;
using Gerbang.Domain;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.ProviderCallbacks;

/// <summary>
/// The inbound pipeline: verify in the provider's own scheme, store raw before anything else,
/// deduplicate on the provider's event identity, then apply (see <see cref="PaymentNotificationApplier"/>).
/// </summary>
public sealed partial class NotificationProcessor(
    NpgsqlDataSource dataSource,
    Payments.ProviderRegistry providers,
    PaymentNotificationApplier applier,
    TimeProvider timeProvider,
    ILogger<NotificationProcessor> logger)
{
    public async Task<ApiResponse> ReceiveAsync(string providerName, InboundWebhook inbound, CancellationToken cancellationToken)
    {
        var candidates = providers.Named(providerName).ToList();
        if (candidates.Count == 0)
        {
            return Problems.NotFound("provider");
        }

        ProviderNotification? notification = null;
        IPaymentProvider? adapter = null;
        var mode = Mode.Test;
        string? reason = null;
        foreach (var (candidateMode, candidate) in candidates)
        {
            var verification = candidate.VerifyWebhook(inbound);
            if (verification.IsAuthentic)
            {
                (notification, adapter, mode) = (verification.Notification, candidate, candidateMode);
                break;
            }

            reason ??= verification.RejectionReason;
        }

        if (notification is null || adapter is null)
        {
            LogRejected(logger, providerName, reason ?? "unverified");
            return Problems.Create(401, "signature_invalid", "The notification could not be verified.");
        }

        var (id, duplicate, outcome) = await IngestAsync(providerName, mode, adapter, notification, inbound.Body, cancellationToken);
        if (duplicate)
        {
            return Acknowledge(id, duplicate: true);
        }

        return outcome == ApplyOutcome.RetryLater
            ? Problems.Create(503, "confirmation_pending", "The payment could not be confirmed with the provider yet; retry the notification.")
            : Acknowledge(id, duplicate: false);
    }

    /// <summary>
    /// Stores a verified report raw, deduplicated on its event key, and applies it. Provider
    /// notifications and what Gerbang learns by asking a provider (reconciliation) both come through here.
    /// </summary>
    public async Task<(string Id, bool Duplicate, ApplyOutcome Outcome)> IngestAsync(string provider, Mode mode, IPaymentProvider adapter, ProviderNotification notification, ReadOnlyMemory<byte> raw, CancellationToken cancellationToken)
    {
        var (id, status) = await StoreAsync(provider, mode, notification, raw, cancellationToken);
        if (status != "received")
        {
            return (id, true, ApplyOutcome.Ignored);
        }

        return (id, false, await applier.ApplyAsync(id, provider, mode, adapter, notification, cancellationToken));
    }

    private async Task<(string Id, string Status)> StoreAsync(string provider, Mode mode, ProviderNotification n, ReadOnlyMemory<byte> raw, CancellationToken cancellationToken)
    {
        var id = Ids.New(Ids.Notification);
        await using var cmd = dataSource.CreateCommand("""
            with ins as (
                insert into provider_notifications (id, provider, mode, event_key, received_at, body, status)
                values ($1, $2, $3, $4, $5, $6, 'received')
                on conflict (provider, mode, event_key) do nothing
                returning id, status)
            select id, status from ins
            union all
            select id, status from provider_notifications where provider = $2 and mode = $3 and event_key = $4
            limit 1
            """);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = provider });
        cmd.Parameters.Add(new() { Value = mode.ToWire() });
        cmd.Parameters.Add(new() { Value = n.EventKey });
        cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() });
        cmd.Parameters.Add(new() { Value = raw.ToArray() });
        // A concurrent copy can commit between our insert and our read; ask again with a fresh snapshot.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return (reader.GetString(0), reader.GetString(1));
            }
        }

        throw new InvalidOperationException("A provider notification could not be stored or found.");
    }

    private static ApiResponse Acknowledge(string id, bool duplicate) =>
        ApiResponse.Ok(new { received = true, notification = id, duplicate });

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Refused an unverifiable {Provider} notification: {Reason}")]
    private static partial void LogRejected(ILogger logger, string provider, string reason);
}
