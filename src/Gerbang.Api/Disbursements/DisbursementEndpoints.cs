using System.Text;
using Gerbang.Api.Http;
using Gerbang.Api.Jobs;
using Gerbang.Api.Ledger;
using Gerbang.Api.Merchants;
using Gerbang.Api.Payments;
using Gerbang.Api.ProviderSetup;
using Gerbang.Api.Webhooks;
using Gerbang.Domain;
using Gerbang.Domain.Ledger;
using Npgsql;

namespace Gerbang.Api.Disbursements;

/// <summary><c>/v1/disbursements</c>: paying a merchant out, with amount and fee reserved at once.</summary>
public static class DisbursementEndpoints
{
    /// <summary>Indonesia keeps one offset all year; the daily cash-out limit follows Jakarta's calendar day.</summary>
    private static readonly TimeSpan Jakarta = TimeSpan.FromHours(7);

    public static IServiceCollection AddDisbursements(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PayoutOptions>().Bind(configuration.GetSection(PayoutOptions.Section));
        services.AddSingleton<PayoutSettlement>();
        services.AddSingleton<PayoutJob>();
        services.AddSingleton<IJobHandler>(sp => sp.GetRequiredService<PayoutJob>());
        return services;
    }

    public static void MapDisbursements(this RouteGroupBuilder v1)
    {
        v1.MapBankAccounts();
        var group = v1.MapGroup("/disbursements").WithTags("disbursements");
        group.MapPost("", CreateAsync).Doc("createDisbursement", "Pay out", "Moves the amount and the fee from the available balance at once and sends the payout to a provider; the outcome arrives as disbursement.succeeded or disbursement.failed.")
            .Body(new CreateDisbursementBody { Amount = 500000, Currency = "IDR", BankAccount = "ba_01JABCDEFGHJKMNPQRSTVWXYZ0", Description = "Weekly payout" }).Returns<DisbursementView>(201)
            .Fails(400, "currency_invalid", "parameter_invalid_integer", "amount_too_small", "amount_too_large", "parameter_invalid_length")
            .Fails(404, "resource_missing").Fails(422, "bank_account_not_verified", "no_provider_available", "insufficient_balance", "cashout_limit_exceeded");
        group.MapGet("", ListAsync).Doc("listDisbursements", "List payouts").Lists<DisbursementView>(ListFilters);
        group.MapGet("/{id}", GetAsync).Doc("getDisbursement", "Get a payout").Returns<DisbursementView>().NotFound();
        v1.MapPost("/test_helpers/disbursements/{id}/succeed", (string id, MerchantContext merchant, NpgsqlDataSource db, ProviderRegistry providers, CancellationToken cancellationToken) => CompleteAsync(id, true, merchant, db, providers, cancellationToken)).WithTags("test helpers")
            .Doc("testSucceedDisbursement", "Complete a test payout", "The provider's simulator pays the payout out and notifies Gerbang.")
            .Returns<DisbursementView>().NotFound().Fails(409, "disbursement_not_at_provider", "test_helper_refused");
        v1.MapPost("/test_helpers/disbursements/{id}/fail", (string id, MerchantContext merchant, NpgsqlDataSource db, ProviderRegistry providers, CancellationToken cancellationToken) => CompleteAsync(id, false, merchant, db, providers, cancellationToken)).WithTags("test helpers")
            .Doc("testFailDisbursement", "Fail a test payout", "The provider's simulator fails the payout and notifies Gerbang; the amount and fee return to the balance.")
            .Returns<DisbursementView>().NotFound().Fails(409, "disbursement_not_at_provider", "test_helper_refused");
    }

    internal static async Task<Result<DisbursementView>> CreateAsync(
        Body<CreateDisbursementBody> body,
        MerchantContext merchant,
        AnswerKeeping keeping,
        NpgsqlDataSource db,
        LedgerWriter ledger,
        FeeResolver fees,
        Routing.PaymentRouter router,
        Microsoft.Extensions.Options.IOptions<PayoutOptions> payouts,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var request = body.Value;
        var (bankAccountId, description, currency) = (request.BankAccount, request.Description, Currency.Parse(request.Currency));
        BankAccountView? account = null;
        if (bankAccountId is not null)
        {
            account = await BankAccountEndpoints.FindAsync(db, merchant.MerchantId, merchant.ModeWire, bankAccountId, cancellationToken);
        }
        else
        {
            await using var primary = db.CreateCommand("select id from bank_accounts where merchant_id = $1 and mode = $2 and is_primary and deleted_at is null");
            primary.Parameters.Add(new() { Value = merchant.MerchantId });
            primary.Parameters.Add(new() { Value = merchant.ModeWire });
            if (await primary.ExecuteScalarAsync(cancellationToken) is string primaryId)
            {
                account = await BankAccountEndpoints.FindAsync(db, merchant.MerchantId, merchant.ModeWire, primaryId, cancellationToken);
            }
        }

        if (account is null)
        {
            return new Refusal(404, "resource_missing", "No such bank account (and no primary one).", "bank_account");
        }

        if (account.Status != "verified")
        {
            return new Refusal(422, "bank_account_not_verified", "Payouts go only to verified bank accounts.", "bank_account");
        }

        // The provider is chosen now and kept: its payout reference (the disbursement id) must never move to another provider.
        var payoutProviders = router.RoutePayout(merchant.Mode, merchant.MerchantId, account.BankCode);
        var provider = payoutProviders.Count > 0 ? payoutProviders[0] : null;
        if (provider is null)
        {
            return new Refusal(422, "no_provider_available", $"No provider can pay out to {account.BankCode} in {merchant.ModeWire} mode.");
        }

        var amount = new Money(request.Amount, currency);
        var fee = await fees.ResolveAsync(merchant.MerchantId, "disbursement", amount, cancellationToken);
        var available = AccountRef.Available(merchant.MerchantId, merchant.Mode, currency);
        await ledger.PrepareAsync([available, new AccountRef(AccountKind.MerchantReserved, merchant.Mode, currency, merchant.MerchantId)], cancellationToken);
        var availableId = await ledger.AccountIdAsync(available, cancellationToken);

        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        var balance = await BalanceGuard.LockAndReadAsync(conn, tx, availableId, creditNormal: true, cancellationToken);
        if (balance < (amount + fee).Amount)
        {
            return new Refusal(422, "insufficient_balance", $"The available balance ({balance} {currency}) cannot cover {amount.Amount} plus the fee of {fee.Amount}.", "amount");
        }

        // Under the same lock as the balance, so concurrent payouts cannot slip past the limit together.
        await using (var limit = new NpgsqlCommand("""
            select m.daily_cashout_limit, coalesce((select sum(d.amount) from disbursements d
                where d.merchant_id = m.id and d.mode = $2 and d.status <> 'failed' and d.created_at >= $3), 0)::bigint
            from merchants m where m.id = $1
            """, conn, tx))
        {
            var today = new DateTimeOffset((now.ToOffset(Jakarta)).Date, Jakarta);
            limit.Parameters.Add(new() { Value = merchant.MerchantId });
            limit.Parameters.Add(new() { Value = merchant.ModeWire });
            limit.Parameters.Add(new() { Value = today.ToUniversalTime() });
            await using var reader = await limit.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (!reader.IsDBNull(0) && reader.GetInt64(1) + amount.Amount > reader.GetInt64(0))
            {
                return new Refusal(422, "cashout_limit_exceeded", $"This payout would pass today's cash-out limit of {reader.GetInt64(0)} {currency}.", "amount");
            }
        }

        // Live money to an account that became a destination only recently waits for a second person.
        string? review = null;
        if (merchant.Mode == Mode.Live && payouts.Value.ReviewNewAccountsFor > TimeSpan.Zero)
        {
            await using var verified = new NpgsqlCommand("select verified_at from bank_accounts where id = $1", conn, tx);
            verified.Parameters.Add(new() { Value = account.Id });
            DateTimeOffset? verifiedAt = null;
            await using (var reader = await verified.ExecuteReaderAsync(cancellationToken))
            {
                if (await reader.ReadAsync(cancellationToken) && !reader.IsDBNull(0))
                {
                    verifiedAt = reader.GetFieldValue<DateTimeOffset>(0);
                }
            }

            if (verifiedAt is null || verifiedAt > now - payouts.Value.ReviewNewAccountsFor)
            {
                review = "required";
            }
        }

        var row = new DisbursementRow(Ids.New(Ids.Disbursement), merchant.MerchantId, merchant.ModeWire, amount, fee, account.Id, description, "pending", provider.Name, null, null, now, now, review);
        await using var batch = new NpgsqlBatch(conn, tx);
        var insert = new NpgsqlBatchCommand("""
            insert into disbursements (id, merchant_id, mode, amount, fee, currency, bank_account_id, description, status, provider, created_at, updated_at, review)
            values ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $10, $11)
            """);
        foreach (var v in new object?[] { row.Id, row.MerchantId, row.Mode, row.Amount.Amount, row.Fee.Amount, row.Amount.Currency.Code, row.BankAccountId, description, row.Provider, now, review })
        {
            insert.Parameters.Add(new() { Value = v ?? DBNull.Value });
        }

        batch.BatchCommands.Add(insert);
        ledger.Add(batch, LedgerEntry.PayoutReserved($"disbursement:{row.Id}:reserved", merchant.MerchantId, merchant.Mode, amount, fee), row.Id, now);
        EventWriter.Add(batch, merchant.MerchantId, merchant.Mode, "disbursement.created", row.Id, null, row.View(), now);
        if (review is null)
        {
            JobQueue.Enqueue(batch, PayoutJob.Kind, new { disbursement = row.Id }, now);
        }

        var answer = keeping.Keep(batch, Result<DisbursementView>.Created(row.View()));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return answer;
    }

    internal static Task<Result<ListQuery.ListView<DisbursementView>>> ListAsync(ListRequest request, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        ListQuery.ForMerchantAsync(
            request, merchant, db, $"select {DisbursementRow.Columns} from disbursements where merchant_id = $1 and mode = $2", "disbursements",
            ListFilters, DisbursementRow.Read, d => d.View(), "/v1/disbursements", cancellationToken);

    public static readonly ListFilter[] ListFilters = [new("status", "The payout's status.", ["pending", "processing", "succeeded", "failed"])];

    private static async Task<DisbursementRow?> FindAsync(NpgsqlDataSource db, MerchantContext merchant, string id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {DisbursementRow.Columns} from (select * from disbursements where id = $1 offset 0) d where merchant_id = $2 and mode = $3");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? DisbursementRow.Read(reader) : null;
    }

    internal static async Task<Result<DisbursementView>> GetAsync(string id, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        await FindAsync(db, merchant, id, cancellationToken) is { } row ? row.View() : Refusal.NotFound("disbursement");

    /// <summary>Test mode: the simulated bank finishes the payout and the provider notifies Gerbang in its own format.</summary>
    internal static async Task<Result<DisbursementView>> CompleteAsync(string id, bool succeed, MerchantContext merchant, NpgsqlDataSource db, ProviderRegistry providers, CancellationToken cancellationToken)
    {
        var row = await FindAsync(db, merchant, id, cancellationToken);
        var control = row is null ? null : providers.TestControl(merchant.Mode, row.Provider);
        if (row is null || control is null)
        {
            return Refusal.NotFound("disbursement");
        }

        if (row.ProviderReference is null)
        {
            return new Refusal(409, "disbursement_not_at_provider", "The payout has not reached the provider yet; retry in a moment.");
        }

        var result = await control.CompletePayoutAsync(row.Id, succeed, cancellationToken);
        if (!result.Done)
        {
            return new Refusal(409, "test_helper_refused", $"The simulator refused: {result.Error}");
        }

        return (await FindAsync(db, merchant, id, cancellationToken))!.View();
    }
}

/// <summary>The body of <c>POST /v1/disbursements</c>.</summary>
public sealed record CreateDisbursementBody : IRequestBody<CreateDisbursementBody>
{
    [System.ComponentModel.DataAnnotations.Range(1, 9007199254740991)]
    public required long Amount { get; init; }

    [ApiValues(typeof(Gerbang.Domain.Currency), nameof(Gerbang.Domain.Currency.Codes))]
    public required string Currency { get; init; }

    [System.ComponentModel.Description("The verified bank account to pay; the primary one when left out.")]
    [System.ComponentModel.DataAnnotations.StringLength(64)]
    public string? BankAccount { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(200)]
    public string? Description { get; init; }

    public static CreateDisbursementBody? Read(Fields f)
    {
        var amount = f.Amount("amount", required: true);
        var currency = f.String("currency", required: true, maxLength: 3);
        var bankAccount = f.String("bank_account", required: false, maxLength: 64);
        var description = f.String("description", required: false, maxLength: 200);
        if (currency is not null && !Gerbang.Domain.Currency.TryParse(currency, out _))
        {
            f.Add("currency", "currency_invalid", "currency must be an upper-case ISO 4217 code Gerbang supports, such as IDR.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new CreateDisbursementBody { Amount = amount!.Value, Currency = currency!, BankAccount = bankAccount, Description = description };
    }
}
