using Gerbang.Api.Disbursements;
using Gerbang.Api.Http;
using Gerbang.Api.Ledger;
using Gerbang.Api.Payments;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>Payouts to the merchant's bank accounts, and the accounts themselves.</summary>
public sealed class PayoutsModel : DashboardPage
{
    public ApiResult Disbursements { get; private set; } = null!;

    public ApiResult BankAccounts { get; private set; } = null!;

    public async Task OnGetAsync()
    {
        var db = Service<NpgsqlDataSource>();
        Disbursements = await CallAsync(h => DisbursementEndpoints.ListAsync(h, db), query: new Dictionary<string, string?> { ["limit"] = "50" });
        BankAccounts = await CallAsync(h => BankAccountEndpoints.ListAsync(h, db), query: new Dictionary<string, string?>());
    }

    public async Task<IActionResult> OnPostPayoutAsync(long? amount, string? bank_account, string? description)
    {
        var result = await CallAsync(
            h => DisbursementEndpoints.CreateAsync(h, Service<NpgsqlDataSource>(), Service<LedgerWriter>(), Service<FeeResolver>(), Service<Gerbang.Api.Routing.PaymentRouter>(), Service<Microsoft.Extensions.Options.IOptions<PayoutOptions>>(), Service<TimeProvider>()),
            Body(("amount", amount), ("currency", "IDR"), ("bank_account", bank_account), ("description", description)));
        return Done(result, $"Payout {result.Body.Str("id")} of {result.Body.Money("amount")} requested.");
    }

    public async Task<IActionResult> OnPostBankAccountAsync(string? bank_code, string? account_number, string? account_holder_name)
    {
        var result = await CallAsync(
            h => BankAccountEndpoints.CreateAsync(h, Service<NpgsqlDataSource>(), Service<SecretBox>(), Service<TimeProvider>()),
            Body(("bank_code", bank_code), ("account_number", account_number), ("account_holder_name", account_holder_name)));
        return Done(result, "Bank account added; an operator verifies it before payouts can use it.");
    }
}
