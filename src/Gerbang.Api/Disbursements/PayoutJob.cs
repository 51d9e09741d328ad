using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Jobs;
using Gerbang.Api.Payments;
using Gerbang.Api.ProviderSetup;
using Gerbang.Domain;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.Disbursements;

/// <summary>
/// Sends a disbursement to the provider with the disbursement id as its one, unchanging payout
/// reference, and learns its outcome without ever guessing it. Before the request leaves, the
/// disbursement is marked sent; once sent, its outcome comes from the provider's status endpoint (by the
/// provider's payout id) or, when the provider's id never came back, from an idempotent replay whose
/// refusal proves nothing. Only a confirmed final state settles it: anything else keeps it
/// <c>processing</c> with its reservation held, for the next pass and, past the configured time, for an operator.
/// </summary>
public sealed class PayoutJob(NpgsqlDataSource dataSource, ProviderRegistry providers, PayoutSettlement settlement, SecretBox box, GerbangUrls urls, TimeProvider timeProvider) : IJobHandler
{
    public const string Kind = "payout";

    string IJobHandler.Kind => Kind;

    public async Task HandleAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var id = payload.GetProperty("disbursement").GetString()!;
        DisbursementRow row;
        string bankCode, holder;
        byte[] sealedNumber;
        DateTimeOffset? sentAt;
        await using (var cmd = dataSource.CreateCommand($"""
            select {string.Join(", ", DisbursementRow.Columns.Split(", ").Select(c => "d." + c))}, b.bank_code, b.account_holder_name, b.account_number_sealed, d.sent_at
            from disbursements d join bank_accounts b on b.id = d.bank_account_id where d.id = $1
            """))
        {
            cmd.Parameters.Add(new() { Value = id });
            await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return;
            }

            row = DisbursementRow.Read(reader);
            (bankCode, holder, sealedNumber) = (reader.GetString(15), reader.GetString(16), (byte[])reader[17]);
            sentAt = reader.IsDBNull(18) ? null : reader.GetFieldValue<DateTimeOffset>(18);
        }

        // A payout held for review is never sent, whoever queued it; one rejected in review was never
        // sent, so it fails and its reservation goes back (the reviewer's call does this at once; the job
        // makes sure of it).
        if (row.Status is not ("pending" or "processing") || row.Review is "required")
        {
            return;
        }

        if (row.Review is "rejected")
        {
            if (row.Status == "pending" && sentAt is null)
            {
                await settlement.SettleAsync(row.Id, false, null, "rejected_in_review", cancellationToken);
            }

            return;
        }

        var mode = row.Mode == "live" ? Mode.Live : Mode.Test;
        var provider = providers.Find(mode, row.Provider) ?? throw new InvalidOperationException($"Provider {row.Provider} is not configured.");
        if (row.ProviderReference is { } reference)
        {
            // The provider took it: only its status endpoint says how it ended.
            var status = await provider.GetPayoutStatusAsync(row.Id, reference, cancellationToken);
            if (status.Value is { } known)
            {
                await SettleKnownAsync(row.Id, known, cancellationToken);
            }

            return;
        }

        var sentBefore = sentAt is not null;
        await MarkSentAsync(row.Id, sentBefore, cancellationToken);
        var result = await provider.PayoutAsync(
            new ProviderPayoutRequest(row.Id, row.Amount, bankCode, box.Open(sealedNumber), holder, row.Description, new Uri($"{urls.Public}/webhooks/{row.Provider}/payouts")),
            cancellationToken);
        switch (result.Failure)
        {
            case { Kind: ProviderFailureKind.Declined } declined when !sentBefore:
                // The first request, refused: the provider did not take the payout.
                await settlement.SettleAsync(row.Id, succeeded: false, null, declined.Code, cancellationToken);
                return;
            case { Kind: ProviderFailureKind.Declined }:
                // A repeat refused after an unknown outcome proves nothing (the first may be executing):
                // the payout stays processing, its reservation held, until the provider's status says.
                await settlement.MarkInFlightAsync(row.Id, cancellationToken);
                return;
            case { Kind: ProviderFailureKind.ConnectionFailed or ProviderFailureKind.ServerError } unavailable when !sentBefore:
                // The provider says it did not act: the next try is a first request again.
                await ClearSentAsync(row.Id, cancellationToken);
                throw new Jobs.ProviderUnavailableException(unavailable.Code);
            case { } unknown:
                // No answer, or no definite one: the reservation stays and the outcome is asked for later.
                await settlement.MarkInFlightAsync(row.Id, cancellationToken);
                throw new Jobs.ProviderUnavailableException(unknown.Code);
        }

        await SettleKnownAsync(row.Id, result.Value!, cancellationToken);
    }

    private async Task SettleKnownAsync(string id, ProviderPayout payout, CancellationToken cancellationToken)
    {
        switch (payout.Status)
        {
            case ProviderOperationStatus.Succeeded:
                await settlement.SettleAsync(id, succeeded: true, payout.ProviderReference, null, cancellationToken);
                break;
            case ProviderOperationStatus.Failed:
                await settlement.SettleAsync(id, succeeded: false, payout.ProviderReference, "payout_failed", cancellationToken);
                break;
            default:
                await settlement.MarkProcessingAsync(id, payout.ProviderReference, cancellationToken);
                break;
        }
    }

    /// <summary>Recorded (and committed) before the request leaves, so a crash in between still counts as sent.</summary>
    private async Task MarkSentAsync(string id, bool sentBefore, CancellationToken cancellationToken)
    {
        if (sentBefore)
        {
            return;
        }

        await using var cmd = dataSource.CreateCommand("update disbursements set sent_at = $2 where id = $1 and sent_at is null");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = timeProvider.GetUtcNow() });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task ClearSentAsync(string id, CancellationToken cancellationToken)
    {
        await using var cmd = dataSource.CreateCommand("update disbursements set sent_at = null where id = $1 and status = 'pending'");
        cmd.Parameters.Add(new() { Value = id });
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
