using System.CommandLine;
using static Gerbang.Cli.Commands.Endpoints;

namespace Gerbang.Cli.Commands;

/// <summary><c>gerbang payments …</c>: create, read, list, cancel, capture, refund, and a payment's QR code.</summary>
public static class PaymentCommands
{
    public static Command Build(CliContext context)
    {
        var payments = new Command("payments", "Payments (cash-in)");
        payments.Subcommands.Add(Create(context));
        payments.Subcommands.Add(List(context, "list", "List payments, newest first", Audience.Merchant, "/v1/payments",
            ("--status", "status", "Only payments in this status"), ("--method", "method", "Only payments by this method"), ("--order-id", "order_id", "Only the payment(s) of this order")));

        payments.Subcommands.Add(ById(context, "get", "Show one payment", "payment", Audience.Merchant, HttpMethod.Get, id => $"/v1/payments/{id}"));
        payments.Subcommands.Add(ById(context, "attempts", "Show a payment's provider attempts", "payment", Audience.Merchant, HttpMethod.Get, id => $"/v1/payments/{id}/attempts"));
        payments.Subcommands.Add(ById(context, "cancel", "Cancel a pending or requires_capture payment", "payment", Audience.Merchant, HttpMethod.Post, id => $"/v1/payments/{id}/cancel"));

        var captureAmount = Opt<long?>("--amount", "Capture this much (default: all that was authorised)");
        payments.Subcommands.Add(ById(context, "capture", "Capture a card payment authorised with capture_method manual", "payment", Audience.Merchant, HttpMethod.Post,
            id => $"/v1/payments/{id}/capture", r => Fields(("amount", r.GetValue(captureAmount))), captureAmount));

        var refundAmount = Opt<long?>("--amount", "Refund this much (default: what is left)");
        var reason = Opt<string?>("--reason", "Why, for the records");
        payments.Subcommands.Add(ById(context, "refund", "Refund a paid payment, wholly or partly", "payment", Audience.Merchant, HttpMethod.Post,
            id => $"/v1/payments/{id}/refunds", r => Fields(("amount", r.GetValue(refundAmount)), ("reason", r.GetValue(reason))), refundAmount, reason));

        payments.Subcommands.Add(Qr(context));
        return payments;
    }

    private static Command Create(CliContext context)
    {
        var amount = Opt<long>("--amount", "In the currency's unit on the local rails: whole rupiah for IDR, paise for INR", required: true);
        var currency = CurrencyOption();
        var method = Opt<string>("--method", "va, qris, card or upi", required: true);
        var bank = Opt<string?>("--bank", "For va: bca, bni, bri, bsi, mandiri, permata or cimb");
        var vpa = Opt<string?>("--vpa", "For upi: the customer's address, name@bank");
        var orderId = Opt<string>("--order-id", "Your reference, unique among your open payments", required: true);
        var description = Opt<string?>("--description", "What the customer pays for");
        var expiresIn = Opt<long?>("--expires-in", "Seconds until the payment expires");
        var provider = Opt<string?>("--provider", "Pin a provider instead of routing: midtrans, xendit, doku, ipaymu, stripe or simulator");
        var capture = Opt<string?>("--capture-method", "For card: automatic or manual");
        var metadata = new Option<string[]>("--metadata") { Description = "key=value, repeatable", AllowMultipleArgumentsPerToken = false };
        var command = new Command("create", "Create a payment")
        {
            amount, currency, method, bank, vpa, orderId, description, expiresIn, provider, capture, metadata,
        };
        command.SetAction((result, ct) =>
        {
            Dictionary<string, string>? pairs = null;
            foreach (var pair in result.GetValue(metadata) ?? [])
            {
                var at = pair.IndexOf('=', StringComparison.Ordinal);
                if (at <= 0)
                {
                    context.Console.Error.WriteLine($"error: --metadata takes key=value, not '{pair}'");
                    return Task.FromResult(ExitCodes.Usage);
                }

                (pairs ??= new(StringComparer.Ordinal))[pair[..at]] = pair[(at + 1)..];
            }

            var body = Fields(
                ("amount", result.GetValue(amount)), ("currency", result.GetValue(currency)), ("method", result.GetValue(method)),
                ("bank", result.GetValue(bank)), ("vpa", result.GetValue(vpa)), ("order_id", result.GetValue(orderId)),
                ("description", result.GetValue(description)), ("expires_in", result.GetValue(expiresIn)), ("provider", result.GetValue(provider)),
                ("capture_method", result.GetValue(capture)), ("metadata", pairs));
            return context.WithClientAsync(result, Audience.Merchant, client => client.RunAsync(HttpMethod.Post, "/v1/payments", body, ct));
        });
        return command;
    }

    private static Command Qr(CliContext context)
    {
        var id = Id("payment");
        var output = Opt<string?>("--output", "Write the SVG to this file instead of stdout");
        var command = new Command("qr", "A QRIS payment's code as SVG") { id, output };
        command.SetAction((result, ct) => context.WithClientAsync(result, Audience.Merchant, async client =>
        {
            var answer = await client.SendAsync(HttpMethod.Get, $"/v1/payments/{Escape(result.GetValue(id)!)}/qr.svg", null, ct);
            if (answer is null || answer.Status >= 400 || result.GetValue(output) is not { } file)
            {
                return answer is null ? ExitCodes.Failed : client.Print(answer);
            }

            await File.WriteAllBytesAsync(file, answer.Body, ct);
            context.Console.Error.WriteLine($"wrote {answer.Body.Length} bytes to {file}");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
