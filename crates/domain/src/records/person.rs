//! The people of a tenant: employees with their position, the relatives
//! they declared and their business interests. Master data rather than a
//! submission: corrected by re-filing the person, history in the audit log.

use super::coi::Relation;
use super::{Checks, Kind, Record};
use crate::org::closed_enum;
use crate::{Bin, Date, FieldError, Iin, Name, Percent};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

pub const MAX_RELATIVES: usize = 50;
pub const MAX_INTERESTS: usize = 50;

closed_enum!(
    InterestRole {
        Shareholder => "shareholder",
        Founder => "founder",
        Director => "director",
        BoardMember => "board_member",
        Employee => "employee",
        Other => "other",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Relative {
    pub relation: Relation,
    pub full_name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iin: Option<Iin>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Interest {
    pub company_bin: Bin,
    pub company_name: Name,
    pub role: InterestRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_percent: Option<Percent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub iin: Iin,
    pub full_name: Name,
    /// One of the tenant's departments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<Uuid>,
    /// One of the tenant's positions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<Date>,
    #[serde(default)]
    #[schemars(length(max = 50))]
    pub relatives: Vec<Relative>,
    #[serde(default)]
    #[schemars(length(max = 50))]
    pub interests: Vec<Interest>,
}

impl Record for Person {
    const KIND: Kind = Kind::Person;

    fn check(&self, _today: NaiveDate) -> Vec<FieldError> {
        let mut c = Checks::default();
        if let Some(start) = self.started_on {
            c.ordered("/ended_on", start, self.ended_on, "started_on");
        }
        c.max_items("/relatives", &self.relatives, MAX_RELATIVES);
        c.max_items("/interests", &self.interests, MAX_INTERESTS);
        for (i, r) in self.relatives.iter().enumerate() {
            if r.iin.as_ref() == Some(&self.iin) {
                c.fail(
                    format!("/relatives/{i}/iin"),
                    "relative.self",
                    "is the person's own IIN",
                );
            }
        }
        for (i, r) in self.interests.iter().enumerate() {
            let holds_shares = matches!(r.role, InterestRole::Shareholder | InterestRole::Founder);
            if r.share_percent.is_some() && !holds_shares {
                c.fail(
                    format!("/interests/{i}/share_percent"),
                    "interest.share_not_held",
                    "only a shareholder or founder holds a share",
                );
            }
        }
        c.done()
    }
}

impl fmt::Display for Person {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.full_name, self.iin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::with_check_digit;
    use crate::records::parse;

    #[test]
    fn a_person_with_relatives_and_interests() {
        let iin = with_check_digit("85050540001").unwrap();
        let rel = with_check_digit("60010130001").unwrap();
        let bin = with_check_digit("12044000123").unwrap();
        let body = format!(
            r#"{{"iin":"{iin}","full_name":"Серік Әбдіұлы","started_on":"2020-01-15",
               "relatives":[{{"relation":"parent","full_name":"Әбді Серікұлы","iin":"{rel}"}}],
               "interests":[{{"company_bin":"{bin}","company_name":"Jetisu Build","role":"shareholder","share_percent":"25"}}]}}"#
        );
        let p: Person = parse(body.as_bytes(), NaiveDate::MAX).unwrap();
        assert_eq!(p.relatives.len(), 1);
        let bad = body.replace(r#""role":"shareholder""#, r#""role":"director""#);
        let e = parse::<Person>(bad.as_bytes(), NaiveDate::MAX).unwrap_err();
        assert_eq!(e[0].pointer, "/interests/0/share_percent");
    }
}
