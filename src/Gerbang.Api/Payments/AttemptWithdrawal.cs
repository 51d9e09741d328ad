using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Jobs;
using Gerbang.Api.ProviderSetup;
using Gerbang.Domain;
using Gerbang.Domain.Payments;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>
/// Withdraws an instrument a provider may have issued for a try whose answer never came (a timeout),
/// after the payment moved to another provider. Every adapter is idempotent on the attempt id, so the
/// same request sent again returns the instrument if it exists (or issues it), and it is then cancelled.
/// Money that still arrives on it is matched by the attempt id and credited as <c>paid_late</c> or an
/// overpayment, never dropped.
/// </summary>
public sealed class AttemptWithdrawal(NpgsqlDataSource dataSource, ProviderRegistry providers, GerbangUrls urls) : IJobHandler
{
    public const string Kind = "attempt_withdrawal";

    public sealed record Payload(string Attempt, string Provider, string Mode, string Payment, long Amount, string Currency, string Method, string? Bank, string OrderId, DateTimeOffset ExpiresAt);

    string IJobHandler.Kind => Kind;

    public static void Enqueue(NpgsqlBatch batch, Payload payload, DateTimeOffset now) => JobQueue.Enqueue(batch, Kind, payload, now);

    public async Task HandleAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var p = payload.Deserialize<Payload>(ApiJson.Options)!;
        var mode = p.Mode == "live" ? Mode.Live : Mode.Test;
        var provider = providers.Find(mode, p.Provider) ?? throw new InvalidOperationException($"Provider {p.Provider} is not configured.");
        if (!PaymentMethods.TryParse(p.Method, out var method))
        {
            return; // a method this version no longer knows: nothing it could have issued
        }
        var again = await provider.CreatePaymentAsync(
            new ProviderPaymentRequest(p.Attempt, p.Payment, new Money(p.Amount, Currency.Parse(p.Currency)), method, p.Bank, p.OrderId, null, null, null, p.ExpiresAt, new Uri($"{urls.Public}/webhooks/{p.Provider}")),
            cancellationToken);
        if (again.Failure is { IsRetryable: true } outage)
        {
            throw new ProviderUnavailableException(outage.Code);
        }

        if (again.Value is not { } issued)
        {
            await SetAsync(p.Attempt, null, "failed", cancellationToken); // declined now, so nothing was issued
            return;
        }

        var cancelled = await provider.CancelPaymentAsync(p.Attempt, issued.ProviderReference, cancellationToken);
        if (cancelled.Failure is { IsRetryable: true } down)
        {
            throw new ProviderUnavailableException(down.Code);
        }

        // Cancelled, or refused because it was already paid or closed: either way it is no longer ours to
        // withdraw, and a payment on it reaches the notification pipeline by its attempt id.
        await SetAsync(p.Attempt, issued.ProviderReference, "superseded", cancellationToken);
    }

    private async Task SetAsync(string attemptId, string? reference, string status, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("""
            update payment_attempts set status = $2, provider_reference = coalesce($3, provider_reference)
            where id = $1 and status = 'unknown'
            """);
        cmd.Parameters.Add(new() { Value = attemptId });
        cmd.Parameters.Add(new() { Value = status });
        cmd.Parameters.Add(new() { Value = (object?)reference ?? DBNull.Value });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
