using System.Globalization;
using System.Text;
using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Payments;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>Cross-merchant reading for operators: payments and events (every role), the ledger (super_admin, finance).</summary>
public static class OperationsViewEndpoints
{
    public sealed record AccountView(long Id, string Object, string Kind, bool Livemode, string Currency, string? Owner, long Balance);

    public sealed record PostingView(long Account, string AccountKind, string? Owner, long Amount, string Currency, string? Type, string? Source);

    public sealed record EntryView(string Id, string Object, string Reference, string Description, string CreatedAt, List<PostingView> Postings);

    public static void MapOperationsViews(this RouteGroupBuilder admin)
    {
        var ops = admin.MapGroup("").WithTags("admin operations");
        ops.MapGet("/payments", PaymentsAsync).RequireAuthorization(AdminRoles.ViewOperations).Doc("listAllPayments", "List payments of every merchant")
            .Returns<ListQuery.ListView<PaymentView>>().Query("merchant", "Only this merchant's.").Query("livemode", "Only live (true) or only test (false).", "true", "false").Query("limit", "1 to 100 (20 when left out).").Query("starting_after", "The page after this id.").Query("status", "Only payments with this status.");
        ops.MapGet("/payments/{id}", PaymentAsync).RequireAuthorization(AdminRoles.ViewOperations).Doc("getAnyPayment", "Get any merchant's payment").Returns<PaymentView>().NotFound();
        ops.MapGet("/events", EventsAsync).RequireAuthorization(AdminRoles.ViewOperations).Doc("listAllEvents", "List events of every merchant")
            .Returns<ListQuery.ListView<Webhooks.EventWriter.EventView>>().Query("merchant", "Only this merchant's.").Query("livemode", "Only live (true) or only test (false).", "true", "false").Query("limit", "1 to 100 (20 when left out).").Query("starting_after", "The page after this id.").Query("type", "Only events of this type.");
        ops.MapGet("/refunds", RefundsAsync).RequireAuthorization(AdminRoles.ViewOperations).Doc("listAllRefunds", "List refunds of every merchant")
            .Returns<ListQuery.ListView<Refunds.RefundView>>().Query("merchant", "Only this merchant's.").Query("livemode", "Only live (true) or only test (false).", "true", "false").Query("limit", "1 to 100 (20 when left out).").Query("starting_after", "The page after this id.").Query("status", "Only refunds with this status.");
        ops.MapGet("/disbursements", DisbursementsAsync).RequireAuthorization(AdminRoles.ViewOperations).Doc("listAllDisbursements", "List payouts of every merchant", "in_doubt=true lists payouts sent to a provider long enough ago that their outcome should be known.")
            .Returns<ListQuery.ListView<AdminDisbursementView>>().Query("merchant", "Only this merchant's.").Query("livemode", "Only live (true) or only test (false).", "true", "false").Query("limit", "1 to 100 (20 when left out).").Query("starting_after", "The page after this id.").Query("status", "Only payouts with this status.")
            .Query("review", "Only payouts in this review state.", "required", "released", "rejected").Query("in_doubt", "Only payouts in doubt (true) or not (false).", "true", "false")
            .Fails(400, "invalid_parameter");
        ops.MapGet("/jobs", JobsAsync).RequireAuthorization(AdminRoles.ViewOperations).Doc("getJobQueues", "Get the job queues", "Per kind of background job: how many wait, run, died or succeeded, and the oldest waiting.")
            .Returns<JobQueuesView>();
        var ledger = admin.MapGroup("").WithTags("admin ledger");
        ledger.MapGet("/ledger/accounts", AccountsAsync).RequireAuthorization(AdminRoles.ViewLedger).Doc("listLedgerAccounts", "List ledger accounts")
            .Returns<ListQuery.ListView<AccountView>>().Query("owner", "Only accounts of this owner (a merchant or provider id).").Query("kind", "Only accounts of this kind.");
        ledger.MapGet("/ledger/entries", EntriesAsync).RequireAuthorization(AdminRoles.ViewLedger).Doc("listLedgerEntries", "List ledger entries", "Newest first, each with its balanced postings.")
            .Returns<ListQuery.ListView<EntryView>>().Query("reference", "Only entries whose reference starts with this.").Query("account", "Only entries that post to this account id.").Query("limit", "1 to 100 (20 when left out).");
    }

    private static int Limit(ListRequest request) =>
        int.TryParse(request["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) && l is >= 1 and <= 100 ? l : 20;

    /// <summary>Appends the filters every cross-merchant list shares: merchant, mode, and a cursor on seq.</summary>
    private static void Scope(StringBuilder sql, NpgsqlCommand cmd, ListRequest request, string table)
    {
        if (request["merchant"] is { Length: > 0 } merchant)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and merchant_id = ${ListQuery.Add(cmd, merchant)}");
        }

        if (request["livemode"] is "true" or "false")
        {
            sql.Append(CultureInfo.InvariantCulture, $" and mode = ${ListQuery.Add(cmd, request["livemode"] == "true" ? "live" : "test")}");
        }

        if (request["starting_after"] is { Length: > 0 } after)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and seq < coalesce((select seq from {table} where id = ${ListQuery.Add(cmd, after)}), -1)");
        }
    }

    internal static async Task<Result<ListQuery.ListView<PaymentView>>> PaymentsAsync(ListRequest request, NpgsqlDataSource db, GerbangUrls urls, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand();
        var sql = new StringBuilder($"select {PaymentRow.Columns} from payments where true");
        Scope(sql, cmd, request, "payments");
        if (request["status"] is { Length: > 0 } status)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and status = ${ListQuery.Add(cmd, status)}");
        }

        var limit = Limit(request);
        sql.Append(CultureInfo.InvariantCulture, $" order by seq desc limit {limit + 1}");
        cmd.CommandText = sql.ToString();
        var rows = new List<PaymentView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(PaymentView.Of(PaymentRow.Read(reader), urls.Public));
        }

        return ListQuery.View(rows.Take(limit).ToList(), rows.Count > limit, "/admin/v1/payments");
    }

    internal static async Task<Result<PaymentView>> PaymentAsync(string id, NpgsqlDataSource db, GerbangUrls urls, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {PaymentRow.Columns} from payments where id = $1");
        cmd.Parameters.Add(new() { Value = id });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? PaymentView.Of(PaymentRow.Read(reader), urls.Public) : Refusal.NotFound("payment");
    }

    /// <summary>Each event as stored (the body its webhooks carry).</summary>
    internal static async Task<Result<ListQuery.ListView<JsonElement>>> EventsAsync(ListRequest request, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand();
        var sql = new StringBuilder("select body from events where true");
        Scope(sql, cmd, request, "events");
        if (request["type"] is { Length: > 0 } type)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and type = ${ListQuery.Add(cmd, type)}");
        }

        var limit = Limit(request);
        sql.Append(CultureInfo.InvariantCulture, $" order by seq desc limit {limit + 1}");
        cmd.CommandText = sql.ToString();
        var rows = new List<JsonElement>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            using var doc = JsonDocument.Parse((byte[])reader[0]);
            rows.Add(doc.RootElement.Clone());
        }

        return ListQuery.View(rows.Take(limit).ToList(), rows.Count > limit, "/admin/v1/events");
    }

    /// <summary>Every account with its balance in its natural sign (what a merchant is owed, what a provider holds).</summary>
    internal static async Task<Result<ListQuery.ListView<AccountView>>> AccountsAsync(ListRequest request, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            select a.id, a.kind, a.mode, a.currency, a.owner,
                   coalesce(sum(b.balance), 0) * case when a.kind = 'provider_clearing' then 1 else -1 end
            from ledger_accounts a left join account_balances b on b.account_id = a.id
            where ($1 = '' or a.owner = $1) and ($2 = '' or a.kind = $2)
            group by a.id order by a.id limit 500
            """);
        cmd.Parameters.Add(new() { Value = request["owner"] ?? "" });
        cmd.Parameters.Add(new() { Value = request["kind"] ?? "" });
        var rows = new List<AccountView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new AccountView(reader.GetInt64(0), "ledger_account", reader.GetString(1), reader.GetString(2) == "live", reader.GetString(3),
                reader.GetString(4) is { Length: > 0 } owner ? owner : null, reader.GetInt64(5)));
        }

        return ListQuery.View(rows, false, "/admin/v1/ledger/accounts");
    }

    internal static async Task<Result<ListQuery.ListView<EntryView>>> EntriesAsync(ListRequest request, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        var limit = Limit(request);
        await using var cmd = db.CreateCommand("""
            select e.id, e.reference, e.description, e.created_at, p.account_id, a.kind, a.owner, p.amount, p.currency, p.balance_type, p.source
            from (select * from ledger_entries le
                  where ($1 = '' or le.reference like $1 || '%')
                    and ($2 = 0 or exists (select 1 from ledger_postings lp where lp.entry_id = le.id and lp.account_id = $2))
                  order by le.created_at desc, le.id limit $3) e
            join ledger_postings p on p.entry_id = e.id
            join ledger_accounts a on a.id = p.account_id
            order by e.created_at desc, e.id, p.seq
            """);
        cmd.Parameters.Add(new() { Value = request["reference"] ?? "" });
        cmd.Parameters.Add(new() { Value = long.TryParse(request["account"], NumberStyles.None, CultureInfo.InvariantCulture, out var account) ? account : 0L });
        cmd.Parameters.Add(new() { Value = limit });
        var entries = new List<EntryView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            if (entries.Count == 0 || entries[^1].Id != id)
            {
                entries.Add(new EntryView(id, "ledger_entry", reader.GetString(1), reader.GetString(2), ApiJson.Time(reader.GetFieldValue<DateTimeOffset>(3)), []));
            }

            entries[^1].Postings.Add(new PostingView(reader.GetInt64(4), reader.GetString(5), reader.GetString(6) is { Length: > 0 } o ? o : null, reader.GetInt64(7),
                reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9), reader.IsDBNull(10) ? null : reader.GetString(10)));
        }

        return ListQuery.View(entries, entries.Count == limit, "/admin/v1/ledger/entries");
    }

    public sealed record JobQueueView(string Kind, long Pending, long Running, long Dead, long Succeeded, long OldestPendingSeconds);

    internal static async Task<Result<ListQuery.ListView<Refunds.RefundView>>> RefundsAsync(ListRequest request, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand();
        var sql = new StringBuilder($"select {Refunds.RefundRow.Columns} from refunds where true");
        Scope(sql, cmd, request, "refunds");
        if (request["status"] is { Length: > 0 } status)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and status = ${ListQuery.Add(cmd, status)}");
        }

        var limit = Limit(request);
        sql.Append(CultureInfo.InvariantCulture, $" order by seq desc limit {limit + 1}");
        cmd.CommandText = sql.ToString();
        var rows = new List<Refunds.RefundView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(Refunds.RefundRow.Read(reader).View());
        }

        return ListQuery.View(rows.Take(limit).ToList(), rows.Count > limit, "/admin/v1/refunds");
    }

    /// <summary>A disbursement as operators see it: whether its outcome is in doubt, and since when it was sent.</summary>
    public sealed record AdminDisbursementView(
        string Id, string Object, bool Livemode, string Merchant, long Amount, long Fee, string Currency, string BankAccount, string? Description, string Status, string Provider,
        JsonElement? Failure, string? Review, bool InDoubt, string? SentAt, string CreatedAt, string UpdatedAt);

    internal static async Task<Result<ListQuery.ListView<AdminDisbursementView>>> DisbursementsAsync(
        ListRequest request, NpgsqlDataSource db, TimeProvider clock, Microsoft.Extensions.Options.IOptions<Disbursements.PayoutOptions> options, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand();
        var sql = new StringBuilder($"select {Disbursements.DisbursementRow.Columns}, sent_at from disbursements where true");
        Scope(sql, cmd, request, "disbursements");
        if (request["status"] is { Length: > 0 } status)
        {
            sql.Append(CultureInfo.InvariantCulture, $" and status = ${ListQuery.Add(cmd, status)}");
        }

        switch (request["review"] ?? "")
        {
            case "":
                break;
            case "required" or "released" or "rejected":
                sql.Append(CultureInfo.InvariantCulture, $" and review = ${ListQuery.Add(cmd, request["review"]!)}");
                break;
            default:
                return new Refusal(400, "invalid_parameter", "review must be required, released or rejected.", "review");
        }

        var doubtSince = clock.GetUtcNow() - options.Value.InDoubtAfter;
        switch (request["in_doubt"] ?? "")
        {
            case "":
                break;
            case "true":
                sql.Append(CultureInfo.InvariantCulture, $" and status = 'processing' and sent_at <= ${ListQuery.Add(cmd, doubtSince)}");
                break;
            case "false":
                sql.Append(CultureInfo.InvariantCulture, $" and not (status = 'processing' and sent_at is not null and sent_at <= ${ListQuery.Add(cmd, doubtSince)})");
                break;
            default:
                return new Refusal(400, "invalid_parameter", "in_doubt must be true or false.", "in_doubt");
        }

        var limit = Limit(request);
        sql.Append(CultureInfo.InvariantCulture, $" order by seq desc limit {limit + 1}");
        cmd.CommandText = sql.ToString();
        var rows = new List<AdminDisbursementView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = Disbursements.DisbursementRow.Read(reader);
            var sentAt = reader.IsDBNull(15) ? (DateTimeOffset?)null : reader.GetFieldValue<DateTimeOffset>(15);
            var v = row.View();
            rows.Add(new AdminDisbursementView(
                v.Id, v.Object, v.Livemode, row.MerchantId, v.Amount, v.Fee, v.Currency, v.BankAccount, v.Description, v.Status, v.Provider, v.Failure, v.Review,
                row.Status == "processing" && sentAt is { } sent && sent <= doubtSince, sentAt is null ? null : ApiJson.Time(sentAt.Value), v.CreatedAt, v.UpdatedAt));
        }

        return ListQuery.View(rows.Take(limit).ToList(), rows.Count > limit, "/admin/v1/disbursements");
    }

    /// <summary>The background queues: how much waits, runs and died, and how old the oldest waiting job is.</summary>
    internal static async Task<Result<JobQueuesView>> JobsAsync(NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand("""
            select kind,
                   count(*) filter (where status = 'pending' and (locked_until is null or locked_until < $1)),
                   count(*) filter (where status = 'pending' and locked_until >= $1),
                   count(*) filter (where status = 'dead'),
                   count(*) filter (where status = 'succeeded'),
                   coalesce(extract(epoch from $1 - min(created_at) filter (where status = 'pending')), 0)::bigint
            from jobs group by kind order by kind
            """);
        cmd.Parameters.Add(new() { Value = clock.GetUtcNow() });
        var rows = new List<JobQueueView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new JobQueueView(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        }

        return new JobQueuesView(
            "job_queues", rows.Sum(r => r.Pending), rows.Sum(r => r.Running), rows.Sum(r => r.Dead),
            rows.Count == 0 ? 0 : rows.Max(r => r.OldestPendingSeconds), rows);
    }
}

/// <summary>The job queues: totals and each kind.</summary>
public sealed record JobQueuesView(string Object, long Pending, long Running, long Failed, long OldestPendingSeconds, IReadOnlyList<OperationsViewEndpoints.JobQueueView> Queues);
