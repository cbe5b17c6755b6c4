//! Tenge amounts: decimal, never a float, at most two fractional digits
//! (tiyn), never negative. Procurement runs into tens of billions, so the
//! range is that of `rust_decimal` (28 digits), far beyond any budget.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("must be a decimal number such as \"150000.00\"")]
    NotANumber,
    #[error("must not be negative")]
    Negative,
    #[error("must have at most two digits after the decimal point")]
    TooPrecise,
}

impl MoneyError {
    /// The stable code of this failure: `money.format`, `money.negative`,
    /// `money.scale`.
    pub fn code(&self) -> &'static str {
        match self {
            MoneyError::NotANumber => "money.format",
            MoneyError::Negative => "money.negative",
            MoneyError::TooPrecise => "money.scale",
        }
    }
}

/// An amount in tenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Kzt(Decimal);

impl Kzt {
    pub fn parse(s: &str) -> Result<Self, MoneyError> {
        let t = s.trim();
        // Decimal::from_str accepts things like "1e5" only via from_scientific,
        // and rejects empty strings; we also refuse a leading '+'.
        if t.is_empty() || t.starts_with('+') || t != s {
            return Err(MoneyError::NotANumber);
        }
        let d = Decimal::from_str(t).map_err(|_| MoneyError::NotANumber)?;
        Self::from_decimal(d)
    }

    pub fn from_decimal(d: Decimal) -> Result<Self, MoneyError> {
        if d.is_sign_negative() && !d.is_zero() {
            return Err(MoneyError::Negative);
        }
        if d.normalize().scale() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        Ok(Self(d))
    }

    pub fn amount(self) -> Decimal {
        self.0
    }
}

impl TryFrom<String> for Kzt {
    type Error = MoneyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).map_err(|e| crate::parse::refused(e.code(), e))
    }
}

impl From<Kzt> for String {
    fn from(k: Kzt) -> String {
        k.to_string()
    }
}

impl fmt::Display for Kzt {
    /// Always two fractional digits: `150000.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = self.0;
        d.rescale(2);
        write!(f, "{d}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_with_two_digits() {
        assert_eq!(Kzt::parse("150000").unwrap().to_string(), "150000.00");
        assert_eq!(Kzt::parse("0.5").unwrap().to_string(), "0.50");
        assert_eq!(Kzt::parse("1.230").unwrap().to_string(), "1.23");
    }

    #[test]
    fn large_amounts_are_exact() {
        let k = Kzt::parse("98765432109876.55").unwrap();
        assert_eq!(k.to_string(), "98765432109876.55");
    }

    #[test]
    fn rejects_bad_amounts() {
        assert_eq!(Kzt::parse("-1"), Err(MoneyError::Negative));
        assert_eq!(Kzt::parse("1.234"), Err(MoneyError::TooPrecise));
        assert_eq!(Kzt::parse("abc"), Err(MoneyError::NotANumber));
        assert_eq!(Kzt::parse(""), Err(MoneyError::NotANumber));
        assert_eq!(Kzt::parse(" 1"), Err(MoneyError::NotANumber));
        assert_eq!(Kzt::parse("NaN"), Err(MoneyError::NotANumber));
    }
}
