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
    public sealed record EventWithDeliveries(StoredEvent Event, List<EventEndpoints.DeliveryAttemptView> Deliveries);

    public Result<PaymentView> Payment { get; private set; } = null!;

    public IReadOnlyList<AttemptView> Attempts { get; private set; } = [];

    public IReadOnlyList<RefundView> Refunds { get; private set; } = [];

    public List<EventWithDeliveries> Events { get; } = [];

    public long Refundable => Payment.Value is { } p ? p.AmountCaptured + p.AmountOverpaid - p.AmountRefunded : 0;

    public async Task<IActionResult> OnGetAsync(string id)
    {
        var db = Service<NpgsqlDataSource>();
        Payment = await PaymentEndpoints.GetAsync(id, Caller, Service<PaymentStore>(), Service<GerbangUrls>(), Aborted);
        if (!Payment.Ok)
        {
            Response.StatusCode = Payment.Status;
            return Page();
        }

        Attempts = (await PaymentEndpoints.AttemptsAsync(id, Caller, Service<PaymentStore>(), Aborted)).Value?.Data ?? [];
        Refunds = (await RefundEndpoints.ListAsync(ListRequest.Of(("payment", id), ("limit", "100")), Caller, db, Aborted)).Value?.Data ?? [];
        var events = new List<StoredEvent>();
        foreach (var objectId in Refunds.Select(r => r.Id).Prepend(id))
        {
            events.AddRange((await EventEndpoints.ListAsync(ListRequest.Of(("object", objectId), ("limit", "100")), Caller, db, Aborted)).Value?.Data ?? []);
        }

        // One query for every event's deliveries, scoped to the merchant like the events themselves.
        var deliveries = await EventEndpoints.DeliveryAttemptsAsync(db, Caller, "a.event_id", [.. events.Select(e => e.Id)], Aborted);
        var byEvent = deliveries.ToLookup(d => d.Event);
        Events.AddRange(events.Select(e => new EventWithDeliveries(e, byEvent[e.Id].ToList())));
        Events.Sort((a, b) => string.CompareOrdinal(b.Event.CreatedAt, a.Event.CreatedAt));
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

        var outcome = await Service<CreateRefundHandler>().HandleAsync(Caller, id, request, Answers<CreateRefundOutcome>.None, Aborted);
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

        var outcome = await Service<CapturePaymentHandler>().HandleAsync(Caller, id, body.Amount, Aborted);
        return outcome is CapturePaymentOutcome.Captured c
            ? Succeeded($"Captured {DashboardFormat.Amount(c.Payment.AmountCaptured, c.Payment.Currency)}.")
            : Refused(outcome.Refusal);
    }

    public async Task<IActionResult> OnPostCancelAsync(string id)
    {
        var outcome = await Service<CancelPaymentHandler>().HandleAsync(Caller, id, Aborted);
        return outcome is CancelPaymentOutcome.Cancelled ? Succeeded("Payment cancelled.") : Refused(outcome.Refusal);
    }

    public async Task<IActionResult> OnPostResendAsync(string id, string @event)
    {
        var result = await EventEndpoints.ResendAsync(@event, Body<ResendEventBody>.Of(new()), Caller, Service<NpgsqlDataSource>(), Service<TimeProvider>(), Aborted);
        var count = result.Value?.Deliveries.Count ?? 0;
        return Done(result, count == 0 ? "No enabled endpoint listens for this event." : $"Event {@event} queued for {count} endpoint(s).");
    }
}
