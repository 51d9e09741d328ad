using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gerbang.Simulators.Shared;

/// <summary>
/// The plain card page simulated card providers serve to the customer's browser (no script), its
/// answers, and the test cards every simulator knows.
/// </summary>
public static class CardPage
{
    public const string ApprovedCard = "4242424242424242";

    public const string DeclinedCard = "4000000000000002";

    public static ContentHttpResult Form(string id, string title, string amount, string status) => Html($"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{WebUtility.HtmlEncode(title)}</title></head>
        <body>
        <h1>Pay {WebUtility.HtmlEncode(amount)}</h1>
        <p id="status">{WebUtility.HtmlEncode(status)}</p>
        <form method="post" action="{WebUtility.HtmlEncode(id)}">
        <label>Card number <input name="card_number" id="card-number" autocomplete="cc-number" inputmode="numeric"></label>
        <label>Expiry <input name="expiry" id="expiry" placeholder="MM / YY"></label>
        <label>CVC <input name="cvc" id="cvc"></label>
        <button type="submit" id="pay">Pay</button>
        </form>
        <p>Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.</p>
        </body></html>
        """);

    /// <summary>A one-line page: not found, declined, or done.</summary>
    public static ContentHttpResult Message(string title, string text, int status = 200) =>
        Html($"<!doctype html><title>{WebUtility.HtmlEncode(title)}</title><p id=\"status\">{WebUtility.HtmlEncode(text)}</p>", status);

    /// <summary>The card number the customer typed, digits only; null when the request is not the page's form.</summary>
    public static async Task<string?> ReadNumberAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return null;
        }

        var form = await request.ReadFormAsync(cancellationToken);
        return new string(form["card_number"].ToString().Where(char.IsAsciiDigit).ToArray());
    }

    private static ContentHttpResult Html(string html, int status = 200) => TypedResults.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
}
