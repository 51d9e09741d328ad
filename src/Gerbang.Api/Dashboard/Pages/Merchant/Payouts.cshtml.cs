using Gerbang.Api.Disbursements;
using Gerbang.Api.Http;
using Gerbang.Api.Ledger;
using Gerbang.Api.Payments;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>Payouts to the merchant's bank accounts, and the accounts themselves.</summary>
public sealed class PayoutsModel : DashboardPage
{
    public IReadOnlyList<DisbursementView> Disbursements { get; private set; } = [];

    public IReadOnlyList<BankAccountView> BankAccounts { get; private set; } = [];

    public async Task OnGetAsync()
    {
        var db = Service<NpgsqlDataSource>();
        Disbursements = (await DisbursementEndpoints.ListAsync(ListRequest.Of(("limit", "50")), Caller, db, Aborted)).Value?.Data ?? [];
        BankAccounts = (await BankAccountEndpoints.ListAsync(ListRequest.Of(), Caller, db, Aborted)).Value?.Data ?? [];
    }

    public async Task<IActionResult> OnPostPayoutAsync(long? amount, string? bank_account, string? description)
    {
        var body = FormBody<CreateDisbursementBody>(("amount", amount), ("currency", "IDR"), ("bank_account", bank_account), ("description", description));
        if (!body.Ok)
        {
            return Refused(body.Refusal);
        }

        var result = await DisbursementEndpoints.CreateAsync(
            body.Value, Caller, AnswerKeeping.None, Service<NpgsqlDataSource>(), Service<LedgerWriter>(), Service<FeeResolver>(),
            Service<Gerbang.Api.Routing.PaymentRouter>(), Service<IOptions<PayoutOptions>>(), Service<TimeProvider>(), Aborted);
        return Done(result, result.Ok ? $"Payout {result.Value.Id} of {DashboardFormat.Amount(result.Value.Amount, result.Value.Currency)} requested." : "");
    }

    public async Task<IActionResult> OnPostBankAccountAsync(string? bank_code, string? account_number, string? account_holder_name)
    {
        var body = FormBody<CreateBankAccountBody>(("bank_code", bank_code), ("account_number", account_number), ("account_holder_name", account_holder_name));
        if (!body.Ok)
        {
            return Refused(body.Refusal);
        }

        var result = await BankAccountEndpoints.CreateAsync(body.Value, Caller, AnswerKeeping.None, Service<NpgsqlDataSource>(), Service<SecretBox>(), Service<TimeProvider>(), Aborted);
        return Done(result, "Bank account added; an operator verifies it before payouts can use it.");
    }
}
