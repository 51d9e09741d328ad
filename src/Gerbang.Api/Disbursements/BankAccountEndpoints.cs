using System.Text;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Domain;
using Npgsql;

namespace Gerbang.Api.Disbursements;

public sealed record BankAccountView(
    string Id, string Object, bool Livemode, string BankCode, string AccountNumberLast4, string AccountHolderName, string Status, bool Primary, string CreatedAt);

/// <summary>
/// <c>/v1/bank_accounts</c>: where payouts go. At most three per merchant and mode, whatever the
/// concurrency; unverified until an operator verifies them. Account numbers are sealed at rest.
/// </summary>
public static class BankAccountEndpoints
{
    public const int Limit = 3;
    public static IReadOnlyList<string> BankCodes => Gerbang.Domain.Payments.PaymentMethods.AccountBanks;
    public const string Columns = "id, mode, bank_code, account_last4, account_holder_name, status, is_primary, created_at";

    public static BankAccountView Read(NpgsqlDataReader r) => new(
        r.GetString(0), "bank_account", r.GetString(1) == "live", r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetBoolean(6),
        ApiJson.Time(r.GetFieldValue<DateTimeOffset>(7)));

    public static void MapBankAccounts(this RouteGroupBuilder v1)
    {
        var accounts = v1.MapGroup("/bank_accounts").WithTags("bank accounts");
        accounts.MapPost("", CreateAsync).Doc("createBankAccount", "Add a bank account", "An account payouts can go to once an operator has verified it.")
            .Body(new CreateBankAccountBody { BankCode = "bca", AccountNumber = "1234567890", AccountHolderName = "PT Toko Budi" }).Returns<BankAccountView>(201)
            .Fails(400, "bank_invalid", "parameter_invalid_length").Fails(422, "bank_account_limit");
        accounts.MapGet("", ListAsync).Doc("listBankAccounts", "List bank accounts").Lists<BankAccountView>(ListFilters);
        accounts.MapGet("/{id}", GetAsync).Doc("getBankAccount", "Get a bank account").Returns<BankAccountView>().NotFound();
        accounts.MapDelete("/{id}", DeleteAsync).Doc("deleteBankAccount", "Delete a bank account").Returns<DeletedView>().NotFound();
        accounts.MapPost("/{id}/make_primary", MakePrimaryAsync).Doc("makeBankAccountPrimary", "Make a bank account the primary one", "Payouts that name no account go to the primary one.")
            .Returns<BankAccountView>().NotFound();
    }

    internal static async Task<Result<BankAccountView>> CreateAsync(
        Body<CreateBankAccountBody> body, MerchantContext merchant, AnswerKeeping keeping, NpgsqlDataSource db, SecretBox box, TimeProvider clock, CancellationToken cancellationToken)
    {
        var (bank, number, holder) = (body.Value.BankCode, body.Value.AccountNumber, body.Value.AccountHolderName);
        var now = clock.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);

        // One creator at a time per merchant and mode, so the limit holds under any concurrency.
        await using (var gate = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended('bank_accounts:' || $1 || ':' || $2, 0))", conn, tx))
        {
            gate.Parameters.Add(new() { Value = merchant.MerchantId });
            gate.Parameters.Add(new() { Value = merchant.ModeWire });
            await gate.ExecuteNonQueryAsync(cancellationToken);
        }

        long existing;
        await using (var count = new NpgsqlCommand("select count(*) from bank_accounts where merchant_id = $1 and mode = $2 and deleted_at is null", conn, tx))
        {
            count.Parameters.Add(new() { Value = merchant.MerchantId });
            count.Parameters.Add(new() { Value = merchant.ModeWire });
            existing = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }

        if (existing >= Limit)
        {
            return new Refusal(422, "bank_account_limit", $"A merchant can have at most {Limit} bank accounts; delete one first.");
        }

        var view = new BankAccountView(Ids.New(Ids.BankAccount), "bank_account", merchant.Livemode, bank, number[^4..], holder, "unverified", existing == 0, ApiJson.Time(now));
        await using var batch = new NpgsqlBatch(conn, tx);
        var insert = new NpgsqlBatchCommand("""
            insert into bank_accounts (id, merchant_id, mode, bank_code, account_number_sealed, account_last4, account_holder_name, status, is_primary, created_at, updated_at)
            values ($1, $2, $3, $4, $5, $6, $7, 'unverified', $8, $9, $9)
            """);
        foreach (var v in new object[] { view.Id, merchant.MerchantId, merchant.ModeWire, view.BankCode, box.Seal(number), view.AccountNumberLast4, view.AccountHolderName, view.Primary, now })
        {
            insert.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(insert);
        var answer = keeping.Keep(batch, Result<BankAccountView>.Created(view));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return answer;
    }

    internal static Task<Result<ListQuery.ListView<BankAccountView>>> ListAsync(ListRequest request, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        ListQuery.ForMerchantAsync(
            request, merchant, db, $"select {Columns} from bank_accounts where merchant_id = $1 and mode = $2 and deleted_at is null", "bank_accounts",
            ListFilters, Read, a => a, "/v1/bank_accounts", cancellationToken);

    public static readonly ListFilter[] ListFilters = [new("status", "Verified or not yet.", ["unverified", "verified"])];

    public static async Task<BankAccountView?> FindAsync(NpgsqlDataSource db, string merchantId, string mode, string id, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {Columns} from bank_accounts where id = $1 and merchant_id = $2 and mode = $3 and deleted_at is null");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = merchantId });
        cmd.Parameters.Add(new() { Value = mode });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    internal static async Task<Result<BankAccountView>> GetAsync(string id, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        await FindAsync(db, merchant.MerchantId, merchant.ModeWire, id, cancellationToken) is { } view ? view : Refusal.NotFound("bank account");

    internal static async Task<Result<DeletedView>> DeleteAsync(string id, MerchantContext merchant, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            update bank_accounts set deleted_at = $4, is_primary = false, updated_at = $4
            where id = $1 and merchant_id = $2 and mode = $3 and deleted_at is null
            """);
        foreach (var v in new object[] { id, merchant.MerchantId, merchant.ModeWire, clock.GetUtcNow() })
        {
            cmd.Parameters.Add(new() { Value = v });
        }

        return await cmd.ExecuteNonQueryAsync(cancellationToken) == 1
            ? new DeletedView(id, "bank_account", true)
            : Refusal.NotFound("bank account");
    }

    internal static async Task<Result<BankAccountView>> MakePrimaryAsync(string id, MerchantContext merchant, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, merchant.MerchantId, merchant.ModeWire, id, cancellationToken) is null)
        {
            return Refusal.NotFound("bank account");
        }

        await using var batch = db.CreateBatch();
        var clear = new NpgsqlBatchCommand("update bank_accounts set is_primary = false where merchant_id = $1 and mode = $2 and is_primary");
        clear.Parameters.Add(new() { Value = merchant.MerchantId });
        clear.Parameters.Add(new() { Value = merchant.ModeWire });
        batch.BatchCommands.Add(clear);
        var set = new NpgsqlBatchCommand("update bank_accounts set is_primary = true, updated_at = $2 where id = $1");
        set.Parameters.Add(new() { Value = id });
        set.Parameters.Add(new() { Value = clock.GetUtcNow() });
        batch.BatchCommands.Add(set);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return (await FindAsync(db, merchant.MerchantId, merchant.ModeWire, id, cancellationToken))!;
    }
}

/// <summary>The body of <c>POST /v1/bank_accounts</c>.</summary>
public sealed record CreateBankAccountBody : IRequestBody<CreateBankAccountBody>
{
    [ApiValues(typeof(Gerbang.Domain.Payments.PaymentMethods), nameof(Gerbang.Domain.Payments.PaymentMethods.AccountBanks))]
    public required string BankCode { get; init; }

    [System.ComponentModel.Description("Digits only, 6 to 20.")]
    [System.ComponentModel.DataAnnotations.StringLength(20, MinimumLength = 6)]
    public required string AccountNumber { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(100, MinimumLength = 1)]
    public required string AccountHolderName { get; init; }

    public static CreateBankAccountBody? Read(Fields f)
    {
        var bank = f.String("bank_code", required: true, maxLength: 20);
        var number = f.String("account_number", required: true, minLength: 6, maxLength: 20);
        var holder = f.String("account_holder_name", required: true, maxLength: 100);
        if (bank is not null && !BankAccountEndpoints.BankCodes.Contains(bank))
        {
            f.Add("bank_code", "bank_invalid", $"bank_code must be one of {string.Join(", ", BankAccountEndpoints.BankCodes)}.");
        }

        if (number is not null && !number.All(char.IsAsciiDigit))
        {
            f.Add("account_number", "parameter_invalid", "account_number must be digits only.");
        }

        f.RejectUnknown();
        return f.Errors.Count > 0 ? null : new CreateBankAccountBody { BankCode = bank!, AccountNumber = number!, AccountHolderName = holder! };
    }
}
