using Npgsql;

namespace Gerbang.Api.Payments;

/// <summary>
/// What the refunds feature does when a provider reports a transaction's refunded total: it confirms
/// Gerbang's own refunds and books the ones the provider made by itself, in the observation's batch.
/// </summary>
public interface IProviderRefunds
{
    /// <summary>Answers the payment as it is after the bookings, why it changed (null when it did not), and how much of the total is accounted for.</summary>
    Task<(PaymentRow Payment, string? Reason, long Accounted)> BookAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, NpgsqlBatch batch, PaymentRow payment, Observation o, long providerRefunded, DateTimeOffset now, CancellationToken cancellationToken);
}
