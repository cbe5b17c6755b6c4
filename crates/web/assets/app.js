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

// A page that shows work still in progress (an import being read) marks
// itself with data-refresh="seconds" and is read again until the work is
// done; the link beside it does the same without this file. Not while the
// tab is hidden, so a forgotten tab costs nothing.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.querySelector("[data-refresh]");
  if (!el) return;
  var seconds = Math.max(2, Number(el.getAttribute("data-refresh")) || 3);
  setInterval(function () {
    if (document.visibilityState === "visible") window.location.reload();
  }, seconds * 1000);
});

// The navigation's menus (<details>) work without this file; with it, one
// menu is open at a time, and Escape or a click outside closes it.
document.addEventListener("DOMContentLoaded", function () {
  var menus = Array.prototype.slice.call(document.querySelectorAll("nav.menus details"));
  menus.forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (!d.open) return;
      menus.forEach(function (o) { if (o !== d) o.open = false; });
    });
  });
  document.addEventListener("click", function (e) {
    menus.forEach(function (d) { if (d.open && !d.contains(e.target)) d.open = false; });
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") return;
    menus.forEach(function (d) {
      if (!d.open) return;
      d.open = false;
      d.querySelector("summary").focus();
    });
  });
});

// A table wider than the screen scrolls in its own box (.scroll). Keyboard
// users must be able to scroll it too (WCAG 2.1.1), and a box of plain
// cells has nothing to focus: while it overflows, it takes the focus
// itself (the arrow keys then scroll it) and is a region named after its
// table's caption, so a screen reader says what it is. A box that fits
// is no extra stop for Tab. Without this file Chromium and Firefox focus
// such a box on their own.
document.addEventListener("DOMContentLoaded", function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".scroll"));
  if (boxes.length === 0) return;
  function mark() {
    boxes.forEach(function (box) {
      var caption = box.querySelector("caption");
      if (box.scrollWidth > box.clientWidth) {
        box.setAttribute("tabindex", "0");
        if (caption) {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", caption.textContent.trim());
        }
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
});

// A list parameter of the rule editor is a box with one value per line;
// the chips above it show the values the server will read. Without this
// file they show the values as the page was drawn; with it they follow
// what is typed (split as the server splits: lines, commas, bars).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("textarea[data-list]").forEach(function (box) {
    var chips = document.querySelector('ul[data-chips-for="' + box.id + '"]');
    if (!chips) return;
    box.addEventListener("input", function () {
      while (chips.firstChild) chips.removeChild(chips.firstChild);
      box.value.split(/[\n\r,|]/).forEach(function (v) {
        v = v.trim();
        if (!v) return;
        var li = document.createElement("li");
        li.textContent = v;
        chips.appendChild(li);
      });
    });
  });
});
