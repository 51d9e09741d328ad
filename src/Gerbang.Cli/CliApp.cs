using System.CommandLine;
using Gerbang.Cli.Commands;

namespace Gerbang.Cli;

/// <summary>
/// The <c>gerbang</c> command line: the merchant and admin APIs over HTTP, a live event listener that
/// can forward signed webhooks to a local server, and a raw <c>api</c> escape hatch. Exit codes: 0 done,
/// 1 usage error, 2 refused by Gerbang (4xx), 3 failed (5xx, or Gerbang unreachable).
/// </summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        var context = new CliContext(console);
        var root = new RootCommand("Gerbang from the command line: payments, balance, payouts, webhooks, events and operations.")
        {
            context.ApiUrl, context.Key, context.AdminToken, context.Retries, context.IdempotencyKey,
        };
        foreach (var command in new[]
        {
            PaymentCommands.Build(context), TestHelperCommands.Build(context), MoneyCommands.Balance(context), MoneyCommands.Refunds(context),
            MoneyCommands.BankAccounts(context), MoneyCommands.Payouts(context), WebhookCommands.Webhooks(context), WebhookCommands.Events(context),
            ListenCommand.Build(context), MerchantCommands.Build(context), MerchantCommands.Checkout(context), AdminCommands.Build(context),
            RawCommands.Api(context), RawCommands.Health(context),
        })
        {
            root.Subcommands.Add(command);
        }

        // "@file" is the api command's own syntax for a body, not a response file of arguments.
        var parse = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);
    }
}
