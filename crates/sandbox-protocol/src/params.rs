//! Rule parameters: how a rule declares them (type, default, unit, range)
//! and how a value is checked against its declaration.
//!
//! Both workspaces use this one definition: the rule engine when it loads
//! `rules/` and runs `adal-rules test`, and the API when a tenant overrides
//! a library parameter or declares its own, so a value accepted by one is
//! accepted by the other. Decimals are compared as exact digit strings
//! here, since this crate depends on serde only.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::cmp::Ordering;
use std::fmt;

/// The closed set of parameter types. MCI counts and day counts are
/// `integer` with the unit `MCI` or `days`; lists of names are
/// pipe-separated `string`s (`"open|selective"`), as in cardinal's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// An amount in KZT, a decimal string with at most 2 decimals (tiyn).
    Money,
    Integer,
    Decimal,
    String,
    Bool,
    /// A decimal that may be left unset: the empty string means "not set"
    /// (TOML has no null), e.g. a fixed fence that otherwise is computed
    /// from the data set.
    OptionalDecimal,
    /// A table from names to integers, e.g. a threshold per procurement
    /// method detail.
    IntegerMap,
}

impl ParamType {
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::Money => "money",
            ParamType::Integer => "integer",
            ParamType::Decimal => "decimal",
            ParamType::String => "string",
            ParamType::Bool => "bool",
            ParamType::OptionalDecimal => "optional_decimal",
            ParamType::IntegerMap => "integer_map",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        serde_json::from_value(Value::String(s.to_owned())).ok()
    }

    /// Whether `min` and `max` apply.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            ParamType::Money | ParamType::Integer | ParamType::Decimal
        )
    }
}

/// Units a parameter may declare. Closed, so that a form can show them and
/// a typo (`"mci"`, `"day"`) is an error rather than a silent label.
pub const UNITS: &[&str] = &["KZT", "MCI", "days", "percent", "count"];

/// One parameter as a rule declares it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    #[serde(rename = "type")]
    pub ty: ParamType,
    pub default: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Value>,
}

impl ParamSpec {
    /// Checks the declaration itself: the unit is known, bounds are given
    /// only for numeric types, are of the parameter's type and in order,
    /// and the default is a valid value. Returns the default as the engine
    /// receives it.
    pub fn validate(&self) -> Result<Value, String> {
        if let Some(u) = &self.unit {
            if !UNITS.contains(&u.as_str()) {
                return Err(format!("unit {u:?} is not one of: {}", UNITS.join(", ")));
            }
            if self.ty == ParamType::Money && u != "KZT" {
                return Err(format!("a money parameter is in KZT, not {u:?}"));
            }
        }
        if !self.ty.is_numeric() && (self.min.is_some() || self.max.is_some()) {
            return Err(format!(
                "min and max apply to money, integer and decimal parameters, not {}",
                self.ty.as_str()
            ));
        }
        let (min, max) = self.bounds()?;
        if let (Some(a), Some(b)) = (&min, &max)
            && a > b
        {
            return Err(format!("min {a} is above max {b}"));
        }
        check_param(self, &self.default).map_err(|e| format!("default {e}"))
    }

    fn bounds(&self) -> Result<(Option<Num>, Option<Num>), String> {
        let one = |b: &Option<Value>, name: &str| -> Result<Option<Num>, String> {
            b.as_ref()
                .map(|b| {
                    Num::of(self.ty, b).ok_or_else(|| {
                        format!("{name} {b} is not a valid {} bound", self.ty.as_str())
                    })
                })
                .transpose()
        };
        Ok((one(&self.min, "min")?, one(&self.max, "max")?))
    }
}

/// Checks `v` against `spec` (type and range) and returns it as the engine
/// receives it: integers and booleans as they are, money and decimals as
/// decimal strings (`5` becomes `"5"`).
pub fn check_param(spec: &ParamSpec, v: &Value) -> Result<Value, String> {
    match spec.ty {
        ParamType::Integer | ParamType::Money | ParamType::Decimal => {
            let n = Num::of(spec.ty, v).ok_or_else(|| match spec.ty {
                ParamType::Integer => format!("{v} is not an integer"),
                ParamType::Money => format!(
                    "{v} is not an amount in KZT (a string like \"150000.00\", at most 2 decimals)"
                ),
                _ => format!("{v} is not a decimal (use a string like \"1.5\")"),
            })?;
            let (min, max) = spec.bounds()?;
            if let Some(min) = min.filter(|m| n < *m) {
                return Err(format!("{n} is below the minimum {min}"));
            }
            if let Some(max) = max.filter(|m| n > *m) {
                return Err(format!("{n} is above the maximum {max}"));
            }
            Ok(match n {
                Num::Int(i) => Value::from(i),
                Num::Dec(d) => Value::String(d.text),
            })
        }
        ParamType::String => v
            .is_string()
            .then(|| v.clone())
            .ok_or_else(|| format!("{v} is not a string")),
        ParamType::Bool => v
            .is_boolean()
            .then(|| v.clone())
            .ok_or_else(|| format!("{v} is not true or false")),
        ParamType::OptionalDecimal => match v {
            Value::String(s) if s.trim().is_empty() => Ok(Value::String(String::new())),
            _ => Dec::of(v)
                .map(|d| Value::String(d.text))
                .ok_or_else(|| format!("{v} is not a decimal (or \"\" for not set)")),
        },
        ParamType::IntegerMap => {
            let map = v
                .as_object()
                .ok_or_else(|| format!("{v} is not a table of integers"))?;
            for (k, i) in map {
                if !i.is_i64() {
                    return Err(format!("{k:?} = {i} is not an integer"));
                }
            }
            Ok(v.clone())
        }
    }
}

/// A bound or value of a numeric parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Num {
    Int(i64),
    Dec(Dec),
}

impl Num {
    fn of(ty: ParamType, v: &Value) -> Option<Num> {
        match ty {
            ParamType::Integer => v.as_i64().map(Num::Int),
            ParamType::Money => Dec::of(v).filter(|d| d.frac.len() <= 2).map(Num::Dec),
            _ => Dec::of(v).map(Num::Dec),
        }
    }
}

impl PartialOrd for Num {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => Some(a.cmp(b)),
            (Num::Dec(a), Num::Dec(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Int(i) => write!(f, "{i}"),
            Num::Dec(d) => f.write_str(&d.text),
        }
    }
}

/// An exact decimal: sign, integer digits without leading zeros, fraction
/// digits as written (for comparing), and the text as written
/// (for passing on: `"8650.00"` keeps its scale).
#[derive(Debug, Clone)]
struct Dec {
    neg: bool,
    int: String,
    frac: String,
    text: String,
}

/// rust_decimal, which the engine computes with, holds 28 digits.
const MAX_DIGITS: usize = 28;

impl Dec {
    /// A decimal string (`"-12.50"`, no exponent) or an integer.
    fn of(v: &Value) -> Option<Dec> {
        let text = match v {
            Value::String(s) => s.trim().to_owned(),
            Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
            _ => return None,
        };
        let (neg, body) = match text.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, text.strip_prefix('+').unwrap_or(&text)),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || body.ends_with('.') {
            return None;
        }
        let int = int.trim_start_matches('0');
        if int.len() + frac.len() > MAX_DIGITS {
            return None;
        }
        let zero = int.is_empty() && frac.bytes().all(|b| b == b'0');
        let (int, frac) = (int.to_owned(), frac.to_owned());
        let text = text.strip_prefix('+').map_or(text.clone(), str::to_owned);
        Some(Dec {
            neg: neg && !zero,
            int,
            frac,
            text,
        })
    }

    fn magnitude_cmp(&self, other: &Dec) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| {
                let a = self.frac.trim_end_matches('0');
                let b = other.frac.trim_end_matches('0');
                // Digit strings of different lengths compare as decimals
                // once the shorter is padded with zeros.
                let n = a.len().max(b.len());
                format!("{a:0<n$}").cmp(&format!("{b:0<n$}"))
            })
    }
}

impl PartialEq for Dec {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Dec {}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.neg, other.neg) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.magnitude_cmp(other),
            (true, true) => other.magnitude_cmp(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(ty: ParamType, default: Value, min: Option<Value>, max: Option<Value>) -> ParamSpec {
        ParamSpec {
            ty,
            default,
            unit: None,
            description: None,
            min,
            max,
        }
    }

    #[test]
    fn integers_are_checked_against_their_range() {
        let s = spec(
            ParamType::Integer,
            json!(2),
            Some(json!(1)),
            Some(json!(1000)),
        );
        assert_eq!(s.validate().unwrap(), json!(2));
        assert_eq!(check_param(&s, &json!(1000)).unwrap(), json!(1000));
        assert!(check_param(&s, &json!(0)).unwrap_err().contains("below"));
        assert!(check_param(&s, &json!(1001)).unwrap_err().contains("above"));
        assert!(check_param(&s, &json!("5")).is_err());
        assert!(check_param(&s, &json!(2.5)).is_err());
    }

    #[test]
    fn money_is_compared_exactly_and_keeps_its_scale() {
        let s = spec(
            ParamType::Money,
            json!("8650.00"),
            Some(json!("0")),
            Some(json!("1000000.00")),
        );
        assert_eq!(s.validate().unwrap(), json!("8650.00"));
        assert_eq!(check_param(&s, &json!(5)).unwrap(), json!("5"));
        assert!(check_param(&s, &json!("1000000.01")).is_err());
        assert!(check_param(&s, &json!("1000000.00")).is_ok());
        assert!(check_param(&s, &json!("-0.01")).is_err());
        assert!(
            check_param(&s, &json!("1.001"))
                .unwrap_err()
                .contains("2 decimals")
        );
        assert!(check_param(&s, &json!("1e5")).is_err());
        assert!(check_param(&s, &json!(1.5)).is_err());
    }

    #[test]
    fn decimals_order_like_numbers() {
        let d = |s: &str| Dec::of(&json!(s)).unwrap();
        assert!(d("10") > d("9.99"));
        assert!(d("0.5") > d("0.45"));
        assert!(d("-1.5") < d("-1.25"));
        assert!(d("-0.00") == d("0"));
        assert!(d("007.10") == d("7.1"));
        assert!(Dec::of(&json!("1.")).is_none());
        assert!(Dec::of(&json!(".5")).is_none());
        assert!(Dec::of(&json!("1".repeat(40))).is_none());
    }

    #[test]
    fn declarations_are_checked() {
        let mut s = spec(ParamType::Integer, json!(0), Some(json!(1)), None);
        assert!(s.validate().unwrap_err().starts_with("default"));
        s = spec(
            ParamType::Integer,
            json!(5),
            Some(json!(10)),
            Some(json!(1)),
        );
        assert!(s.validate().unwrap_err().contains("above max"));
        s = spec(ParamType::String, json!("a"), Some(json!(1)), None);
        assert!(s.validate().unwrap_err().contains("apply to"));
        s = spec(ParamType::Integer, json!(2), None, None);
        s.unit = Some("mci".into());
        assert!(s.validate().unwrap_err().contains("unit"));
        s.unit = Some("MCI".into());
        assert!(s.validate().is_ok());
        s = spec(ParamType::Money, json!("1.00"), None, None);
        s.unit = Some("MCI".into());
        assert!(s.validate().is_err());
        assert_eq!(ParamType::parse("integer_map"), Some(ParamType::IntegerMap));
        assert_eq!(ParamType::parse("list"), None);
    }
}
