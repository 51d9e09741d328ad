// Gerbang embeddable checkout: new Gerbang.Checkout({session, onSuccess, onFailure, onClose}).open()
(function (global) {
  "use strict";
  var script = document.currentScript;
  var gerbangOrigin = new URL(script ? script.src : "/", global.location.href).origin;

  function Checkout(options) {
    if (!options || typeof options.session !== "string" || options.session.indexOf("cs_") !== 0) {
      throw new Error("Gerbang.Checkout needs {session: \"cs_…\"}");
    }
    this.options = options;
    this.overlay = null;
    this.listener = null;
  }

  Checkout.prototype.open = function () {
    var self = this;
    if (self.overlay) { return; }
    var overlay = document.createElement("div");
    overlay.setAttribute("data-gerbang-checkout", self.options.session);
    overlay.style.cssText = "position:fixed;inset:0;background:rgba(20,33,61,.55);z-index:2147483646;display:flex;align-items:center;justify-content:center";
    var frame = document.createElement("iframe");
    frame.title = "Gerbang checkout";
    frame.src = gerbangOrigin + "/checkout/" + encodeURIComponent(self.options.session) + "?embed=1&origin=" + encodeURIComponent(global.location.origin);
    frame.style.cssText = "width:min(460px,100vw);height:min(720px,100vh);border:0;border-radius:14px;background:#fff";
    frame.setAttribute("allow", "clipboard-write");
    var close = document.createElement("button");
    close.type = "button";
    close.setAttribute("aria-label", "Close checkout");
    close.textContent = "×";
    close.style.cssText = "position:fixed;top:12px;right:16px;font-size:32px;color:#fff;background:none;border:0;cursor:pointer;z-index:2147483647";
    close.addEventListener("click", function () { self.close(); });
    overlay.appendChild(frame);
    overlay.appendChild(close);
    document.body.appendChild(overlay);
    self.overlay = overlay;
    self.frame = frame;

    // Only messages from Gerbang's origin, from this frame, about this session count.
    self.listener = function (event) {
      if (event.origin !== gerbangOrigin || event.source !== frame.contentWindow) { return; }
      var data = event.data || {};
      if (data.source !== "gerbang-checkout" || data.session !== self.options.session) { return; }
      if (data.type === "success" && self.options.onSuccess) { self.options.onSuccess(data.detail || {}); }
      if (data.type === "failure" && self.options.onFailure) { self.options.onFailure(data.detail || {}); }
    };
    global.addEventListener("message", self.listener);
  };

  Checkout.prototype.close = function () {
    if (!this.overlay) { return; }
    global.removeEventListener("message", this.listener);
    this.overlay.remove();
    this.overlay = null;
    if (this.options.onClose) { this.options.onClose(); }
  };

  global.Gerbang = global.Gerbang || {};
  global.Gerbang.Checkout = Checkout;
})(window);
