using static Gerbang.Api.Checkout.CheckoutPageEndpoints;

namespace Gerbang.Api.Checkout;

/// <summary>The hosted page's markup. Everything dynamic is encoded; the script and styles are separate files (CSP).</summary>
internal static class Html
{
    public const string NotFound = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Checkout not found</title><link rel="stylesheet" href="/checkout/assets/checkout.css"></head>
        <body><main class="card"><h1>Checkout not found</h1><p>This payment link is not valid.</p></main></body></html>
        """;

    /// <summary>Where a provider's card page sends the customer when the merchant gave no page of its own.</summary>
    public const string Done = """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Payment submitted</title><link rel="stylesheet" href="/checkout/assets/checkout.css"></head>
        <body><main class="card"><h1>Payment submitted</h1><p>The shop will confirm your payment. You can close this window.</p></main></body></html>
        """;

    public static string Page(CheckoutSession s, string merchantName, string parentOrigin) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>Pay {{E(merchantName)}}</title>
        <link rel="stylesheet" href="/checkout/assets/checkout.css">
        </head>
        <body>
        <main class="card" id="checkout" data-session="{{E(s.Id)}}" data-parent-origin="{{E(parentOrigin)}}" data-success-url="{{E(s.SuccessUrl)}}" data-cancel-url="{{E(s.CancelUrl)}}" data-test="{{(s.Mode == "test" ? "true" : "false")}}">
          {{(s.Mode == "test" ? "<div class=\"badge\">Test mode</div>" : "")}}
          <header>
            <div class="merchant" id="merchant-name">{{E(merchantName)}}</div>
            <div class="amount" id="amount">{{E(DisplayAmount(s.Amount, s.Currency))}}</div>
            <div class="order">Order {{E(s.OrderId)}}</div>
          </header>
          <section id="choose" hidden>
            <h2>How would you like to pay?</h2>
            <div class="methods" id="methods"></div>
            <div class="banks" id="banks" hidden></div>
          </section>
          <section id="pay" hidden>
            <div id="instructions"></div>
            <p class="countdown">Pay within <strong id="countdown">--:--</strong></p>
            <p class="waiting"><span class="spinner" aria-hidden="true"></span> Waiting for your payment…</p>
            <button type="button" id="simulate" class="secondary" hidden>Simulate payment (test mode)</button>
          </section>
          <section id="success" hidden>
            <div class="tick" aria-hidden="true">✓</div>
            <h2>Payment received</h2>
            <p>Thank you. Taking you back to the shop…</p>
          </section>
          <section id="expired" hidden>
            <h2>This checkout has expired</h2>
            <p>No money was taken. Go back to the shop to start again.</p>
            <a class="button secondary" id="back-expired" target="_top" href="{{E(s.CancelUrl)}}">Back to the shop</a>
          </section>
          <section id="failed" hidden>
            <h2>The payment did not go through</h2>
            <p id="failure-reason">Please go back to the shop and try again.</p>
            <a class="button secondary" target="_top" href="{{E(s.CancelUrl)}}">Back to the shop</a>
          </section>
          <p class="error" id="error" role="alert" hidden></p>
          <footer>Secured by Gerbang</footer>
        </main>
        <script src="/checkout/assets/checkout-page.js"></script>
        </body>
        </html>
        """;
}
