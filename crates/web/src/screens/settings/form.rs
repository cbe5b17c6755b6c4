//! The tenant admin's settings form: the alert threshold and recipients,
//! the days to answer a feedback report, the MCI by year and the
//! declaration deadline by year. The form becomes
//! the API's own [`adal_service::Settings`] and is checked by
//! [`adal_service::check_settings`], the checks of `PUT /settings`; their
//! pointers (`/mci_by_year/2026`) name a year, which the form shows as a
//! row, so [`field_of`] finds the row that holds that year.

use crate::i18n::Tr;
use crate::kit::{error_summary, error_text, errors_of, orphans, value};
use adal_domain::FieldError;
use adal_store::tenants::TenantSettings;
use maud::{Markup, html};
use std::collections::{BTreeMap, HashMap};

type Values = HashMap<String, String>;

/// The two tables of the form: rows of (year, value).
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// Field prefix: `<prefix>.<row>.year`, `<prefix>.<row>.value`.
    pub prefix: &'static str,
    /// The JSON member of the API's settings.
    pub member: &'static str,
    /// `true` for dates, `false` for tenge.
    pub date: bool,
}

pub const MCI: Table = Table {
    prefix: "mci",
    member: "mci_by_year",
    date: false,
};

pub const DUE: Table = Table {
    prefix: "due",
    member: "declaration_due_by_year",
    date: true,
};

const MAX_ROWS: usize = 60;

/// The input of the days to answer a feedback report, named as the API's
/// member.
pub const FEEDBACK_DAYS: &str = "feedback_answer_days";

/// The checkbox requiring a second factor, named as the API's member, and
/// the hidden input that says the form showed it (an unticked checkbox
/// sends nothing).
pub const SECOND_FACTOR: &str = "require_second_factor";
const SECOND_FACTOR_SHOWN: &str = "require_second_factor.shown";

/// The days a finding has before it is overdue, one input per severity:
/// `triage_days.<severity>`, as the API's `/triage_days/<severity>`.
const TRIAGE: &str = "triage_days";
/// One email per finding or a digest per period; the choices as the API
/// names them.
const DIGEST: &str = "alert_digest";
const DIGESTS: [&str; 3] = ["immediate", "hourly", "daily"];
const SEVERITIES: [&str; 4] = ["critical", "high", "medium", "low"];
use crate::kit::errors::{NO_YEAR, NOT_DAYS, TWICE};

pub fn rows_of(values: &Values, t: &Table) -> usize {
    values
        .get(&format!("{}.rows", t.prefix))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_ROWS)
}

/// The form's values for the stored settings, with one blank row at the
/// end of each table for a new year.
pub fn values_of(s: &TenantSettings) -> Values {
    let mut v = Values::new();
    v.insert("alert_threshold".into(), s.alert_threshold.clone());
    v.insert("alert_emails".into(), s.alert_emails.join("\n"));
    v.insert(
        DIGEST.into(),
        s.alert_digest.unwrap_or_default().as_str().to_owned(),
    );
    v.insert(FEEDBACK_DAYS.into(), s.feedback_answer_days().to_string());
    if s.require_second_factor == Some(true) {
        v.insert(SECOND_FACTOR.into(), "1".into());
    }
    for (severity, days) in s.triage_days().each() {
        v.insert(format!("{TRIAGE}.{}", severity.as_str()), days.to_string());
    }
    for (t, map) in [(&MCI, &s.mci_by_year), (&DUE, &s.declaration_due_by_year)] {
        for (r, (year, val)) in map.iter().enumerate() {
            v.insert(format!("{}.{r}.year", t.prefix), year.to_string());
            v.insert(format!("{}.{r}.value", t.prefix), val.clone());
        }
        v.insert(format!("{}.rows", t.prefix), (map.len() + 1).to_string());
    }
    v
}

/// The form as the API's settings, and the errors the form alone can
/// see (a value without a year, a year twice), by input name.
pub fn parse(values: &Values) -> (adal_service::Settings, Vec<(String, FieldError)>) {
    let mut own = Vec::new();
    // Absent (a form of before the field existed): the stored value stays.
    let feedback_answer_days = match values.get(FEEDBACK_DAYS).map(|d| d.trim()) {
        None => None,
        Some(d) => match d.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                own.push((
                    FEEDBACK_DAYS.to_owned(),
                    FieldError::new(format!("/{FEEDBACK_DAYS}"), NOT_DAYS),
                ));
                None
            }
        },
    };
    let mut table = |t: &Table| {
        let mut map = BTreeMap::new();
        for r in 0..rows_of(values, t) {
            let year_field = format!("{}.{r}.year", t.prefix);
            let year = value(values, &year_field);
            let val = value(values, &format!("{}.{r}.value", t.prefix));
            if year.is_empty() && val.is_empty() {
                continue;
            }
            let pointer = format!("/{}/{year}", t.member);
            if year.is_empty() {
                own.push((year_field, FieldError::new(pointer, NO_YEAR)));
            } else if map
                .insert(
                    year.to_owned(),
                    val.replace([' ', '\u{a0}', '\u{202f}'], ""),
                )
                .is_some()
            {
                own.push((year_field, FieldError::new(pointer, TWICE)));
            }
        }
        map
    };
    let mci_by_year = table(&MCI);
    let declaration_due_by_year = table(&DUE);
    let triage_days = triage_days(values, &mut own);
    let settings = adal_service::Settings {
        alert_threshold: value(values, "alert_threshold").to_owned(),
        alert_emails: value(values, "alert_emails")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        mci_by_year,
        declaration_due_by_year,
        feedback_answer_days,
        require_second_factor: values
            .contains_key(SECOND_FACTOR_SHOWN)
            .then(|| value(values, SECOND_FACTOR) == "1"),
        triage_days,
        // Absent (a form of before the field existed): the stored value
        // stays.
        alert_digest: values.get(DIGEST).map(|d| d.trim().to_owned()),
    };
    (settings, own)
}

/// The four days, or `None` when the form did not show them (the stored
/// ones stay) or one is not a number (its error is in `own`).
fn triage_days(
    values: &Values,
    own: &mut Vec<(String, FieldError)>,
) -> Option<adal_service::TriageDaysIn> {
    if !SEVERITIES
        .iter()
        .any(|s| values.contains_key(&format!("{TRIAGE}.{s}")))
    {
        return None;
    }
    let mut days = [0u32; 4];
    let before = own.len();
    for (slot, s) in days.iter_mut().zip(SEVERITIES) {
        let name = format!("{TRIAGE}.{s}");
        match value(values, &name).trim().parse::<u32>() {
            Ok(d) => *slot = d,
            Err(_) => own.push((name, FieldError::new(format!("/{TRIAGE}/{s}"), NOT_DAYS))),
        }
    }
    let [critical, high, medium, low] = days;
    (own.len() == before).then_some(adal_service::TriageDaysIn {
        low,
        medium,
        high,
        critical,
    })
}

/// The input an error of [`adal_service::check_settings`] is about.
pub fn field_of(pointer: &str, message: &str, values: &Values) -> Option<String> {
    let mut parts = pointer.strip_prefix('/')?.splitn(2, '/');
    let head = parts.next()?;
    let rest = parts.next();
    match head {
        "alert_threshold" | "alert_emails" | DIGEST | FEEDBACK_DAYS => Some(head.to_owned()),
        TRIAGE => Some(format!("{TRIAGE}.{}", rest?)),
        _ => {
            let t = [MCI, DUE].into_iter().find(|t| t.member == head)?;
            let year = rest?;
            let r = (0..rows_of(values, &t))
                .find(|r| value(values, &format!("{}.{r}.year", t.prefix)) == year)?;
            let cell = if message.starts_with(NO_YEAR) {
                "year"
            } else {
                "value"
            };
            Some(format!("{}.{r}.{cell}", t.prefix))
        }
    }
}

/// Checks the form; the settings to store, or every error by its input
/// (`None` for an error the form cannot place).
pub fn check(values: &Values) -> Result<TenantSettings, Vec<(Option<String>, FieldError)>> {
    let (settings, own) = parse(values);
    let mut errors: Vec<(Option<String>, FieldError)> =
        own.into_iter().map(|(f, e)| (Some(f), e)).collect();
    match adal_service::check_settings(&settings) {
        Ok(s) if errors.is_empty() => Ok(s),
        Ok(_) => Err(errors),
        Err(es) => {
            errors.extend(
                es.into_iter()
                    .map(|e| (field_of(&e.pointer, &e.message, values), e)),
            );
            Err(errors)
        }
    }
}

const THRESHOLDS: [&str; 4] = ["low", "medium", "high", "critical"];

fn field_error(tr: &Tr, id: &str, errs: &[&FieldError]) -> Markup {
    html! {
        @if !errs.is_empty() {
            p class="field-error" id={ (id) "-error" } { @for e in errs { (error_text(tr, e)) " " } }
        }
    }
}

/// The form, with what was typed and each error beside its input.
pub fn render(
    tr: &Tr,
    action: &str,
    csrf: &str,
    values: &Values,
    errors: &[(Option<String>, FieldError)],
) -> Markup {
    let errs = |name: &str| errors_of(errors, name);
    let orphans = orphans(tr, errors);
    let invalid = |name: &str| (!errs(name).is_empty()).then_some("true");
    let described = |name: &str, id: &str| (!errs(name).is_empty()).then(|| format!("{id}-error"));
    let threshold = value(values, "alert_threshold");
    html! {
        (error_summary(tr, !errors.is_empty(), &orphans))
        form method="post" action=(action) class="filing settings" novalidate {
            input type="hidden" name="csrf" value=(csrf);
            h2 { (tr.t("settings-alerts")) }
            div class={ "field" @if invalid("alert_threshold").is_some() { " invalid" } } {
                label for="s-alert_threshold" { (tr.t("settings-threshold")) }
                select id="s-alert_threshold" name="alert_threshold"
                    aria-invalid=[invalid("alert_threshold")]
                    aria-describedby=[described("alert_threshold", "s-alert_threshold")] {
                    @for t in THRESHOLDS {
                        option value=(t) selected[threshold == t] { (tr.t(&format!("severity-{t}"))) }
                    }
                }
                (field_error(tr, "s-alert_threshold", &errs("alert_threshold")))
            }
            div class={ "field" @if invalid("alert_emails").is_some() { " invalid" } } {
                label for="s-alert_emails" { (tr.t("settings-emails")) }
                textarea id="s-alert_emails" name="alert_emails" rows="4"
                    aria-invalid=[invalid("alert_emails")]
                    aria-describedby={ "s-alert_emails-hint" @if let Some(d) = described("alert_emails", "s-alert_emails") { " " (d) } } {
                    (value(values, "alert_emails"))
                }
                p class="hint" id="s-alert_emails-hint" { (tr.t("settings-emails-hint")) }
                (field_error(tr, "s-alert_emails", &errs("alert_emails")))
            }
            div class={ "field" @if invalid(DIGEST).is_some() { " invalid" } } {
                label for="s-alert_digest" { (tr.t("settings-digest")) }
                select id="s-alert_digest" name=(DIGEST)
                    aria-invalid=[invalid(DIGEST)]
                    aria-describedby={ "s-alert_digest-hint" @if let Some(d) = described(DIGEST, "s-alert_digest") { " " (d) } } {
                    @for d in DIGESTS {
                        option value=(d) selected[value(values, DIGEST) == d] { (tr.t(&format!("settings-digest-{d}"))) }
                    }
                }
                p class="hint" id="s-alert_digest-hint" { (tr.t("settings-digest-hint")) }
                (field_error(tr, "s-alert_digest", &errs(DIGEST)))
            }
            h2 { (tr.t("settings-feedback")) }
            div class={ "field" @if invalid(FEEDBACK_DAYS).is_some() { " invalid" } } {
                label for="s-feedback_answer_days" { (tr.t("settings-feedback-days")) }
                input type="text" inputmode="numeric" maxlength="5" id="s-feedback_answer_days" name=(FEEDBACK_DAYS)
                    value=(value(values, FEEDBACK_DAYS))
                    aria-invalid=[invalid(FEEDBACK_DAYS)]
                    aria-describedby={ "s-feedback_answer_days-hint" @if let Some(d) = described(FEEDBACK_DAYS, "s-feedback_answer_days") { " " (d) } };
                p class="hint" id="s-feedback_answer_days-hint" { (tr.t("settings-feedback-days-hint")) }
                (field_error(tr, "s-feedback_answer_days", &errs(FEEDBACK_DAYS)))
            }
            fieldset class="triage-days" {
                legend { h2 { (tr.t("settings-triage")) } }
                p class="hint" id="s-triage-hint" { (tr.t("settings-triage-hint")) }
                div class="person-row" {
                    @for sev in SEVERITIES {
                        @let name = format!("{TRIAGE}.{sev}");
                        @let id = format!("s-triage_days-{sev}");
                        div class={ "field" @if invalid(&name).is_some() { " invalid" } } {
                            label for=(id) { (tr.t(&format!("severity-{sev}"))) }
                            input type="text" inputmode="numeric" maxlength="3" id=(id) name=(name)
                                value=(value(values, &name)) size="4"
                                aria-invalid=[invalid(&name)]
                                aria-describedby={ "s-triage-hint" @if let Some(d) = described(&name, &id) { " " (d) } };
                            (field_error(tr, &id, &errs(&name)))
                        }
                    }
                }
            }
            h2 { (tr.t("settings-second-factor")) }
            input type="hidden" name=(SECOND_FACTOR_SHOWN) value="1";
            div class="field" {
                label {
                    input type="checkbox" id="s-require_second_factor" name=(SECOND_FACTOR) value="1"
                        checked[value(values, SECOND_FACTOR) == "1"]
                        aria-describedby="s-require_second_factor-hint";
                    " " (tr.t("settings-second-factor-require"))
                }
                p class="hint" id="s-require_second_factor-hint" { (tr.t("settings-second-factor-hint")) }
            }
            @for t in [MCI, DUE] {
                @let rows = rows_of(values, &t);
                h2 { (tr.t(&format!("settings-{}", t.prefix))) }
                input type="hidden" name={ (t.prefix) ".rows" } value=(rows);
                div class="scroll" {
                    table id={ "settings-" (t.prefix) } {
                        caption { (tr.t(&format!("settings-{}-caption", t.prefix))) }
                        thead { tr {
                            th scope="col" { (tr.t("col-year")) }
                            th scope="col" { (tr.t(&format!("settings-{}-value", t.prefix))) }
                        } }
                        tbody {
                            @for r in 0..rows {
                                @let year = format!("{}.{r}.year", t.prefix);
                                @let val = format!("{}.{r}.value", t.prefix);
                                @let year_id = format!("s-{}-{r}-year", t.prefix);
                                @let val_id = format!("s-{}-{r}-value", t.prefix);
                                tr data-row=(r) {
                                    td class={ @if invalid(&year).is_some() { "invalid" } } {
                                        label class="visually-hidden" for=(year_id) { (tr.t("col-year")) }
                                        input type="text" inputmode="numeric" maxlength="4" id=(year_id) name=(year) value=(value(values, &year))
                                            aria-invalid=[invalid(&year)] aria-describedby=[described(&year, &year_id)];
                                        (field_error(tr, &year_id, &errs(&year)))
                                    }
                                    td class={ @if invalid(&val).is_some() { "invalid" } } {
                                        label class="visually-hidden" for=(val_id) { (tr.t(&format!("settings-{}-value", t.prefix))) }
                                        @if t.date {
                                            input type="date" id=(val_id) name=(val) value=(value(values, &val))
                                                aria-invalid=[invalid(&val)] aria-describedby=[described(&val, &val_id)];
                                        } @else {
                                            input type="text" inputmode="decimal" id=(val_id) name=(val) value=(value(values, &val))
                                                aria-invalid=[invalid(&val)] aria-describedby=[described(&val, &val_id)];
                                        }
                                        (field_error(tr, &val_id, &errs(&val)))
                                    }
                                }
                            }
                        }
                    }
                }
                p class="hint" { (tr.t(&format!("settings-{}-hint", t.prefix))) }
            }
            button type="submit" id="settings-submit" { (tr.t("settings-submit")) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn stored_settings_round_trip_through_the_form() {
        let stored = TenantSettings {
            alert_threshold: "high".into(),
            alert_emails: vec!["a@demo.kz".into(), "b@demo.kz".into()],
            mci_by_year: BTreeMap::from([(2025, "3932".into()), (2026, "4325".into())]),
            declaration_due_by_year: BTreeMap::from([(2025, "2026-05-31".into())]),
            feedback_answer_days: None,
            require_second_factor: None,
            triage_days: None,
            alert_digest: Some(adal_store::tenants::AlertDigest::Daily),
        };
        let v = values_of(&stored);
        assert_eq!(v[DIGEST], "daily");
        // A blank row for a new year in each table.
        assert_eq!(rows_of(&v, &MCI), 3);
        assert_eq!(rows_of(&v, &DUE), 2);
        // Amounts come back as the API stores them, with two decimals.
        let mut expected = stored.clone();
        expected.mci_by_year = BTreeMap::from([(2025, "3932.00".into()), (2026, "4325.00".into())]);
        // The days to answer a feedback report show the value in force.
        assert_eq!(v[FEEDBACK_DAYS], "15");
        expected.feedback_answer_days = Some(15);
        // And the due days of findings, the defaults.
        assert_eq!(v["triage_days.high"], "7");
        expected.triage_days = Some(Default::default());
        assert_eq!(check(&v).unwrap(), expected);
        assert_eq!(check(&values_of(&expected)).unwrap(), expected);
    }

    #[test]
    fn feedback_days_are_a_whole_number_from_1_to_365() {
        let with = |d: &str| form(&[("alert_threshold", "low"), (FEEDBACK_DAYS, d)]);
        assert_eq!(check(&with(" 30 ")).unwrap().feedback_answer_days, Some(30));
        for bad in ["0", "366", "ten", "", "-1", "1.5"] {
            let errors = check(&with(bad)).unwrap_err();
            assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
            assert_eq!(errors[0].0.as_deref(), Some(FEEDBACK_DAYS), "{bad}");
            assert_eq!(
                crate::kit::errors::error_key(&errors[0].1),
                Some("err-feedback-days")
            );
        }
        // A form without the field keeps the stored value.
        assert_eq!(
            check(&form(&[("alert_threshold", "low")]))
                .unwrap()
                .feedback_answer_days,
            None
        );
    }

    #[test]
    fn triage_days_are_whole_numbers_beside_their_severity() {
        let with = |high: &str| {
            form(&[
                ("alert_threshold", "low"),
                ("triage_days.critical", "2"),
                ("triage_days.high", high),
                ("triage_days.medium", "10"),
                ("triage_days.low", "40"),
            ])
        };
        let d = check(&with("5")).unwrap().triage_days.unwrap();
        use adal_sandbox_protocol::Severity;
        assert_eq!(
            d.each().collect::<Vec<_>>(),
            vec![
                (Severity::Low, 40),
                (Severity::Medium, 10),
                (Severity::High, 5),
                (Severity::Critical, 2)
            ]
        );
        for bad in ["0", "366", "seven", ""] {
            let errors = check(&with(bad)).unwrap_err();
            assert_eq!(errors.len(), 1, "{bad}: {errors:?}");
            assert_eq!(errors[0].0.as_deref(), Some("triage_days.high"), "{bad}");
            assert_eq!(
                crate::kit::errors::error_key(&errors[0].1),
                Some("err-triage-days"),
                "{bad}"
            );
        }
        // A form without them keeps the stored days.
        assert_eq!(
            check(&form(&[("alert_threshold", "low")]))
                .unwrap()
                .triage_days,
            None
        );
    }

    #[test]
    fn errors_land_on_the_row_of_their_year() {
        let v = form(&[
            ("alert_threshold", "loud"),
            ("alert_digest", "weekly"),
            ("alert_emails", "ok@demo.kz\nnot an address"),
            ("mci.rows", "4"),
            ("mci.0.year", "2025"),
            ("mci.0.value", "3 932"),
            ("mci.1.year", "2026"),
            ("mci.1.value", "-5"),
            ("mci.2.year", "2025"),
            ("mci.2.value", "1"),
            ("mci.3.value", "7"),
            ("due.rows", "2"),
            ("due.0.year", "2025"),
            ("due.0.value", "2025-12-01"),
            ("due.1.year", "1999"),
            ("due.1.value", "2000-05-31"),
        ]);
        let errors = check(&v).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|(f, _)| f.as_deref()).collect();
        assert_eq!(
            fields,
            [
                Some("mci.2.year"),
                Some("mci.3.year"),
                Some("alert_threshold"),
                Some("alert_digest"),
                Some("alert_emails"),
                Some("mci.1.value"),
                Some("due.1.year"),
                Some("due.0.value"),
            ],
            "{errors:?}"
        );
        for (_, e) in &errors {
            assert!(
                crate::kit::errors::error_key(e).is_some(),
                "no key for {e:?}"
            );
        }
    }
}
