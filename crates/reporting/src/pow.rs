//! Hashcash-style proof of work for the public reporting routes.
//!
//! The contract, the same for the web page and for integrations:
//!
//! 1. `GET /api/v1/public/challenge` answers `{"challenge": "...", "bits": N}`
//!    (a serialised [`Challenge`]).
//! 2. The client finds a decimal `nonce` such that SHA-256 over the UTF-8 of
//!    `challenge + ":" + nonce` starts with `N` zero bits ([`solve`] in Rust,
//!    `assets/pow.js` in the browser).
//! 3. It sends `Proof-Of-Work: <challenge>:<nonce>` with the request, and the
//!    server calls [`ChallengeIssuer::verify`].
//!
//! Challenges are stateless: `v1.<expiry>.<id>.<tag>`, where `expiry` is unix
//! seconds in decimal, `id` 128 random bits and `tag` an HMAC-SHA256 over
//! `v1.<expiry>.<id>` under the server's secret, both unpadded base64url. So
//! the server stores nothing per challenge handed out (a flood of challenge
//! requests costs it no memory), and a client can neither mint challenges
//! nor stretch their expiry. What the server must remember is which
//! challenges were *used*: `verify` returns a [`ChallengeId`] with its expiry
//! for the caller's single-use set, which may forget it after the expiry.
//!
//! Every character of a challenge is in `[A-Za-z0-9._-]`, safe in a URL, a
//! header and JSON without escaping, and never `:`, the separator.

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{RandomnessUnavailable, hmac_sha256, random_array};

/// The most leading zero bits an issuer may ask for. Each bit doubles the
/// expected work: 20 bits take a browser about a second, 28 bits minutes,
/// and beyond that honest reporters would give up before attackers do.
pub const MAX_BITS: u8 = 28;

/// The longest a challenge may live. The single-use set holds each used
/// challenge until it expires, so a long life means a large set.
pub const MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);

const VERSION: &str = "v1";
const ID_LEN: usize = 16;
const TAG_LEN: usize = 32;
/// A `u64` has at most 20 decimal digits; anything longer is not a nonce a
/// solver produced, and bounding it bounds the work of a verification.
const MAX_NONCE_DIGITS: usize = 20;

/// What `GET /api/v1/public/challenge` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// The challenge string the client hashes and sends back.
    pub challenge: String,
    /// How many leading zero bits the hash must have.
    pub bits: u8,
}

/// The random part of a verified challenge, for the caller's single-use set.
///
/// Insert it (for example `SET pow:<hex> 1 NX EXAT <expiry>` in Redis, or a
/// unique row with the expiry); if it was already there, answer
/// [`PowError::Reused`]. After [`expires_at_unix`](Self::expires_at_unix) the
/// challenge fails verification anyway, so the entry can be dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChallengeId {
    id: [u8; ID_LEN],
    expires_at_unix: i64,
}

impl ChallengeId {
    /// The 128 random bits.
    pub fn as_bytes(&self) -> &[u8; ID_LEN] {
        &self.id
    }

    /// The random bits as 32 lower-case hex characters, for a key.
    pub fn to_hex(&self) -> String {
        hex::encode(self.id)
    }

    /// Unix seconds after which the challenge no longer verifies.
    pub fn expires_at_unix(&self) -> i64 {
        self.expires_at_unix
    }
}

/// Why a proof of work was refused. Every variant is the client's doing, so
/// each maps to a 4xx; the `Display` text is meant for the client to read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PowError {
    /// No `Proof-Of-Work` header, or an empty one.
    #[error(
        "this request needs a proof of work: get a challenge from GET /api/v1/public/challenge, \
         find a nonce, and send the header `Proof-Of-Work: <challenge>:<nonce>`"
    )]
    Missing,
    /// The header is not `<challenge>:<nonce>` in the expected shape.
    #[error("the Proof-Of-Work header is malformed: {0}")]
    Malformed(&'static str),
    /// Well formed, but the tag does not match: not issued by this server
    /// (or issued under a secret it no longer uses).
    #[error("the proof-of-work challenge was not issued by this server; get a new one")]
    Forged,
    /// Issued here, but past its expiry.
    #[error("the proof-of-work challenge has expired; get a new one")]
    Expired,
    /// The nonce does not give enough leading zero bits.
    #[error(
        "the nonce does not solve the challenge: SHA-256 of `<challenge>:<nonce>` \
         must start with {required} zero bits"
    )]
    InsufficientWork {
        /// The difficulty the server asks for now.
        required: u8,
    },
    /// Returned by the caller, not by `verify`: the challenge's
    /// [`ChallengeId`] is already in the single-use set.
    #[error("this proof-of-work challenge was already used; get a new one")]
    Reused,
}

/// Why an issuer could not be configured.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PowConfigError {
    /// Difficulty above [`MAX_BITS`].
    #[error("proof-of-work difficulty of {bits} bits is above the maximum of {max}")]
    BitsOutOfRange {
        /// What was asked for.
        bits: u8,
        /// [`MAX_BITS`].
        max: u8,
    },
    /// A lifetime under one second or above [`MAX_TTL`].
    #[error("a proof-of-work challenge must live between 1 second and {max_secs} seconds")]
    TtlOutOfRange {
        /// [`MAX_TTL`] in seconds.
        max_secs: u64,
    },
}

/// Issues and verifies challenges under one secret.
///
/// The secret authenticates challenges and nothing else; give this issuer a
/// secret of its own (not a key used for anything else). Every server
/// instance that verifies must share it. Changing it invalidates the
/// challenges in flight, which costs their clients one retry.
#[derive(Clone)]
pub struct ChallengeIssuer {
    secret: Zeroizing<[u8; 32]>,
    bits: u8,
    ttl_secs: i64,
}

impl fmt::Debug for ChallengeIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChallengeIssuer")
            .field("secret", &"<redacted>")
            .field("bits", &self.bits)
            .field("ttl_secs", &self.ttl_secs)
            .finish()
    }
}

impl ChallengeIssuer {
    /// An issuer asking for `bits` leading zero bits (at most [`MAX_BITS`];
    /// 0 turns the work off but keeps challenges single-use) with challenges
    /// living `ttl` (whole seconds, 1 s to [`MAX_TTL`]).
    pub fn new(secret: &[u8; 32], bits: u8, ttl: Duration) -> Result<Self, PowConfigError> {
        if bits > MAX_BITS {
            return Err(PowConfigError::BitsOutOfRange {
                bits,
                max: MAX_BITS,
            });
        }
        let ttl_secs = ttl.as_secs();
        if ttl_secs == 0 || ttl > MAX_TTL {
            return Err(PowConfigError::TtlOutOfRange {
                max_secs: MAX_TTL.as_secs(),
            });
        }
        Ok(Self {
            secret: Zeroizing::new(*secret),
            bits,
            // At most a day, so the conversion cannot truncate.
            ttl_secs: ttl_secs.min(MAX_TTL.as_secs()) as i64,
        })
    }

    /// The difficulty this issuer asks for.
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// A fresh challenge, valid until `now_unix` plus the lifetime.
    pub fn issue(&self, now_unix: i64) -> Result<Challenge, RandomnessUnavailable> {
        let id: [u8; ID_LEN] = random_array()?;
        let expires_at = now_unix.saturating_add(self.ttl_secs);
        let body = format!("{VERSION}.{expires_at}.{}", URL_SAFE_NO_PAD.encode(id));
        let tag = self.tag(&body);
        Ok(Challenge {
            challenge: format!("{body}.{}", URL_SAFE_NO_PAD.encode(tag)),
            bits: self.bits,
        })
    }

    /// Checks a `Proof-Of-Work` header value: its shape, that this server
    /// issued the challenge (in constant time), that it has not expired, and
    /// the work, in that order, so a forged challenge is reported as forged
    /// whatever expiry it claims.
    ///
    /// The work is checked against this issuer's difficulty now, not the one
    /// in force when the challenge was issued: raising the difficulty under a
    /// flood takes effect at once, and lowering it never fails a client who
    /// did more work than needed. A header that is absent should be answered
    /// with [`PowError::Missing`], as an empty one is here.
    ///
    /// Success does not make the challenge used: insert the returned
    /// [`ChallengeId`] into the single-use set.
    pub fn verify(&self, header_value: &str, now_unix: i64) -> Result<ChallengeId, PowError> {
        let value = header_value.trim();
        if value.is_empty() {
            return Err(PowError::Missing);
        }
        let (challenge, nonce) = value.rsplit_once(':').ok_or(PowError::Malformed(
            "expected `<challenge>:<nonce>`, found no `:`",
        ))?;
        if nonce.is_empty() || nonce.len() > MAX_NONCE_DIGITS {
            return Err(PowError::Malformed(
                "the nonce must be 1 to 20 decimal digits",
            ));
        }
        if !nonce.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PowError::Malformed("the nonce must be decimal digits only"));
        }
        let parsed = parse_challenge(challenge)?;
        let mut mac = hmac_sha256(self.secret.as_slice());
        mac.update(parsed.body.as_bytes());
        // `verify_slice` compares in constant time.
        mac.verify_slice(&parsed.tag)
            .map_err(|_| PowError::Forged)?;
        if now_unix > parsed.expires_at {
            return Err(PowError::Expired);
        }
        if leading_zero_bits(&work_hash(challenge, nonce)) < u32::from(self.bits) {
            return Err(PowError::InsufficientWork {
                required: self.bits,
            });
        }
        Ok(ChallengeId {
            id: parsed.id,
            expires_at_unix: parsed.expires_at,
        })
    }

    fn tag(&self, body: &str) -> [u8; TAG_LEN] {
        let mut mac = hmac_sha256(self.secret.as_slice());
        mac.update(body.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

/// The smallest nonce solving `challenge` at `bits`, counting up from 0.
///
/// For tests and Rust clients. Expect about `2^bits` hashes; with `bits`
/// above [`MAX_BITS`] this may run for a very long time.
pub fn solve(challenge: &str, bits: u8) -> u64 {
    let mut nonce: u64 = 0;
    loop {
        if leading_zero_bits(&work_hash(challenge, &nonce.to_string())) >= u32::from(bits) {
            return nonce;
        }
        nonce = nonce.wrapping_add(1);
    }
}

/// SHA-256 over `challenge:nonce`, as the contract says.
fn work_hash(challenge: &str, nonce: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(challenge.as_bytes());
    hasher.update(b":");
    hasher.update(nonce.as_bytes());
    hasher.finalize().into()
}

/// How many bits at the start of `digest` are zero, most significant bit of
/// the first byte first.
fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut count = 0;
    for &byte in digest {
        if byte == 0 {
            count += 8;
        } else {
            return count + byte.leading_zeros();
        }
    }
    count
}

struct ParsedChallenge<'a> {
    /// `v1.<expiry>.<id>`, the part the tag covers.
    body: &'a str,
    expires_at: i64,
    id: [u8; ID_LEN],
    tag: [u8; TAG_LEN],
}

fn parse_challenge(challenge: &str) -> Result<ParsedChallenge<'_>, PowError> {
    let (body, tag) = challenge.rsplit_once('.').ok_or(PowError::Malformed(
        "the challenge is not one this server issues",
    ))?;
    let mut parts = body.split('.');
    let (Some(version), Some(expiry), Some(id), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(PowError::Malformed(
            "the challenge is not one this server issues",
        ));
    };
    if version != VERSION {
        return Err(PowError::Malformed("unknown challenge version"));
    }
    // Digits only: `i64::from_str` would also take a sign.
    if expiry.is_empty() || expiry.len() > 18 || !expiry.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PowError::Malformed("the challenge's expiry is not a time"));
    }
    let expires_at = expiry
        .parse::<i64>()
        .map_err(|_| PowError::Malformed("the challenge's expiry is not a time"))?;
    Ok(ParsedChallenge {
        body,
        expires_at,
        id: decode_fixed(id).ok_or(PowError::Malformed(
            "the challenge's random part is not 16 bytes of base64url",
        ))?,
        tag: decode_fixed(tag).ok_or(PowError::Malformed(
            "the challenge's tag is not 32 bytes of base64url",
        ))?,
    })
}

/// Decodes unpadded base64url of exactly `N` bytes. The engine rejects
/// non-canonical trailing bits, so each value has one spelling only.
fn decode_fixed<const N: usize>(text: &str) -> Option<[u8; N]> {
    let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
    <[u8; N]>::try_from(bytes.as_slice()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: [u8; 32] = [7; 32];
    const NOW: i64 = 1_780_000_000;

    fn issuer(bits: u8) -> ChallengeIssuer {
        ChallengeIssuer::new(&SECRET, bits, Duration::from_secs(300)).unwrap()
    }

    fn header(challenge: &str, nonce: u64) -> String {
        format!("{challenge}:{nonce}")
    }

    /// A nonce that does *not* reach `bits`, to test refusals.
    fn failing_nonce(challenge: &str, bits: u8) -> u64 {
        (0..)
            .find(|n: &u64| {
                leading_zero_bits(&work_hash(challenge, &n.to_string())) < u32::from(bits)
            })
            .unwrap()
    }

    #[test]
    fn a_solved_challenge_verifies_and_names_its_id_and_expiry() {
        let issuer = issuer(12);
        let challenge = issuer.issue(NOW).unwrap();
        assert_eq!(challenge.bits, 12);
        let nonce = solve(&challenge.challenge, challenge.bits);
        let id = issuer
            .verify(&header(&challenge.challenge, nonce), NOW + 10)
            .unwrap();
        assert_eq!(id.expires_at_unix(), NOW + 300);
        assert_eq!(id.to_hex().len(), 32);
        let digest = work_hash(&challenge.challenge, &nonce.to_string());
        assert!(leading_zero_bits(&digest) >= 12);
    }

    #[test]
    fn the_answer_serialises_as_the_contract_says() {
        let challenge = issuer(16).issue(NOW).unwrap();
        let json = serde_json::to_value(&challenge).unwrap();
        assert_eq!(json["bits"], 16);
        assert_eq!(json["challenge"], challenge.challenge.as_str());
        assert_eq!(json.as_object().unwrap().len(), 2);
    }

    #[test]
    fn challenges_are_header_and_url_safe_and_unique() {
        let issuer = issuer(0);
        let a = issuer.issue(NOW).unwrap().challenge;
        let b = issuer.issue(NOW).unwrap().challenge;
        assert_ne!(a, b);
        for c in [&a, &b] {
            assert!(c.starts_with(&format!("v1.{}.", NOW + 300)), "{c}");
            assert!(
                c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)),
                "{c}"
            );
        }
        let id_a = issuer.verify(&header(&a, 0), NOW).unwrap();
        let id_b = issuer.verify(&header(&b, 0), NOW).unwrap();
        assert_ne!(id_a, id_b);
    }

    #[test]
    fn surrounding_whitespace_is_tolerated() {
        let issuer = issuer(0);
        let c = issuer.issue(NOW).unwrap().challenge;
        assert!(issuer.verify(&format!("  {c}:5 \t"), NOW).is_ok());
    }

    #[test]
    fn missing_and_malformed_headers_are_told_apart() {
        let issuer = issuer(4);
        let c = issuer.issue(NOW).unwrap().challenge;
        assert_eq!(issuer.verify("", NOW), Err(PowError::Missing));
        assert_eq!(issuer.verify("   ", NOW), Err(PowError::Missing));
        for bad in [
            c.clone(),                            // no nonce
            format!("{c}:"),                      // empty nonce
            format!("{c}:12a"),                   // not decimal
            format!("{c}:-1"),                    // signed
            format!("{c}:123456789012345678901"), // 21 digits
            "v1.1.2:5".to_owned(),                // too few parts
            format!("v2{}:5", &c[2..]),           // unknown version
            c.replacen(".", ".+", 1) + ":5",      // signed expiry
            format!("{}x:5", c),                  // tag not 32 bytes
            "junk:5".to_owned(),
        ] {
            assert!(
                matches!(issuer.verify(&bad, NOW), Err(PowError::Malformed(_))),
                "{bad}: {:?}",
                issuer.verify(&bad, NOW)
            );
        }
    }

    #[test]
    fn a_challenge_from_another_secret_or_with_edits_is_forged() {
        let ours = issuer(0);
        let theirs = ChallengeIssuer::new(&[8; 32], 0, Duration::from_secs(300)).unwrap();
        let foreign = theirs.issue(NOW).unwrap().challenge;
        assert_eq!(
            ours.verify(&header(&foreign, 0), NOW),
            Err(PowError::Forged)
        );

        // Stretching the expiry keeps the shape but breaks the tag.
        let c = ours.issue(NOW).unwrap().challenge;
        let stretched = c.replacen(&(NOW + 300).to_string(), &(NOW + 99_999).to_string(), 1);
        assert_eq!(
            ours.verify(&header(&stretched, 0), NOW),
            Err(PowError::Forged)
        );

        // Another random part under the original tag.
        let parts: Vec<&str> = c.split('.').collect();
        let other_id = URL_SAFE_NO_PAD.encode([0u8; 16]);
        let swapped = format!("{}.{}.{}.{}", parts[0], parts[1], other_id, parts[3]);
        assert_eq!(
            ours.verify(&header(&swapped, 0), NOW),
            Err(PowError::Forged)
        );
    }

    #[test]
    fn an_expired_challenge_is_refused_even_with_the_work_done() {
        let issuer = issuer(8);
        let c = issuer.issue(NOW).unwrap().challenge;
        let nonce = solve(&c, 8);
        assert!(issuer.verify(&header(&c, nonce), NOW + 300).is_ok());
        assert_eq!(
            issuer.verify(&header(&c, nonce), NOW + 301),
            Err(PowError::Expired)
        );
    }

    #[test]
    fn too_little_work_is_refused_with_the_difficulty() {
        let issuer = issuer(16);
        let c = issuer.issue(NOW).unwrap().challenge;
        let nonce = failing_nonce(&c, 16);
        let err = issuer.verify(&header(&c, nonce), NOW).unwrap_err();
        assert_eq!(err, PowError::InsufficientWork { required: 16 });
        assert!(err.to_string().contains("16 zero bits"), "{err}");
    }

    #[test]
    fn the_work_is_checked_against_the_current_difficulty() {
        let easy = issuer(4);
        let hard = issuer(20);
        let c = easy.issue(NOW).unwrap().challenge;
        // Enough for the easy issuer, not for the hard one.
        let nonce = (0..)
            .find(|n: &u64| (4..20).contains(&leading_zero_bits(&work_hash(&c, &n.to_string()))))
            .unwrap();
        assert!(easy.verify(&header(&c, nonce), NOW).is_ok());
        assert_eq!(
            hard.verify(&header(&c, nonce), NOW),
            Err(PowError::InsufficientWork { required: 20 })
        );
    }

    #[test]
    fn configuration_is_bounded() {
        let ttl = Duration::from_secs(60);
        assert!(ChallengeIssuer::new(&SECRET, MAX_BITS, ttl).is_ok());
        assert_eq!(
            ChallengeIssuer::new(&SECRET, MAX_BITS + 1, ttl).unwrap_err(),
            PowConfigError::BitsOutOfRange { bits: 29, max: 28 }
        );
        for bad in [
            Duration::ZERO,
            Duration::from_millis(999),
            MAX_TTL + Duration::from_secs(1),
        ] {
            assert!(matches!(
                ChallengeIssuer::new(&SECRET, 10, bad),
                Err(PowConfigError::TtlOutOfRange { .. })
            ));
        }
        assert!(ChallengeIssuer::new(&SECRET, 10, MAX_TTL).is_ok());
    }

    #[test]
    fn solve_finds_the_smallest_nonce_as_the_browser_solver_does() {
        // The same answers came from `assets/pow.js` under Node 20 and from
        // a Python loop over `hashlib.sha256`.
        assert_eq!(
            solve("v1.1780000300.AAAAAAAAAAAAAAAAAAAAAA.test", 16),
            12318
        );
        assert_eq!(solve("Сәлем-челлендж", 12), 12011);
        assert_eq!(solve("abc", 0), 0);
    }

    #[test]
    fn leading_zero_bits_counts_from_the_most_significant_bit() {
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0x01]), 7);
        assert_eq!(leading_zero_bits(&[0x00, 0x00, 0x10]), 19);
        assert_eq!(leading_zero_bits(&[0x00, 0x00]), 16);
    }

    #[test]
    fn work_hash_is_sha256_of_challenge_colon_nonce() {
        // `printf 'abc:42' | sha256sum`
        assert_eq!(
            hex::encode(work_hash("abc", "42")),
            "77fed3f4d816b7f45026b803d1110fd9e8495ff5884d55c08c605d1b68057163"
        );
    }

    #[test]
    fn errors_read_as_sentences_and_debug_hides_the_secret() {
        assert!(PowError::Missing.to_string().contains("Proof-Of-Work"));
        assert!(PowError::Expired.to_string().contains("expired"));
        assert!(!format!("{:?}", issuer(1)).contains("7, 7"));
    }
}
