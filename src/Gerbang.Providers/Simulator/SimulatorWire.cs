namespace Gerbang.Providers.Simulator;

internal sealed record CreatePaymentBody(
    string Reference,
    long Amount,
    string Currency,
    string Method,
    string? Bank,
    string OrderId,
    string? Description,
    DateTimeOffset ExpiresAt,
    Uri NotifyUrl,
    string? CaptureMethod,
    Uri? ReturnUrl,
    string? Vpa);

internal sealed record PaymentBody(
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
    string? Vpa = null,
    long RefundedAmount = 0);

internal sealed record CaptureBody(long Amount);

internal sealed record RefundBody(string Reference, string PaymentId, long Amount);

internal sealed record PayoutBody(string Reference, long Amount, string Currency, string BankCode, string AccountNumber, string AccountHolderName, Uri NotifyUrl);

internal sealed record OperationBody(string Id, string Reference, string Status, long Amount);

internal sealed record NotificationBody(string Id, string Type, long Created, NotificationData Data);

internal sealed record NotificationData(string Object, string Id, string Reference, string Status, long Amount, long PaidAmount, string Currency, long RefundedAmount = 0);
