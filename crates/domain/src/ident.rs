//! Kazakhstan's 12-digit identifiers: IIN for people, BIN for organisations.
//!
//! Check digit (Government decree No. 565 of 11 June 2003): with digits
//! d1..d11, `sum(d_i * i) mod 11`; if that is 10, `sum(d_i * w_i) mod 11`
//! with weights 3,4,5,6,7,8,9,10,11,1,2; if that is 10 too the number is
//! invalid, otherwise it must equal d12.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentError {
    #[error("must be exactly 12 digits")]
    Format,
    #[error("check digit does not match")]
    CheckDigit,
    #[error("digit 7 must be 1-6 (century and sex)")]
    CenturyDigit,
    #[error("digits 1-6 are not a valid date of birth")]
    BirthDate,
    #[error("digit 5 must be 4, 5 or 6 (kind of entity)")]
    EntityKind,
    #[error("digit 6 must be 0-3 (head office, branch, representative office, peasant farm)")]
    EntityUnit,
}

impl IdentError {
    /// The stable code of this failure for an IIN: `iin.format`,
    /// `iin.check_digit`, `iin.century_digit`, `iin.birth_date`.
    pub fn iin_code(&self) -> &'static str {
        match self {
            IdentError::CheckDigit => "iin.check_digit",
            IdentError::CenturyDigit => "iin.century_digit",
            IdentError::BirthDate => "iin.birth_date",
            // Only a BIN has an entity kind and unit.
            IdentError::Format | IdentError::EntityKind | IdentError::EntityUnit => "iin.format",
        }
    }

    /// The stable code of this failure for a BIN: `bin.format`,
    /// `bin.check_digit`, `bin.entity_kind`, `bin.entity_unit`.
    pub fn bin_code(&self) -> &'static str {
        match self {
            IdentError::CheckDigit => "bin.check_digit",
            IdentError::EntityKind => "bin.entity_kind",
            IdentError::EntityUnit => "bin.entity_unit",
            // Only an IIN encodes a century and a date of birth.
            IdentError::Format | IdentError::CenturyDigit | IdentError::BirthDate => "bin.format",
        }
    }
}

fn digits(s: &str) -> Result<[u8; 12], IdentError> {
    let bytes = s.as_bytes();
    if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(IdentError::Format);
    }
    let mut out = [0u8; 12];
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = b - b'0';
    }
    Ok(out)
}

/// The check digit for the first eleven digits, or `None` when the number
/// cannot have one (both weightings give 10).
fn check_digit(d: &[u8; 12]) -> Option<u8> {
    const SECOND: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let first: u32 = d[..11]
        .iter()
        .zip(1u32..)
        .map(|(&x, w)| u32::from(x) * w)
        .sum::<u32>()
        % 11;
    if first != 10 {
        return u8::try_from(first).ok();
    }
    let second: u32 = d[..11]
        .iter()
        .zip(SECOND)
        .map(|(&x, w)| u32::from(x) * w)
        .sum::<u32>()
        % 11;
    if second == 10 {
        None
    } else {
        u8::try_from(second).ok()
    }
}

fn verify(d: &[u8; 12]) -> Result<(), IdentError> {
    match check_digit(d) {
        Some(c) if c == d[11] => Ok(()),
        _ => Err(IdentError::CheckDigit),
    }
}

/// Individual identification number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iin(String);

impl Iin {
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        let d = digits(s)?;
        let century = match d[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            5 | 6 => 2000,
            _ => return Err(IdentError::CenturyDigit),
        };
        let yy = i32::from(d[0] * 10 + d[1]);
        let mm = u32::from(d[2] * 10 + d[3]);
        let dd = u32::from(d[4] * 10 + d[5]);
        if chrono::NaiveDate::from_ymd_opt(century + yy, mm, dd).is_none() {
            return Err(IdentError::BirthDate);
        }
        verify(&d)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The date of birth the number encodes (digits 1-6, century from
    /// digit 7). Always `Some` for a parsed IIN; an `Option` only so that
    /// no code path can panic.
    pub fn birth_date(&self) -> Option<chrono::NaiveDate> {
        let d = digits(&self.0).ok()?;
        let century = match d[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            5 | 6 => 2000,
            _ => return None,
        };
        chrono::NaiveDate::from_ymd_opt(
            century + i32::from(d[0] * 10 + d[1]),
            u32::from(d[2] * 10 + d[3]),
            u32::from(d[4] * 10 + d[5]),
        )
    }
}

/// Business identification number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Bin(String);

impl Bin {
    pub fn parse(s: &str) -> Result<Self, IdentError> {
        let d = digits(s)?;
        if !matches!(d[4], 4..=6) {
            return Err(IdentError::EntityKind);
        }
        if d[5] > 3 {
            return Err(IdentError::EntityUnit);
        }
        verify(&d)?;
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! string_newtype_impls {
    ($t:ty, $code:ident) => {
        impl TryFrom<String> for $t {
            type Error = IdentError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s).map_err(|e| crate::parse::refused(e.$code(), e))
            }
        }
        impl From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
string_newtype_impls!(Iin, iin_code);
string_newtype_impls!(Bin, bin_code);

/// Completes eleven digits with their check digit; used by tests and by the
/// demo seeder to make valid identifiers.
#[doc(hidden)]
pub fn with_check_digit(first_eleven: &str) -> Option<String> {
    let mut padded = first_eleven.to_owned();
    padded.push('0');
    let d = digits(&padded).ok()?;
    let c = check_digit(&d)?;
    padded.pop();
    padded.push(char::from(b'0' + c));
    Some(padded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_iin_is_accepted() {
        // Born 1990-01-15, male 1900s (digit 7 = 3), serial 0001.
        let iin = with_check_digit("90011530001").unwrap();
        assert_eq!(Iin::parse(&iin).unwrap().as_str(), iin);
    }

    #[test]
    fn every_wrong_check_digit_is_rejected() {
        let iin = with_check_digit("90011530001").unwrap();
        let good = iin.as_bytes()[11];
        for c in b'0'..=b'9' {
            if c == good {
                continue;
            }
            let mut bad = iin.clone().into_bytes();
            bad[11] = c;
            let bad = String::from_utf8(bad).unwrap();
            assert_eq!(Iin::parse(&bad), Err(IdentError::CheckDigit), "{bad}");
        }
    }

    #[test]
    fn second_weighting_is_used_when_first_gives_ten() {
        // Find an 11-digit prefix whose first sum is 10 and check that the
        // completed number validates through the second weighting.
        let mut found = false;
        for serial in 0..10_000u32 {
            let prefix = format!("8501024{serial:04}");
            let d = digits(&format!("{prefix}0")).unwrap();
            let first: u32 = d[..11]
                .iter()
                .zip(1u32..)
                .map(|(&x, w)| u32::from(x) * w)
                .sum::<u32>()
                % 11;
            if first == 10
                && let Some(full) = with_check_digit(&prefix)
            {
                assert!(Iin::parse(&full).is_ok());
                found = true;
                break;
            }
        }
        assert!(found);
    }

    #[test]
    fn iin_gives_its_birth_date() {
        let iin = Iin::parse(&with_check_digit("90011530001").unwrap()).unwrap();
        assert_eq!(
            iin.birth_date(),
            chrono::NaiveDate::from_ymd_opt(1990, 1, 15)
        );
        // Digit 7 = 5: born in the 2000s, on a leap day.
        let iin = Iin::parse(&with_check_digit("04022950001").unwrap()).unwrap();
        assert_eq!(
            iin.birth_date(),
            chrono::NaiveDate::from_ymd_opt(2004, 2, 29)
        );
    }

    #[test]
    fn iin_format_errors_are_specific() {
        assert_eq!(Iin::parse("12345"), Err(IdentError::Format));
        assert_eq!(Iin::parse("9001153000a1"), Err(IdentError::Format));
        assert_eq!(Iin::parse("900115700010"), Err(IdentError::CenturyDigit));
        assert_eq!(Iin::parse("901315300010"), Err(IdentError::BirthDate));
    }

    #[test]
    fn bin_checks_entity_kind_and_check_digit() {
        let bin = with_check_digit("12044000123").unwrap();
        assert!(Bin::parse(&bin).is_ok());
        let not_entity = with_check_digit("12041000123").unwrap();
        assert_eq!(Bin::parse(&not_entity), Err(IdentError::EntityKind));
        let bad_unit = with_check_digit("12044900123").unwrap();
        assert_eq!(Bin::parse(&bad_unit), Err(IdentError::EntityUnit));
    }

    #[test]
    fn serde_rejects_invalid_identifiers() {
        assert!(serde_json::from_str::<Bin>("\"000000000000\"").is_err());
        let bin = with_check_digit("12044000123").unwrap();
        let parsed: Bin = serde_json::from_str(&format!("\"{bin}\"")).unwrap();
        assert_eq!(parsed.as_str(), bin);
    }
}
