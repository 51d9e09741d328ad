using System.CommandLine;
using static Gerbang.Cli.Commands.Endpoints;

namespace Gerbang.Cli.Commands;

/// <summary><c>gerbang admin …</c>: sign in, merchants, and the operators' views. Every change carries a reason for the audit log.</summary>
public static class AdminCommands
{
    public static Command Build(CliContext context)
    {
        var admin = new Command("admin", "The admin API (needs an access token from 'gerbang admin login')");
        admin.Subcommands.Add(Login(context));
        admin.Subcommands.Add(Merchants(context));
        admin.Subcommands.Add(Call(context, "jobs", "The background queues: pending, running, failed, oldest age", Audience.Admin, HttpMethod.Get, _ => "/admin/v1/jobs"));
        admin.Subcommands.Add(Call(context, "providers", "Each provider's health, settings and capabilities", Audience.Admin, HttpMethod.Get, _ => "/admin/v1/providers"));
        admin.Subcommands.Add(List(context, "audit", "The audit log, newest first", Audience.Admin, "/admin/v1/audit_log", ("--action", "action", "Only entries of this action")));
        var reason = Opt<string?>("--reason", "Why, for the audit log");
        admin.Subcommands.Add(Call(context, "reconcile", "Run a reconciliation pass now and print what it found", Audience.Admin, HttpMethod.Post, _ => "/admin/v1/reconciliation/runs",
            r => Fields(("reason", r.GetValue(reason))), reason));
        return admin;
    }

    private static Command Login(CliContext context)
    {
        var email = Opt<string>("--email", "The admin's email", required: true);
        var password = Opt<string?>("--password", "The password (prefer --password-stdin: arguments show in the process list)");
        var fromStdin = Opt<bool>("--password-stdin", "Read the password from the first line of stdin");
        var tokenOnly = Opt<bool>("--token-only", "Print only the access token, for GERBANG_ADMIN_TOKEN=$(…)");
        var command = new Command("login", "Sign in and print the access and refresh tokens") { email, password, fromStdin, tokenOnly };
        command.SetAction((result, ct) => context.WithClientAsync(result, Audience.Anonymous, async client =>
        {
            var secret = result.GetValue(fromStdin) ? (await context.Console.In.ReadLineAsync(ct))?.TrimEnd('\r') : result.GetValue(password);
            if (string.IsNullOrEmpty(secret))
            {
                context.Console.Error.WriteLine("error: give the password with --password-stdin (or --password)");
                return ExitCodes.Usage;
            }

            var answer = await client.SendAsync(HttpMethod.Post, "/admin/v1/login", Fields(("email", result.GetValue(email)), ("password", secret)), ct);
            if (answer is null || answer.Status >= 400 || !result.GetValue(tokenOnly))
            {
                return answer is null ? ExitCodes.Failed : client.Print(answer);
            }

            context.Console.Out.WriteLine(answer.Json().GetProperty("access_token").GetString());
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Merchants(CliContext context)
    {
        var merchants = new Command("merchants", "Create, approve, suspend and inspect merchants");
        var name = Opt<string>("--name", "The merchant's name", required: true);
        var email = Opt<string?>("--support-email", "Where its customers write");
        var createReason = Opt<string>("--reason", "Why, for the audit log", required: true);
        merchants.Subcommands.Add(Call(context, "create", "Create a merchant; prints its first test secret key once", Audience.Admin, HttpMethod.Post, _ => "/admin/v1/merchants",
            r => Fields(("name", r.GetValue(name)), ("support_email", r.GetValue(email)), ("reason", r.GetValue(createReason))), name, email, createReason));
        merchants.Subcommands.Add(List(context, "list", "List merchants", Audience.Admin, "/admin/v1/merchants", ("--status", "status", "pending, active or suspended")));
        merchants.Subcommands.Add(ById(context, "get", "Show one merchant", "merchant", Audience.Admin, HttpMethod.Get, id => $"/admin/v1/merchants/{id}"));
        foreach (var (verb, help) in new[]
        {
            ("approve", "Approve for live mode; prints its first live secret key once"),
            ("suspend", "Suspend: its keys stop working"),
            ("reactivate", "Lift a suspension"),
        })
        {
            var reason = Opt<string>("--reason", "Why, for the audit log", required: true);
            merchants.Subcommands.Add(ById(context, verb, help, "merchant", Audience.Admin, HttpMethod.Post, id => $"/admin/v1/merchants/{id}/{verb}",
                r => Fields(("reason", r.GetValue(reason))), reason));
        }

        var account = Opt<string>("--bank-account", "The bank account id", required: true);
        var verifyReason = Opt<string>("--reason", "How it was verified, for the audit log", required: true);
        var merchantId = Id("merchant");
        merchants.Subcommands.Add(Call(context, "verify-bank-account", "Mark a merchant's bank account verified", Audience.Admin, HttpMethod.Post,
            r => $"/admin/v1/merchants/{Escape(r.GetValue(merchantId)!)}/bank_accounts/{Escape(r.GetValue(account)!)}/verify",
            r => Fields(("reason", r.GetValue(verifyReason))), merchantId, account, verifyReason));
        return merchants;
    }
}
