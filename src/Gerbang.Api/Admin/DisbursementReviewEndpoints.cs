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
        admin.MapPost("/disbursements/{id}/release", (string id, HttpContext http, NpgsqlDataSource db, PayoutSettlement settlement, AuditLog audit, IOptions<FourEyesOptions> fourEyes, TimeProvider clock) =>
            DecideAsync(id, true, http, db, settlement, audit, fourEyes, clock)).RequireAuthorization(AdminRoles.ReviewPayouts).WithTags("admin changes")
            .Doc("releaseDisbursement", "Release a payout held for review", "A live payout to a newly verified account goes to the provider once another admin releases it.")
            .Body(new ReasonBody { Reason = "Called the merchant" }).Returns<DisbursementReviewView>().NotFound()
            .Fails(400, "reason_required").Fails(403, "four_eyes_required").Fails(409, "disbursement_not_in_review");
        admin.MapPost("/disbursements/{id}/reject", (string id, HttpContext http, NpgsqlDataSource db, PayoutSettlement settlement, AuditLog audit, IOptions<FourEyesOptions> fourEyes, TimeProvider clock) =>
            DecideAsync(id, false, http, db, settlement, audit, fourEyes, clock)).RequireAuthorization(AdminRoles.ReviewPayouts).WithTags("admin changes")
            .Doc("rejectDisbursement", "Reject a payout held for review", "The payout fails and its amount and fee return to the balance.")
            .Body(new ReasonBody { Reason = "Account holder does not match" }).Returns<DisbursementReviewView>().NotFound()
            .Fails(400, "reason_required").Fails(403, "four_eyes_required").Fails(409, "disbursement_not_in_review");
    }

    internal static async Task<ApiResponse> DecideAsync(string id, bool release, HttpContext http, NpgsqlDataSource db, PayoutSettlement settlement, AuditLog audit, IOptions<FourEyesOptions> fourEyes, TimeProvider clock)
    {
        var (reason, problem) = await ChangeRequest.ReadReasonAsync(http);
        if (problem is not null)
        {
            return problem;
        }

        var actor = AdminActor.Of(http);
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        await using var tx = await conn.BeginTransactionAsync(http.RequestAborted);
        DisbursementRow row;
        await using (var select = new NpgsqlCommand($"select {DisbursementRow.Columns} from disbursements where id = $1 for update", conn, tx))
        {
            select.Parameters.Add(new() { Value = id });
            await using var reader = await select.ExecuteReaderAsync(http.RequestAborted);
            if (!await reader.ReadAsync(http.RequestAborted))
            {
                return Problems.NotFound("disbursement");
            }

            row = DisbursementRow.Read(reader);
        }

        if (row.Review != "required" || row.Status != "pending")
        {
            return Problems.Create(409, "disbursement_not_in_review", "This payout is not waiting for review.");
        }

        // Whoever put the account in place may not also let money go to it.
        await using (var verifiers = new NpgsqlCommand("""
            select count(*) from change_requests
            where kind = 'bank_account.verify' and target_id = $1 and status = 'approved' and (requested_by = $2 or decided_by = $2)
            """, conn, tx))
        {
            verifiers.Parameters.Add(new() { Value = row.BankAccountId });
            verifiers.Parameters.Add(new() { Value = actor.Id });
            if ((long)(await verifiers.ExecuteScalarAsync(http.RequestAborted))! > 0 && !fourEyes.Value.AllowSelfApproval)
            {
                return Problems.Create(403, "four_eyes_required", "You took part in verifying this bank account; another admin must review payouts to it.");
            }
        }

        var now = clock.GetUtcNow();
        await using var batch = new NpgsqlBatch(conn, tx);
        DisbursementReview.Add(batch, id, release, actor.Id, now);

        batch.BatchCommands.Add(audit.Command(actor, new AuditEntry(release ? "disbursement.released" : "disbursement.rejected", "disbursement", id, new { review = "required" }, new { review = release ? "released" : "rejected" }, reason)));
        await batch.ExecuteNonQueryAsync(http.RequestAborted);
        await tx.CommitAsync(http.RequestAborted);
        if (!release)
        {
            // Never sent, so definitely not paid: the reservation goes back to the merchant.
            await settlement.SettleAsync(id, false, null, "rejected_in_review", http.RequestAborted);
        }

        return ApiResponse.Ok(new DisbursementReviewView(id, "disbursement_review", release ? "released" : "rejected", actor.Email));
    }
}

public sealed record DisbursementReviewView(string Id, string Object, string Review, string ReviewedBy);
