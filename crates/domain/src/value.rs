//! Small value types every record kind is built from. Each parses at the
//! edge (through serde's `try_from`), so a record that deserialised holds
//! only valid values, and each describes itself as JSON Schema so that the
//! schemas served by the API are generated from the same types.

use crate::{Bin, Iin, Kzt};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {0} characters")]
    TooLong(usize),
    #[error("must not contain control characters")]
    Control,
}

impl TextError {
    /// The stable code of this failure: `text.empty`, `text.too_long`,
    /// `text.control`.
    pub fn code(&self) -> &'static str {
        match self {
            TextError::Empty => "text.empty",
            TextError::TooLong(_) => "text.too_long",
            TextError::Control => "text.control",
        }
    }
}

/// Free text, trimmed, non-empty, at most `MAX` characters, without control
/// characters other than line breaks and tabs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Text<const MAX: usize>(String);

impl<const MAX: usize> Text<MAX> {
    pub fn parse(s: &str) -> Result<Self, TextError> {
        let t = s.trim();
        if t.is_empty() {
            return Err(TextError::Empty);
        }
        if t.chars().count() > MAX {
            return Err(TextError::TooLong(MAX));
        }
        if t.chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            return Err(TextError::Control);
        }
        Ok(Self(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> TryFrom<String> for Text<MAX> {
    type Error = TextError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).map_err(|e| crate::parse::refused(e.code(), e))
    }
}

impl<const MAX: usize> From<Text<MAX>> for String {
    fn from(t: Text<MAX>) -> String {
        t.0
    }
}

impl<const MAX: usize> fmt::Display for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> JsonSchema for Text<MAX> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        format!("Text{MAX}").into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "minLength": 1, "maxLength": MAX})
    }
}

/// Names of people and organisations.
pub type Name = Text<300>;
/// Descriptions, occasions, notes.
pub type Note = Text<2000>;
/// Short labels: roles, registration plates, currencies.
pub type Label = Text<100>;

/// Why a date was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("must be a date as YYYY-MM-DD")]
    Format,
    #[error("must be between {} and {}", Date::EARLIEST, Date::LATEST)]
    Range,
}

impl DateError {
    /// The stable code of this failure: `date.format` or `date.range`.
    pub fn code(&self) -> &'static str {
        match self {
            DateError::Format => "date.format",
            DateError::Range => "date.range",
        }
    }
}

/// A calendar date written `YYYY-MM-DD`, between [`Date::EARLIEST`] and
/// [`Date::LATEST`]: no record of a living organisation is dated in year 0
/// (which chrono and both databases would otherwise store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date(NaiveDate);

impl Date {
    /// Older than any birth, acquisition or conviction a record names.
    pub const EARLIEST: &'static str = "1900-01-01";
    /// Later than any deadline or end of a term a record names.
    pub const LATEST: &'static str = "2199-12-31";

    pub fn parse(s: &str) -> Result<Self, DateError> {
        // chrono accepts a missing zero padding; the schema promises the
        // ISO form, so require ten characters.
        if s.len() != 10 {
            return Err(DateError::Format);
        }
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| DateError::Format)?;
        // The bounds are ISO dates, so they compare as text.
        if !(Self::EARLIEST..=Self::LATEST).contains(&s) {
            return Err(DateError::Range);
        }
        Ok(Self(d))
    }

    pub fn get(self) -> NaiveDate {
        self.0
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Self(d)
    }
}

impl TryFrom<String> for Date {
    type Error = DateError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).map_err(|e| crate::parse::refused(e.code(), e))
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.0.format("%Y-%m-%d").to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl JsonSchema for Date {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"})
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PercentError {
    #[error("must be a decimal number such as \"25.5\"")]
    NotANumber,
    #[error("must be more than 0 and at most 100")]
    Range,
    #[error("must have at most two digits after the decimal point")]
    TooPrecise,
}

impl PercentError {
    /// The stable code of this failure: `percent.format`, `percent.range`,
    /// `percent.scale`.
    pub fn code(&self) -> &'static str {
        match self {
            PercentError::NotANumber => "percent.format",
            PercentError::Range => "percent.range",
            PercentError::TooPrecise => "percent.scale",
        }
    }
}

/// A share in percent: more than 0, at most 100, two fractional digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Percent(Decimal);

impl Percent {
    pub fn parse(s: &str) -> Result<Self, PercentError> {
        let d = Decimal::from_str(s.trim()).map_err(|_| PercentError::NotANumber)?;
        if d <= Decimal::ZERO || d > Decimal::ONE_HUNDRED {
            return Err(PercentError::Range);
        }
        if d.normalize().scale() > 2 {
            return Err(PercentError::TooPrecise);
        }
        Ok(Self(d.normalize()))
    }

    pub fn get(self) -> Decimal {
        self.0
    }
}

impl TryFrom<String> for Percent {
    type Error = PercentError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).map_err(|e| crate::parse::refused(e.code(), e))
    }
}

impl From<Percent> for String {
    fn from(p: Percent) -> String {
        p.0.to_string()
    }
}

impl JsonSchema for Percent {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]{1,3}(\\.[0-9]{1,2})?$",
            "description": "A share in percent as a decimal string, more than 0 and at most 100."
        })
    }
}

impl JsonSchema for Iin {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Iin".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]{12}$",
            "description": "Individual identification number: 12 digits, the last a check digit."
        })
    }
}

impl JsonSchema for Bin {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Bin".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]{12}$",
            "description": "Business identification number: 12 digits, the last a check digit."
        })
    }
}

impl JsonSchema for Kzt {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "Kzt".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]+(\\.[0-9]{1,2})?$",
            "description": "An amount in tenge as a decimal string with at most two fractional digits, e.g. \"150000.00\"."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::<5>::parse("  abc ").unwrap().as_str(), "abc");
        assert_eq!(Text::<5>::parse("   "), Err(TextError::Empty));
        assert_eq!(Text::<5>::parse("абвгде"), Err(TextError::TooLong(5)));
        assert_eq!(Text::<5>::parse("a\u{0}b"), Err(TextError::Control));
        assert!(Text::<5>::parse("a\nb").is_ok());
    }

    #[test]
    fn dates_must_be_iso() {
        assert!(Date::parse("2026-02-28").is_ok());
        assert_eq!(Date::parse("2026-2-28"), Err(DateError::Format));
        assert_eq!(Date::parse("2026-02-30"), Err(DateError::Format));
        assert_eq!(Date::parse("28.02.2026"), Err(DateError::Format));
        // Issue 12, problem 9: year 0 used to be a date.
        assert_eq!(Date::parse("0000-01-01"), Err(DateError::Range));
        assert_eq!(Date::parse("1899-12-31"), Err(DateError::Range));
        assert_eq!(Date::parse("2200-01-01"), Err(DateError::Range));
        assert!(Date::parse("1900-01-01").is_ok() && Date::parse("2199-12-31").is_ok());
        assert_eq!(DateError::Range.code(), "date.range");
    }

    #[test]
    fn percent_bounds() {
        assert_eq!(Percent::parse("25.50").unwrap().get().to_string(), "25.5");
        assert_eq!(Percent::parse("0"), Err(PercentError::Range));
        assert_eq!(Percent::parse("100.01"), Err(PercentError::Range));
        assert_eq!(Percent::parse("1.234"), Err(PercentError::TooPrecise));
        assert_eq!(Percent::parse("x"), Err(PercentError::NotANumber));
    }
}
