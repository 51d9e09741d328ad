using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace Gerbang.Api.Dashboard.Pages;

/// <summary>The dashboard's front door: each kind of account to its home; sign-out; the test/live switch.</summary>
public sealed class IndexModel : DashboardPage
{
    public IActionResult OnGet() => Redirect(IsMerchantUser ? "/dashboard/payments" : "/dashboard/ops");

    public async Task<IActionResult> OnPostSignOutAsync()
    {
        await HttpContext.SignOutAsync(DashboardServices.Scheme);
        return Redirect("/dashboard/login");
    }

    public IActionResult OnPostMode(string? mode)
    {
        var live = mode == "live" && Merchant?.ApprovedAt is not null;
        Response.Cookies.Append(ModeCookie, live ? "live" : "test", new CookieOptions { Path = "/dashboard", HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = Request.IsHttps });
        Flash = live ? "Live mode: real money." : "Test mode.";
        var back = Request.Headers.Referer.ToString();
        return Redirect(Uri.TryCreate(back, UriKind.Absolute, out var uri) && uri.Authority == Request.Host.Value ? uri.AbsolutePath : "/dashboard");
    }

}
