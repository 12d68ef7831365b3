/*
 * The desk's inline preview of an attachment (templates/dossiers/includes/attachment_list.html):
 * a "Preview" link opens the file in the panel under the list instead of a new tab. PDFs go in an
 * <iframe>, images in an <img>, both from the access-checked inline URL. Without this script the
 * link simply opens the file in a new tab.
 */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var panel = document.getElementById("file-preview");
    if (!panel) return;
    var body = panel.querySelector(".file-preview__body");
    var title = panel.querySelector(".file-preview__title");
    var opener = null;

    function close() {
      panel.hidden = true;
      body.textContent = "";
      if (opener) {
        opener.setAttribute("aria-expanded", "false");
        opener.focus();
      }
      opener = null;
    }

    document.querySelectorAll("a[data-preview]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        if (opener) opener.setAttribute("aria-expanded", "false");
        opener = link;
        var name = link.getAttribute("data-preview-name") || "";
        var view;
        if (link.getAttribute("data-preview") === "pdf") {
          view = document.createElement("iframe");
          view.className = "file-preview__frame";
          view.title = (panel.getAttribute("data-frame-title") || "") + ": " + name;
        } else {
          view = document.createElement("img");
          view.className = "file-preview__image";
          view.alt = name;
        }
        view.src = link.href;
        body.textContent = "";
        body.appendChild(view);
        title.textContent = name;
        panel.hidden = false;
        link.setAttribute("aria-expanded", "true");
        panel.focus();
      });
    });

    panel.querySelector("[data-preview-close]").addEventListener("click", close);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") close();
    });
  });
})();
