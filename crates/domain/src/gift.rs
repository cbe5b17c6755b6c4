//! Gift and hospitality declarations.

use crate::{Bin, FieldError, Kzt};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

const MAX_NAME: usize = 300;
const MAX_TEXT: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GiftDirection {
    Received,
    Given,
}

/// A gift declaration as it arrives, before validation.
#[derive(Debug, Clone, Default)]
pub struct GiftInput {
    pub direction: String,
    pub giver_name: String,
    pub giver_bin: Option<String>,
    pub description: String,
    pub value_kzt: String,
    pub date: String,
    pub occasion: String,
}

/// A validated gift declaration. Serialised, this is the payload stored
/// with the submission and handed to the rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiftDeclaration {
    pub direction: GiftDirection,
    pub giver_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub giver_bin: Option<Bin>,
    pub description: String,
    pub value_kzt: Kzt,
    pub date: NaiveDate,
    pub occasion: String,
}

fn text(
    errors: &mut Vec<FieldError>,
    pointer: &str,
    value: &str,
    max: usize,
    required: bool,
) -> String {
    let t = value.trim();
    if required && t.is_empty() {
        errors.push(FieldError::new(pointer, "must not be empty"));
    } else if t.chars().count() > max {
        errors.push(FieldError::new(
            pointer,
            format!("must be at most {max} characters"),
        ));
    }
    t.to_owned()
}

impl GiftDeclaration {
    /// Validates every field and reports every problem at once, each with
    /// its JSON pointer. `today` bounds the date: a gift cannot be declared
    /// before it happened.
    pub fn validate(input: GiftInput, today: NaiveDate) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let direction = match input.direction.as_str() {
            "received" => Some(GiftDirection::Received),
            "given" => Some(GiftDirection::Given),
            other => {
                errors.push(FieldError::new(
                    "/direction",
                    format!("unknown value {other:?}; expected one of: received, given"),
                ));
                None
            }
        };
        let giver_name = text(
            &mut errors,
            "/giver_name",
            &input.giver_name,
            MAX_NAME,
            true,
        );
        let description = text(
            &mut errors,
            "/description",
            &input.description,
            MAX_TEXT,
            true,
        );
        let occasion = text(&mut errors, "/occasion", &input.occasion, MAX_TEXT, true);
        let giver_bin = match input.giver_bin.as_deref() {
            None | Some("") => None,
            Some(b) => match Bin::parse(b) {
                Ok(bin) => Some(bin),
                Err(e) => {
                    errors.push(FieldError::new("/giver_bin", format!("invalid BIN: {e}")));
                    None
                }
            },
        };
        let value_kzt = match Kzt::parse(&input.value_kzt) {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(FieldError::new("/value_kzt", e.to_string()));
                None
            }
        };
        let date = match NaiveDate::parse_from_str(&input.date, "%Y-%m-%d") {
            Ok(d) if d > today => {
                errors.push(FieldError::new("/date", "must not be in the future"));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldError::new("/date", "must be a date as YYYY-MM-DD"));
                None
            }
        };
        match (direction, value_kzt, date) {
            (Some(direction), Some(value_kzt), Some(date)) if errors.is_empty() => Ok(Self {
                direction,
                giver_name,
                giver_bin,
                description,
                value_kzt,
                date,
                occasion,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ident::with_check_digit;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    fn input() -> GiftInput {
        GiftInput {
            direction: "received".into(),
            giver_name: "Jetisu Build LLP".into(),
            giver_bin: Some(with_check_digit("12044000123").unwrap()),
            description: "Watch".into(),
            value_kzt: "250000.00".into(),
            date: "2026-05-20".into(),
            occasion: "Contract signing".into(),
        }
    }

    #[test]
    fn valid_gift_serialises_as_the_rule_payload() {
        let g = GiftDeclaration::validate(input(), today()).unwrap();
        let v = serde_json::to_value(&g).unwrap();
        assert_eq!(v["value_kzt"], "250000.00");
        assert_eq!(v["date"], "2026-05-20");
        assert_eq!(v["direction"], "received");
    }

    #[test]
    fn reports_every_bad_field_with_its_pointer() {
        let mut i = input();
        i.value_kzt = "-5".into();
        i.giver_bin = Some("123456789012".into());
        i.date = "2027-01-01".into();
        i.giver_name = "  ".into();
        let errs = GiftDeclaration::validate(i, today()).unwrap_err();
        let pointers: Vec<_> = errs.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            vec!["/giver_name", "/giver_bin", "/value_kzt", "/date"]
        );
    }
}
