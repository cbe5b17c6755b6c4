//! Filing forms as lists of fields. A kind of record is a [`FormSpec`]: its
//! fields, their labels and hints (catalogue keys) and input types. The
//! page renders any spec the same way and shows each validation error of
//! the domain (`adal_domain`), which names its field by JSON pointer, next
//! to that field. A new kind (conflict-of-interest disclosures, asset
//! declarations) is a new spec plus the call into its domain validation.

use crate::i18n::Tr;
use adal_domain::FieldError;
use maud::{Markup, html};
use std::collections::HashMap;

/// A submitted form's value of `name`, trimmed; blank when absent.
pub(crate) fn value<'a>(values: &'a HashMap<String, String>, name: &str) -> &'a str {
    values.get(name).map_or("", |v| v.trim())
}

/// Up to this many options a choice is a group of radio buttons, all in
/// sight and one Tab stop; a longer list is a `<select>`, so the form stays
/// short on a narrow screen.
pub const MAX_RADIOS: usize = 5;

#[derive(Debug, Clone, Copy)]
pub enum Input {
    Text {
        max: usize,
    },
    TextArea,
    Date,
    /// Tenge with up to two decimals.
    Money,
    /// One of fixed values; each option's label is `<label key>-<value>`.
    Choice(&'static [&'static str]),
    /// A whole number; sent to the domain as a JSON number when it is one.
    Integer,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The JSON member name (its pointer is `/<name>`).
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub input: Input,
    pub required: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct FormSpec {
    pub title: &'static str,
    pub submit: &'static str,
    pub fields: &'static [Field],
}

pub const GIFT: FormSpec = FormSpec {
    title: "gift-title",
    submit: "gift-submit",
    fields: &[
        Field {
            name: "direction",
            label: "gift-direction",
            hint: None,
            input: Input::Choice(&["received", "given"]),
            required: true,
        },
        Field {
            name: "giver_name",
            label: "gift-giver-name",
            hint: None,
            input: Input::Text { max: 300 },
            required: true,
        },
        Field {
            name: "giver_bin",
            label: "gift-giver-bin",
            hint: Some("gift-giver-bin-hint"),
            input: Input::Text { max: 12 },
            required: false,
        },
        Field {
            name: "description",
            label: "gift-description",
            hint: None,
            input: Input::TextArea,
            required: true,
        },
        Field {
            name: "value_kzt",
            label: "gift-value",
            hint: Some("gift-value-hint"),
            input: Input::Money,
            required: true,
        },
        Field {
            name: "date",
            label: "gift-date",
            hint: None,
            input: Input::Date,
            required: true,
        },
        Field {
            name: "occasion",
            label: "gift-occasion",
            hint: None,
            input: Input::TextArea,
            required: true,
        },
    ],
};

/// A conflict-of-interest disclosure naming one other party (the API takes
/// up to twenty; one covers what people disclose through a form, and a
/// correction can add more).
pub const CONFLICT: FormSpec = FormSpec {
    title: "conflict-title",
    submit: "conflict-submit",
    fields: &[
        Field {
            name: "situation",
            label: "conflict-situation",
            hint: None,
            input: Input::Choice(&[
                "relative_in_reporting_line",
                "relative_in_procurement",
                "outside_employment",
                "commercial_activity",
                "shareholding",
                "post_employment_offer",
            ]),
            required: true,
        },
        Field {
            name: "description",
            label: "conflict-description",
            hint: None,
            input: Input::TextArea,
            required: true,
        },
        Field {
            name: "party_name",
            label: "conflict-party-name",
            hint: None,
            input: Input::Text { max: 300 },
            required: true,
        },
        Field {
            name: "party_relation",
            label: "conflict-party-relation",
            hint: Some("conflict-party-relation-hint"),
            input: Input::Choice(&[
                "spouse",
                "parent",
                "child",
                "sibling",
                "grandparent",
                "grandchild",
                "parent_in_law",
                "child_in_law",
                "sibling_in_law",
                "other",
            ]),
            required: false,
        },
        Field {
            name: "party_iin",
            label: "conflict-party-iin",
            hint: Some("conflict-party-iin-hint"),
            input: Input::Text { max: 12 },
            required: false,
        },
        Field {
            name: "party_bin",
            label: "conflict-party-bin",
            hint: Some("conflict-party-bin-hint"),
            input: Input::Text { max: 12 },
            required: false,
        },
        Field {
            name: "procurement_ocid",
            label: "conflict-procurement-ocid",
            hint: Some("conflict-procurement-ocid-hint"),
            input: Input::Text { max: 100 },
            required: false,
        },
        Field {
            name: "arose_on",
            label: "conflict-arose-on",
            hint: None,
            input: Input::Date,
            required: true,
        },
        Field {
            name: "proposed_resolution",
            label: "conflict-resolution",
            hint: None,
            input: Input::Choice(&[
                "recusal",
                "transfer",
                "divestment",
                "end_activity",
                "no_conflict",
            ]),
            required: true,
        },
    ],
};

/// A training the person completed (anyone in the tenant files their own).
pub const TRAINING: FormSpec = FormSpec {
    title: "training-title",
    submit: "training-submit",
    fields: &[
        Field {
            name: "person_iin",
            label: "training-person-iin",
            hint: None,
            input: Input::Text { max: 12 },
            required: true,
        },
        Field {
            name: "full_name",
            label: "training-full-name",
            hint: None,
            input: Input::Text { max: 300 },
            required: true,
        },
        Field {
            name: "course",
            label: "training-course",
            hint: None,
            input: Input::Text { max: 300 },
            required: true,
        },
        Field {
            name: "topic",
            label: "training-topic",
            hint: Some("training-topic-hint"),
            input: Input::Choice(&[
                "anti_corruption",
                "conflict_of_interest",
                "ethics",
                "procurement",
                "other",
            ]),
            required: true,
        },
        Field {
            name: "completed_on",
            label: "training-completed-on",
            hint: None,
            input: Input::Date,
            required: true,
        },
        Field {
            name: "provider",
            label: "training-provider",
            hint: None,
            input: Input::Text { max: 300 },
            required: false,
        },
        Field {
            name: "hours",
            label: "training-hours",
            hint: Some("training-hours-hint"),
            input: Input::Integer,
            required: false,
        },
    ],
};

/// A report received through a feedback channel, with its answer once given.
pub const FEEDBACK: FormSpec = FormSpec {
    title: "feedback-title",
    submit: "feedback-submit",
    fields: &[
        Field {
            name: "receipt_code",
            label: "feedback-receipt-code",
            hint: Some("feedback-receipt-code-hint"),
            input: Input::Text { max: 100 },
            required: true,
        },
        Field {
            name: "channel",
            label: "feedback-channel",
            hint: None,
            input: Input::Choice(&[
                "hotline",
                "email",
                "website",
                "letter",
                "in_person",
                "agency_portal",
            ]),
            required: true,
        },
        Field {
            name: "category",
            label: "feedback-category",
            hint: None,
            input: Input::Choice(&["corruption_report", "complaint", "suggestion", "question"]),
            required: true,
        },
        Field {
            name: "received_on",
            label: "feedback-received-on",
            hint: None,
            input: Input::Date,
            required: true,
        },
        Field {
            name: "summary",
            label: "feedback-summary",
            hint: None,
            input: Input::TextArea,
            required: true,
        },
        Field {
            name: "answered_on",
            label: "feedback-answered-on",
            hint: None,
            input: Input::Date,
            required: false,
        },
        Field {
            name: "answer_summary",
            label: "feedback-answer-summary",
            hint: Some("feedback-answer-summary-hint"),
            input: Input::TextArea,
            required: false,
        },
    ],
};

/// One of the organisation's own anti-corruption measures.
pub const GOVERNANCE: FormSpec = FormSpec {
    title: "governance-title",
    submit: "governance-submit",
    fields: &[
        Field {
            name: "event",
            label: "governance-event",
            hint: None,
            input: Input::Choice(&[
                "policy_adopted",
                "compliance_unit_established",
                "risk_assessment_completed",
            ]),
            required: true,
        },
        Field {
            name: "on",
            label: "governance-on",
            hint: None,
            input: Input::Date,
            required: true,
        },
        Field {
            name: "document",
            label: "governance-document",
            hint: Some("governance-document-hint"),
            input: Input::Text { max: 300 },
            required: true,
        },
        Field {
            name: "note",
            label: "governance-note",
            hint: None,
            input: Input::TextArea,
            required: false,
        },
    ],
};

/// Validates a form whose fields are the record's own members, one to one,
/// with the domain's rules (the API's): a blank optional field is left
/// out, a blank required one is sent so that the domain names it.
pub fn validate_flat<R: adal_domain::records::Record>(
    spec: &FormSpec,
    values: &HashMap<String, String>,
    today: chrono::NaiveDate,
) -> Result<R, Vec<FieldError>> {
    let mut body = serde_json::Map::new();
    for f in spec.fields {
        let v = values.get(f.name).map(|v| v.trim()).unwrap_or_default();
        if v.is_empty() && !f.required {
            continue;
        }
        let value = match f.input {
            // Not a number: sent as text, and the domain says so.
            Input::Integer => v
                .parse::<i64>()
                .map_or_else(|_| v.into(), serde_json::Value::from),
            _ => v.into(),
        };
        body.insert(f.name.into(), value);
    }
    adal_domain::records::parse_value(&serde_json::Value::Object(body), today)
}

/// The pointer of a form's input for a record's JSON pointer: the one
/// party of the disclosure form is `parties/0`; every other form's inputs
/// are the record's own members.
pub fn form_pointer(pointer: &str) -> String {
    conflict_field(pointer)
}

/// The form field a disclosure's JSON pointer belongs to: the one party
/// of the form is `parties/0`.
fn conflict_field(pointer: &str) -> String {
    let field = match pointer {
        "/parties" | "/parties/0" | "/parties/0/name" => "party_name",
        "/parties/0/relation" => "party_relation",
        "/parties/0/iin" => "party_iin",
        "/parties/0/bin" => "party_bin",
        other => return other.to_owned(),
    };
    format!("/{field}")
}

/// Validates a submitted disclosure form with the domain's own rules
/// (the same as the API's), errors renamed to the form's fields.
pub fn validate_conflict(
    values: &HashMap<String, String>,
    today: chrono::NaiveDate,
) -> Result<adal_domain::records::coi::Disclosure, Vec<FieldError>> {
    let get = |k: &str| {
        values
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut party = serde_json::Map::new();
    party.insert("name".into(), get("party_name").into());
    for (field, key) in [
        ("party_relation", "relation"),
        ("party_iin", "iin"),
        ("party_bin", "bin"),
    ] {
        let v = get(field);
        if !v.is_empty() {
            party.insert(key.into(), v.into());
        }
    }
    let mut body = serde_json::Map::new();
    for field in [
        "situation",
        "description",
        "arose_on",
        "proposed_resolution",
    ] {
        body.insert(field.into(), get(field).into());
    }
    let ocid = get("procurement_ocid");
    if !ocid.is_empty() {
        body.insert("procurement_ocid".into(), ocid.into());
    }
    body.insert(
        "parties".into(),
        serde_json::Value::Array(vec![party.into()]),
    );
    adal_domain::records::parse_value(&serde_json::Value::Object(body), today).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| FieldError::new(conflict_field(&e.pointer), e.message))
            .collect()
    })
}

/// Validates a submitted gift form with the domain's own rules.
pub fn validate_gift(
    values: &HashMap<String, String>,
    today: chrono::NaiveDate,
) -> Result<adal_domain::GiftDeclaration, Vec<FieldError>> {
    let get = |k: &str| values.get(k).cloned().unwrap_or_default();
    let bin = get("giver_bin");
    adal_domain::GiftDeclaration::validate(
        adal_domain::GiftInput {
            direction: get("direction"),
            giver_name: get("giver_name"),
            giver_bin: (!bin.trim().is_empty()).then(|| bin.trim().to_owned()),
            description: get("description"),
            value_kzt: get("value_kzt")
                .trim()
                .replace([' ', '\u{a0}', '\u{202f}'], ""),
            date: get("date"),
            occasion: get("occasion"),
        },
        today,
    )
}

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
    if m == crate::declare::EXISTS {
        Some("err-declaration-exists")
    } else if e.pointer == "/year" {
        Some("err-year")
    } else if e.pointer == "/feedback_answer_days" {
        Some("err-feedback-days")
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
    } else if m == crate::settings::TWICE {
        Some("err-year-twice")
    } else if m.starts_with(crate::settings::NO_YEAR) {
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
        "email.invalid" => "err-email",
        "role.not_tenant" | "choice.unknown" => "err-choice",
        "password.length" => "err-password-length",
        "range.risk_level" => "err-risk-level",
        "text.empty" => "err-empty",
        "text.too_long" => "err-too-long",
        _ => return None,
    })
}

/// The keys of the API's refusals (and the form's own) of a rule of the
/// library left out or enabled again: their pointers are `/disabled/{id}`.
fn rule_choice_key(e: &FieldError) -> Option<&'static str> {
    use crate::editor::{ALREADY_LEFT_OUT, NO_LIBRARY, NOT_LEFT_OUT};
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

/// The form, with the submitted values kept and each error beside its field.
pub fn render(
    tr: &Tr,
    spec: &FormSpec,
    action: &str,
    csrf: &str,
    values: &HashMap<String, String>,
    errors: &[FieldError],
) -> Markup {
    let errs_for = |name: &str| -> Vec<String> {
        let p = format!("/{name}");
        errors
            .iter()
            .filter(|e| e.pointer == p)
            .map(|e| error_text(tr, e))
            .collect()
    };
    // The machine codes beside the texts, for scripts and tests that must
    // not depend on the language shown.
    let codes_for = |name: &str| -> String {
        let p = format!("/{name}");
        errors
            .iter()
            .filter(|e| e.pointer == p)
            .map(|e| e.code.as_ref())
            .collect::<Vec<_>>()
            .join(" ")
    };
    // Errors that name no field of this form still have to be seen.
    let orphans: Vec<String> = errors
        .iter()
        .filter(|e| {
            !spec
                .fields
                .iter()
                .any(|f| e.pointer == format!("/{}", f.name))
        })
        .map(|e| error_text(tr, e))
        .collect();
    html! {
        (error_summary(tr, !errors.is_empty(), &orphans))
        form method="post" action=(action) class="filing" novalidate {
            input type="hidden" name="csrf" value=(csrf);
            @for f in spec.fields {
                @let id = format!("f-{}", f.name);
                @let errs = errs_for(f.name);
                @let err_id = format!("{id}-error");
                @let hint_id = format!("{id}-hint");
                @let describedby = [
                    f.hint.map(|_| hint_id.clone()),
                    (!errs.is_empty()).then(|| err_id.clone()),
                ].into_iter().flatten().collect::<Vec<_>>().join(" ");
                @let value = values.get(f.name).cloned().unwrap_or_default();
                div class={ "field" @if !errs.is_empty() { " invalid" } } {
                    @match f.input {
                        Input::Choice(options) if options.len() <= MAX_RADIOS => {
                            fieldset aria-describedby=[(!describedby.is_empty()).then_some(&describedby)] {
                                legend { (tr.t(f.label)) @if f.required { " " abbr title=(tr.t("required")) { "*" } } }
                                @for o in options {
                                    @let oid = format!("{id}-{o}");
                                    label for=(oid) class="choice" {
                                        input type="radio" id=(oid) name=(f.name) value=(o) checked[value == *o] required[f.required];
                                        " " (tr.t(&format!("{}-{o}", f.label)))
                                    }
                                }
                            }
                        }
                        _ => {
                            label for=(id) { (tr.t(f.label)) @if f.required { " " abbr title=(tr.t("required")) { "*" } } }
                            @match f.input {
                                Input::TextArea => {
                                    textarea id=(id) name=(f.name) rows="3" maxlength="2000" required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)] { (value) }
                                }
                                Input::Date => {
                                    input type="date" id=(id) name=(f.name) value=(value) required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)];
                                }
                                Input::Money => {
                                    input type="text" inputmode="decimal" id=(id) name=(f.name) value=(value) required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)];
                                }
                                Input::Integer => {
                                    input type="text" inputmode="numeric" id=(id) name=(f.name) value=(value) required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)];
                                }
                                Input::Text { max } => {
                                    input type="text" id=(id) name=(f.name) value=(value) maxlength=(max) required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)];
                                }
                                Input::Choice(options) => {
                                    select id=(id) name=(f.name) required[f.required]
                                        aria-invalid=[(!errs.is_empty()).then_some("true")]
                                        aria-describedby=[(!describedby.is_empty()).then_some(&describedby)] {
                                        // Nothing is chosen for the person: a required
                                        // list starts on "choose", an optional one on "none".
                                        option value="" selected[value.is_empty()] {
                                            (tr.t(if f.required { "form-choose" } else { "admin-none" }))
                                        }
                                        @for o in options {
                                            option value=(o) selected[value == *o] { (tr.t(&format!("{}-{o}", f.label))) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if let Some(h) = f.hint { p class="hint" id=(hint_id) { (tr.t(h)) } }
                    @if !errs.is_empty() {
                        p class="field-error" id=(err_id) data-pointer={ "/" (f.name) } data-codes=(codes_for(f.name)) {
                            @for e in &errs { (e) " " }
                        }
                    }
                }
            }
            button type="submit" { (tr.t(spec.submit)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap()
    }

    /// The schema of a property, following a `$ref` into `$defs` and an
    /// `anyOf` with `null` (how schemars writes an optional member).
    fn resolve<'a>(root: &'a serde_json::Value, s: &'a serde_json::Value) -> &'a serde_json::Value {
        if let Some(r) = s.get("$ref").and_then(|r| r.as_str()) {
            let name = r.rsplit('/').next().unwrap();
            return resolve(root, &root["$defs"][name]);
        }
        if let Some(any) = s.get("anyOf").and_then(|a| a.as_array())
            && let Some(t) = any.iter().find(|x| x.get("type") != Some(&"null".into()))
        {
            return resolve(root, t);
        }
        s
    }

    /// The values a closed list allows: `enum`, or `oneOf` of `const`s.
    fn allowed(s: &serde_json::Value) -> Option<Vec<String>> {
        let strs = |a: &Vec<serde_json::Value>| -> Vec<String> {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        };
        if let Some(e) = s.get("enum").and_then(|e| e.as_array()) {
            return Some(strs(e));
        }
        s.get("oneOf").and_then(|o| o.as_array()).map(|o| {
            o.iter()
                .flat_map(|x| {
                    x.get("const")
                        .and_then(|c| c.as_str())
                        .map(|c| vec![c.to_owned()])
                        .or_else(|| x.get("enum").and_then(|e| e.as_array()).map(strs))
                        .unwrap_or_default()
                })
                .collect()
        })
    }

    /// The member of the record an input fills, as a path of properties
    /// (`*` is an array's item): the disclosure form has one party, whose
    /// inputs are `party_<member>`.
    fn member_path(kind: adal_domain::Kind, name: &str) -> Vec<String> {
        match (kind, name.strip_prefix("party_")) {
            (adal_domain::Kind::ConflictOfInterest, Some(m)) => {
                vec!["parties".into(), "*".into(), m.into()]
            }
            _ => vec![name.to_owned()],
        }
    }

    /// The schema of the member at `path` and whether its object requires it.
    fn member<'a>(
        root: &'a serde_json::Value,
        path: &[String],
    ) -> Option<(&'a serde_json::Value, bool)> {
        let mut at = root;
        let mut required = false;
        for seg in path {
            let obj = resolve(root, at);
            if seg == "*" {
                at = obj.get("items")?;
                continue;
            }
            required = obj["required"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x.as_str() == Some(seg)));
            at = obj.get("properties")?.get(seg)?;
        }
        Some((resolve(root, at), required))
    }

    /// The filing forms are kept in step with the kinds' JSON Schemas (the
    /// ones `GET /schemas/{kind}` serves): every input is a member of the
    /// record, a member the record requires is an input (or filled by the
    /// server), an input is required exactly when the schema requires it,
    /// and a choice offers exactly the values the schema allows. A member
    /// added to a record without its input, or an option added to a closed
    /// list, fails here.
    #[test]
    fn forms_are_kept_in_step_with_the_json_schemas() {
        use adal_domain::Kind;
        for spec_kind in [
            (&GIFT, Kind::Gift),
            (&CONFLICT, Kind::ConflictOfInterest),
            (&TRAINING, Kind::Training),
            (&FEEDBACK, Kind::FeedbackReport),
            (&GOVERNANCE, Kind::Governance),
        ] {
            let (spec, kind) = spec_kind;
            let root = kind.json_schema();
            let k = kind.as_str();
            let paths: Vec<Vec<String>> = spec
                .fields
                .iter()
                .map(|f| member_path(kind, f.name))
                .collect();
            for (f, path) in spec.fields.iter().zip(&paths) {
                let found = member(&root, path);
                assert!(
                    found.is_some(),
                    "{k}: input {} is not a member of the record",
                    f.name
                );
                let (schema, required) = found.unwrap();
                assert_eq!(f.required, required, "{k}: is {} required?", f.name);
                if let Input::Choice(options) = f.input {
                    let allowed = allowed(schema);
                    assert!(
                        allowed.is_some(),
                        "{k}: {} is a choice, not a closed list: {schema}",
                        f.name
                    );
                    let mut allowed = allowed.unwrap();
                    let mut offered: Vec<String> =
                        options.iter().map(|o| (*o).to_owned()).collect();
                    allowed.sort();
                    offered.sort();
                    assert_eq!(offered, allowed, "{k}: the options of {}", f.name);
                }
            }
            for r in root["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str())
            {
                assert!(
                    paths.iter().any(|p| p[0] == r),
                    "{k}: the record requires {r}, which the form does not ask for"
                );
            }
        }
    }

    #[test]
    fn every_domain_error_of_a_bad_gift_has_its_own_key() {
        let bad: HashMap<String, String> = [
            ("direction", "sideways"),
            ("giver_name", ""),
            ("giver_bin", "123"),
            ("description", &"x".repeat(2001)),
            ("value_kzt", "12.345"),
            ("date", "2030-01-01"),
            ("occasion", " "),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let errors = validate_gift(&bad, today()).unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        for f in GIFT.fields {
            assert!(
                pointers.contains(&format!("/{}", f.name).as_str()),
                "{pointers:?}"
            );
        }
        for e in &errors {
            assert!(error_key(e).is_some(), "no key for {e:?}");
        }
        let mut bad_date = bad.clone();
        bad_date.insert("date".into(), "01.01.2026".into());
        let errs = validate_gift(&bad_date, today()).unwrap_err();
        assert!(errs.iter().any(|e| error_key(e) == Some("err-date")));
    }

    #[test]
    fn errors_are_rendered_beside_their_fields_and_values_kept() {
        let tr = Tr::new(Lang::En);
        let mut values = HashMap::new();
        values.insert("giver_name".to_owned(), "<b>ACME</b>".to_owned());
        let errors = vec![FieldError::new(
            "/value_kzt",
            "must have at most two decimals",
        )];
        let html = render(&tr, &GIFT, "/x", "tok", &values, &errors).into_string();
        assert!(html.contains(r#"name="csrf" value="tok""#));
        assert!(html.contains(r#"id="f-value_kzt-error" data-pointer="/value_kzt" data-codes=""#));
        assert!(html.contains(r#"aria-describedby="f-value_kzt-hint f-value_kzt-error""#));
        // Values are escaped, never markup.
        assert!(html.contains("&lt;b&gt;ACME&lt;/b&gt;"));
        // Every field has a label.
        for f in GIFT.fields {
            assert!(
                html.contains(&format!(r#"for="f-{}"#, f.name)),
                "no label for {}",
                f.name
            );
        }
    }

    #[test]
    fn a_disclosure_form_maps_errors_to_its_fields() {
        let form = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let bad = form(&[
            ("situation", "relative_in_procurement"),
            ("description", "My brother directs a bidder"),
            ("party_name", "Aidos"),
            ("arose_on", "2026-05-01"),
            ("proposed_resolution", "recusal"),
        ]);
        let errors = validate_conflict(&bad, today()).unwrap_err();
        let pointers: Vec<_> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/party_name", "/procurement_ocid"]);
        assert!(errors.iter().all(|e| error_key(e).is_some()), "{errors:?}");
        let mut ok = bad.clone();
        ok.insert("party_relation".into(), "sibling".into());
        ok.insert("procurement_ocid".into(), "ocds-1".into());
        let d = validate_conflict(&ok, today()).unwrap();
        assert_eq!(d.parties.len(), 1);
        let mut bad_iin = ok.clone();
        bad_iin.insert("party_iin".into(), "123456789012".into());
        let errors = validate_conflict(&bad_iin, today()).unwrap_err();
        assert_eq!(errors[0].pointer, "/party_iin");
        assert_eq!(error_key(&errors[0]), Some("err-iin"));
    }

    #[test]
    fn a_valid_gift_passes_with_grouped_money() {
        let ok: HashMap<String, String> = [
            ("direction", "received"),
            ("giver_name", "ACME"),
            ("giver_bin", ""),
            ("description", "Watch"),
            ("value_kzt", "180 000.00"),
            ("date", "2026-05-01"),
            ("occasion", "Visit"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let g = validate_gift(&ok, today()).unwrap();
        assert!(g.giver_bin.is_none());
    }
}
