using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>
/// Creates a payment: asks the routed provider for an instrument (the next candidate when one cannot
/// be reached), then writes the payment, its attempt, its event and the idempotency record in one
/// round trip that commits together. An order id already open is refused by the database's unique
/// index, and the instrument is withdrawn.
/// </summary>
public sealed partial class CreatePaymentHandler(
    NpgsqlDataSource dataSource,
    Routing.PaymentRouter router,
    Routing.ProviderHealth health,
    GerbangUrls urls,
    IEarlyNotifications inbound,
    SubscriberDirectory subscribers,
    TimeProvider timeProvider,
    ILogger<CreatePaymentHandler> logger)
{
    private static readonly JsonSerializerOptions InstructionsJson = new(ApiJson.Options)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<CreatePaymentOutcome> HandleAsync(MerchantContext merchant, CreatePaymentRequest request, Answers<CreatePaymentOutcome> answers, CancellationToken cancellationToken)
    {
        var now = timeProvider.GetUtcNow();
        var expiresAt = request.ExpiresAt ?? now + (request.ExpiresIn ?? request.Method.DefaultExpiry());
        var paymentId = Ids.New(Ids.Payment);
        var candidates = router.Route(merchant.Mode, merchant.MerchantId, request.Method, request.Bank, request.Amount, request.Provider);
        if (candidates.Count == 0)
        {
            return new CreatePaymentOutcome.NoProvider(request.Provider, request.Method.ToWire(), merchant.ModeWire);
        }

        var tries = new List<FailedTry>();
        ProviderFailure? lastFailure = null;
        foreach (var provider in candidates)
        {
            var attemptId = Ids.New(Ids.Attempt);
            var providerRequest = new ProviderPaymentRequest(
                attemptId, paymentId, request.Amount, request.Method, request.Bank, request.OrderId, request.Description, request.CustomerName, request.CustomerEmail, expiresAt,
                new Uri($"{urls.Public}/webhooks/{provider.Name}"))
            {
                Capture = request.Capture,
                ReturnUrl = request.Method == PaymentMethod.Card ? request.ReturnUrl ?? new Uri($"{urls.Public}/checkout/done") : null,
                Vpa = request.Vpa,
            };
            var startedAt = timeProvider.GetUtcNow();
            var started = timeProvider.GetTimestamp();
            var key = new Routing.HealthKey(merchant.Mode, provider.Name, request.Method, request.Bank);
            var result = await health.CallAsync(key, ct => provider.CreatePaymentAsync(providerRequest, ct), cancellationToken);
            if (result is not { } answered)
            {
                continue; // the lane's circuit is open: not called, nothing to record
            }

            if (request.Method == PaymentMethod.Card && answered.Failure is { OutcomeUnknown: true })
            {
                // A card may have been charged: no other provider is asked until this one says what it
                // did. Creation is idempotent on the attempt id, so asking again is the status query.
                LogProviderFailed(logger, provider.Name, answered.Failure.Code);
                answered = await provider.CreatePaymentAsync(providerRequest, cancellationToken);
                if (answered.Failure is { OutcomeUnknown: true })
                {
                    tries.Add(new FailedTry(attemptId, provider.Name, answered.Failure, startedAt, (int)timeProvider.GetElapsedTime(started).TotalMilliseconds));
                    await WithdrawUnknownAsync(merchant, request, paymentId, expiresAt, tries, cancellationToken);
                    return new CreatePaymentOutcome.ProviderTimeout(Card: true);
                }
            }

            if (answered.Value is { } created)
            {
                return await PersistAsync(answers, merchant, request, paymentId, attemptId, provider.Name, created, tries, now, startedAt, cancellationToken);
            }

            lastFailure = answered.Failure!;
            LogProviderFailed(logger, provider.Name, lastFailure.Code);
            tries.Add(new FailedTry(attemptId, provider.Name, lastFailure, startedAt, (int)timeProvider.GetElapsedTime(started).TotalMilliseconds));
            if (!lastFailure.IsRetryable)
            {
                await WithdrawUnknownAsync(merchant, request, paymentId, expiresAt, tries, cancellationToken);
                return new CreatePaymentOutcome.Declined(lastFailure.Message);
            }

            // A timeout leaves the try's outcome unknown. A VA or QRIS instrument nobody was shown cannot be
            // paid, so another provider may issue one now; the unknown one is withdrawn at its provider.
        }

        await WithdrawUnknownAsync(merchant, request, paymentId, expiresAt, tries, cancellationToken);
        return lastFailure?.Kind == ProviderFailureKind.Timeout ? new CreatePaymentOutcome.ProviderTimeout(Card: false) : new CreatePaymentOutcome.ProviderUnavailable();
    }

    /// <summary>A try that issued nothing (or may have): recorded as an attempt beside the one that succeeded.</summary>
    private sealed record FailedTry(string AttemptId, string Provider, ProviderFailure Failure, DateTimeOffset At, int LatencyMs);

    private static AttemptWithdrawal.Payload Withdrawal(FailedTry t, MerchantContext merchant, CreatePaymentRequest request, string paymentId, DateTimeOffset expiresAt) =>
        new(t.AttemptId, t.Provider, merchant.ModeWire, paymentId, request.Amount.Amount, request.Amount.Currency.Code, request.Method.ToWire(), request.Bank, request.OrderId, expiresAt);

    /// <summary>
    /// When no payment was created, tries whose outcome is unknown have no payment row to hang on; their
    /// possible instruments are still withdrawn, by jobs carrying everything needed to find them.
    /// </summary>
    private async Task WithdrawUnknownAsync(MerchantContext merchant, CreatePaymentRequest request, string paymentId, DateTimeOffset expiresAt, List<FailedTry> tries, CancellationToken cancellationToken)
    {
        if (!tries.Any(t => t.Failure.OutcomeUnknown))
        {
            return;
        }

        await using var batch = dataSource.CreateBatch();
        foreach (var t in tries.Where(t => t.Failure.OutcomeUnknown))
        {
            AttemptWithdrawal.Enqueue(batch, Withdrawal(t, merchant, request, paymentId, expiresAt), timeProvider.GetUtcNow());
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<CreatePaymentOutcome> PersistAsync(
        Answers<CreatePaymentOutcome> answers, MerchantContext merchant, CreatePaymentRequest request, string paymentId, string attemptId, string provider, ProviderPayment created, List<FailedTry> tries, DateTimeOffset now, DateTimeOffset attemptAt, CancellationToken cancellationToken)
    {
        var row = new PaymentRow
        {
            Id = paymentId,
            MerchantId = merchant.MerchantId,
            Mode = merchant.Mode,
            Status = created.Status == PaymentStatus.RequiresCapture ? PaymentStatus.RequiresCapture : PaymentStatus.Pending,
            Amount = request.Amount,
            Method = request.Method.ToWire(),
            Bank = request.Bank,
            OrderId = request.OrderId,
            Description = request.Description,
            CustomerJson = request.CustomerJson,
            MetadataJson = request.MetadataJson,
            Provider = provider,
            ProviderReference = created.ProviderReference,
            CurrentAttemptId = attemptId,
            InstructionsJson = JsonSerializer.Serialize(created.Instructions, InstructionsJson),
            ExpiresAt = created.ExpiresAt.ToUniversalTime(),
            CreatedAt = now,
            UpdatedAt = now,
            CaptureMethod = request.Method == PaymentMethod.Card ? request.Capture.ToWire() : null,
        };
        var view = PaymentView.Of(row, urls.Public);
        var outcome = new CreatePaymentOutcome.Created(view);

        await using var batch = dataSource.CreateBatch();
        var insertPayment = new NpgsqlBatchCommand("""
            insert into payments (id, merchant_id, mode, status, amount, currency, method, bank, order_id, description, customer, metadata,
                provider, provider_reference, current_attempt_id, instructions, expires_at, created_at, updated_at, capture_method)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14, $15, $16::jsonb, $17, $18, $18, $19)
            """);
        object?[] values =
        [
            row.Id, row.MerchantId, merchant.ModeWire, row.Status.ToWire(), row.Amount.Amount, row.Amount.Currency.Code, row.Method, row.Bank,
            row.OrderId, row.Description, row.CustomerJson, row.MetadataJson, provider, row.ProviderReference, attemptId, row.InstructionsJson,
            row.ExpiresAt, now, row.CaptureMethod,
        ];
        foreach (var v in values)
        {
            insertPayment.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(insertPayment);
        var insertAttempt = new NpgsqlBatchCommand("""
            insert into payment_attempts (id, payment_id, merchant_id, mode, provider, provider_reference, status, created_at)
            values ($1, $2, $3, $4, $5, $6, 'issued', $7)
            """);
        foreach (var v in new object[] { attemptId, paymentId, merchant.MerchantId, merchant.ModeWire, provider, created.ProviderReference, attemptAt })
        {
            insertAttempt.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(insertAttempt);
        foreach (var t in tries)
        {
            var failed = new NpgsqlBatchCommand("""
                insert into payment_attempts (id, payment_id, merchant_id, mode, provider, status, failure_code, failure_message, latency_ms, created_at)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """);
            foreach (var v in new object[] { t.AttemptId, paymentId, merchant.MerchantId, merchant.ModeWire, t.Provider, t.Failure.OutcomeUnknown ? "unknown" : "failed", t.Failure.Code, t.Failure.Message, t.LatencyMs, t.At })
            {
                failed.Parameters.Add(new() { Value = v });
            }

            batch.BatchCommands.Add(failed);
            if (t.Failure.OutcomeUnknown)
            {
                AttemptWithdrawal.Enqueue(batch, Withdrawal(t, merchant, request, paymentId, row.ExpiresAt), now);
            }
        }

        EventWriter.Add(batch, merchant.MerchantId, merchant.Mode, "payment.created", paymentId, request.StoreId, view, now, subscribers.MayHaveSubscribers(merchant.MerchantId, merchant.Mode));
        answers.RecordIn(batch, outcome);
        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "payments_open_order_id")
        {
            // The order id is taken by an open payment. The unique index is the check (a read before
            // the provider call could not close the race and would cost every request a round trip),
            // so the instrument just issued is withdrawn at its provider by the withdrawal job, which
            // retries until the provider confirms it closed (or says it was already paid, which then
            // reaches the notification pipeline by its attempt id).
            var issued = new FailedTry(attemptId, provider, new ProviderFailure(ProviderFailureKind.Timeout, "order_id_in_use", "issued, then refused here"), attemptAt, 0);
            await WithdrawUnknownAsync(merchant, request, paymentId, row.ExpiresAt, [.. tries, issued], CancellationToken.None);

            return new CreatePaymentOutcome.OrderIdInUse(request.OrderId);
        }

        if (inbound.MaybeEarly(provider, attemptId, created.ProviderReference))
        {
            // The provider notified before it answered: that notification is applied now.
            await inbound.ReplayEarlyAsync(provider, merchant.Mode, attemptId, created.ProviderReference, CancellationToken.None);
        }

        return outcome;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Provider {Provider} could not create a payment: {Code}")]
    private static partial void LogProviderFailed(ILogger logger, string provider, string code);
}
