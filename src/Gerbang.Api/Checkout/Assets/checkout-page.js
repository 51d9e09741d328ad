// The hosted checkout page: choose a method, show how to pay, follow the payment live.
(function () {
  "use strict";
  var root = document.getElementById("checkout");
  var session = root.dataset.session;
  var parentOrigin = root.dataset.parentOrigin;
  var embedded = window.parent !== window && parentOrigin !== "";
  var base = "/checkout/" + encodeURIComponent(session);
  var bankNames = { bca: "BCA", bni: "BNI", bri: "BRI", bsi: "BSI", mandiri: "Mandiri", permata: "Permata", cimb: "CIMB Niaga" };
  var stream = null, timer = null, finished = false;

  function $(id) { return document.getElementById(id); }
  function show(id) {
    ["choose", "pay", "success", "expired", "failed"].forEach(function (s) { $(s).hidden = s !== id; });
  }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  // Messages go only to the merchant origin the server vouched for, never to "*".
  function tell(type, detail) {
    if (embedded) {
      window.parent.postMessage({ source: "gerbang-checkout", type: type, session: session, detail: detail || null }, parentOrigin);
    }
  }
  function error(message) { var e = $("error"); e.textContent = message; e.hidden = !message; }

  function finish(state, payment) {
    if (finished) { return; }
    finished = true;
    if (stream) { stream.close(); }
    if (timer) { clearInterval(timer); }
    if (state === "complete") {
      show("success");
      tell("success", { payment: payment && payment.id });
      if (!embedded) { setTimeout(function () { window.location.assign(root.dataset.successUrl); }, 1500); }
    } else if (state === "expired") {
      show("expired");
      tell("failure", { reason: "expired" });
    } else {
      show("failed");
      tell("failure", { reason: state });
    }
  }

  function countdown(expiresAt) {
    var end = Date.parse(expiresAt);
    function tick() {
      var left = Math.max(0, Math.floor((end - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      $("countdown").textContent = (h > 0 ? h + ":" + String(m).padStart(2, "0") : String(m)) + ":" + String(s).padStart(2, "0");
      if (left === 0) { refresh(); }
    }
    if (timer) { clearInterval(timer); }
    tick();
    timer = setInterval(tick, 1000);
  }

  function renderInstructions(payment) {
    var box = $("instructions");
    box.textContent = "";
    var i = payment.instructions || {};
    if (i.type === "qris") {
      var qr = el("div", { "class": "qr" });
      qr.appendChild(el("h2", {}, "Scan with any QRIS app"));
      qr.appendChild(el("img", { id: "qr-image", src: i.qr_image_url, alt: "QRIS code" }));
      box.appendChild(qr);
    } else if (i.type === "va") {
      var va = el("div", { "class": "va" });
      va.appendChild(el("div", {}, (bankNames[i.bank] || i.bank) + " virtual account"));
      if (i.biller_code) { va.appendChild(el("div", {}, "Biller code " + i.biller_code)); }
      va.appendChild(el("div", { "class": "va-number", id: "va-number" }, i.va_number));
      var copy = el("button", { type: "button", id: "copy", "class": "secondary" }, "Copy number");
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(i.va_number).then(function () { copy.textContent = "Copied"; }, function () { copy.textContent = "Select the number to copy"; });
      });
      va.appendChild(copy);
      box.appendChild(va);
      var steps = el("ol", { "class": "steps" });
      ["Open your " + (bankNames[i.bank] || i.bank) + " mobile banking or go to an ATM.",
       "Choose transfer to virtual account" + (i.biller_code ? " (bill payment, biller " + i.biller_code + ")" : "") + ".",
       "Enter the number above; the amount is filled in for you.",
       "Confirm. This page updates by itself when the bank tells us."].forEach(function (t) { steps.appendChild(el("li", {}, t)); });
      box.appendChild(steps);
    }
    $("simulate").hidden = root.dataset.test !== "true";
    countdown(payment.expires_at);
    show("pay");
  }

  function follow() {
    if (stream || !window.EventSource) { return; }
    stream = new EventSource(base + "/events");
    stream.onmessage = function () { refresh(); };
    ["payment.paid", "payment.expired", "payment.failed", "payment.cancelled"].forEach(function (t) {
      stream.addEventListener(t, function () { refresh(); });
    });
    stream.onerror = function () { /* EventSource reconnects by itself; the state is re-read on each event */ };
  }

  function apply(state) {
    if (state.status === "complete") { finish("complete", state.payment); return; }
    if (state.status === "expired") { finish("expired"); return; }
    var p = state.payment;
    if (!p) { renderChoice(state); return; }
    if (p.status === "failed" || p.status === "cancelled" || p.status === "expired") { finish(p.status === "expired" ? "expired" : p.status); return; }
    renderInstructions(p);
    follow();
  }

  function refresh() {
    return fetch(base + "/state", { headers: { accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(apply)
      .catch(function () { error("Connection problem. Retrying…"); setTimeout(refresh, 2000); });
  }

  function choose(method, bank) {
    error("");
    fetch(base + "/payments", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(bank ? { method: method, bank: bank } : { method: method }) })
      .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
      .then(function (res) {
        if (!res.ok) { error(res.body.detail || "The payment could not be started."); return; }
        apply(res.body);
      })
      .catch(function () { error("Connection problem. Please try again."); });
  }

  function renderChoice(state) {
    var methods = $("methods");
    methods.textContent = "";
    if (state.methods.indexOf("qris") >= 0) {
      var q = el("button", { type: "button", id: "method-qris", "class": "primary" }, "QRIS");
      q.addEventListener("click", function () { choose("qris"); });
      methods.appendChild(q);
    }
    if (state.methods.indexOf("va") >= 0) {
      var v = el("button", { type: "button", id: "method-va" }, "Bank transfer (virtual account)");
      v.addEventListener("click", function () {
        var banks = $("banks");
        banks.textContent = "";
        state.banks.forEach(function (b) {
          var button = el("button", { type: "button", id: "bank-" + b, "class": "secondary" }, bankNames[b] || b);
          button.addEventListener("click", function () { choose("va", b); });
          banks.appendChild(button);
        });
        banks.hidden = false;
      });
      methods.appendChild(v);
    }
    countdown(state.expires_at);
    show("choose");
  }

  $("simulate").addEventListener("click", function () {
    fetch(base + "/simulate", { method: "POST" }).then(function () { refresh(); });
  });
  refresh();
})();
