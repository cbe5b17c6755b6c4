//! Gift and hospitality declarations.

use crate::org::closed_enum;
use crate::records::{Checks, Kind, Record};
use crate::{Bin, Date, FieldError, Iin, Kzt, Label, Name, Note, Text};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

const MAX_NAME: usize = 300;
const MAX_TEXT: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

closed_enum!(
    /// What became of a received gift.
    GiftDecision {
        Accepted => "accepted",
        Returned => "returned",
        HandedOver => "handed_over",
    }
);

/// A validated gift declaration. Serialised, this is the payload stored
/// with the submission and handed to the rules. Schema version 2 added the
/// receiver, the decision and the links; version 1 payloads are valid v2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftDeclaration {
    pub direction: GiftDirection,
    /// Who gave the gift (for a gift given, the declarant's side).
    pub giver_name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub giver_bin: Option<Bin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub giver_iin: Option<Iin>,
    /// Who received it, when not the declarant (gifts given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_name: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_bin: Option<Bin>,
    pub description: Note,
    pub value_kzt: Kzt,
    pub date: Date,
    pub occasion: Note,
    /// The contracting process the giver takes part in, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procurement_ocid: Option<Label>,
    /// Accepted, returned or handed over; absent while undecided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<GiftDecision>,
}

impl Record for GiftDeclaration {
    const KIND: Kind = Kind::Gift;

    fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut c = Checks::default();
        c.not_future("/date", self.date, today);
        if self.giver_bin.is_some() && self.giver_iin.is_some() {
            c.fail(
                "/giver_iin",
                "party.iin_and_bin",
                "a giver is a person (iin) or an organisation (bin), not both",
            );
        }
        if self.direction == GiftDirection::Given && self.receiver_name.is_none() {
            c.fail(
                "/receiver_name",
                "field.required",
                "required for a gift given",
            );
        }
        c.done()
    }
}

fn text<const MAX: usize>(
    errors: &mut Vec<FieldError>,
    pointer: &str,
    value: &str,
) -> Option<Text<MAX>> {
    Text::parse(value)
        .map_err(|e| errors.push(FieldError::coded(pointer, e.code(), e.to_string())))
        .ok()
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
                errors.push(FieldError::coded(
                    "/direction",
                    "choice.unknown",
                    format!("unknown value {other:?}; expected one of: received, given"),
                ));
                None
            }
        };
        let giver_name = text::<MAX_NAME>(&mut errors, "/giver_name", &input.giver_name);
        let description = text::<MAX_TEXT>(&mut errors, "/description", &input.description);
        let occasion = text::<MAX_TEXT>(&mut errors, "/occasion", &input.occasion);
        let giver_bin = match input.giver_bin.as_deref() {
            None | Some("") => None,
            Some(b) => match Bin::parse(b) {
                Ok(bin) => Some(bin),
                Err(e) => {
                    errors.push(FieldError::coded(
                        "/giver_bin",
                        e.bin_code(),
                        format!("invalid BIN: {e}"),
                    ));
                    None
                }
            },
        };
        let value_kzt = match Kzt::parse(&input.value_kzt) {
            Ok(v) => Some(v),
            Err(e) => {
                errors.push(FieldError::coded("/value_kzt", e.code(), e.to_string()));
                None
            }
        };
        let date = match Date::parse(&input.date).map(Date::get) {
            Ok(d) if d > today => {
                errors.push(FieldError::coded(
                    "/date",
                    "date.in_future",
                    "must not be in the future",
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.push(FieldError::coded("/date", e.code(), e.to_string()));
                None
            }
        };
        match (
            direction,
            giver_name,
            description,
            occasion,
            value_kzt,
            date,
        ) {
            (
                Some(direction),
                Some(giver_name),
                Some(description),
                Some(occasion),
                Some(value_kzt),
                Some(date),
            ) if errors.is_empty() => Ok(Self {
                direction,
                giver_name,
                giver_bin,
                giver_iin: None,
                receiver_name: None,
                receiver_bin: None,
                description,
                value_kzt,
                date: date.into(),
                occasion,
                procurement_ocid: None,
                decision: None,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
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
