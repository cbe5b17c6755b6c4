// The reporting pages' forms (marked data-pow) first solve the proof of
// work the channel asks of every report and every opening with a receipt
// (docs/reporting.md), then send the form with the answer in its hidden
// `proof` field. Without this script the server says what is missing.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-pow]").forEach(function (form) {
    var busy = false;
    form.addEventListener("submit", function (ev) {
      var proof = form.querySelector("input[name=proof]");
      if (!proof || proof.value) {
        return;
      }
      ev.preventDefault();
      if (busy) {
        return;
      }
      busy = true;
      var status = form.querySelector("#pow-status");
      var buttons = form.querySelectorAll("button[type=submit]");
      buttons.forEach(function (b) { b.disabled = true; });
      if (status) {
        status.hidden = false;
      }
      fetch("/api/v1/public/challenge", { credentials: "omit", cache: "no-store" })
        .then(function (r) {
          if (!r.ok) {
            throw new Error("challenge " + r.status);
          }
          return r.json();
        })
        .then(function (c) {
          return globalThis.adalSolve(c.challenge, c.bits).then(function (nonce) {
            proof.value = c.challenge + ":" + nonce;
            form.submit();
          });
        })
        .catch(function () {
          busy = false;
          buttons.forEach(function (b) { b.disabled = false; });
          if (status) {
            status.textContent = status.dataset.failed;
          }
        });
    });
  });
});
