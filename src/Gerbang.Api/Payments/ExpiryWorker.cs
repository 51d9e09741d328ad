using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.ProviderCallbacks;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>
/// Looks at payments past their expiry and asks their provider. A payment is expired here only when
/// its provider confirms it; if the provider says it was paid (the notification never came), that
/// answer goes through the inbound pipeline like a notification, so it is credited exactly once.
/// </summary>
public sealed partial class ExpiryWorker(
    NpgsqlDataSource dataSource,
    ProviderRegistry providers,
    NotificationProcessor inbound,
    PaymentTransitions transitions,
    TimeProvider timeProvider,
    ILogger<ExpiryWorker> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(30);

    private sealed record Due(string Id, string Mode, string Provider, string AttemptId, string ProviderReference);

    public async Task<int> ProcessBatchAsync(CancellationToken cancellationToken = default)
    {
        var due = new List<Due>();
        await using (var cmd = dataSource.CreateCommand("""
            select id, mode, provider, current_attempt_id, provider_reference from payments
            where status = 'pending' and expires_at <= $1 and provider_reference is not null and current_attempt_id is not null
            order by expires_at limit 100
            """))
        {
            cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add(new Due(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)));
            }
        }

        var done = 0;
        foreach (var payment in due)
        {
            try
            {
                done += await CheckAsync(payment, cancellationToken) ? 1 : 0;
            }
            catch (Exception ex) when (ex is NpgsqlException or HttpRequestException or InvalidOperationException)
            {
                LogCheckFailed(logger, payment.Id, ex.Message);
            }
        }

        return done;
    }

    private async Task<bool> CheckAsync(Due payment, CancellationToken cancellationToken)
    {
        var mode = payment.Mode == "live" ? Mode.Live : Mode.Test;
        var provider = providers.Find(mode, payment.Provider);
        if (provider is null)
        {
            return false;
        }

        var state = await provider.GetPaymentStatusAsync(payment.AttemptId, payment.ProviderReference, cancellationToken);
        if (state.Value is not { } reported)
        {
            return false; // no answer: ask again on the next pass
        }

        if (reported.Status is PaymentStatus.Expired or PaymentStatus.Cancelled or PaymentStatus.Failed)
        {
            return await transitions.TryMoveAsync(payment.Id, PaymentStatus.Pending, PaymentStatus.Expired, "payment.expired", cancellationToken);
        }

        if (reported.Status == PaymentStatus.Paid)
        {
            var notification = new ProviderNotification(
                $"status:{payment.ProviderReference}:paid", NotificationSubject.Payment, payment.AttemptId, payment.ProviderReference, PaymentStatus.Paid, null, reported.PaidAmount, reported.RawStatus);
            var raw = JsonSerializer.SerializeToUtf8Bytes(new { source = "status_query", provider_reference = payment.ProviderReference, status = reported.RawStatus, amount = reported.PaidAmount?.Amount });
            await inbound.IngestAsync(payment.Provider, mode, provider, notification, raw, cancellationToken);
            return true;
        }

        return false; // the provider still takes money: leave it open
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await ProcessBatchAsync(stoppingToken);
            }
            catch (NpgsqlException ex)
            {
                LogCheckFailed(logger, "batch", ex.Message);
            }
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Expiry check of {PaymentId} failed: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string paymentId, string reason);
}
