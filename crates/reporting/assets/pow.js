// Proof-of-work solver for Adal's public reporting routes (no dependencies).
//
// The contract (crates/reporting/src/pow.rs): find the smallest decimal
// nonce such that SHA-256 over the UTF-8 of `challenge + ":" + nonce` starts
// with `bits` zero bits, then send `Proof-Of-Work: <challenge>:<nonce>`.
//
//   const { challenge, bits } = await (await fetch("/api/v1/public/challenge")).json();
//   const nonce = await adalSolve(challenge, bits);
//
// crypto.subtle exists only in secure contexts (HTTPS or localhost). Digests
// are requested in batches because each call is a promise round trip; the
// nonces are still tried in order, so the answer is the smallest one, the
// same as the Rust `solve`. Defines nothing global except `adalSolve`.
(function () {
  "use strict";

  var BATCH = 256;

  function leadingZeroBits(bytes) {
    var count = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) {
        count += 8;
        continue;
      }
      return count + Math.clz32(bytes[i]) - 24; // clz32 counts over 32 bits
    }
    return count;
  }

  globalThis.adalSolve = async function adalSolve(challenge, bits) {
    var encoder = new TextEncoder();
    var prefix = challenge + ":";
    for (var start = 0; ; start += BATCH) {
      var digests = [];
      for (var n = start; n < start + BATCH; n++) {
        digests.push(crypto.subtle.digest("SHA-256", encoder.encode(prefix + n)));
      }
      var results = await Promise.all(digests);
      for (var i = 0; i < results.length; i++) {
        if (leadingZeroBits(new Uint8Array(results[i])) >= bits) {
          return String(start + i);
        }
      }
    }
  };
})();
