//! Primitives of the anonymous reporting channel: proof of work, receipt
//! codes, encryption at rest and messaging webhooks. Pure functions and
//! types; the store, service and API crates wire them to records and routes.
//!
//! Threat model, in short:
//!
//! - **Floods without identifying anyone.** The channel takes reports from
//!   people with no account and keeps no IP address, so rate limits cannot
//!   key on the sender. [`pow`] makes every submission cost the sender
//!   CPU time; challenges are stateless (an HMAC under a server secret) so a
//!   flood of challenge requests costs the server nothing to remember, and
//!   the caller makes each one single-use by its [`pow::ChallengeId`].
//! - **A stolen database.** Receipts are stored only as a peppered argon2id
//!   hash ([`receipt`]): the pepper lives in configuration, not the
//!   database, and a receipt carries about 133 bits, so the hashes can be
//!   neither guessed nor precomputed. Report content is sealed under a key
//!   per report, itself wrapped under a key-encryption key derived per tenant
//!   from a key held outside the database ([`envelope`]); a dump of the
//!   database alone reveals neither receipts nor content. Whoever holds the
//!   key-encryption key *and* the database can read everything: that is the
//!   server operator, by design, and the reason the key stays in a file.
//! - **Swapped or moved ciphertexts.** Every seal and wrap binds caller
//!   supplied associated data (tenant, report id, purpose), so a row copied
//!   into another report or tenant fails to open instead of showing the
//!   wrong text.
//! - **Forged webhooks.** Anyone can POST to a public webhook URL; [`webhook`]
//!   checks the WhatsApp HMAC over the raw body and the Telegram secret token
//!   in constant time before anything is parsed or stored.
//! - **Secrets in logs.** `Debug` of every key and receipt is redacted, error
//!   messages never quote the secret or the reporter's text, and keys are
//!   zeroed when dropped.
//!
//! Out of scope here: a compromised server at run time (it sees plaintext
//! while handling a report), and the messaging providers, which see the
//! sender's phone number or account.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub mod attachment;
pub mod envelope;
pub mod pow;
pub mod receipt;
pub mod webhook;

/// The operating system's random number generator failed.
///
/// On Linux this means `getrandom(2)` itself failed, which it does not after
/// boot; the error exists so the callers answer 500 instead of panicking, and
/// nothing is ever generated from a weaker source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system random number generator is unavailable")]
pub struct RandomnessUnavailable;

/// Fills `buf` from the OS random number generator.
fn fill_random(buf: &mut [u8]) -> Result<(), RandomnessUnavailable> {
    getrandom::fill(buf).map_err(|_| RandomnessUnavailable)
}

/// `N` bytes from the OS random number generator.
fn random_array<const N: usize>() -> Result<[u8; N], RandomnessUnavailable> {
    let mut out = [0u8; N];
    fill_random(&mut out)?;
    Ok(out)
}

/// HMAC-SHA256 keyed with `key` of any length.
///
/// `Mac::new_from_slice` accepts every key length yet is typed as fallible.
/// Rather than an `expect`, this does RFC 2104's key preparation itself (a key
/// longer than the 64-byte block is hashed, then the key is zero-padded to
/// the block), after which the infallible fixed-size constructor applies and
/// yields the same MAC; a test checks that against `new_from_slice`.
fn hmac_sha256(key: &[u8]) -> Hmac<Sha256> {
    let mut block = Zeroizing::new([0u8; 64]);
    if key.len() > block.len() {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    <Hmac<Sha256> as KeyInit>::new(&(*block).into())
}

/// HKDF-SHA256 (RFC 5869) with a 32-byte output: extract, then the first
/// block of expand, which is the whole output at this length. Written out
/// because the `hkdf` crate's `expand` is fallible for lengths we never ask
/// for; a test checks it against the RFC's first test vector.
fn hkdf_sha256_32(salt: &[u8], ikm: &[u8], info: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut extract = hmac_sha256(salt);
    extract.update(ikm);
    let prk = Zeroizing::new(<[u8; 32]>::from(extract.finalize().into_bytes()));
    let mut expand = hmac_sha256(prk.as_slice());
    expand.update(info);
    expand.update(&[1]);
    Zeroizing::new(expand.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_key_preparation_matches_the_general_constructor() {
        for len in [0usize, 1, 31, 32, 63, 64, 65, 200] {
            let key: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let mut ours = hmac_sha256(&key);
            ours.update(b"message");
            let mut general = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
            general.update(b"message");
            assert_eq!(
                ours.finalize().into_bytes(),
                general.finalize().into_bytes(),
                "key length {len}"
            );
        }
    }

    #[test]
    fn hkdf_matches_rfc_5869_test_case_1() {
        let ikm = [0x0bu8; 22];
        let salt = hex::decode("000102030405060708090a0b0c").unwrap();
        let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        // The test case's OKM has 42 bytes; its first 32 are T(1).
        let okm =
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865";
        assert_eq!(hex::encode(hkdf_sha256_32(&salt, &ikm, &info)), okm[..64]);
    }
}
