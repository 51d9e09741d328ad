using System.Security.Claims;
using System.Text.Json;
using Gerbang.Api.Admin;
using Gerbang.Api.Http;
using Gerbang.Api.Merchants;
using Gerbang.Domain;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Gerbang.Api.Dashboard;

/// <summary>
/// Every dashboard page. Pages read and change data only through the API's own handlers, so a
/// page shows exactly what the API answers and every change passes the same validation, scoping and
/// audit. A merchant user acts as their merchant in the mode they chose; an operator acts as an admin.
/// </summary>
public abstract class DashboardPage : PageModel
{
    public const string ModeCookie = "gerbang_dashboard_mode";

    public string AccountEmail => User.FindFirstValue("email") ?? "";

    public string Role => User.FindFirstValue("role") ?? "";

    public string? MerchantId => User.FindFirstValue("merchant");

    public bool IsMerchantUser => MerchantId is not null;

    public Mode Mode { get; private set; } = Mode.Test;

    /// <summary>The signed-in merchant user's merchant (name, status, whether live mode is open to it).</summary>
    public MerchantView? Merchant { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    [TempData]
    public string? FlashError { get; set; }

    public bool Can(string permission) => AdminRoles.Permissions.TryGetValue(permission, out var roles) && roles.Contains(Role);

    /// <summary>The role does not reach this: to the "not allowed" page (answered with 403).</summary>
    public IActionResult Denied() => Forbid(DashboardServices.Scheme);

    public T Service<T>()
        where T : notnull => HttpContext.RequestServices.GetRequiredService<T>();

    /// <summary>The merchant (and mode) a merchant user acts as, as the API's handlers take it.</summary>
    public MerchantContext Caller => MerchantContext.Of(HttpContext);

    /// <summary>The signed-in operator, as the admin handlers take them (audit names them).</summary>
    public AdminActor Actor => AdminActor.Of(HttpContext);

    /// <summary>Cancelled when the person leaves the page.</summary>
    public CancellationToken Aborted => HttpContext.RequestAborted;

    /// <summary>Form values read by a body's own strict reader: the body for its handler, or the refusal naming each field.</summary>
    public static Result<Body<T>> FormBody<T>(params (string Name, object? Value)[] fields)
        where T : class, IRequestBody<T>
    {
        var form = Form(fields);
        return T.Read(form) is { } body ? Body<T>.Of(body) : Refusal.Invalid(form.Errors);
    }

    /// <summary>After a handler's change: its success said on the next page, or its refusal; back to where the person was.</summary>
    public IActionResult Done<T>(Result<T> result, string success, string? to = null)
    {
        if (result.Ok)
        {
            Flash = success;
        }
        else
        {
            FlashError = result.Refusal.ToString();
        }

        return Redirect(to ?? (Request.Path + Request.QueryString));
    }

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        Mode = Request.Cookies[ModeCookie] == "live" ? Mode.Live : Mode.Test;
        if (IsMerchantUser)
        {
            Merchant = await Service<MerchantService>().FindAsync(MerchantId!, HttpContext.RequestAborted);
            if (Merchant is null)
            {
                context.Result = Denied();
                return;
            }

            if (Merchant.ApprovedAt is null)
            {
                Mode = Mode.Test;
            }

            new MerchantContext(Merchant.Id, Mode, "dashboard:" + User.FindFirstValue("sub")).Attach(HttpContext);
            if (HttpMethods.IsPost(Request.Method) && Merchant.Status == "suspended" && context.HandlerMethod?.Name is not ("SignOut" or "Mode"))
            {
                FlashError = "This merchant is suspended; nothing can be changed until an operator reactivates it.";
                context.Result = Redirect(Request.Path);
                return;
            }
        }

        await next();
    }

    /// <summary>A JSON body from form values; empty values are left out, as a careful API client would.</summary>
    public static Dictionary<string, object?> Body(params (string Name, object? Value)[] fields) =>
        fields.Where(f => f.Value is not null && f.Value is not "").ToDictionary(f => f.Name, f => f.Value is string s ? s.Trim() : f.Value);

    /// <summary>Form values as the fields of a request body, for a handler's own strict reader (empty values left out, as <see cref="Body"/> does).</summary>
    public static Fields Form(params (string Name, object? Value)[] fields) =>
        new(JsonSerializer.SerializeToElement(Body(fields), ApiJson.Options));

    /// <summary>A handler's success, said on the next page; back to where the person was.</summary>
    public IActionResult Succeeded(string message)
    {
        Flash = message;
        return Redirect(Request.Path + Request.QueryString);
    }

    /// <summary>A handler's refusal, said on the next page.</summary>
    public IActionResult Refused(Refusal refusal)
    {
        FlashError = refusal.ToString();
        return Redirect(Request.Path + Request.QueryString);
    }

    /// <summary>A form the request reader refused: each field's message.</summary>
    public IActionResult Refused(Fields form)
    {
        FlashError = string.Join(" ", form.Errors.Select(e => e.Message));
        return Redirect(Request.Path + Request.QueryString);
    }
}
