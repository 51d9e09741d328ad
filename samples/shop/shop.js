// An example shop. Its server creates a checkout session with its secret key (POST /v1/checkout/sessions)
// and gives the page only the session id; the page loads checkout.js from Gerbang and opens it.
// This sample reads both from its address: ?session=cs_…&gerbang=https://gerbang.example
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var session = params.get("session");
  var gerbang = params.get("gerbang") || window.location.origin;
  var result = document.getElementById("result");
  var script = document.createElement("script");
  script.src = gerbang.replace(/\/$/, "") + "/checkout.js";
  script.onload = function () {
    document.getElementById("pay").addEventListener("click", function () {
      var checkout = new window.Gerbang.Checkout({
        session: session,
        onSuccess: function (detail) {
          result.textContent = "Paid, thank you! (" + (detail.payment || "") + ")";
          result.dataset.outcome = "paid";
          checkout.close();
        },
        onFailure: function (detail) {
          result.textContent = "Payment not completed: " + (detail.reason || "unknown");
          result.dataset.outcome = "failed";
        },
        onClose: function () {
          if (!result.dataset.outcome) { result.textContent = "Checkout closed."; }
        }
      });
      checkout.open();
    });
  };
  document.head.appendChild(script);
})();
