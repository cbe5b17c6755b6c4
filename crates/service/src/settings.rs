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
    pub feedback_answer_days: Option<u32>,
}

/// Checks settings as `PUT /settings` receives them, every field at once,
/// each error named by its JSON pointer (`/mci_by_year/2026`). The
/// dashboard's settings form goes through the same checks.
pub fn check_settings(req: &Settings) -> Result<tenants::TenantSettings, Vec<FieldError>> {
    let mut errors = Vec::new();
    if Severity::parse(&req.alert_threshold).is_none() {
        errors.push(FieldError::new(
            "/alert_threshold",
            "must be one of: low, medium, high, critical",
        ));
    }
    if req.alert_emails.len() > 20 {
        errors.push(FieldError::new("/alert_emails", "at most 20 addresses"));
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
                Ok(_) => errors.push(FieldError::new(&pointer, "must be positive")),
                Err(e) => errors.push(FieldError::new(&pointer, e.to_string())),
            },
            _ => errors.push(FieldError::new(
                &pointer,
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
            (Ok(y), Ok(_)) if (2000..=2100).contains(&y) => errors.push(FieldError::new(
                &pointer,
                "must be after the end of the reporting year",
            )),
            (Ok(y), Err(e)) if (2000..=2100).contains(&y) => {
                errors.push(FieldError::new(&pointer, e.to_string()))
            }
            _ => errors.push(FieldError::new(
                &pointer,
                "the key must be a year, 2000-2100",
            )),
        }
    }
    if let Some(d) = req.feedback_answer_days
        && !(1..=365).contains(&d)
    {
        errors.push(FieldError::new(
            "/feedback_answer_days",
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
    })
}
