// Progressive enhancement only: every page works without this file.
// A filing form cannot be sent twice by a double click: after the first
// submit its buttons are disabled until the next page loads.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.filing").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
    });
  });
});
