//! HR actions: hiring, transfer, promotion, dismissal, with who decided.

use super::coi::Relation;
use super::{Checks, Kind, Record};
use crate::org::closed_enum;
use crate::{Date, FieldError, Iin, Label, Name, Note};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

closed_enum!(
    HrActionKind {
        Hiring => "hiring",
        Transfer => "transfer",
        Promotion => "promotion",
        Dismissal => "dismissal",
    }
);

closed_enum!(
    /// Checks done before hiring into a high-risk position.
    ScreeningCheck {
        ConvictedRegistry => "convicted_registry",
        CriminalRecord => "criminal_record",
        Relatives => "relatives",
        Interests => "interests",
        References => "references",
    }
);

closed_enum!(
    ScreeningResult {
        Clear => "clear",
        Concerns => "concerns",
    }
);

/// The candidate or employee the action is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    pub iin: Iin,
    pub full_name: Name,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionMaker {
    pub full_name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iin: Option<Iin>,
    /// Their part in the decision: "head of department", "commission member".
    pub role: Label,
    /// A family relation to the subject, when one is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation_to_subject: Option<Relation>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Screening {
    pub completed_on: Date,
    #[schemars(length(min = 1))]
    pub checks: Vec<ScreeningCheck>,
    pub result: ScreeningResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Note>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HrAction {
    pub action: HrActionKind,
    pub person: Subject,
    /// The position the person takes (hiring, transfer, promotion) or
    /// leaves (dismissal); one of the tenant's positions.
    pub position_id: Uuid,
    /// The position held before a transfer or promotion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_position_id: Option<Uuid>,
    /// When the action takes effect (may be planned ahead).
    pub effective_on: Date,
    /// When it was decided; not in the future.
    pub decided_on: Date,
    #[schemars(length(min = 1, max = 10))]
    pub decision_makers: Vec<DecisionMaker>,
    /// Required when hiring into a position on the tenant's list of
    /// high-risk positions (the service checks the position).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screening: Option<Screening>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Note>,
}

impl Record for HrAction {
    const KIND: Kind = Kind::HrAction;

    fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut c = Checks::default();
        c.not_future("/decided_on", self.decided_on, today);
        c.ordered(
            "/effective_on",
            self.decided_on,
            Some(self.effective_on),
            "decided_on",
        );
        if self.decision_makers.is_empty() {
            c.fail(
                "/decision_makers",
                "decision_maker.required",
                "must name at least one decision maker",
            );
        }
        c.max_items("/decision_makers", &self.decision_makers, 10);
        for (i, d) in self.decision_makers.iter().enumerate() {
            if d.iin.as_ref() == Some(&self.person.iin) {
                c.fail(
                    format!("/decision_makers/{i}/iin"),
                    "decision_maker.self",
                    "a person cannot decide on their own HR action",
                );
            }
        }
        match self.action {
            HrActionKind::Transfer | HrActionKind::Promotion => {
                if self.previous_position_id.is_none() {
                    c.fail(
                        "/previous_position_id",
                        "field.required",
                        format!("required for a {}", self.action),
                    );
                }
            }
            HrActionKind::Dismissal => {
                if self.reason.is_none() {
                    c.fail("/reason", "field.required", "required for a dismissal");
                }
            }
            HrActionKind::Hiring => {}
        }
        if self.previous_position_id == Some(self.position_id) {
            c.fail(
                "/position_id",
                "position.unchanged",
                "must differ from previous_position_id",
            );
        }
        if let Some(s) = &self.screening {
            c.not_future("/screening/completed_on", s.completed_on, today);
            if s.checks.is_empty() {
                c.fail(
                    "/screening/checks",
                    "screening.checks_required",
                    "must list at least one check",
                );
            }
        }
        c.done()
    }
}

impl fmt::Display for HrAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} on {}",
            self.action, self.person.full_name, self.effective_on
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ident::with_check_digit;
    use crate::records::parse;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    fn body(action: &str, extra: &str) -> String {
        let iin = with_check_digit("90010130001").unwrap();
        format!(
            r#"{{"action":"{action}","person":{{"iin":"{iin}","full_name":"Dana Aliyeva"}},
               "position_id":"0190a0a0-0000-7000-8000-000000000001","effective_on":"2026-07-01","decided_on":"2026-05-20",
               "decision_makers":[{{"full_name":"Marat Ospanov","role":"head of department","relation_to_subject":"parent"}}]{extra}}}"#
        )
    }

    #[test]
    fn accepts_a_hiring_with_a_declared_relation() {
        let a: HrAction = parse(body("hiring", "").as_bytes(), today()).unwrap();
        assert_eq!(
            a.decision_makers[0].relation_to_subject,
            Some(Relation::Parent)
        );
    }

    #[test]
    fn promotion_needs_the_previous_position_and_dismissal_a_reason() {
        let e = parse::<HrAction>(body("promotion", "").as_bytes(), today()).unwrap_err();
        assert_eq!(e[0].pointer, "/previous_position_id");
        let e = parse::<HrAction>(body("dismissal", "").as_bytes(), today()).unwrap_err();
        assert_eq!(e[0].pointer, "/reason");
    }

    #[test]
    fn screening_cannot_be_done_in_the_future() {
        let e = parse::<HrAction>(
            body(
                "hiring",
                r#","screening":{"completed_on":"2026-06-02","checks":["convicted_registry"],"result":"clear"}"#,
            )
            .as_bytes(),
            today(),
        )
        .unwrap_err();
        assert_eq!(e[0].pointer, "/screening/completed_on");
    }
}
