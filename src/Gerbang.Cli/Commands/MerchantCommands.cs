using System.CommandLine;
using static Gerbang.Cli.Commands.Endpoints;

namespace Gerbang.Cli.Commands;

/// <summary>The merchant's own profile and keys, and hosted checkout sessions.</summary>
public static class MerchantCommands
{
    public static Command Build(CliContext context)
    {
        var merchant = Call(context, "merchant", "The merchant's own profile", Audience.Merchant, HttpMethod.Get, _ => "/v1/merchant");
        var name = Opt<string?>("--name", "The merchant's name");
        var email = Opt<string?>("--support-email", "Where customers write");
        var statement = Opt<string?>("--statement-name", "What customers see on their statement (5 to 22 characters)");
        merchant.Subcommands.Add(Call(context, "update", "Change the profile", Audience.Merchant, HttpMethod.Patch, _ => "/v1/merchant",
            r => Fields(("name", r.GetValue(name)), ("support_email", r.GetValue(email)), ("statement_name", r.GetValue(statement))), name, email, statement));
        var expiresIn = Opt<long?>("--expires-in", "Keep the current key working this many seconds more (default: it stops at once)");
        merchant.Subcommands.Add(Call(context, "roll-key", "A new secret key for this key's mode, shown once", Audience.Merchant, HttpMethod.Post, _ => "/v1/merchant/api_keys/roll",
            r => Fields(("expires_in", r.GetValue(expiresIn))), expiresIn));
        return merchant;
    }

    public static Command Checkout(CliContext context)
    {
        var checkout = new Command("checkout", "Hosted checkout sessions");
        var amount = Opt<long>("--amount", "The amount to pay", required: true);
        var currency = CurrencyOption();
        var orderId = Opt<string>("--order-id", "Your reference", required: true);
        var methods = ListOption("--methods", "qris and/or va, comma-separated (default: both)");
        var success = Opt<string>("--success-url", "Where the page goes once paid", required: true);
        var cancel = Opt<string>("--cancel-url", "Where the page goes when the customer gives up", required: true);
        checkout.Subcommands.Add(Call(context, "create", "Create a session and print its URL", Audience.Merchant, HttpMethod.Post, _ => "/v1/checkout/sessions",
            r => Fields(
                ("amount", r.GetValue(amount)), ("currency", r.GetValue(currency)), ("order_id", r.GetValue(orderId)),
                ("methods", Items(r.GetValue(methods)) is { Length: > 0 } m ? m : null),
                ("success_url", r.GetValue(success)), ("cancel_url", r.GetValue(cancel))),
            amount, currency, orderId, methods, success, cancel));
        return checkout;
    }
}
