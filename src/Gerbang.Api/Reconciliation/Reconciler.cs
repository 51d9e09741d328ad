using System.Text.Json;
using Gerbang.Api.Disbursements;
using Gerbang.Api.Jobs;
using Gerbang.Api.Payments;
using Gerbang.Api.ProviderCallbacks;
using Gerbang.Api.ProviderSetup;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.Reconciliation;

/// <summary>One thing a pass found: where Gerbang and the provider disagreed, and what was done about it.</summary>
public sealed record ReconciliationFinding(string Object, string Id, string Provider, string GerbangStatus, string ProviderStatus, string Action, long? Amount);

public sealed record ReconciliationReport(
    string Id,
    string Object,
    bool Full,
    string StartedAt,
    string FinishedAt,
    int PaymentsChecked,
    int PayoutsChecked,
    int Unanswered,
    int Corrected,
    IReadOnlyList<ReconciliationFinding> Differences,
    IReadOnlyList<ReconciliationFinding> Uncredited);

/// <summary>
/// Asks providers about what Gerbang is unsure of, and settles it through the same paths as their
/// notifications: payments past their expiry (expired only when the provider confirms), cancellations
/// and captures whose answer never came, and payouts still in flight; a full pass also asks about every
/// open payment, to find money a provider holds that Gerbang has not credited. A provider that does not
/// answer is asked again on the next pass.
/// </summary>
public sealed partial class Reconciler(
    NpgsqlDataSource dataSource,
    ProviderRegistry providers,
    NotificationProcessor inbound,
    PaymentTransitions transitions,
    PayoutJob payouts,
    TimeProvider timeProvider,
    ILogger<Reconciler> logger)
{
    /// <summary>How long a cancel, capture or payout is left to its own answer before a pass asks.</summary>
    public static readonly TimeSpan InDoubtAfter = TimeSpan.FromMinutes(1);

    private sealed record Open(string Id, Mode Mode, string Provider, string AttemptId, string Reference, PaymentStatus Status, long? CaptureRequested, DateTimeOffset ExpiresAt);

    public async Task<ReconciliationReport> RunAsync(bool full, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetUtcNow();
        var differences = new List<ReconciliationFinding>();
        var uncredited = new List<ReconciliationFinding>();
        var unanswered = 0;
        var corrected = 0;

        var replayed = await ReplayUnmatchedAsync(started, cancellationToken);
        corrected += replayed;
        var open = await OpenPaymentsAsync(full, started, cancellationToken);
        foreach (var payment in open)
        {
            try
            {
                var finding = await CheckPaymentAsync(payment, started, cancellationToken);
                switch (finding)
                {
                    case null:
                        unanswered++;
                        break;
                    case { Action: "none" }:
                        break;
                    case { Action: "credited" }:
                        uncredited.Add(finding);
                        differences.Add(finding);
                        corrected++;
                        break;
                    default:
                        differences.Add(finding);
                        corrected += finding.Action.StartsWith("flagged", StringComparison.Ordinal) ? 0 : 1;
                        break;
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or HttpRequestException or InvalidOperationException)
            {
                unanswered++;
                LogCheckFailed(logger, payment.Id, ex.Message);
            }
        }

        await MarkAskedAsync(open, started, cancellationToken);
        var inFlight = await PayoutsInFlightAsync(started, cancellationToken);
        foreach (var (id, provider, before) in inFlight)
        {
            try
            {
                await payouts.HandleAsync(JsonSerializer.SerializeToElement(new { disbursement = id }), cancellationToken);
            }
            catch (Exception ex) when (ex is ProviderUnavailableException or NpgsqlException or HttpRequestException)
            {
                unanswered++;
                continue;
            }

            var after = await DisbursementStatusAsync(id, cancellationToken);
            if (after != before)
            {
                differences.Add(new ReconciliationFinding("disbursement", id, provider, before, after, after, null));
                corrected++;
            }
        }

        return new ReconciliationReport(
            Ids.New("rec"), "reconciliation_run", full, Http.ApiJson.Time(started), Http.ApiJson.Time(timeProvider.GetUtcNow()),
            open.Count, inFlight.Count, unanswered, corrected, differences, uncredited);
    }

    /// <summary>The finding for one payment, or null when its provider did not answer.</summary>
    private async Task<ReconciliationFinding?> CheckPaymentAsync(Open payment, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var provider = providers.Find(payment.Mode, payment.Provider);
        if (provider is null)
        {
            return null;
        }

        var answer = await provider.GetPaymentStatusAsync(payment.AttemptId, payment.Reference, cancellationToken);
        if (answer.Value is not { } reported)
        {
            return null;
        }

        ReconciliationFinding Found(string action) =>
            new("payment", payment.Id, payment.Provider, payment.Status.ToWire(), reported.RawStatus, action, reported.PaidAmount?.Amount);

        if (reported.Status == PaymentStatus.Paid)
        {
            // Money at the provider: it goes through the inbound pipeline like a notification (stored,
            // deduplicated, amount-checked, posted once).
            var notification = new ProviderNotification(
                $"status:{payment.Reference}:paid:{reported.PaidAmount?.Amount}:{reported.RefundedAmount?.Amount}", NotificationSubject.Payment, payment.AttemptId, payment.Reference, PaymentStatus.Paid, null, reported.PaidAmount, reported.RawStatus);
            var raw = JsonSerializer.SerializeToUtf8Bytes(new { source = "status_query", provider_reference = payment.Reference, status = reported.RawStatus, amount = reported.PaidAmount?.Amount });
            var (_, _, outcome) = await inbound.IngestAsync(payment.Provider, payment.Mode, provider, notification, raw, cancellationToken);
            return outcome switch
            {
                ApplyOutcome.Applied => Found("credited"),
                ApplyOutcome.Flagged => Found("flagged_for_review"),
                ApplyOutcome.RetryLater => null,
                _ => Found("none"), // already applied (a duplicate) or nothing to apply
            };
        }

        switch (payment.Status)
        {
            case PaymentStatus.Pending when payment.ExpiresAt <= now && reported.Status is PaymentStatus.Expired or PaymentStatus.Cancelled or PaymentStatus.Failed:
                return await transitions.TryMoveAsync(payment.Id, PaymentStatus.Pending, PaymentStatus.Expired, "payment.expired", cancellationToken) ? Found("expired") : Found("none");
            case PaymentStatus.Cancelling when reported.Status is PaymentStatus.Cancelled or PaymentStatus.Expired or PaymentStatus.Failed:
                return await transitions.TryMoveAsync(payment.Id, PaymentStatus.Cancelling, PaymentStatus.Cancelled, "payment.cancelled", cancellationToken) ? Found("cancelled") : Found("none");
            case PaymentStatus.Cancelling when reported.Status is PaymentStatus.Pending or PaymentStatus.RequiresCapture:
                // The provider never cancelled: the payment is open again, as the refused cancel leaves it.
                return await transitions.TryMoveAsync(payment.Id, PaymentStatus.Cancelling, reported.Status, null, cancellationToken) ? Found("reopened") : Found("none");
            case PaymentStatus.RequiresCapture when payment.CaptureRequested is { } requested && reported.Status == PaymentStatus.RequiresCapture:
                // The capture never happened: release the claim so the merchant may capture again.
                await CapturePaymentHandler.ReleaseClaimAsync(dataSource, payment.Id, requested, cancellationToken);
                return Found("capture_released");
            case PaymentStatus.RequiresCapture when reported.Status is PaymentStatus.Cancelled or PaymentStatus.Expired:
                return await transitions.TryMoveAsync(payment.Id, PaymentStatus.RequiresCapture, PaymentStatus.Cancelled, "payment.cancelled", cancellationToken) ? Found("cancelled") : Found("none");
            default:
                return Found("none"); // the provider still takes money, or agrees with us
        }
    }

    private Task MarkAskedAsync(List<Open> asked, DateTimeOffset now, CancellationToken cancellationToken) =>
        PaymentRows.MarkReconciledAsync(dataSource, asked.ConvertAll(p => p.Id), now, cancellationToken);

    /// <summary>Notifications that arrived before their attempt was written (on any instance), applied now that it is.</summary>
    private async Task<int> ReplayUnmatchedAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var found = new List<(string Provider, Mode Mode, string Attempt, string? Reference)>();
        await using (var cmd = dataSource.CreateCommand("""
            select distinct n.provider, n.mode, a.id, a.provider_reference
            from provider_notifications n
            join payment_attempts a on a.provider = n.provider and a.mode = n.mode and (a.id = n.our_reference or a.provider_reference = n.provider_reference)
            where n.status = 'unknown_reference' and n.report is not null and n.received_at > $1
            limit 200
            """))
        {
            cmd.Parameters.Add(new() { Value = now.AddDays(-7) });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                found.Add((reader.GetString(0), reader.GetString(1) == "live" ? Mode.Live : Mode.Test, reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
            }
        }

        var replayed = 0;
        foreach (var (provider, mode, attempt, reference) in found)
        {
            replayed += await inbound.ReplayEarlyAsync(provider, mode, attempt, reference, cancellationToken);
        }

        return replayed;
    }

    private async Task<List<Open>> OpenPaymentsAsync(bool full, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var open = new List<Open>();
        await using var cmd = dataSource.CreateCommand($"""
            select id, mode, provider, current_attempt_id, provider_reference, status, capture_requested, expires_at from payments
            where provider_reference is not null and current_attempt_id is not null and (
                (status = 'pending' and expires_at <= $1)
                or (status = 'cancelling' and updated_at <= $2)
                or (status = 'requires_capture' and capture_requested is not null and updated_at <= $2)
                {(full ? "or status in ('pending', 'requires_capture')" : "")})
            order by reconciled_at nulls first, updated_at limit {(full ? 1000 : 200)}
            """);
        cmd.Parameters.Add(new() { Value = now });
        cmd.Parameters.Add(new() { Value = now - InDoubtAfter });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            _ = PaymentStatusWire.TryParse(reader.GetString(5), out var status);
            open.Add(new Open(
                reader.GetString(0), reader.GetString(1) == "live" ? Mode.Live : Mode.Test, reader.GetString(2), reader.GetString(3), reader.GetString(4),
                status, reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetFieldValue<DateTimeOffset>(7)));
        }

        return open;
    }

    /// <summary>Payouts the provider took but has not settled, and no job is still sending.</summary>
    private async Task<List<(string Id, string Provider, string Status)>> PayoutsInFlightAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var found = new List<(string, string, string)>();
        await using var cmd = dataSource.CreateCommand("""
            select id, provider, status from disbursements where status = 'processing' and updated_at <= $1 order by updated_at limit 200
            """);
        cmd.Parameters.Add(new() { Value = now - InDoubtAfter });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            found.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return found;
    }

    private async Task<string> DisbursementStatusAsync(string id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("select status from disbursements where id = $1");
        cmd.Parameters.Add(new() { Value = id });
        return (string)(await cmd.ExecuteScalarAsync(cancellationToken))!;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Reconciliation of {PaymentId} failed: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string paymentId, string reason);
}
