//! Every kind of record a tenant's people file, as typed, validated
//! values with a JSON Schema generated from the same types.
//!
//! A record is accepted in two steps: serde parses it (unknown fields,
//! wrong types, malformed identifiers, money, dates and over-long text are
//! refused there, the first one located by a JSON pointer), then
//! [`Record::check`] reports every cross-field and calendar problem at once.

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod codes_tests;
pub mod coi;
pub mod culture;
pub mod declaration;
pub mod derived;
pub mod hr;
pub mod ocds;
pub mod person;

use crate::FieldError;
use crate::org::closed_enum;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Serialize, de::DeserializeOwned};
use std::fmt;

closed_enum!(
    /// The kinds of record Adal holds. All but `person` are submissions:
    /// stored with their schema version and evaluated by the rules.
    Kind {
        Gift => "gift",
        ConflictOfInterest => "conflict_of_interest",
        AssetDeclaration => "asset_declaration",
        HrAction => "hr_action",
        Procurement => "procurement",
        Person => "person",
        Training => "training",
        FeedbackReport => "feedback_report",
        Governance => "governance",
    }
);

impl Kind {
    /// The version of the kind's schema that new records are stored with.
    pub fn schema_version(self) -> i32 {
        match self {
            // v2 added the receiver, the decision and links to a
            // counterparty and a procurement; v1 payloads are valid v2.
            Kind::Gift => 2,
            _ => 1,
        }
    }

    /// The kind's JSON Schema (draft 2020-12), as served by the API.
    pub fn json_schema(self) -> serde_json::Value {
        let schema = match self {
            Kind::Gift => schemars::schema_for!(crate::GiftDeclaration),
            Kind::ConflictOfInterest => schemars::schema_for!(coi::Disclosure),
            Kind::AssetDeclaration => schemars::schema_for!(declaration::AssetDeclaration),
            Kind::HrAction => schemars::schema_for!(hr::HrAction),
            Kind::Procurement => schemars::schema_for!(ocds::CompiledRelease),
            Kind::Person => schemars::schema_for!(person::Person),
            Kind::Training => schemars::schema_for!(culture::Training),
            Kind::FeedbackReport => schemars::schema_for!(culture::FeedbackReport),
            Kind::Governance => schemars::schema_for!(culture::GovernanceRecord),
        };
        let mut v = schema.to_value();
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "$id".into(),
                format!(
                    "urn:adal:schema:{}:v{}",
                    self.as_str(),
                    self.schema_version()
                )
                .into(),
            );
        }
        v
    }

    /// Parses and checks a payload of this kind; on success returns it
    /// normalised (trimmed text, canonical money), as it is stored.
    pub fn normalise(
        self,
        payload: &serde_json::Value,
        today: NaiveDate,
    ) -> Result<serde_json::Value, Vec<FieldError>> {
        fn go<R: Record>(
            v: &serde_json::Value,
            today: NaiveDate,
        ) -> Result<serde_json::Value, Vec<FieldError>> {
            let r: R = parse_value(v, today)?;
            serde_json::to_value(&r)
                .map_err(|e| vec![FieldError::coded("", "record.serialize", e.to_string())])
        }
        match self {
            Kind::Gift => go::<crate::GiftDeclaration>(payload, today),
            Kind::ConflictOfInterest => go::<coi::Disclosure>(payload, today),
            Kind::AssetDeclaration => go::<declaration::AssetDeclaration>(payload, today),
            Kind::HrAction => go::<hr::HrAction>(payload, today),
            Kind::Procurement => go::<ocds::CompiledRelease>(payload, today),
            Kind::Person => go::<person::Person>(payload, today),
            Kind::Training => go::<culture::Training>(payload, today),
            Kind::FeedbackReport => go::<culture::FeedbackReport>(payload, today),
            Kind::Governance => go::<culture::GovernanceRecord>(payload, today),
        }
    }
}

/// A kind of record.
pub trait Record: Serialize + DeserializeOwned + JsonSchema {
    const KIND: Kind;

    /// Checks serde cannot make: dates against `today` and each other,
    /// required combinations. Every problem, each with its pointer.
    fn check(&self, today: NaiveDate) -> Vec<FieldError>;
}

/// Parses a JSON document as a record of kind `R` and checks it.
pub fn parse<R: Record>(data: &[u8], today: NaiveDate) -> Result<R, Vec<FieldError>> {
    let r: R = crate::parse::from_json_slice(data).map_err(|e| vec![e])?;
    checked(r, today)
}

/// As [`parse`], from a decoded JSON value.
pub fn parse_value<R: Record>(
    v: &serde_json::Value,
    today: NaiveDate,
) -> Result<R, Vec<FieldError>> {
    let r: R = crate::parse::from_json_value(v).map_err(|e| vec![e])?;
    checked(r, today)
}

fn checked<R: Record>(r: R, today: NaiveDate) -> Result<R, Vec<FieldError>> {
    let errors = r.check(today);
    if errors.is_empty() {
        Ok(r)
    } else {
        Err(errors)
    }
}

/// Collects check failures.
#[derive(Debug, Default)]
pub(crate) struct Checks(Vec<FieldError>);

impl Checks {
    pub(crate) fn not_future(
        &mut self,
        pointer: impl fmt::Display,
        d: crate::Date,
        today: NaiveDate,
    ) {
        if d.get() > today {
            self.0.push(FieldError::coded(
                pointer.to_string(),
                "date.in_future",
                "must not be in the future",
            ));
        }
    }

    pub(crate) fn ordered(
        &mut self,
        later_pointer: impl fmt::Display,
        earlier: crate::Date,
        later: Option<crate::Date>,
        what: &str,
    ) {
        if let Some(l) = later
            && l < earlier
        {
            self.0.push(FieldError::coded(
                later_pointer.to_string(),
                "date.order",
                format!("must not be before {what}"),
            ));
        }
    }

    pub(crate) fn fail(
        &mut self,
        pointer: impl fmt::Display,
        code: &'static str,
        message: impl Into<String>,
    ) {
        self.0
            .push(FieldError::coded(pointer.to_string(), code, message));
    }

    pub(crate) fn max_items<T>(&mut self, pointer: &str, items: &[T], max: usize) {
        if items.len() > max {
            self.0.push(FieldError::coded(
                pointer,
                "list.too_long",
                format!("must have at most {max} items"),
            ));
        }
    }

    pub(crate) fn done(self) -> Vec<FieldError> {
        self.0
    }
}
