using System.Globalization;
using Gerbang.Api.Http;
using Npgsql;

namespace Gerbang.Api.Admin;

/// <summary>
/// Payment volume and success per provider per hour, for the operators' chart. Success is measured on
/// decided payments (paid against failed, expired and cancelled), so payments still open do not drag it down.
/// </summary>
public static class PaymentStatsEndpoints
{
    public sealed record BucketView(string Provider, string Hour, string Currency, int Created, int Paid, int Unpaid, long VolumePaid, double? SuccessRate);

    public sealed record StatsView(string Object, bool Livemode, int Hours, string From, List<BucketView> Data);

    public static void MapPaymentStats(this RouteGroupBuilder admin) =>
        admin.MapGet("/stats/payments", StatsAsync).RequireAuthorization(AdminRoles.ViewOperations).WithTags("admin operations")
            .Doc("getPaymentStats", "Get payment statistics", "Per provider and hour: payments created, paid and unpaid, volume and success rate.")
            .Returns<StatsView>().Query("hours", "How many hours back, 1 to 720 (24 when left out).").Query("livemode", "Live (true, the default) or test (false).", "true", "false")
            .Fails(400, "parameter_out_of_range", "parameter_invalid");

    internal static async Task<Result<StatsView>> StatsAsync(ListRequest query, NpgsqlDataSource db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var errors = new List<FieldError>();
        var hours = 24;
        if (query["hours"] is { } h && (!int.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out hours) || hours is < 1 or > 720))
        {
            errors.Add(new FieldError("hours", "parameter_out_of_range", "hours must be an integer from 1 to 720."));
        }

        var livemode = query["livemode"] ?? "";
        if (livemode is not ("" or "true" or "false"))
        {
            errors.Add(new FieldError("livemode", "parameter_invalid", "livemode must be true or false."));
        }

        if (errors.Count > 0)
        {
            return Refusal.Invalid(errors);
        }

        var now = clock.GetUtcNow();
        var from = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(1 - hours);
        await using var cmd = db.CreateCommand("""
            select provider, date_trunc('hour', created_at at time zone 'UTC'), currency, count(*)::int,
                   count(*) filter (where status = 'paid')::int,
                   count(*) filter (where status in ('failed', 'expired', 'cancelled'))::int,
                   coalesce(sum(amount) filter (where status = 'paid'), 0)::bigint
            from payments where created_at >= $1 and mode = $2
            group by 1, 2, 3 order by 2, 1, 3
            """);
        cmd.Parameters.Add(new() { Value = from });
        cmd.Parameters.Add(new() { Value = livemode == "false" ? "test" : "live" });
        var rows = new List<BucketView>();
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (paid, unpaid) = (reader.GetInt32(4), reader.GetInt32(5));
            var hour = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc));
            rows.Add(new BucketView(reader.GetString(0), ApiJson.Time(hour), reader.GetString(2), reader.GetInt32(3), paid, unpaid, reader.GetInt64(6),
                paid + unpaid == 0 ? null : Math.Round((double)paid / (paid + unpaid), 4)));
        }

        return new StatsView("payment_stats", livemode != "false", hours, ApiJson.Time(from), rows);
    }
}
