/*
 * Small progressive enhancements. Every page works without this file.
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    // A form with errors: move focus to its error summary so it is read first.
    var summary = document.getElementById("form-errors");
    if (summary && !summary.closest("#filters")) summary.focus();

    // The catalogue filters are open on wide screens, folded on phones.
    if (window.matchMedia("(min-width: 1024px)").matches) {
      document.querySelectorAll("details[data-open-wide]").forEach(function (d) { d.open = true; });
    }

    // On a phone the main menu folds behind its toggle (CSS hides it only while the header says
    // so, so without this script the menu is simply shown). Escape closes it, focus back on the toggle.
    var header = document.querySelector(".site-header");
    var toggle = header && header.querySelector(".nav-toggle[aria-controls]");
    function setMenu(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      header.setAttribute("data-menu", open ? "open" : "closed");
    }
    if (toggle) {
      toggle.hidden = false;
      setMenu(false);
      toggle.addEventListener("click", function () {
        setMenu(toggle.getAttribute("aria-expanded") !== "true");
      });
    }

    // The signed-in menu closes with Escape or a click elsewhere.
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") return;
      if (toggle && toggle.getAttribute("aria-expanded") === "true") {
        var menu = document.getElementById(toggle.getAttribute("aria-controls"));
        if (menu && menu.contains(document.activeElement)) toggle.focus();
        setMenu(false);
      }
      document.querySelectorAll("details.account-menu[open]").forEach(function (d) {
        d.open = false;
        d.querySelector("summary").focus();
      });
    });
    document.addEventListener("click", function (event) {
      document.querySelectorAll("details.account-menu[open]").forEach(function (d) {
        if (!d.contains(event.target)) d.open = false;
      });
    });

    // Parts shown only for one choice, e.g. the postal address when the result comes by post:
    // <div data-show-when="d-delivery=post">. Without JavaScript they are always shown.
    var dependents = document.querySelectorAll("[data-show-when]");
    function updateDependents() {
      dependents.forEach(function (el) {
        var rule = el.getAttribute("data-show-when").split("=");
        var form = el.closest("form") || document;
        var chosen = form.querySelector('input[name="' + rule[0] + '"]:checked');
        var invalid = el.querySelector("[aria-invalid=true]");
        el.hidden = !invalid && !(chosen && chosen.value === rule[1]);
      });
    }
    if (dependents.length) {
      updateDependents();
      document.addEventListener("change", updateDependents);
    }

    // Forms that may take long (uploads, submission): say so, and do not send them twice.
    // The buttons are disabled only after the browser has taken the clicked button's value.
    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (form.getAttribute("data-sending") === "true") {
          event.preventDefault();
          return;
        }
        form.setAttribute("data-sending", "true");
        var hasFiles = Array.prototype.some.call(form.querySelectorAll("input[type=file]"), function (input) {
          return input.files && input.files.length > 0;
        });
        var text = (hasFiles && form.getAttribute("data-busy-upload")) || form.getAttribute("data-busy");
        var submitter = event.submitter;
        window.setTimeout(function () {
          form.querySelectorAll("button").forEach(function (button) {
            button.setAttribute("aria-disabled", "true");
            button.disabled = true;
          });
          if (submitter && submitter.hasAttribute("data-busy-label")) {
            submitter.setAttribute("data-label", submitter.textContent);
            submitter.textContent = submitter.getAttribute("data-busy-label");
          }
          var status = document.getElementById(form.getAttribute("data-busy-status") || "busy-status");
          if (status) {
            status.querySelector(".busy__text").textContent = text;
            status.classList.add("is-busy");
          }
        }, 0);
      });
    });
    // Coming back with the Back button: the page is live again.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      document.querySelectorAll("form[data-sending]").forEach(function (form) {
        form.removeAttribute("data-sending");
        form.querySelectorAll("button").forEach(function (button) {
          button.disabled = false;
          button.removeAttribute("aria-disabled");
          if (button.hasAttribute("data-label")) button.textContent = button.getAttribute("data-label");
        });
      });
      document.querySelectorAll(".busy.is-busy").forEach(function (el) {
        el.classList.remove("is-busy");
        el.querySelector(".busy__text").textContent = "";
      });
    });

    // A result to read first (the verdict of a verification): move focus to it.
    var verdict = document.querySelector("[data-focus-on-load]");
    if (verdict && !summary) verdict.focus();

    // "Select all" above a list of checkboxes (the work queue); without JavaScript it stays hidden.
    document.querySelectorAll("input[type=checkbox][data-select-all]").forEach(function (all) {
      var boxes = document.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-select-all") + '"]');
      if (!boxes.length) return;
      all.hidden = false;
      function sync() {
        var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      }
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
      });
      boxes.forEach(function (box) { box.addEventListener("change", sync); });
      sync();
    });

    // A value to copy by hand (a new API token): focusing it selects it all.
    document.querySelectorAll("[data-select-on-focus]").forEach(function (input) {
      input.addEventListener("focus", function () { input.select(); });
    });

    // "Copy" next to a dossier code.
    if (navigator.clipboard) {
      document.querySelectorAll("button[data-copy]").forEach(function (button) {
        button.hidden = false;
        button.addEventListener("click", function () {
          var source = document.getElementById(button.getAttribute("data-copy"));
          var status = document.getElementById(button.getAttribute("data-copy-status"));
          navigator.clipboard.writeText(source.textContent.trim()).then(function () {
            if (status) status.textContent = button.getAttribute("data-copied");
          });
        });
      });
    }
  });

  // Catalogue results replaced by htmx: announce the new count, and after a page
  // change move focus to the results heading (the clicked link no longer exists).
  document.addEventListener("htmx:afterSettle", function (event) {
    var heading = document.getElementById("results-heading");
    var status = document.getElementById("results-status");
    if (!heading || !event.detail || !event.detail.target || event.detail.target.id !== "results") return;
    if (status) status.textContent = heading.textContent.replace(/\s+/g, " ").trim();
    var from = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (from && from.closest && from.closest(".pagination")) heading.focus();
  });

  // Keep the language switcher's "next" in step with the address htmx pushed.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    document.querySelectorAll(".lang-switch input[name=next]").forEach(function (input) {
      input.value = window.location.pathname + window.location.search;
    });
  });
})();
