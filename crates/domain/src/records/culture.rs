//! Anti-corruption culture, transparency and governance: training
//! completed, reports received through the feedback channels and their
//! answers, and the organisation's own anti-corruption measures (policy
//! adopted, compliance unit set up, risk assessment done). What the
//! Guidelines' sections on culture, accountability and the quasi-public
//! and private sector ask an organisation to be able to show.

use super::{Checks, Kind, Record};
use crate::org::closed_enum;
use crate::{Date, FieldError, Iin, Label, Name, Note};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

closed_enum!(
    TrainingTopic {
        AntiCorruption => "anti_corruption",
        ConflictOfInterest => "conflict_of_interest",
        Ethics => "ethics",
        Procurement => "procurement",
        Other => "other",
    }
);

/// A training a person completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Training {
    pub person_iin: Iin,
    pub full_name: Name,
    pub course: Name,
    /// Only `anti_corruption` counts toward the yearly training of staff in
    /// high-risk positions.
    pub topic: TrainingTopic,
    pub completed_on: Date,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Name>,
    /// Length in academic hours, 1 to 500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours: Option<u16>,
}

impl Training {
    /// The natural key: one completion per person, topic and day.
    pub fn reference(&self) -> String {
        format!(
            "{}:{}:{}",
            self.person_iin,
            self.topic,
            self.completed_on.get()
        )
    }
}

impl Record for Training {
    const KIND: Kind = Kind::Training;

    fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut c = Checks::default();
        c.not_future("/completed_on", self.completed_on, today);
        if let Some(h) = self.hours
            && !(1..=500).contains(&h)
        {
            c.fail("/hours", "range.hours", "must be from 1 to 500");
        }
        c.0
    }
}

closed_enum!(
    FeedbackChannel {
        Hotline => "hotline",
        Email => "email",
        Website => "website",
        Letter => "letter",
        InPerson => "in_person",
        AgencyPortal => "agency_portal",
    }
);

closed_enum!(
    FeedbackCategory {
        CorruptionReport => "corruption_report",
        Complaint => "complaint",
        Suggestion => "suggestion",
        Question => "question",
    }
);

/// A report or appeal received through one of the tenant's feedback
/// channels, and its answer once given (filed as a correction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackReport {
    /// The receipt code the reporter follows the report with.
    pub receipt_code: Label,
    pub channel: FeedbackChannel,
    pub category: FeedbackCategory,
    pub received_on: Date,
    pub summary: Note,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_summary: Option<Note>,
}

impl Record for FeedbackReport {
    const KIND: Kind = Kind::FeedbackReport;

    fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut c = Checks::default();
        c.not_future("/received_on", self.received_on, today);
        if let Some(a) = self.answered_on {
            c.not_future("/answered_on", a, today);
        }
        c.ordered(
            "/answered_on",
            self.received_on,
            self.answered_on,
            "received_on",
        );
        if self.answer_summary.is_some() && self.answered_on.is_none() {
            c.fail(
                "/answered_on",
                "field.required",
                "required with answer_summary",
            );
        }
        c.0
    }
}

closed_enum!(
    /// The organisation's own anti-corruption measures.
    GovernanceEvent {
        PolicyAdopted => "policy_adopted",
        ComplianceUnitEstablished => "compliance_unit_established",
        RiskAssessmentCompleted => "risk_assessment_completed",
    }
);

/// One of the organisation's anti-corruption measures, with its date and
/// the document that records it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GovernanceRecord {
    pub event: GovernanceEvent,
    pub on: Date,
    /// The order, policy or report, e.g. "Order No. 45 of 12.02.2026".
    pub document: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<Note>,
}

impl GovernanceRecord {
    /// The natural key: one measure of a kind per day.
    pub fn reference(&self) -> String {
        format!("{}:{}", self.event, self.on.get())
    }
}

impl Record for GovernanceRecord {
    const KIND: Kind = Kind::Governance;

    fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut c = Checks::default();
        c.not_future("/on", self.on, today);
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::parse_value;
    use serde_json::json;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).unwrap()
    }

    #[test]
    fn a_training_is_keyed_by_person_topic_and_day() {
        let t: Training = parse_value(
            &json!({"person_iin": crate::with_check_digit("85050530001").unwrap(),
                    "full_name": "Nurlan", "course": "Basics", "topic": "anti_corruption",
                    "completed_on": "2026-03-01", "hours": 8}),
            today(),
        )
        .unwrap();
        assert!(t.reference().ends_with(":anti_corruption:2026-03-01"));
    }

    #[test]
    fn every_date_problem_is_reported_at_its_pointer() {
        let e = parse_value::<FeedbackReport>(
            &json!({"receipt_code": "A-1", "channel": "hotline", "category": "corruption_report",
                    "received_on": "2026-03-10", "summary": "x", "answered_on": "2026-03-01"}),
            today(),
        )
        .unwrap_err();
        assert_eq!(e[0].pointer, "/answered_on");
        let e = parse_value::<FeedbackReport>(
            &json!({"receipt_code": "A-1", "channel": "hotline", "category": "complaint",
                    "received_on": "2027-01-10", "summary": "x", "answer_summary": "done"}),
            today(),
        )
        .unwrap_err();
        let pointers: Vec<&str> = e.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/received_on", "/answered_on"]);
        let e = parse_value::<Training>(
            &json!({"person_iin": crate::with_check_digit("85050530001").unwrap(),
                    "full_name": "N", "course": "C", "topic": "ethics",
                    "completed_on": "2026-03-01", "hours": 0}),
            today(),
        )
        .unwrap_err();
        assert_eq!(e[0].pointer, "/hours");
        let e = parse_value::<GovernanceRecord>(
            &json!({"event": "policy_adopted", "on": "2026-03-01", "document": "Order 1", "extra": 1}),
            today(),
        )
        .unwrap_err();
        assert_eq!(e[0].pointer, "/extra");
    }
}
