//! Receipt codes: the only thing that lets an anonymous reporter return to
//! their report, shown once and stored only as a peppered argon2id hash.
//!
//! A receipt is 40 decimal digits, shown as ten groups of four
//! (`4821 0937 ...`). Each digit is drawn uniformly and independently from
//! the OS random number generator, so a receipt carries
//! 40 × log2(10) ≈ 132.9 bits: guessing one, even with unlimited tries at
//! the hash, is out of reach, and the API's slowed 404s make online guessing
//! even more hopeless. Digits rather than words because they read out the
//! same in Kazakh, Russian and English and survive any keyboard.

use std::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use hmac::Mac;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::{RandomnessUnavailable, fill_random, hmac_sha256};

/// Digits in a receipt.
pub const RECEIPT_DIGITS: usize = 40;
/// Digits per group when shown.
const GROUP: usize = 4;
/// Pepper shorter than this is more likely a placeholder than a secret.
pub const MIN_PEPPER_LEN: usize = 16;

/// Why a receipt, a pepper or a stored hash was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    /// The input has a character other than digits, spaces and dashes. The
    /// character is named (it is not a digit, so it gives nothing away).
    #[error("a receipt holds only digits, spaces and dashes; found {character:?}")]
    InvalidCharacter {
        /// The first character that is not allowed.
        character: char,
    },
    /// The input has the wrong number of digits.
    #[error("a receipt has {RECEIPT_DIGITS} digits; found {found}")]
    WrongLength {
        /// How many digits the input held.
        found: usize,
    },
    /// The installation's pepper is too short.
    #[error("the receipt pepper must be at least {MIN_PEPPER_LEN} bytes; it is {found}")]
    PepperTooShort {
        /// Its length in bytes.
        found: usize,
    },
    /// argon2 refused the parameters (or, never in practice, the hashing).
    #[error("argon2 refused the receipt hash parameters: {0}")]
    Argon2(argon2::Error),
    /// A stored hash is not 64 hex characters.
    #[error("a receipt hash is 64 hex characters")]
    InvalidHash,
}

/// A receipt code. Holds exactly [`RECEIPT_DIGITS`] ASCII digits.
///
/// `Display` shows the grouped digits (what the reporter is shown once);
/// `Debug` does not, so a receipt in a struct that gets logged stays out of
/// the log. The digits are zeroed when the value is dropped.
#[derive(Clone)]
pub struct Receipt {
    digits: Zeroizing<[u8; RECEIPT_DIGITS]>,
}

impl Receipt {
    /// A new receipt from the OS random number generator.
    pub fn generate() -> Result<Self, RandomnessUnavailable> {
        let mut digits = Zeroizing::new([0u8; RECEIPT_DIGITS]);
        let mut pool = Zeroizing::new([0u8; 64]);
        let mut filled = 0;
        while filled < RECEIPT_DIGITS {
            fill_random(pool.as_mut_slice())?;
            for &byte in pool.iter() {
                // Rejection sampling: 250 is the largest multiple of 10 that
                // fits a byte, so taking `byte % 10` only below it gives each
                // digit probability exactly 1/10. One byte in 43 is dropped.
                if byte < 250 && filled < RECEIPT_DIGITS {
                    digits[filled] = b'0' + byte % 10;
                    filled += 1;
                }
            }
        }
        Ok(Self { digits })
    }

    /// Reads a receipt as a person types or pastes it: digits with any
    /// spaces (including no-break spaces), tabs, line breaks and dashes
    /// (`-`, `‐`, `‑`, `–`, `—`, `−`) between or around them.
    pub fn parse(input: &str) -> Result<Self, ReceiptError> {
        let mut digits = Zeroizing::new([0u8; RECEIPT_DIGITS]);
        let mut found = 0usize;
        for character in input.chars() {
            if character.is_ascii_digit() {
                if let Some(slot) = digits.get_mut(found) {
                    // An ASCII digit is one byte, so the cast keeps it whole.
                    *slot = character as u8;
                }
                found += 1;
            } else if !(character.is_whitespace() || is_dash(character)) {
                return Err(ReceiptError::InvalidCharacter { character });
            }
        }
        if found != RECEIPT_DIGITS {
            return Err(ReceiptError::WrongLength { found });
        }
        Ok(Self { digits })
    }

    /// The 40 digits without separators, the form that is hashed.
    fn compact(&self) -> &[u8] {
        self.digits.as_slice()
    }
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}'
    )
}

impl fmt::Display for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, group) in self.digits.chunks(GROUP).enumerate() {
            if index > 0 {
                f.write_str(" ")?;
            }
            for &digit in group {
                fmt::Write::write_char(f, char::from(digit))?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Receipt(<redacted>)")
    }
}

/// Constant time, in case a receipt is ever compared directly rather than
/// by its hash.
impl PartialEq for Receipt {
    fn eq(&self, other: &Self) -> bool {
        self.digits.ct_eq(&*other.digits).into()
    }
}

impl Eq for Receipt {}

/// argon2id cost of the receipt hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiptHashParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Default for ReceiptHashParams {
    /// OWASP's argon2id floor (19 MiB, 2 passes, 1 lane), as `argon2` itself
    /// defaults to: a few tens of milliseconds per lookup, and a lookup
    /// happens once per reporter sign-in.
    fn default() -> Self {
        Self {
            memory_kib: Params::DEFAULT_M_COST,
            iterations: Params::DEFAULT_T_COST,
            parallelism: Params::DEFAULT_P_COST,
        }
    }
}

impl ReceiptHashParams {
    /// The cheapest argon2 allows (8 KiB, 1 pass): for tests only.
    pub const fn cheap_for_tests() -> Self {
        Self {
            memory_kib: Params::MIN_M_COST,
            iterations: 1,
            parallelism: 1,
        }
    }
}

/// Hashes receipts under the installation's pepper.
///
/// The hash must be findable by index (the reporter gives only the receipt,
/// and the store looks the report up by its hash), so every receipt is
/// hashed with the same salt, derived from the pepper, instead of a random
/// salt per record. That is safe here, unlike for passwords: a per-record
/// salt exists to stop precomputed tables and to make equal passwords hash
/// differently, but receipts are never chosen by people and each carries
/// about 133 random bits, so no table over them can be built and two equal
/// receipts do not happen. The pepper is also argon2's secret input, so
/// without the configuration file a stolen database cannot even test a
/// guess offline. argon2id keeps its cost as the last line if the pepper
/// leaks too.
#[derive(Clone)]
pub struct ReceiptHasher {
    pepper: Zeroizing<Vec<u8>>,
    salt: [u8; 16],
    params: Params,
}

impl fmt::Debug for ReceiptHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiptHasher")
            .field("pepper", &"<redacted>")
            .field("params", &self.params)
            .finish()
    }
}

impl ReceiptHasher {
    /// A hasher with the default cost. The pepper is the installation's
    /// secret (at least [`MIN_PEPPER_LEN`] bytes); changing it orphans every
    /// stored receipt hash.
    pub fn new(pepper: &[u8]) -> Result<Self, ReceiptError> {
        Self::with_params(pepper, ReceiptHashParams::default())
    }

    /// A hasher with the given cost. Changing the cost also changes every
    /// hash, so it is an installation setting, not a tuning knob.
    pub fn with_params(pepper: &[u8], params: ReceiptHashParams) -> Result<Self, ReceiptError> {
        if pepper.len() < MIN_PEPPER_LEN {
            return Err(ReceiptError::PepperTooShort {
                found: pepper.len(),
            });
        }
        let params = Params::new(
            params.memory_kib,
            params.iterations,
            params.parallelism,
            Some(32),
        )
        .map_err(ReceiptError::Argon2)?;
        // The salt only has to be fixed per installation; deriving it from
        // the pepper (under a label of its own) spares one more setting.
        let mut mac = hmac_sha256(pepper);
        mac.update(b"adal-reporting/receipt-salt/v1");
        let mut salt = [0u8; 16];
        salt.copy_from_slice(&mac.finalize().into_bytes()[..16]);
        Ok(Self {
            pepper: Zeroizing::new(pepper.to_vec()),
            salt,
            params,
        })
    }

    /// The receipt's hash, the same for the same receipt every time.
    pub fn hash(&self, receipt: &Receipt) -> Result<ReceiptHash, ReceiptError> {
        let argon2 = Argon2::new_with_secret(
            &self.pepper,
            Algorithm::Argon2id,
            Version::V0x13,
            self.params.clone(),
        )
        .map_err(ReceiptError::Argon2)?;
        let mut out = [0u8; 32];
        argon2
            .hash_password_into(receipt.compact(), &self.salt, &mut out)
            .map_err(ReceiptError::Argon2)?;
        Ok(ReceiptHash(out))
    }
}

/// The stored form of a receipt: 32 bytes of argon2id output.
///
/// Equality is constant time, so comparing a computed hash with a stored one
/// reveals nothing through timing.
#[derive(Clone, Copy)]
pub struct ReceiptHash([u8; 32]);

impl ReceiptHash {
    /// The raw bytes, for a binary column.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// From the raw bytes of a binary column.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// 64 lower-case hex characters, for a text column.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// From 64 hex characters (either case).
    pub fn from_hex(text: &str) -> Result<Self, ReceiptError> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(text, &mut out).map_err(|_| ReceiptError::InvalidHash)?;
        Ok(Self(out))
    }
}

impl PartialEq for ReceiptHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for ReceiptHash {}

/// The hash is not the receipt and is no secret on its own, so it may be
/// shown in full.
impl fmt::Debug for ReceiptHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ReceiptHash({})", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PEPPER: &[u8] = b"installation pepper, 32 bytes ok";
    const SAMPLE: &str = "4821 0937 5512 0046 7781 2390 1184 6652 0901 3378";

    fn hasher() -> ReceiptHasher {
        ReceiptHasher::with_params(PEPPER, ReceiptHashParams::cheap_for_tests()).unwrap()
    }

    #[test]
    fn generated_receipts_have_ten_groups_of_four_digits() {
        let receipt = Receipt::generate().unwrap();
        let shown = receipt.to_string();
        let groups: Vec<&str> = shown.split(' ').collect();
        assert_eq!(groups.len(), 10, "{shown}");
        assert!(
            groups
                .iter()
                .all(|g| g.len() == 4 && g.bytes().all(|b| b.is_ascii_digit()))
        );
        assert_eq!(Receipt::parse(&shown).unwrap(), receipt);
        assert_ne!(Receipt::generate().unwrap(), receipt);
    }

    #[test]
    fn generated_digits_are_roughly_uniform() {
        // 500 receipts = 20,000 digits, 2,000 expected per digit; a standard
        // deviation is about 42, so 1,800..2,200 fails only on a real bias.
        let mut counts = [0usize; 10];
        for _ in 0..500 {
            let receipt = Receipt::generate().unwrap();
            for &digit in receipt.compact() {
                counts[usize::from(digit - b'0')] += 1;
            }
        }
        assert!(
            counts.iter().all(|&c| (1800..2200).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn parsing_tolerates_what_people_paste() {
        let expected = Receipt::parse(SAMPLE).unwrap();
        let compact: String = SAMPLE.split(' ').collect();
        for input in [
            compact.clone(),
            format!("  {SAMPLE}\n"),
            SAMPLE.replace(' ', "-"),
            SAMPLE.replace(' ', " - "),
            SAMPLE.replace(' ', "\u{00a0}"),
            SAMPLE.replace(' ', "\u{2013}"),
            format!("{}\t{}", &compact[..20], &compact[20..]),
        ] {
            assert_eq!(Receipt::parse(&input).unwrap(), expected, "{input:?}");
        }
        assert_eq!(expected.to_string(), SAMPLE);
    }

    #[test]
    fn parsing_is_strict_about_digits() {
        assert_eq!(
            Receipt::parse(&SAMPLE[..SAMPLE.len() - 1]).unwrap_err(),
            ReceiptError::WrongLength { found: 39 }
        );
        assert_eq!(
            Receipt::parse(&format!("{SAMPLE}1")).unwrap_err(),
            ReceiptError::WrongLength { found: 41 }
        );
        assert_eq!(
            Receipt::parse("").unwrap_err(),
            ReceiptError::WrongLength { found: 0 }
        );
        assert_eq!(
            Receipt::parse(&SAMPLE.replacen('0', "O", 1)).unwrap_err(),
            ReceiptError::InvalidCharacter { character: 'O' }
        );
        let err = Receipt::parse("1234").unwrap_err();
        assert_eq!(err.to_string(), "a receipt has 40 digits; found 4");
    }

    #[test]
    fn debug_does_not_show_the_digits() {
        let receipt = Receipt::parse(SAMPLE).unwrap();
        let debug = format!("{receipt:?} {:?}", Some(&receipt));
        assert!(!debug.contains("4821"), "{debug}");
        assert!(debug.contains("redacted"));
        assert!(!format!("{:?}", hasher()).contains("pepper, 32"));
    }

    #[test]
    fn hashing_is_deterministic_and_depends_on_receipt_and_pepper() {
        let receipt = Receipt::parse(SAMPLE).unwrap();
        let hash = hasher().hash(&receipt).unwrap();
        // The same receipt typed differently hashes the same.
        let retyped = Receipt::parse(&SAMPLE.replace(' ', "-")).unwrap();
        assert_eq!(hasher().hash(&retyped).unwrap(), hash);

        let other = Receipt::parse(&SAMPLE.replacen('4', "5", 1)).unwrap();
        assert_ne!(hasher().hash(&other).unwrap(), hash);

        let other_pepper = ReceiptHasher::with_params(
            b"another installation's pepper",
            ReceiptHashParams::cheap_for_tests(),
        )
        .unwrap();
        assert_ne!(other_pepper.hash(&receipt).unwrap(), hash);

        let costlier = ReceiptHasher::with_params(
            PEPPER,
            ReceiptHashParams {
                iterations: 2,
                ..ReceiptHashParams::cheap_for_tests()
            },
        )
        .unwrap();
        assert_ne!(costlier.hash(&receipt).unwrap(), hash);
    }

    #[test]
    fn default_params_hash_too() {
        let hasher = ReceiptHasher::new(PEPPER).unwrap();
        let receipt = Receipt::generate().unwrap();
        assert_eq!(
            hasher.hash(&receipt).unwrap(),
            hasher.hash(&receipt).unwrap()
        );
    }

    #[test]
    fn hashes_round_trip_through_hex_and_bytes() {
        let hash = hasher().hash(&Receipt::parse(SAMPLE).unwrap()).unwrap();
        let hex = hash.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(ReceiptHash::from_hex(&hex).unwrap(), hash);
        assert_eq!(ReceiptHash::from_hex(&hex.to_uppercase()).unwrap(), hash);
        assert_eq!(ReceiptHash::from_bytes(*hash.as_bytes()), hash);
        for bad in ["", "zz", &hex[..62], &format!("{hex}00")] {
            assert_eq!(ReceiptHash::from_hex(bad), Err(ReceiptError::InvalidHash));
        }
    }

    #[test]
    fn a_short_pepper_or_impossible_cost_is_refused() {
        assert_eq!(
            ReceiptHasher::new(b"short").unwrap_err(),
            ReceiptError::PepperTooShort { found: 5 }
        );
        let too_cheap = ReceiptHashParams {
            memory_kib: 1,
            ..ReceiptHashParams::cheap_for_tests()
        };
        assert!(matches!(
            ReceiptHasher::with_params(PEPPER, too_cheap),
            Err(ReceiptError::Argon2(_))
        ));
    }
}
