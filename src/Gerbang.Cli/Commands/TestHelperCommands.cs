using System.CommandLine;
using static Gerbang.Cli.Commands.Endpoints;

namespace Gerbang.Cli.Commands;

/// <summary><c>gerbang test …</c>: make the provider simulator behind a test payment or payout act (test keys only).</summary>
public static class TestHelperCommands
{
    public static Command Build(CliContext context)
    {
        var test = new Command("test", "Test-mode helpers: the simulator pays, fails or expires a payment, or settles a payout");
        var amount = Opt<long?>("--amount", "Pay a different amount than asked (to see an underpayment or overpayment handled)");
        test.Subcommands.Add(ById(context, "pay", "The customer pays", "payment", Audience.Merchant, HttpMethod.Post,
            id => $"/v1/test_helpers/payments/{id}/pay", r => Fields(("amount", r.GetValue(amount))), amount));
        test.Subcommands.Add(ById(context, "fail", "The provider reports the payment failed", "payment", Audience.Merchant, HttpMethod.Post, id => $"/v1/test_helpers/payments/{id}/fail"));
        test.Subcommands.Add(ById(context, "expire", "The provider reports the payment expired", "payment", Audience.Merchant, HttpMethod.Post, id => $"/v1/test_helpers/payments/{id}/expire"));
        test.Subcommands.Add(ById(context, "payout-succeed", "The provider reports the payout succeeded", "disbursement", Audience.Merchant, HttpMethod.Post, id => $"/v1/test_helpers/disbursements/{id}/succeed"));
        test.Subcommands.Add(ById(context, "payout-fail", "The provider reports the payout failed", "disbursement", Audience.Merchant, HttpMethod.Post, id => $"/v1/test_helpers/disbursements/{id}/fail"));
        return test;
    }
}
