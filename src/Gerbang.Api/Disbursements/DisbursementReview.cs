using Gerbang.Api.Jobs;
using Npgsql;

namespace Gerbang.Api.Disbursements;

/// <summary>A payout held for review, released or rejected: the row's change and the job that acts on it, for the caller's batch.</summary>
public static class DisbursementReview
{
    public static void Add(NpgsqlBatch batch, string disbursementId, bool release, string reviewerId, DateTimeOffset now)
    {
        var update = new NpgsqlBatchCommand("update disbursements set review = $2, reviewed_by = $3, updated_at = $4 where id = $1");
        foreach (var v in new object[] { disbursementId, release ? "released" : "rejected", reviewerId, now })
        {
            update.Parameters.Add(new() { Value = v });
        }

        batch.BatchCommands.Add(update);

        // Released: the payout job sends it. Rejected: the job fails it, in case the settlement that follows does not finish.
        JobQueue.Enqueue(batch, PayoutJob.Kind, new { disbursement = disbursementId }, now);
    }
}
