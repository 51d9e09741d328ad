using Gerbang.Api.Admin;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Gerbang.Api.Dashboard.Pages;

/// <summary>An invited merchant user sets their own password through the one-time link, then signs in.</summary>
[EnableRateLimiting(Http.RateLimits.AdminLogin)]
public sealed class InvitationModel(MerchantInvitations invitations, AuditLog audit) : DashboardPage
{
    public string? Email { get; private set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token)
    {
        Email = token.Length is > 0 and <= 100 ? await invitations.FindAsync(token, HttpContext.RequestAborted) : null;
        if (Email is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, string? password, string? confirm)
    {
        Email = token.Length is > 0 and <= 100 ? await invitations.FindAsync(token, HttpContext.RequestAborted) : null;
        if (Email is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        if (password is null || password.Length is < PasswordHasher.MinLength or > 200)
        {
            Error = $"The password must have {PasswordHasher.MinLength} to 200 characters.";
        }
        else if (password != confirm)
        {
            Error = "The two passwords differ.";
        }

        if (Error is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        if (!await invitations.AcceptAsync(token, password!, HttpContext.Connection.RemoteIpAddress?.ToString(), audit, HttpContext.RequestAborted))
        {
            Email = null;
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        return Redirect("/dashboard/login?invited=1");
    }
}
