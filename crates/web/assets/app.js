// Progressive enhancement only: every page works without this file.
// A filing form cannot be sent twice by a double click: after the first
// submit its buttons are disabled until the next page loads. They are
// disabled just after the browser has gathered the form's values, so the
// button that was pressed (a declaration's "add a row") is still sent.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.filing").forEach(function (form) {
    form.addEventListener("submit", function () {
      setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (b) {
          b.disabled = true;
        });
      }, 0);
    });
  });
});
