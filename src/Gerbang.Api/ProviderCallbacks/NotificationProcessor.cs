using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.ProviderSetup;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.ProviderCallbacks;

/// <summary>
/// The inbound pipeline: verify in the provider's own scheme, store raw before anything else,
/// deduplicate on the provider's event identity, then apply (see <see cref="PaymentNotificationApplier"/>).
/// </summary>
public sealed partial class NotificationProcessor(
    NpgsqlDataSource dataSource,
    ProviderRegistry providers,
    PaymentNotificationApplier applier,
    TimeProvider timeProvider,
    ILogger<NotificationProcessor> logger) : Payments.IEarlyNotifications
{
    // References named by notifications that matched nothing yet, so a payment written a moment later
    // replays them without a database round trip on every create. Another instance's early
    // notifications are found by the reconciliation pass instead.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _unmatched = new(StringComparer.Ordinal);

    /// <summary>Whether a notification naming this attempt or reference arrived here before it was written.</summary>
    public bool MaybeEarly(string provider, string attemptId, string? providerReference) =>
        !_unmatched.IsEmpty && (_unmatched.TryRemove(provider + "|" + attemptId, out _) | (providerReference is not null && _unmatched.TryRemove(provider + "|" + providerReference, out _)));

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

        var outcome = await applier.ApplyAsync(id, provider, mode, adapter, notification, cancellationToken);
        if (outcome == ApplyOutcome.UnknownReference)
        {
            if (_unmatched.Count > 10_000)
            {
                _unmatched.Clear();
            }

            _unmatched[provider + "|" + notification.ProviderReference] = 0;
            if (notification.OurReference is { } ours)
            {
                _unmatched[provider + "|" + ours] = 0;
            }
        }

        return (id, false, outcome);
    }

    private async Task<(string Id, string Status)> StoreAsync(string provider, Mode mode, ProviderNotification n, ReadOnlyMemory<byte> raw, CancellationToken cancellationToken)
    {
        var id = Ids.New(Ids.Notification);
        await using var cmd = dataSource.CreateCommand("""
            with ins as (
                insert into provider_notifications (id, provider, mode, event_key, received_at, body, status, our_reference, provider_reference, report)
                values ($1, $2, $3, $4, $5, $6, 'received', $7, $8, $9::jsonb)
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
        cmd.Parameters.Add(new() { Value = (object?)n.OurReference ?? DBNull.Value });
        cmd.Parameters.Add(new() { Value = n.ProviderReference });
        cmd.Parameters.Add(new() { Value = JsonSerializer.Serialize(StoredReport.Of(n)) });
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

    /// <summary>
    /// Applies notifications that arrived before the attempt they name was written (the provider told
    /// before it answered), now that it exists. Each is claimed back from <c>unknown_reference</c> once.
    /// </summary>
    public async Task<int> ReplayEarlyAsync(string provider, Mode mode, string attemptId, string? providerReference, CancellationToken cancellationToken)
    {
        var adapter = providers.Find(mode, provider);
        if (adapter is null)
        {
            return 0;
        }

        var early = new List<(string Id, ProviderNotification Report)>();
        await using (var cmd = dataSource.CreateCommand("""
            update provider_notifications set status = 'received', flag_reason = null
            where provider = $1 and mode = $2 and status = 'unknown_reference' and report is not null
              and (our_reference = $3 or provider_reference = $4)
            returning id, report::text
            """))
        {
            cmd.Parameters.Add(new() { Value = provider });
            cmd.Parameters.Add(new() { Value = mode.ToWire() });
            cmd.Parameters.Add(new() { Value = attemptId });
            cmd.Parameters.Add(new() { Value = (object?)providerReference ?? DBNull.Value });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                early.Add((reader.GetString(0), JsonSerializer.Deserialize<StoredReport>(reader.GetString(1))!.ToNotification()));
            }
        }

        foreach (var (id, report) in early)
        {
            await applier.ApplyAsync(id, provider, mode, adapter, report, cancellationToken);
        }

        return early.Count;
    }

    /// <summary>What a verified notification said, kept beside its raw bytes so it can be applied later.</summary>
    private sealed record StoredReport(string EventKey, string Subject, string? OurReference, string ProviderReference, string? PaymentStatus, string? OperationStatus, long? Amount, string? Currency, string RawStatus)
    {
        public static StoredReport Of(ProviderNotification n) => new(
            n.EventKey, n.Subject.ToString(), n.OurReference, n.ProviderReference, n.PaymentStatus?.ToWire(), n.OperationStatus?.ToString(), n.Amount?.Amount, n.Amount?.Currency.Code, n.RawStatus);

        public ProviderNotification ToNotification() => new(
            EventKey,
            Enum.Parse<NotificationSubject>(Subject),
            OurReference,
            ProviderReference,
            PaymentStatusWire.TryParse(PaymentStatus, out var status) ? status : null,
            OperationStatus is null ? null : Enum.Parse<ProviderOperationStatus>(OperationStatus),
            Amount is { } a && Currency is { } c ? new Money(a, Domain.Currency.Parse(c)) : null,
            RawStatus);
    }

    private static ApiResponse Acknowledge(string id, bool duplicate) =>
        ApiResponse.Ok(new NotificationReceivedView(true, id, duplicate));

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Refused an unverifiable {Provider} notification: {Reason}")]
    private static partial void LogRejected(ILogger logger, string provider, string reason);
}

/// <summary>What a provider hears back: received, and whether it was a repeat.</summary>
public sealed record NotificationReceivedView(bool Received, string Notification, bool Duplicate);
