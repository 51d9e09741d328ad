using System.Text.Json;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Api.Payments;
using Gerbang.Api.Refunds;
using Gerbang.Api.Webhooks;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>One payment: its facts, every provider attempt, its refunds, and the events about it with their webhook deliveries.</summary>
public sealed class PaymentModel : DashboardPage
{
    public sealed record EventWithDeliveries(JsonElement Event, List<EventEndpoints.DeliveryAttemptView> Deliveries);

    public ApiResult Payment { get; private set; } = null!;

    public List<JsonElement> Attempts { get; } = [];

    public List<JsonElement> Refunds { get; } = [];

    public List<EventWithDeliveries> Events { get; } = [];

    public long Refundable => Payment.Body.Long("amount_captured") + Payment.Body.Long("amount_overpaid") - Payment.Body.Long("amount_refunded");

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var db = Service<NpgsqlDataSource>();
        Payment = await CallAsync(PaymentEndpoints.GetAsync(id, Caller, Service<PaymentStore>(), Service<GerbangUrls>(), Aborted));
        if (!Payment.Ok)
        {
            Response.StatusCode = Payment.Status;
            return Page();
        }

        Attempts.AddRange((await CallAsync(PaymentEndpoints.AttemptsAsync(id, Caller, Service<PaymentStore>(), Aborted))).Data);
        Refunds.AddRange((await CallAsync(RefundEndpoints.ListAsync(ListRequest.Of(("payment", id), ("limit", "100")), Caller, db, Aborted))).Data);
        var events = new List<JsonElement>();
        foreach (var objectId in Refunds.Select(r => r.Str("id")).Prepend(id))
        {
            events.AddRange((await CallAsync(h => EventEndpoints.ListAsync(h, db), query: new Dictionary<string, string?> { ["object"] = objectId, ["limit"] = "100" })).Data);
        }

        // One query for every event's deliveries, scoped to the merchant like the events themselves.
        var deliveries = await EventEndpoints.DeliveryAttemptsAsync(db, MerchantContext.Of(HttpContext), "a.event_id", [.. events.Select(e => e.Str("id"))], HttpContext.RequestAborted);
        var byEvent = deliveries.ToLookup(d => d.Event);
        Events.AddRange(events.Select(e => new EventWithDeliveries(e, byEvent[e.Str("id")].ToList())));
        Events.Sort((a, b) => string.CompareOrdinal(b.Event.Str("created_at"), a.Event.Str("created_at")));
        return Page();
    }

    // The handlers themselves, as the API's endpoints call them: the form is read by the same strict
    // reader, and the outcome is shown in a sentence.
    public async Task<IActionResult> OnPostRefundAsync(string id, long? amount, string? reason)
    {
        var form = Form(("amount", amount), ("reason", reason));
        if (CreateRefundRequest.Read(form) is not { } request)
        {
            return Refused(form);
        }

        var outcome = await Service<CreateRefundHandler>().HandleAsync(MerchantContext.Of(HttpContext), id, request, Answers<CreateRefundOutcome>.None, HttpContext.RequestAborted);
        return outcome is CreateRefundOutcome.Created created
            ? Succeeded($"Refund {created.Refund.Id} of {DashboardFormat.Amount(created.Refund.Amount, created.Refund.Currency)} created.")
            : Refused(outcome.Refusal);
    }

    public async Task<IActionResult> OnPostCaptureAsync(string id, long? amount)
    {
        var form = Form(("amount", amount));
        if (CapturePaymentBody.Read(form) is not { } body)
        {
            return Refused(form);
        }

        var outcome = await Service<CapturePaymentHandler>().HandleAsync(MerchantContext.Of(HttpContext), id, body.Amount, HttpContext.RequestAborted);
        return outcome is CapturePaymentOutcome.Captured c
            ? Succeeded($"Captured {DashboardFormat.Amount(c.Payment.AmountCaptured, c.Payment.Currency)}.")
            : Refused(outcome.Refusal);
    }

    public async Task<IActionResult> OnPostCancelAsync(string id)
    {
        var outcome = await Service<CancelPaymentHandler>().HandleAsync(MerchantContext.Of(HttpContext), id, HttpContext.RequestAborted);
        return outcome is CancelPaymentOutcome.Cancelled ? Succeeded("Payment cancelled.") : Refused(outcome.Refusal);
    }

    public async Task<IActionResult> OnPostResendAsync(string id, string @event)
    {
        var result = await CallAsync(h => EventEndpoints.ResendAsync(@event, h, Service<NpgsqlDataSource>(), Service<TimeProvider>()));
        var count = result.Body.Items("deliveries").Count();
        return Done(result, count == 0 ? "No enabled endpoint listens for this event." : $"Event {@event} queued for {count} endpoint(s).");
    }
}
