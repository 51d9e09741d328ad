using Gerbang.Api.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Gerbang.Api.Dashboard.Pages;

/// <summary>Sign-in for operators and merchant users: the admin API's password check and lockout, then a cookie.</summary>
[EnableRateLimiting(Http.RateLimits.AdminLogin)]
public sealed class LoginModel(PasswordSignIn signIn) : DashboardPage
{
    public string? Error { get; private set; }

    public string? Email { get; private set; }

    public string? Return { get; private set; }

    public void OnGet(string? @return) => Return = @return;

    public async Task<IActionResult> OnPostAsync(string? email, string? password, string? @return)
    {
        Email = email;
        Return = @return;
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password) || email.Length > 200 || password.Length > 200)
        {
            Error = "Enter your email and password.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var account = await signIn.CheckAsync(email, password, merchantUsers: true, HttpContext.Connection.RemoteIpAddress?.ToString(), HttpContext.RequestAborted);
        if (account is null)
        {
            Error = "Email or password is wrong, or the account is locked.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        await HttpContext.SignInAsync(DashboardServices.Scheme, DashboardServices.Principal(account));

        // Only a local dashboard path is followed after sign-in, never another site.
        var local = @return is { Length: > 1 } r && r.StartsWith("/dashboard", StringComparison.Ordinal) && !r.StartsWith("//", StringComparison.Ordinal) && !r.Contains('\\', StringComparison.Ordinal);
        return Redirect(local ? @return! : "/dashboard");
    }
}
