//! The errors of a form, in the user's language. The domain and the API
//! name a field by JSON pointer and speak English; [`error_key`] maps each
//! kind of message to a catalogue key. The messages that forms themselves
//! produce live here too, so that the mapping needs no screen.

use crate::i18n::Tr;
use adal_domain::FieldError;
use maud::{Markup, html};
use std::collections::HashMap;

/// A submitted form's value of `name`, trimmed; blank when absent.
pub(crate) fn value<'a>(values: &'a HashMap<String, String>, name: &str) -> &'a str {
    values.get(name).map_or("", |v| v.trim())
}

/// The message of the API's refusal of a second declaration for the same
/// person and year, as the form shows it.
pub const EXISTS: &str = "a declaration for this person and year exists";

/// The message of days that are not a whole number (the API's check sees
/// only numbers).
pub const NOT_DAYS: &str = "must be a whole number of days";

/// The message of a year given twice in one table.
pub const TWICE: &str = "this year is listed twice";
/// The message of a value without its year.
pub const NO_YEAR: &str = "the key must be a year";

/// The message of a rule to leave out that is left out already.
pub const ALREADY_LEFT_OUT: &str = "this rule is left out already";
/// The message of a rule to enable that the version in force does not
/// leave out.
pub const NOT_LEFT_OUT: &str = "the version in force does not leave this rule out";
/// The message of a choice over the library in a version that adopted
/// none (uploaded whole).
pub const NO_LIBRARY: &str = "the version in force adopts no library";

/// The catalogue key for a domain validation message. The domain speaks
/// English; the dashboard speaks the user's language, so each kind of
/// message maps to a key, and anything unforeseen falls back to a generic
/// message with the server's text beside it.
pub fn error_key(e: &FieldError) -> Option<&'static str> {
    if let Some(k) = code_key(e) {
        return Some(k);
    }
    let m = e.message.as_str();
    use adal_service::accounts;
    if let Some(k) = [
        (accounts::NOT_YOURSELF, "err-not-yourself"),
        (accounts::NO_DEPARTMENT, "err-no-department"),
        (accounts::NO_POSITION, "err-no-position"),
        (accounts::PERSON_TAKEN, "err-person-taken"),
        (accounts::EMAIL_TAKEN, "err-email-taken"),
        (accounts::NOT_A_TENANT_ROLE, "err-choice"),
        (adal_store::org::DEPARTMENT_CYCLE, "err-department-cycle"),
        ("must be 12 to 200 characters", "err-password-length"),
        ("must be 1 to 5", "err-risk-level"),
    ]
    .iter()
    .find_map(|(msg, k)| (m == *msg).then_some(*k))
    {
        return Some(k);
    }
    if e.pointer == "/email" && m == "must be an email address" {
        return Some("err-email-one");
    }
    if m == EXISTS {
        Some("err-declaration-exists")
    } else if e.pointer == "/year" {
        Some("err-year")
    } else if e.pointer == "/feedback_answer_days" {
        Some("err-feedback-days")
    } else if e.pointer.starts_with("/triage_days/") {
        Some("err-triage-days")
    } else if let Some(k) = rule_choice_key(e) {
        Some(k)
    } else if m == "must not be empty" {
        Some("err-empty")
    } else if m.starts_with("must be at most") {
        Some("err-too-long")
    } else if m == "must not be in the future" {
        Some("err-future")
    } else if m.starts_with("must be a date") {
        Some("err-date")
    } else if m.starts_with("invalid BIN") || (e.pointer.ends_with("bin") && m.contains("digit")) {
        Some("err-bin")
    } else if e.pointer.ends_with("iin") && m.contains("digit") {
        Some("err-iin")
    } else if m.starts_with("a relative situation must name the relative") {
        Some("err-relative-needed")
    } else if m.starts_with("required when a relative is in a procurement") {
        Some("err-ocid-needed")
    } else if m.starts_with("unknown value") {
        Some("err-choice")
    } else if m.starts_with("must be an ISO 4217 code") {
        Some("err-currency")
    } else if m.ends_with("not both") {
        Some("err-person-or-organisation")
    } else if m == TWICE {
        Some("err-year-twice")
    } else if m.starts_with(NO_YEAR) {
        Some("err-year-key")
    } else if m.starts_with("must be one of") {
        Some("err-choice")
    } else if m == "must be an email address" {
        Some("err-email")
    } else if m.starts_with("at most") && m.ends_with("addresses") {
        Some("err-too-many")
    } else if m.contains(" is below the minimum ") || m.contains(" is above the maximum ") {
        Some("err-param-range")
    } else if [
        "is not an integer",
        "is not an amount in KZT",
        "is not a decimal",
        "is not true or false",
        "is not a table of integers",
    ]
    .iter()
    .any(|s| m.contains(s))
    {
        Some("err-param-type")
    } else if m == "must be positive" {
        Some("err-positive")
    } else if m == "must be after the end of the reporting year" {
        Some("err-due-after-year")
    } else if m.starts_with("must be from ") {
        Some("err-range")
    } else if m.starts_with("must not be before ") {
        Some("err-before")
    } else if m.starts_with("required with ") {
        Some("err-required-with")
    } else if m.starts_with("invalid type") || m.starts_with("invalid value: integer") {
        Some("err-number")
    } else if e.pointer.ends_with("_kzt") || e.pointer.starts_with("/mci_by_year/") {
        Some("err-money")
    } else if e.pointer.ends_with("/ownership_share") {
        Some("err-percent")
    } else {
        None
    }
}

/// The catalogue key for an error's machine code: rewording the English
/// message cannot lose these translations.
fn code_key(e: &FieldError) -> Option<&'static str> {
    Some(match e.code.as_ref() {
        "record.duplicate" if e.pointer == "/year" => "err-declaration-exists",
        "record.duplicate" => "err-duplicate",
        "record.not_yours" => "err-not-yours",
        "record.identity_changed" => "err-identity-changed",
        "account.not_yourself" => "err-not-yourself",
        "department.unknown" => "err-no-department",
        "department.cycle" => "err-department-cycle",
        "position.unknown" => "err-no-position",
        "person.taken" => "err-person-taken",
        "email.taken" => "err-email-taken",
        "email.invalid" if e.pointer == "/email" => "err-email-one",
        "email.invalid" => "err-email",
        "role.not_tenant" | "choice.unknown" => "err-choice",
        "password.length" => "err-password-length",
        "range.risk_level" => "err-risk-level",
        "text.empty" => "err-empty",
        "text.too_long" => "err-too-long",
        "date.in_future" => "err-future",
        "date.format" => "err-date",
        "date.range" => "err-date-range",
        "date.order" => "err-before",
        "iin.format" | "iin.check_digit" | "iin.century_digit" | "iin.birth_date" => "err-iin",
        "bin.format" | "bin.check_digit" | "bin.entity_kind" | "bin.entity_unit" => "err-bin",
        "currency.format" => "err-currency",
        "relative.required" => "err-relative-needed",
        "party.iin_and_bin" => "err-person-or-organisation",
        "money.not_positive" => "err-positive",
        "money.format" | "money.negative" | "money.scale" => "err-money",
        "percent.format" | "percent.range" | "percent.scale" => "err-percent",
        "param.range" => "err-param-range",
        "param.type" => "err-param-type",
        "range.year" => "err-year",
        "range.answer_days" => "err-feedback-days",
        "range.triage_days" => "err-triage-days",
        "screening.required" => "err-screening-required",
        "screening.checks_required" => "err-screening-checks",
        "decision_maker.required" => "err-decision-maker-required",
        "decision_maker.self" => "err-decision-maker-self",
        "position.unchanged" => "err-position-unchanged",
        "field.required" => "err-required",
        _ => return None,
    })
}

/// The keys of the API's refusals (and the form's own) of a rule of the
/// library left out or enabled again: their pointers are `/disabled/{id}`.
fn rule_choice_key(e: &FieldError) -> Option<&'static str> {
    let m = e.message.as_str();
    if !e.pointer.starts_with("/disabled") {
        return None;
    }
    Some(if m.starts_with("no rule ") {
        "err-rule-not-in-library"
    } else if m == ALREADY_LEFT_OUT {
        "err-rule-left-out"
    } else if m == NOT_LEFT_OUT {
        "err-rule-not-left-out"
    } else if m == NO_LIBRARY || m.starts_with("only library rules can be disabled") {
        "err-no-library"
    } else if m.starts_with("a reason is required") {
        "err-reason-required"
    } else if m.starts_with("the reason must be at most") {
        "err-too-long"
    } else if m == "a version needs at least one enabled rule" {
        "err-last-rule"
    } else if m == "must not be empty" {
        "err-empty"
    } else {
        return None;
    })
}

pub(crate) fn error_text(tr: &Tr, e: &FieldError) -> String {
    match error_key(e) {
        Some(k) => tr.t(k),
        None => format!("{} ({})", tr.t("err-invalid"), e.message),
    }
}

/// The errors, each placed by the input it belongs to (`None`: none of the
/// form's), that belong to the input `name`.
pub fn errors_of<'a>(
    errors: &'a [(Option<String>, FieldError)],
    name: &str,
) -> Vec<&'a FieldError> {
    errors
        .iter()
        .filter(|(f, _)| f.as_deref() == Some(name))
        .map(|(_, e)| e)
        .collect()
}

/// The texts of the errors that belong to no input of the form, for
/// [`error_summary`].
pub fn orphans(tr: &Tr, errors: &[(Option<String>, FieldError)]) -> Vec<String> {
    errors
        .iter()
        .filter(|(f, _)| f.is_none())
        .map(|(_, e)| error_text(tr, e))
        .collect()
}

/// The alert above a form with errors, with those errors that belong to
/// no field of the form.
pub fn error_summary(tr: &Tr, any: bool, orphans: &[String]) -> Markup {
    html! {
        @if any {
            div class="alert error" role="alert" id="form-errors" {
                (tr.t("form-has-errors"))
                @for o in orphans { p { (o) } }
            }
        }
    }
}
