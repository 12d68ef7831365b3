/*
 * The draft form's estimated fee (templates/dossiers/draft_form.html): updated as the applicant
 * changes the number of pages or copies. Same rule as procedures.models.FeeRule.amount_for (online
 * price, tier, cap) and the same format as the `vnd` filter ("150.000 đ", 0 -> "Free"). Only an
 * estimate: the review page's total, computed on the server, is the one to pay.
 *
 * Data attributes (strict CSP, no inline script):
 *   #fee-estimate       data-fee-fixed (sum of the per-dossier fees), data-max, data-free-label,
 *                       data-invalid-label
 *   input[data-fee-price]  data-fee-tier-after, data-fee-tier-price, data-fee-cap (optional)
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function intAttr(element, name) {
    var raw = element.getAttribute(name);
    return raw === null || raw === "" ? null : parseInt(raw, 10);
  }

  function vnd(amount, freeLabel) {
    if (amount === 0) return freeLabel;
    return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, ".") + " đ";
  }

  function lineAmount(input, quantity) {
    var price = intAttr(input, "data-fee-price") || 0;
    var tierAfter = intAttr(input, "data-fee-tier-after");
    var tierPrice = intAttr(input, "data-fee-tier-price");
    var cap = intAttr(input, "data-fee-cap");
    var total = tierAfter !== null && tierPrice !== null && quantity > tierAfter
      ? price * tierAfter + tierPrice * (quantity - tierAfter)
      : price * quantity;
    return cap !== null ? Math.min(total, cap) : total;
  }

  ready(function () {
    var box = document.getElementById("fee-estimate");
    var output = document.getElementById("fee-estimate-total");
    if (!box || !output) return;
    var inputs = Array.prototype.slice.call(document.querySelectorAll("input[data-fee-price]"));
    var max = intAttr(box, "data-max") || 1000;
    var fixed = intAttr(box, "data-fee-fixed") || 0;
    var timer = null;

    function compute() {
      var total = fixed;
      for (var i = 0; i < inputs.length; i++) {
        var raw = inputs[i].value.trim();
        if (!/^\d+$/.test(raw)) return null;
        var quantity = parseInt(raw, 10);
        if (quantity < 1 || quantity > max) return null;
        total += lineAmount(inputs[i], quantity);
      }
      return total;
    }

    function update() {
      var total = compute();
      var text = total === null ? box.getAttribute("data-invalid-label") : vnd(total, box.getAttribute("data-free-label"));
      box.setAttribute("data-state", total === null ? "invalid" : "ok");
      if (total !== null) output.setAttribute("data-amount", String(total));
      else output.removeAttribute("data-amount");
      if (output.textContent !== text) output.textContent = text;
    }

    inputs.forEach(function (input) {
      // Debounced so a screen reader hears the total once the typing stops, not at every key.
      input.addEventListener("input", function () {
        window.clearTimeout(timer);
        timer = window.setTimeout(update, 300);
      });
      input.addEventListener("change", update);
    });
    update();
  });
})();
