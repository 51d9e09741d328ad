using System.Text.Json.Serialization;

namespace Gerbang.Simulators.Generic;

public sealed record SimCreatePayment(
    string Reference,
    long Amount,
    string Currency,
    string Method,
    string? Bank,
    string OrderId,
    string? Description,
    DateTimeOffset ExpiresAt,
    Uri NotifyUrl,
    string? CaptureMethod = null,
    Uri? ReturnUrl = null,
    string? Vpa = null);

public sealed record SimPaymentView(
    string Id,
    string Reference,
    string Status,
    long Amount,
    long PaidAmount,
    string Currency,
    string Method,
    string? Bank,
    string? VaNumber,
    string? QrString,
    DateTimeOffset ExpiresAt,
    string? RedirectUrl,
    string? CaptureMethod,
    string? Vpa,
    long RefundedAmount)
{
    public static SimPaymentView Of(SimulatedPayment p) =>
        new(p.Id, p.Reference, p.Status, p.Amount, p.PaidAmount, p.Currency, p.Method, p.Bank, p.VaNumber, p.QrString, p.ExpiresAt, p.RedirectUrl, p.CaptureMethod, p.Vpa, p.RefundedAmount);
}

public sealed record SimCapture(long Amount);

public sealed record SimCreateRefund(string Reference, string PaymentId, long Amount);

public sealed record SimCreatePayout(
    string Reference,
    long Amount,
    string Currency,
    string BankCode,
    string AccountNumber,
    string AccountHolderName,
    Uri NotifyUrl);

public sealed record SimOperationView(string Id, string Reference, string Status, long Amount);

public sealed record SimPayRequest(long? Amount);

public sealed record SimRefundRequest(long? Amount);

public sealed record SimNotification(string Id, string Type, long Created, SimNotificationData Data);

public sealed record SimNotificationData(
    string Object,
    string Id,
    string Reference,
    string Status,
    long Amount,
    [property: JsonPropertyName("paid_amount")] long PaidAmount,
    string Currency,
    [property: JsonPropertyName("refunded_amount")] long RefundedAmount = 0);

/// <summary>What the simulator sent and what the receiver answered.</summary>
public sealed record SimSentNotification(string Id, string Body, string Signature, int? ReceiverStatus);

public sealed record SimError(string Error, string Message);
