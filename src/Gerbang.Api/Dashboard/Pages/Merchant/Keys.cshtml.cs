using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace Gerbang.Api.Dashboard.Pages.Merchant;

/// <summary>The mode's secret keys by hint, with when each was last used; rolling one shows the new key once, in this answer only; any key can be revoked.</summary>
public sealed class KeysModel : DashboardPage
{
    public IReadOnlyList<MerchantSelfEndpoints.ApiKeyView> Keys { get; private set; } = [];

    public MerchantSelfEndpoints.RolledKeyView? Rolled { get; private set; }

    public async Task OnGetAsync() =>
        Keys = (await MerchantSelfEndpoints.KeysAsync(Caller, Service<NpgsqlDataSource>(), Service<TimeProvider>(), Aborted)).Value?.Data ?? [];

    public async Task<IActionResult> OnPostRollAsync(string key, long? expires_in)
    {
        await OnGetAsync();
        if (!Keys.Any(k => k.Id == key && k.Status == "active"))
        {
            FlashError = "Only an active key of this mode can be rolled.";
            return Redirect(Request.Path);
        }

        var body = FormBody<RollApiKeysBody>(("expires_in", expires_in));
        if (!body.Ok)
        {
            return Refused(body.Refusal);
        }

        // The roll retires the key it is called with, as it does for a merchant's server.
        var rolled = await MerchantSelfEndpoints.RollAsync(
            body.Value, new MerchantContext(Caller.MerchantId, Mode, key), AnswerKeeping.None, Service<NpgsqlDataSource>(), Service<MerchantAuthenticator>(), Service<TimeProvider>(), Aborted);
        if (!rolled.Ok)
        {
            return Refused(rolled.Refusal);
        }

        Rolled = rolled.Value;
        await OnGetAsync();
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string key)
    {
        var result = await MerchantSelfEndpoints.RevokeAsync(
            key, Body<EmptyBody>.Of(EmptyBody.Instance), Caller, Service<NpgsqlDataSource>(), Service<MerchantAuthenticator>(), Service<TimeProvider>(), Aborted);
        return Done(result, "Key revoked: it stops working at once.");
    }
}
