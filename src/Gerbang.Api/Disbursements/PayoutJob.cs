using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Jobs;
using Gerbang.Api.Payments;
using Gerbang.Domain;
using Gerbang.Domain.Providers;
using Npgsql;

namespace Gerbang.Api.Disbursements;

/// <summary>
/// Sends a disbursement to the provider with the disbursement id as its one, unchanging payout
/// reference, so a retry after a timeout finds the same payout instead of paying twice.
/// </summary>
public sealed class PayoutJob(NpgsqlDataSource dataSource, ProviderRegistry providers, PayoutSettlement settlement, SecretBox box, GerbangUrls urls) : IJobHandler
{
    public const string Kind = "payout";

    string IJobHandler.Kind => Kind;

    public async Task HandleAsync(JsonElement payload, CancellationToken cancellationToken)
    {
        var id = payload.GetProperty("disbursement").GetString()!;
        DisbursementRow row;
        string bankCode, holder;
        byte[] sealedNumber;
        await using (var cmd = dataSource.CreateCommand($"""
            select {string.Join(", ", DisbursementRow.Columns.Split(", ").Select(c => "d." + c))}, b.bank_code, b.account_holder_name, b.account_number_sealed
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
            (bankCode, holder, sealedNumber) = (reader.GetString(14), reader.GetString(15), (byte[])reader[16]);
        }

        if (row.Status is not ("pending" or "processing"))
        {
            return;
        }

        var mode = row.Mode == "live" ? Mode.Live : Mode.Test;
        var provider = providers.Find(mode, row.Provider) ?? throw new InvalidOperationException($"Provider {row.Provider} is not configured.");
        var result = await provider.PayoutAsync(
            new ProviderPayoutRequest(row.Id, new Money(row.Amount, Currency.Parse(row.Currency)), bankCode, box.Open(sealedNumber), holder, row.Description, new Uri($"{urls.Public}/webhooks/{row.Provider}/payouts")),
            cancellationToken);
        switch (result.Failure)
        {
            case { Kind: ProviderFailureKind.Declined } declined:
                await settlement.SettleAsync(row.Id, succeeded: false, null, declined.Code, cancellationToken);
                return;
            case { } unavailable:
                // No answer, or no definite one: the reservation stays and the same reference is sent again later.
                throw new Jobs.ProviderUnavailableException(unavailable.Code);
        }

        var payout = result.Value!;
        switch (payout.Status)
        {
            case ProviderOperationStatus.Succeeded:
                await settlement.SettleAsync(row.Id, succeeded: true, payout.ProviderReference, null, cancellationToken);
                break;
            case ProviderOperationStatus.Failed:
                await settlement.SettleAsync(row.Id, succeeded: false, payout.ProviderReference, "payout_failed", cancellationToken);
                break;
            default:
                await settlement.MarkProcessingAsync(row.Id, payout.ProviderReference, cancellationToken);
                break;
        }
    }
}
