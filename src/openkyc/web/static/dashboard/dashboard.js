// OpenKYC back office. Progressive enhancement only: every page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Ask before destructive actions (disable an operator, revoke, decline...).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
});
