//! Conflict-of-interest disclosures, and the compliance unit's decisions on
//! them.

use super::{Checks, Kind, Record};
use crate::org::closed_enum;
use crate::{Bin, Date, FieldError, Iin, Label, Name, Note};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

closed_enum!(
    /// What kind of situation is disclosed (the Guidelines' conflict-of-
    /// interest areas).
    Situation {
        RelativeInReportingLine => "relative_in_reporting_line",
        RelativeInProcurement => "relative_in_procurement",
        OutsideEmployment => "outside_employment",
        CommercialActivity => "commercial_activity",
        Shareholding => "shareholding",
        PostEmploymentOffer => "post_employment_offer",
    }
);

closed_enum!(
    /// How the declarant proposes to settle it, and how the compliance
    /// unit can decide.
    Resolution {
        Recusal => "recusal",
        Transfer => "transfer",
        Divestment => "divestment",
        EndActivity => "end_activity",
        NoConflict => "no_conflict",
    }
);

closed_enum!(
    /// Family relations the Guidelines treat as close relatives, plus in-laws.
    Relation {
        Spouse => "spouse",
        Parent => "parent",
        Child => "child",
        Sibling => "sibling",
        Grandparent => "grandparent",
        Grandchild => "grandchild",
        ParentInLaw => "parent_in_law",
        ChildInLaw => "child_in_law",
        SiblingInLaw => "sibling_in_law",
        Other => "other",
    }
);

/// A person or organisation involved in the situation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Party {
    pub name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iin: Option<Iin>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin: Option<Bin>,
    /// The declarant's relation to this person, when a relative.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    /// The party's role in the situation: "head of procurement", "supplier".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Label>,
}

/// A conflict-of-interest disclosure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    pub situation: Situation,
    pub description: Note,
    /// Who else is involved; at least one, at most 20.
    #[schemars(length(min = 1, max = 20))]
    pub parties: Vec<Party>,
    /// The contracting process concerned, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub procurement_ocid: Option<Label>,
    /// When the situation arose; not in the future.
    pub arose_on: Date,
    /// When it ends or ended, if known (a post-employment offer may start
    /// later, so this may be in the future).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<Date>,
    pub proposed_resolution: Resolution,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_resolution_note: Option<Note>,
}

impl Record for Disclosure {
    const KIND: Kind = Kind::ConflictOfInterest;

    fn check(&self, today: NaiveDate) -> Vec<FieldError> {
        let mut c = Checks::default();
        c.not_future("/arose_on", self.arose_on, today);
        c.ordered("/ends_on", self.arose_on, self.ends_on, "arose_on");
        if self.parties.is_empty() {
            c.fail("/parties", "party.required", "must name at least one party");
        }
        c.max_items("/parties", &self.parties, 20);
        let needs_relative = matches!(
            self.situation,
            Situation::RelativeInReportingLine | Situation::RelativeInProcurement
        );
        if needs_relative && self.parties.iter().all(|p| p.relation.is_none()) {
            c.fail(
                "/parties",
                "relative.required",
                "a relative situation must name the relative: give a party a relation",
            );
        }
        if self.situation == Situation::RelativeInProcurement && self.procurement_ocid.is_none() {
            c.fail(
                "/procurement_ocid",
                "field.required",
                "required when a relative is in a procurement",
            );
        }
        for (i, p) in self.parties.iter().enumerate() {
            if p.iin.is_some() && p.bin.is_some() {
                c.fail(
                    format!("/parties/{i}/bin"),
                    "party.iin_and_bin",
                    "a party is a person (iin) or an organisation (bin), not both",
                );
            }
        }
        c.done()
    }
}

/// The compliance unit's decision on a disclosure. Decisions are appended,
/// never edited: the latest is the current one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub decision: Resolution,
    pub note: Note,
}

impl fmt::Display for Disclosure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.situation, self.arose_on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::parse;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    #[test]
    fn accepts_a_relative_in_procurement() {
        let d: Disclosure = parse(
            br#"{"situation":"relative_in_procurement","description":"My brother directs a bidder",
                "parties":[{"name":"Aidos Serikov","relation":"sibling","role":"director of the bidder"}],
                "procurement_ocid":"ocds-abc-001","arose_on":"2026-05-01","proposed_resolution":"recusal"}"#,
            today(),
        )
        .unwrap();
        assert_eq!(d.situation, Situation::RelativeInProcurement);
    }

    #[test]
    fn reports_every_cross_field_problem() {
        let errs = parse::<Disclosure>(
            br#"{"situation":"relative_in_procurement","description":"x",
                "parties":[{"name":"A","iin":"900101300011","bin":"120440001232"}],
                "arose_on":"2026-07-01","ends_on":"2026-06-01","proposed_resolution":"recusal"}"#,
            today(),
        );
        // The IIN above has a wrong check digit: serde stops there first.
        let e = errs.unwrap_err();
        assert_eq!(e[0].pointer, "/parties/0/iin");

        let errs = parse::<Disclosure>(
            br#"{"situation":"relative_in_procurement","description":"x",
                "parties":[{"name":"A"}],
                "arose_on":"2026-07-01","ends_on":"2026-06-01","proposed_resolution":"recusal"}"#,
            today(),
        )
        .unwrap_err();
        let pointers: Vec<_> = errs.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/arose_on", "/ends_on", "/parties", "/procurement_ocid"]
        );
    }

    #[test]
    fn unknown_fields_and_values_are_refused_with_their_pointer() {
        let e = parse::<Disclosure>(
            br#"{"situation":"bribery","description":"x","parties":[],"arose_on":"2026-01-01","proposed_resolution":"recusal"}"#,
            today(),
        )
        .unwrap_err();
        assert_eq!(e[0].pointer, "/situation");
        assert!(e[0].message.contains("expected one of"), "{}", e[0].message);
        let e = parse::<Disclosure>(
            br#"{"situation":"shareholding","description":"x","parties":[{"name":"A","share":"5"}],"arose_on":"2026-01-01","proposed_resolution":"recusal"}"#,
            today(),
        )
        .unwrap_err();
        assert_eq!(e[0].pointer, "/parties/0/share");
    }
}
