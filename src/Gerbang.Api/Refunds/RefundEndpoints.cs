using System.Text;
using Gerbang.Api.Http;
using Gerbang.Api.Jobs;
using Gerbang.Api.Merchants;
using Gerbang.Api.Payments;
using Npgsql;

namespace Gerbang.Api.Refunds;

public static class RefundEndpoints
{
    public static IServiceCollection AddRefunds(this IServiceCollection services)
    {
        services.AddSingleton<CreateRefundHandler>();
        services.AddSingleton<IProviderRefunds, ProviderRefunds>();
        services.AddSingleton<IJobHandler, RefundJob>();
        return services;
    }

    public static void MapRefunds(this RouteGroupBuilder v1)
    {
        v1.MapPost("/payments/{id}/refunds", CreateAsync).WithTags("refunds")
            .Doc("createRefund", "Refund a payment", "Refunds all that is left of a paid payment, or part of it; the outcome arrives as refund.succeeded or refund.failed.")
            .Body(new CreateRefundBody { Amount = 50000, Reason = "Returned one shirt" }, optional: true).Returns<RefundView>(201).NotFound()
            .Fails(400, "parameter_invalid_integer", "amount_too_small", "amount_too_large", "parameter_invalid_length")
            .Fails(409, "payment_not_refundable").Fails(422, "refund_not_supported", "refund_exceeds_payment", "insufficient_balance");
        var refunds = v1.MapGroup("/refunds").WithTags("refunds");
        refunds.MapGet("", ListAsync).Doc("listRefunds", "List refunds").Lists<RefundView>(ListFilters);
        refunds.MapGet("/{id}", GetAsync).Doc("getRefund", "Get a refund").Returns<RefundView>().NotFound();
    }

    internal static async Task<ApiResponse> CreateAsync(string id, Body<CreateRefundRequest> body, MerchantContext merchant, HttpContext http, CreateRefundHandler handler)
    {
        var answers = new Answers<CreateRefundOutcome>(http, CreateRefundOutcome.Answer);
        return answers.Answer(await handler.HandleAsync(merchant, id, body.Value, answers, http.RequestAborted));
    }

    internal static Task<Result<ListQuery.ListView<RefundView>>> ListAsync(ListRequest request, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken) =>
        ListQuery.ForMerchantAsync(
            request, merchant, db, $"select {RefundRow.Columns} from refunds where merchant_id = $1 and mode = $2", "refunds",
            ListFilters, RefundRow.Read, r => r.View(), "/v1/refunds", cancellationToken);

    public static readonly ListFilter[] ListFilters =
    [
        new("payment", "The refunded payment's id.", Column: "payment_id"),
        new("status", "The refund's status.", ["pending", "succeeded", "failed"]),
    ];

    internal static async Task<Result<RefundView>> GetAsync(string id, MerchantContext merchant, NpgsqlDataSource db, CancellationToken cancellationToken)
    {
        await using var cmd = db.CreateCommand($"select {RefundRow.Columns} from (select * from refunds where id = $1 offset 0) r where merchant_id = $2 and mode = $3");
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = merchant.MerchantId });
        cmd.Parameters.Add(new() { Value = merchant.ModeWire });
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? RefundRow.Read(reader).View() : Refusal.NotFound("refund");
    }
}

/// <summary>The body of a refund: all that is left when amount is left out.</summary>
public sealed record CreateRefundBody
{
    [System.ComponentModel.DataAnnotations.Range(1, 9007199254740991)]
    public long? Amount { get; init; }

    [System.ComponentModel.DataAnnotations.StringLength(500)]
    public string? Reason { get; init; }
}
