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
    /// Days a finding has, from when it is found or reopened, before it
    /// is overdue, by severity (3, 7, 14 and 30 for a new tenant).
    /// Absent: unchanged.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub triage_days: Option<TriageDaysIn>,
    /// How alerts are sent: `immediate` (one email per finding, a new
    /// tenant's choice), `hourly` or `daily` (one digest per UTC hour or
    /// day listing the period's findings). Absent: unchanged.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", oai(default))]
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub alert_digest: Option<String>,
}

/// Days a finding of each severity has before it is overdue: each from 1
/// to 365.
#[derive(Debug, Clone, Copy, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
pub struct TriageDaysIn {
    pub low: u32,
    pub medium: u32,
    pub high: u32,
    pub critical: u32,
}

impl From<tenants::TriageDays> for TriageDaysIn {
    fn from(d: tenants::TriageDays) -> Self {
        Self {
            low: d.days(Severity::Low),
            medium: d.days(Severity::Medium),
            high: d.days(Severity::High),
            critical: d.days(Severity::Critical),
        }
    }
}

/// The days checked, each error named by its pointer
/// (`/triage_days/high`).
fn check_triage_days(
    d: &TriageDaysIn,
    errors: &mut Vec<FieldError>,
) -> Option<tenants::TriageDays> {
    let each = [
        (Severity::Low, d.low),
        (Severity::Medium, d.medium),
        (Severity::High, d.high),
        (Severity::Critical, d.critical),
    ];
    let before = errors.len();
    for (s, days) in each {
        if !(1..=tenants::TriageDays::MAX_DAYS).contains(&days) {
            errors.push(FieldError::coded(
                format!("/triage_days/{}", s.as_str()),
                "range.triage_days",
                "must be from 1 to 365 days",
            ));
        }
    }
    if errors.len() > before {
        return None;
    }
    tenants::TriageDays::new(each).ok()
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
    let alert_digest = match req.alert_digest.as_deref() {
        None => None,
        Some(d) => {
            let parsed = tenants::AlertDigest::parse(d);
            if parsed.is_none() {
                errors.push(FieldError::coded(
                    "/alert_digest",
                    "choice.unknown",
                    "must be one of: immediate, hourly, daily",
                ));
            }
            parsed
        }
    };
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
    let triage_days = req
        .triage_days
        .as_ref()
        .and_then(|d| check_triage_days(d, &mut errors));
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
        triage_days,
        alert_digest,
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
                json!({"alert_digest": "weekly"}),
                vec![("/alert_digest", "choice.unknown")],
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
            (
                json!({"triage_days": {"low": 0, "medium": 14, "high": 400, "critical": 3}}),
                vec![
                    ("/triage_days/low", "range.triage_days"),
                    ("/triage_days/high", "range.triage_days"),
                ],
            ),
        ]
    }

    #[test]
    fn triage_days_are_kept_as_given_or_left_unchanged() {
        let mut v = base();
        v["triage_days"] = json!({"low": 60, "medium": 20, "high": 5, "critical": 1});
        let s: Settings = serde_json::from_value(v).unwrap();
        let d = check_settings(&s).unwrap().triage_days.unwrap();
        assert_eq!(
            (
                d.days(Severity::Low),
                d.days(Severity::Medium),
                d.days(Severity::High),
                d.days(Severity::Critical)
            ),
            (60, 20, 5, 1)
        );
        let s: Settings = serde_json::from_value(base()).unwrap();
        assert_eq!(check_settings(&s).unwrap().triage_days, None);
        // A severity left out is refused by the parser, not defaulted.
        let mut v = base();
        v["triage_days"] = json!({"low": 60});
        assert!(serde_json::from_value::<Settings>(v).is_err());
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
