using Gerbang.Api.Disbursements;
using Gerbang.Api.Http;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>
/// Payouts held for review (<c>review: required</c>, a live payout to a recently verified account):
/// released to be sent, or rejected (failed, the reservation given back). The reviewer must be neither
/// the admin who asked for the account's verification nor the one who approved it.
/// </summary>
public static class DisbursementReviewEndpoints
{
    public static void MapDisbursementReview(this RouteGroupBuilder admin)
    {
        admin.MapPost("/disbursements/{id}/release", ReleaseAsync).RequireAuthorization(AdminRoles.ReviewPayouts).WithTags("admin changes")
            .Doc("releaseDisbursement", "Release a payout held for review", "A live payout to a newly verified account goes to the provider once another admin releases it.")
            .Body(new ReasonBody { Reason = "Called the merchant" }).Returns<DisbursementReviewView>().NotFound()
            .Fails(400, "reason_required").Fails(403, "four_eyes_required").Fails(409, "disbursement_not_in_review");
        admin.MapPost("/disbursements/{id}/reject", RejectAsync).RequireAuthorization(AdminRoles.ReviewPayouts).WithTags("admin changes")
            .Doc("rejectDisbursement", "Reject a payout held for review", "The payout fails and its amount and fee return to the balance.")
            .Body(new ReasonBody { Reason = "Account holder does not match" }).Returns<DisbursementReviewView>().NotFound()
            .Fails(400, "reason_required").Fails(403, "four_eyes_required").Fails(409, "disbursement_not_in_review");
    }

    internal static Task<Result<DisbursementReviewView>> ReleaseAsync(
        string id, Body<ReasonBody> body, AdminActor actor, NpgsqlDataSource db, PayoutSettlement settlement, AuditLog audit, IOptions<FourEyesOptions> fourEyes, TimeProvider clock, CancellationToken cancellationToken) =>
        DecideAsync(id, true, body, actor, db, settlement, audit, fourEyes, clock, cancellationToken);

    internal static Task<Result<DisbursementReviewView>> RejectAsync(
        string id, Body<ReasonBody> body, AdminActor actor, NpgsqlDataSource db, PayoutSettlement settlement, AuditLog audit, IOptions<FourEyesOptions> fourEyes, TimeProvider clock, CancellationToken cancellationToken) =>
        DecideAsync(id, false, body, actor, db, settlement, audit, fourEyes, clock, cancellationToken);

    /// <summary>Releases the held payout to be sent, or rejects it (failed, its reservation given back).</summary>
    internal static async Task<Result<DisbursementReviewView>> DecideAsync(
        string id,
        bool release,
        Body<ReasonBody> body,
        AdminActor actor,
        NpgsqlDataSource db,
        PayoutSettlement settlement,
        AuditLog audit,
        IOptions<FourEyesOptions> fourEyes,
        TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var reason = body.Value.Reason;
        await using var conn = await db.OpenConnectionAsync(cancellationToken);
        await using var tx = await conn.BeginTransactionAsync(cancellationToken);
        DisbursementRow row;
        await using (var select = new NpgsqlCommand($"select {DisbursementRow.Columns} from disbursements where id = $1 for update", conn, tx))
        {
            select.Parameters.Add(new() { Value = id });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return Refusal.NotFound("disbursement");
            }

            row = DisbursementRow.Read(reader);
        }

        if (row.Review != "required" || row.Status != "pending")
        {
            return new Refusal(409, "disbursement_not_in_review", "This payout is not waiting for review.");
        }

        // Whoever put the account in place may not also let money go to it.
        await using (var verifiers = new NpgsqlCommand("""
            select count(*) from change_requests
            where kind = 'bank_account.verify' and target_id = $1 and status = 'approved' and (requested_by = $2 or decided_by = $2)
            """, conn, tx))
        {
            verifiers.Parameters.Add(new() { Value = row.BankAccountId });
            verifiers.Parameters.Add(new() { Value = actor.Id });
            if ((long)(await verifiers.ExecuteScalarAsync(cancellationToken))! > 0 && !fourEyes.Value.AllowSelfApproval)
            {
                return new Refusal(403, "four_eyes_required", "You took part in verifying this bank account; another admin must review payouts to it.");
            }
        }

        var now = clock.GetUtcNow();
        await using var batch = new NpgsqlBatch(conn, tx);
        DisbursementReview.Add(batch, id, release, actor.Id, now);

        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry(release ? "disbursement.released" : "disbursement.rejected", "disbursement", id, new { review = "required" }, new { review = release ? "released" : "rejected" }, reason)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        if (!release)
        {
            // Never sent, so definitely not paid: the reservation goes back to the merchant.
            await settlement.SettleAsync(id, false, null, "rejected_in_review", cancellationToken);
        }

        return new DisbursementReviewView(id, "disbursement_review", release ? "released" : "rejected", actor.Email);
    }
}

public sealed record DisbursementReviewView(string Id, string Object, string Review, string ReviewedBy);
