namespace Gerbang.Api.Dashboard.Pages;

/// <summary>Where a signed-in person lands when their role does not reach a page: answered with 403.</summary>
public sealed class DeniedModel : DashboardPage
{
    public void OnGet() => Response.StatusCode = StatusCodes.Status403Forbidden;
}
