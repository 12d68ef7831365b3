/*
 * The VietQR page (templates/payments/vietqr.html): copy buttons, and the page notices the bank's
 * confirmation by itself. Without this file the page still works: the values are plain text and
 * "I have paid — check now" reloads it (the server then goes on to the dossier once paid).
 *
 * Everything comes from data-* attributes of #vietqr (strict CSP: no inline script):
 *   data-status-url  JSON {"status": "pending" | "paid" | "expired" | ..., "next": url}
 *   data-next-url    the dossier page, if the answer has no "next"
 *   data-msg-*       the translated messages
 */
(function () {
  "use strict";

  var FIRST_DELAY = 3000; // ms before the first check
  var MAX_DELAY = 20000; // back-off ceiling
  var BACKOFF = 1.5;
  var GIVE_UP_AFTER = 15 * 60 * 1000; // stop polling after 15 minutes on the page
  var GO_AFTER = 1500; // time to read "Payment received" before moving on

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function setupCopy(root) {
    var status = document.getElementById("vietqr-copy-status");
    var clearTimer = null;
    function say(text) {
      if (!status) return;
      status.textContent = text;
      window.clearTimeout(clearTimer);
      clearTimer = window.setTimeout(function () { status.textContent = ""; }, 4000);
    }
    root.querySelectorAll("button[data-copy-value]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var value = button.getAttribute("data-copy-value");
        var source = document.getElementById(button.getAttribute("data-copy-source"));
        function fallback() {
          if (source) selectText(source);
          say(root.getAttribute("data-msg-copy-failed"));
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(value).then(function () {
            button.setAttribute("data-copied", "true");
            say(root.getAttribute("data-msg-copied") + ": " + value);
          }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  function setupPolling(root) {
    var url = root.getAttribute("data-status-url");
    var statusLine = document.getElementById("vietqr-status");
    if (!url || !statusLine) return;
    var started = Date.now();
    var delay = FIRST_DELAY;
    var timer = null;
    var inFlight = false;
    var done = false;

    function show(state, text) {
      statusLine.setAttribute("data-state", state);
      statusLine.textContent = text;
    }

    function finish(state, text) {
      done = true;
      window.clearTimeout(timer);
      show(state, text);
    }

    function schedule() {
      if (done || document.hidden) return;
      if (Date.now() - started > GIVE_UP_AFTER) {
        finish("stopped", root.getAttribute("data-msg-stopped"));
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(check, delay);
      delay = Math.min(delay * BACKOFF, MAX_DELAY);
    }

    function check() {
      if (done || inFlight) return;
      inFlight = true;
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
        .then(function (response) {
          if (response.status === 401 || response.status === 403 || response.status === 404) {
            return { status: "gone" };
          }
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (answer) {
          inFlight = false;
          var next = answer.next || root.getAttribute("data-next-url");
          if (answer.status === "pending") {
            schedule();
          } else if (answer.status === "paid") {
            finish("paid", root.getAttribute("data-msg-paid"));
            window.setTimeout(function () { window.location.assign(next); }, GO_AFTER);
          } else if (answer.status === "expired") {
            finish("expired", root.getAttribute("data-msg-expired"));
          } else if (answer.status === "gone") {
            finish("stopped", root.getAttribute("data-msg-stopped"));
          } else {
            finish("closed", root.getAttribute("data-msg-closed"));
          }
        })
        .catch(function () {
          inFlight = false; // offline or a server hiccup: try again later, more slowly
          schedule();
        });
    }

    // A hidden tab does not poll; coming back checks at once and starts the back-off again.
    document.addEventListener("visibilitychange", function () {
      if (done) return;
      if (document.hidden) {
        window.clearTimeout(timer);
      } else {
        delay = FIRST_DELAY;
        check();
      }
    });
    schedule();
  }

  ready(function () {
    var root = document.getElementById("vietqr");
    if (!root) return;
    setupCopy(root);
    setupPolling(root);
  });
})();
