//! A tenant's settings as every front door receives them, and their checks.

use crate::validate::validate_email;
use adal_domain::{FieldError, Kzt};
use adal_sandbox_protocol::Severity;
use adal_store::tenants;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Findings at or above this severity email the compliance unit:
    /// `low`, `medium`, `high` or `critical`.
    pub alert_threshold: String,
    /// The compliance unit's alert addresses.
    pub alert_emails: Vec<String>,
    /// MCI in KZT by year, e.g. `{"2026": "4325"}`.
    pub mci_by_year: BTreeMap<String, String>,
    /// When asset declarations for a reporting year are due, e.g.
    /// `{"2025": "2026-05-31"}`. Years not listed default to 31 May of the
    /// following year.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    pub declaration_due_by_year: BTreeMap<String, String>,
    /// Days to answer a report received through a feedback channel, 1 to
    /// 365 (15 for a new tenant). Absent: unchanged.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub feedback_answer_days: Option<u32>,
    /// Whether the tenant's administrators and compliance officers must
    /// sign in with a second factor (TOTP). Absent: unchanged.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub require_second_factor: Option<bool>,
}

/// Checks settings as `PUT /settings` receives them, every field at once,
/// each error named by its JSON pointer (`/mci_by_year/2026`). The
/// dashboard's settings form goes through the same checks.
pub fn check_settings(req: &Settings) -> Result<tenants::TenantSettings, Vec<FieldError>> {
    let mut errors = Vec::new();
    if Severity::parse(&req.alert_threshold).is_none() {
        errors.push(FieldError::coded(
            "/alert_threshold",
            "choice.unknown",
            "must be one of: low, medium, high, critical",
        ));
    }
    if req.alert_emails.len() > 20 {
        errors.push(FieldError::coded(
            "/alert_emails",
            "list.too_long",
            "at most 20 addresses",
        ));
    }
    for (i, e) in req.alert_emails.iter().enumerate() {
        validate_email(&format!("/alert_emails/{i}"), e, &mut errors);
    }
    let mut mci = BTreeMap::new();
    for (year, value) in &req.mci_by_year {
        let pointer = format!("/mci_by_year/{year}");
        match year.parse::<i32>() {
            Ok(y) if (1990..=2100).contains(&y) => match Kzt::parse(value) {
                Ok(k) if !k.amount().is_zero() => {
                    mci.insert(y, k.to_string());
                }
                Ok(_) => errors.push(FieldError::coded(
                    &pointer,
                    "money.not_positive",
                    "must be positive",
                )),
                Err(e) => errors.push(FieldError::coded(&pointer, e.code(), e.to_string())),
            },
            _ => errors.push(FieldError::coded(
                &pointer,
                "range.year",
                "the key must be a year, 1990-2100",
            )),
        }
    }
    let mut due = BTreeMap::new();
    for (year, value) in &req.declaration_due_by_year {
        let pointer = format!("/declaration_due_by_year/{year}");
        match (year.parse::<i32>(), adal_domain::Date::parse(value)) {
            (Ok(y), Ok(d))
                if (2000..=2100).contains(&y)
                    && d.get()
                        > chrono::NaiveDate::from_ymd_opt(y, 12, 31)
                            .unwrap_or(chrono::NaiveDate::MAX) =>
            {
                due.insert(y, d.to_string());
            }
            (Ok(y), Ok(_)) if (2000..=2100).contains(&y) => errors.push(FieldError::coded(
                &pointer,
                "date.order",
                "must be after the end of the reporting year",
            )),
            (Ok(y), Err(e)) if (2000..=2100).contains(&y) => {
                errors.push(FieldError::coded(&pointer, e.code(), e.to_string()))
            }
            _ => errors.push(FieldError::coded(
                &pointer,
                "range.year",
                "the key must be a year, 2000-2100",
            )),
        }
    }
    if let Some(d) = req.feedback_answer_days
        && !(1..=365).contains(&d)
    {
        errors.push(FieldError::coded(
            "/feedback_answer_days",
            "range.answer_days",
            "must be from 1 to 365",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(tenants::TenantSettings {
        alert_threshold: req.alert_threshold.clone(),
        alert_emails: req
            .alert_emails
            .iter()
            .map(|e| e.trim().to_owned())
            .collect(),
        mci_by_year: mci,
        declaration_due_by_year: due,
        feedback_answer_days: req.feedback_answer_days,
        require_second_factor: req.require_second_factor,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn base() -> Value {
        json!({"alert_threshold": "high", "alert_emails": ["cu@example.kz"],
               "mci_by_year": {"2026": "4325"},
               "declaration_due_by_year": {"2025": "2026-05-31"},
               "feedback_answer_days": 15})
    }

    fn codes_of(edits: Value) -> Vec<(String, String)> {
        let mut v = base();
        for (k, x) in edits.as_object().unwrap() {
            v[k] = x.clone();
        }
        let s: Settings = serde_json::from_value(v).unwrap();
        check_settings(&s)
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.pointer, e.code.into_owned()))
            .collect()
    }

    fn cases() -> Vec<(Value, Vec<(&'static str, &'static str)>)> {
        vec![
            (
                json!({"alert_threshold": "severe"}),
                vec![("/alert_threshold", "choice.unknown")],
            ),
            (
                json!({"alert_emails": vec!["a@b.kz"; 21]}),
                vec![("/alert_emails", "list.too_long")],
            ),
            (
                json!({"alert_emails": ["not an address"]}),
                vec![("/alert_emails/0", "email.invalid")],
            ),
            (
                json!({"mci_by_year": {"2026": "0"}}),
                vec![("/mci_by_year/2026", "money.not_positive")],
            ),
            (
                json!({"mci_by_year": {"2026": "-1"}}),
                vec![("/mci_by_year/2026", "money.negative")],
            ),
            (
                json!({"mci_by_year": {"2026": "4325.001"}}),
                vec![("/mci_by_year/2026", "money.scale")],
            ),
            (
                json!({"mci_by_year": {"2026": "lots"}}),
                vec![("/mci_by_year/2026", "money.format")],
            ),
            (
                json!({"mci_by_year": {"1989": "100"}}),
                vec![("/mci_by_year/1989", "range.year")],
            ),
            (
                json!({"mci_by_year": {"next": "100"}}),
                vec![("/mci_by_year/next", "range.year")],
            ),
            (
                json!({"declaration_due_by_year": {"2025": "2025-12-31"}}),
                vec![("/declaration_due_by_year/2025", "date.order")],
            ),
            (
                json!({"declaration_due_by_year": {"2025": "31.05.2026"}}),
                vec![("/declaration_due_by_year/2025", "date.format")],
            ),
            (
                json!({"declaration_due_by_year": {"1999": "2000-05-31"}}),
                vec![("/declaration_due_by_year/1999", "range.year")],
            ),
            (
                json!({"feedback_answer_days": 0}),
                vec![("/feedback_answer_days", "range.answer_days")],
            ),
            (
                json!({"feedback_answer_days": 366}),
                vec![("/feedback_answer_days", "range.answer_days")],
            ),
        ]
    }

    #[test]
    fn the_base_settings_are_valid() {
        assert_eq!(codes_of(json!({})), vec![]);
    }

    #[test]
    fn every_bad_setting_has_its_exact_code() {
        for (edits, expected) in cases() {
            let got = codes_of(edits.clone());
            let expected: Vec<(String, String)> = expected
                .into_iter()
                .map(|(p, c)| (p.to_owned(), c.to_owned()))
                .collect();
            assert_eq!(got, expected, "{edits}");
        }
    }

    #[test]
    fn no_bad_setting_is_refused_with_the_generic_code() {
        let all: Vec<_> = cases()
            .into_iter()
            .flat_map(|(edits, _)| codes_of(edits))
            .collect();
        assert!(!all.is_empty());
        assert!(all.iter().all(|(_, c)| c != "invalid"), "{all:?}");
    }
}
