using System.CommandLine;
using static Gerbang.Cli.Commands.Endpoints;

namespace Gerbang.Cli.Commands;

/// <summary>Balance, refunds, bank accounts and payouts.</summary>
public static class MoneyCommands
{
    public static Command Balance(CliContext context)
    {
        var balance = Call(context, "balance", "The available, pending and reserved balance", Audience.Merchant, HttpMethod.Get, _ => "/v1/balance");
        balance.Subcommands.Add(List(context, "transactions", "Every change to the balance, newest first", Audience.Merchant, "/v1/balance_transactions",
            ("--type", "type", "payment, fee, refund, refund_reversal, disbursement, disbursement_reversal or adjustment"),
            ("--source", "source", "Only changes caused by this object id"), ("--currency", "currency", "Only this currency")));
        return balance;
    }

    public static Command Refunds(CliContext context)
    {
        var refunds = new Command("refunds", "Refunds (create one with 'gerbang payments refund')");
        refunds.Subcommands.Add(List(context, "list", "List refunds, newest first", Audience.Merchant, "/v1/refunds",
            ("--payment", "payment", "Only the refunds of this payment"), ("--status", "status", "pending, succeeded or failed")));
        refunds.Subcommands.Add(ById(context, "get", "Show one refund", "refund", Audience.Merchant, HttpMethod.Get, id => $"/v1/refunds/{id}"));
        return refunds;
    }

    public static Command BankAccounts(CliContext context)
    {
        var accounts = new Command("bank-accounts", "The bank accounts payouts go to (at most 3)");
        var bank = Opt<string>("--bank-code", "bca, bni, bri, bsi, mandiri, permata, cimb, danamon, btn or ocbc", required: true);
        var number = Opt<string>("--account-number", "The account number", required: true);
        var holder = Opt<string>("--holder", "The account holder's name as the bank has it", required: true);
        accounts.Subcommands.Add(Call(context, "create", "Add a bank account (it starts unverified)", Audience.Merchant, HttpMethod.Post, _ => "/v1/bank_accounts",
            r => Fields(("bank_code", r.GetValue(bank)), ("account_number", r.GetValue(number)), ("account_holder_name", r.GetValue(holder))), bank, number, holder));
        accounts.Subcommands.Add(List(context, "list", "List bank accounts", Audience.Merchant, "/v1/bank_accounts", ("--status", "status", "unverified or verified")));
        accounts.Subcommands.Add(ById(context, "delete", "Remove a bank account", "bank account", Audience.Merchant, HttpMethod.Delete, id => $"/v1/bank_accounts/{id}"));
        accounts.Subcommands.Add(ById(context, "make-primary", "Pay out to this account by default", "bank account", Audience.Merchant, HttpMethod.Post, id => $"/v1/bank_accounts/{id}/make_primary"));
        return accounts;
    }

    public static Command Payouts(CliContext context)
    {
        var payouts = new Command("payouts", "Payouts (disbursements) to the merchant's bank account");
        var amount = Opt<long>("--amount", "How much to pay out (the fee comes on top)", required: true);
        var currency = CurrencyOption();
        var account = Opt<string?>("--bank-account", "A verified bank account id (default: the primary one)");
        var description = Opt<string?>("--description", "For the records");
        payouts.Subcommands.Add(Call(context, "create", "Pay out from the available balance", Audience.Merchant, HttpMethod.Post, _ => "/v1/disbursements",
            r => Fields(("amount", r.GetValue(amount)), ("currency", r.GetValue(currency)), ("bank_account", r.GetValue(account)), ("description", r.GetValue(description))),
            amount, currency, account, description));
        payouts.Subcommands.Add(List(context, "list", "List payouts, newest first", Audience.Merchant, "/v1/disbursements", ("--status", "status", "pending, processing, succeeded or failed")));
        payouts.Subcommands.Add(ById(context, "get", "Show one payout", "disbursement", Audience.Merchant, HttpMethod.Get, id => $"/v1/disbursements/{id}"));
        return payouts;
    }
}
