using System.Text;
using Gerbang.Api.Http;
using Gerbang.Api.Jobs;
using Gerbang.Api.Merchants;
using Npgsql;

namespace Gerbang.Api.Refunds;

public static class RefundEndpoints
{
    public static IServiceCollection AddRefunds(this IServiceCollection services)
    {
        services.AddSingleton<CreateRefundHandler>();
        services.AddSingleton<IJobHandler, RefundJob>();
        return services;
    }

    public static void MapRefunds(this RouteGroupBuilder v1)
    {
        v1.MapPost("/payments/{id}/refunds", CreateAsync).WithTags("refunds");
        var refunds = v1.MapGroup("/refunds").WithTags("refunds");
        refunds.MapGet("", ListAsync);
        refunds.MapGet("/{id}", GetAsync);
    }

    private static async Task<ApiResponse> CreateAsync(string id, HttpContext http, CreateRefundHandler handler)
    {
        if (!RequestBody.TryParseObject(http, emptyAllowed: true, out var root, out var problem))
        {
            return problem!;
        }

        var f = new Fields(root);
        var amount = f.Amount("amount", required: false);
        var reason = f.String("reason", required: false, maxLength: 500);
        f.RejectUnknown();
        if (f.Errors.Count > 0)
        {
            return Problems.Validation(f.Errors);
        }

        return await handler.HandleAsync(http, MerchantContext.Of(http), id, amount, reason, http.RequestAborted);
    }

    private static async Task<ApiResponse> ListAsync(HttpContext http, NpgsqlDataSource db)
    {
        var merchant = MerchantContext.Of(http);
        var query = ListQuery.Parse(http.Request, ["payment", "status"], out var problem);
        if (query is null)
        {
            return problem!;
        }

        await using var cmd = db.CreateCommand();
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        var sql = new StringBuilder($"select {RefundRow.Columns} from refunds where merchant_id = $1 and mode = $2");
        foreach (var (name, value) in query.Filters)
        {
            sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" and {(name == "payment" ? "payment_id" : name)} = ${ListQuery.Add(cmd, value)}");
        }

        query.Apply(sql, cmd, "refunds");
        cmd.CommandText = sql.ToString();
        var rows = new List<RefundRow>();
        await using (var reader = await cmd.ExecuteReaderAsync(http.RequestAborted))
        {
            while (await reader.ReadAsync(http.RequestAborted))
            {
                rows.Add(RefundRow.Read(reader));
            }
        }

        var (page, hasMore) = query.Page(rows);
        return ListQuery.Answer(page.Select(r => r.View()).ToList(), hasMore, "/v1/refunds");
    }

    private static async Task<ApiResponse> GetAsync(string id, HttpContext http, NpgsqlDataSource db)
    {
        var merchant = MerchantContext.Of(http);
        await using var cmd = db.CreateCommand($"select {RefundRow.Columns} from refunds where id = $1 and merchant_id = $2 and mode = $3");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        await using var reader = await cmd.ExecuteReaderAsync(http.RequestAborted);
        return await reader.ReadAsync(http.RequestAborted) ? ApiResponse.Ok(RefundRow.Read(reader).View()) : Problems.NotFound("refund");
    }
}
