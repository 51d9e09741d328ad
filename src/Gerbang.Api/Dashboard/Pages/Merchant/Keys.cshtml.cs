using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>The mode's secret keys by hint, with when each was last used; rolling one shows the new key once, in this answer only; any key can be revoked.</summary>
public sealed class KeysModel : DashboardPage
{
    public ApiResult Keys { get; private set; } = null!;

    public ApiResult? Rolled { get; private set; }

    public async Task OnGetAsync() => Keys = await CallAsync(h => MerchantSelfEndpoints.KeysAsync(h, Service<NpgsqlDataSource>(), Service<TimeProvider>()));

    public async Task<IActionResult> OnPostRollAsync(string key, long? expires_in)
    {
        await OnGetAsync();
        if (!Keys.Data.Any(k => k.Str("id") == key && k.Str("status") == "active"))
        {
            FlashError = "Only an active key of this mode can be rolled.";
            return Redirect(Request.Path);
        }

        // The roll retires the key it is called with, as it does for a merchant's server.
        new MerchantContext(MerchantContext.Of(HttpContext).MerchantId, Mode, key).Attach(HttpContext);
        Rolled = await CallAsync(h => MerchantSelfEndpoints.RollAsync(h, Service<NpgsqlDataSource>(), Service<MerchantAuthenticator>(), Service<TimeProvider>()), Body(("expires_in", expires_in)));
        if (!Rolled.Ok)
        {
            return Done(Rolled, "");
        }

        await OnGetAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string key)
    {
        var result = await CallAsync(h => MerchantSelfEndpoints.RevokeAsync(key, h, Service<NpgsqlDataSource>(), Service<MerchantAuthenticator>(), Service<TimeProvider>()));
        return Done(result, "Key revoked: it stops working at once.");
    }
}
