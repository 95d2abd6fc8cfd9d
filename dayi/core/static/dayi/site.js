// Small behaviours every page shares. The Content-Security-Policy allows no inline script or event
// handler, so pages mark elements with data- attributes and this file wires them up.
(function () {
  "use strict";

  // The navigation folds behind its button on a phone (site.css shows the button only on narrow screens,
  // and only when this script runs: without it the navigation stays open).
  document.documentElement.classList.add("js");
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-nav-toggle]") : null;
    if (!button) return;
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var header = button.closest(".site-header");
    if (header) header.classList.toggle("nav-open", open);
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-nav-toggle]").forEach(function (b) { b.hidden = false; });
  });

  // <select data-autosubmit>: submit its form when the choice changes (a <noscript> button does it otherwise).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });

  // <select data-split-choice> with values "kind:id": copy both halves into the form's kind and id fields.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!(el instanceof HTMLSelectElement) || !el.hasAttribute("data-split-choice") || !el.form) return;
    var parts = el.value.split(":");
    el.form.elements.namedItem("kind").value = parts[0] || "";
    el.form.elements.namedItem("id").value = parts[1] || "";
  });

  // <form data-next-here>: its "next" field says where the user is when they submit (htmx may have
  // changed the address since the page was drawn).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-next-here") && form.elements.namedItem("next")) {
      form.elements.namedItem("next").value = location.pathname + location.search;
    }
  });

  // <span data-width="42.5">: a bar segment's width in percent (a style attribute would need 'unsafe-inline').
  function sizeBars(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var width = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(width)) el.style.width = Math.max(0, Math.min(100, width)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { sizeBars(document); });
  document.addEventListener("htmx:load", function (event) { sizeBars(event.target); });
})();
