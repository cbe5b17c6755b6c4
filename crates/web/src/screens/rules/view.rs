//! Drawing rule sets: a version's rules by area, the rules it leaves
//! out, the forms, the dry run's report and the API's refusals.

use super::drafts::*;
use super::inputs::{Input, default_words, param_input, range_words, type_hint};
use crate::i18n::Tr;
use crate::kit::{Fail, Fields, error_summary, error_text, errors_of, head, label, orphans};
use adal_domain::FieldError;
use adal_sandbox_protocol::params::ParamType;
use adal_service::ServiceError;
use adal_store::rules::{Adoption, Library, RuleDefinition, RuleSetVersion};
use maud::{Markup, html};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A parameter's error: the catalogue's words, then the API's message,
/// which names the bounds and the unit.
pub(super) fn param_error(tr: &Tr, e: &FieldError) -> String {
    match crate::kit::errors::error_key(e) {
        Some(k) => format!("{} ({})", tr.t(k), e.message),
        None => error_text(tr, e),
    }
}

pub(super) fn param_list(d: &RuleDefinition) -> Markup {
    html! {
        @if d.params.is_empty() { "—" } @else {
            ul class="params" {
                @for (name, v) in &d.params {
                    li {
                        code { (name) } " = " strong { (shown(v)) }
                        @if let Some(u) = d.declared.get(name).and_then(|s| s.unit.as_ref()) { " " (u) }
                    }
                }
            }
        }
    }
}

/// A version's rules grouped by area, each with its guideline section.
pub(super) fn rules_by_area(tr: &Tr, lib: &Library, defs: &[RuleDefinition]) -> Markup {
    let mut areas: BTreeMap<&str, Vec<&RuleDefinition>> = BTreeMap::new();
    for d in defs {
        areas.entry(d.area.as_str()).or_default().push(d);
    }
    html! {
        @for (area, list) in &areas {
            section class="area" data-area=(area) {
                h3 { (label(tr, "area", area)) }
                div class="scroll" {
                    table class="rules" {
                        (head(tr, &[("col-rule", false), ("col-guideline", false), ("col-severity", false), ("col-likelihood-impact", false), ("col-parameters", false)]))
                        tbody {
                            @for d in list {
                                tr data-rule=(d.id) {
                                    td {
                                        (tr.rule_title(&d.id, &d.title)) br; small { code { (d.id) } }
                                        @if let Some(text) = tr.rule_text(&d.id, "description") { p class="hint rule-description" { (text) } }
                                    }
                                    td class="guideline" { (section_of(lib, d).unwrap_or("—")) }
                                    td { (label(tr, "severity", d.severity.as_str())) }
                                    td class="num" { (d.likelihood) " × " (d.impact) }
                                    td { (param_list(d)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The enable-again forms of the adopted standard: the CSRF token, and
/// what refused the last one.
pub(super) struct EnableForms<'a> {
    pub(super) action: String,
    pub(super) csrf: &'a str,
    pub(super) error: Option<String>,
}

/// The library rules a version leaves out, each with its guideline
/// section and the reason given; on the adopted standard, for a writer,
/// each with a button that enables it again.
pub(super) fn left_out(
    tr: &Tr,
    lib: &Library,
    adoption: Option<&Adoption>,
    enable: Option<&EnableForms<'_>>,
) -> Markup {
    let disabled = adoption.map(|a| &a.disabled).filter(|d| !d.is_empty());
    let error = enable.and_then(|e| e.error.as_ref());
    let mut cols = vec![
        ("col-rule", false),
        ("col-guideline", false),
        ("col-reason", false),
    ];
    if enable.is_some() {
        cols.push(("col-action", false));
    }
    html! {
        @if disabled.is_some() || error.is_some() {
            section id="left-out" {
                h3 { (tr.t("rules-disabled")) }
                @if let Some(m) = error {
                    div class="alert error" role="alert" id="enable-error" { p { (m) } }
                }
                @if let Some(d) = disabled {
                    div class="scroll" {
                        table id="disabled-rules" {
                            (head(tr, &cols))
                            tbody {
                                @for (id, reason) in d {
                                    @let rule = lib.rule(id);
                                    tr data-rule=(id) {
                                        td {
                                            @if let Some(r) = rule { (tr.rule_title(&r.id, &r.title)) br; }
                                            small { code { (id) } }
                                        }
                                        td class="guideline" { (rule.and_then(|r| r.guideline_section.as_deref()).unwrap_or("—")) }
                                        td class="reason" { (reason) }
                                        @if let Some(e) = enable {
                                            td {
                                                form method="post" action=(e.action) class="inline-form" {
                                                    input type="hidden" name="csrf" value=(e.csrf);
                                                    input type="hidden" name="rule" value=(id);
                                                    button type="submit" class="secondary" id={ "enable-" (id) } { (tr.t("rules-enable")) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The form that leaves a library rule out: the library rules the version
/// in force enables, and the reason, each error beside its input.
pub fn disable_form(
    tr: &Tr,
    action: &str,
    csrf: &str,
    lib: &Library,
    disabled: &BTreeMap<String, String>,
    values: &Fields,
    errors: &[(Option<String>, FieldError)],
) -> Markup {
    let errs = |name: &str| errors_of(errors, name);
    let orphans = orphans(tr, errors);
    let chosen = values.get("rule").map_or("", |r| r.trim());
    let (rule_errs, reason_errs) = (errs("rule"), errs("reason"));
    html! {
        section id="disable-rule" {
            h3 { (tr.t("rules-disable-title")) }
            p { (tr.t("rules-disable-intro")) }
            (error_summary(tr, !errors.is_empty(), &orphans))
            form method="post" action=(action) class="filing" novalidate {
                input type="hidden" name="csrf" value=(csrf);
                div class={ "field" @if !rule_errs.is_empty() { " invalid" } } {
                    label for="d-rule" { (tr.t("rules-disable-rule")) }
                    select id="d-rule" name="rule"
                        aria-invalid=[(!rule_errs.is_empty()).then_some("true")]
                        aria-describedby=[(!rule_errs.is_empty()).then_some("d-rule-error")] {
                        option value="" { "—" }
                        @for r in lib.rules.iter().filter(|r| !disabled.contains_key(&r.id)) {
                            option value=(r.id) selected[chosen == r.id] { (tr.rule_title(&r.id, &r.title)) " (" (r.id) ")" }
                        }
                    }
                    @if !rule_errs.is_empty() {
                        p class="field-error" id="d-rule-error" { @for e in &rule_errs { (error_text(tr, e)) " " } }
                    }
                }
                div class={ "field" @if !reason_errs.is_empty() { " invalid" } } {
                    label for="d-reason" { (tr.t("rules-disable-reason")) }
                    textarea id="d-reason" name="reason" rows="3"
                        aria-invalid=[(!reason_errs.is_empty()).then_some("true")]
                        aria-describedby={ "d-reason-hint" @if !reason_errs.is_empty() { " d-reason-error" } } {
                        (values.get("reason").map_or("", String::as_str))
                    }
                    p class="hint" id="d-reason-hint" { (tr.t("rules-disable-reason-hint")) }
                    @if !reason_errs.is_empty() {
                        p class="field-error" id="d-reason-error" { @for e in &reason_errs { (error_text(tr, e)) " " } }
                    }
                }
                button type="submit" id="disable-submit" { (tr.t("rules-disable-submit")) }
            }
        }
    }
}

pub(super) fn status_label(tr: &Tr, status: &str) -> String {
    label(tr, "ruleset-status", status)
}

pub(super) fn versions_table(tr: &Tr, tenant: Uuid, all: &[RuleSetVersion]) -> Markup {
    html! {
        table id="rule-set-versions" {
            (head(tr, &[("col-version", false), ("col-status", false), ("col-created", false), ("col-activated", false)]))
            tbody {
                @for v in all {
                    tr data-version=(v.version) data-status=(v.status) {
                        td { a href={ "/t/" (tenant) "/rules/v/" (v.version) } { (tr.t("rules-version")) " " (v.version) } }
                        td { (status_label(tr, &v.status)) }
                        td { (tr.datetime(v.created_at)) }
                        td { @if let Some(a) = v.activated_at { (tr.datetime(a)) } @else { "—" } }
                    }
                }
            }
        }
    }
}

/// The parameters form: one input per declared parameter of each enabled
/// library rule, grouped by rule, each error beside its input.
pub fn parameters_form(
    tr: &Tr,
    action: &str,
    csrf: &str,
    lib: &Library,
    disabled: &BTreeMap<String, String>,
    values: &Fields,
    errors: &[(Option<String>, FieldError)],
) -> Markup {
    let orphans = orphans(tr, errors);
    html! {
        (error_summary(tr, !errors.is_empty(), &orphans))
        form method="post" action=(action) class="filing parameters" novalidate {
            input type="hidden" name="csrf" value=(csrf);
            @for r in lib.rules.iter().filter(|r| !r.declared.is_empty() && !disabled.contains_key(&r.id)) {
                fieldset data-rule=(r.id) {
                    legend { (tr.rule_title(&r.id, &r.title)) " " small { code { (r.id) } } }
                    @if let Some(g) = tr.rule_text(&r.id, "section").or_else(|| r.guideline_section.clone()) { p class="guideline" { (g) } }
                    @for (name, spec) in &r.declared {
                        @let field = field_name(&r.id, name);
                        @let id = format!("f-{}-{}", r.id, name);
                        @let errs = errors_of(errors, &field);
                        // The library's label and help in the reader's
                        // language; a tenant's own rule has its parameter's
                        // name and description.
                        @let param = |part: &str| tr.rule_text(&r.id, &format!("param-{name}-{part}"));
                        div class={ "field" @if !errs.is_empty() { " invalid" } } {
                            @let invalid = !errs.is_empty();
                            @let input = Input { id: &id, field: &field, invalid, described_by: format!("{id}-hint{}", if invalid { format!(" {id}-error") } else { String::new() }) };
                            @let caption = html! {
                                @match param("label") {
                                    Some(l) => { (l) " " small { code { (name) } } },
                                    None => code { (name) },
                                }
                            };
                            // A table of rows is no labelable element: it
                            // names itself after this text instead.
                            @if spec.ty == ParamType::IntegerMap {
                                span class="field-label" id={ (id) "-label" } { (caption) }
                            } @else {
                                label for=(id) { (caption) }
                            }
                            (param_input(tr, spec, values, &input))
                            p class="hint" id={ (id) "-hint" } {
                                @if let Some(d) = param("help").or_else(|| spec.description.clone()) { (d) br; }
                                @if let Some(h) = type_hint(tr, spec.ty) { (h) " " }
                                (tr.t("rules-default")) ": " (default_words(tr, spec)) "."
                                @if let Some(b) = range_words(tr, spec) { " " (b) "." }
                            }
                            @if !errs.is_empty() {
                                p class="field-error" id={ (id) "-error" } {
                                    @for e in &errs { (param_error(tr, e)) " " }
                                }
                            }
                        }
                    }
                }
            }
            button type="submit" id="parameters-submit" { (tr.t("rules-parameters-submit")) }
        }
    }
}

/// What the API refused, as messages: each detail with its rule, fixture,
/// expected and actual outcome where it has them.
pub(super) fn refusal(tr: &Tr, e: ServiceError) -> Result<Markup, Fail> {
    let said = e.to_string();
    let (error, key, message, details) = match e {
        ServiceError::FixturesFailed { message, details } => {
            ("fixtures_failed", "rules-fixtures-failed", message, details)
        }
        ServiceError::Invalid { message, details } => {
            ("validation_failed", "rules-refused", message, details)
        }
        ServiceError::Malformed(d) => ("validation_failed", "rules-refused", said, vec![*d]),
        ServiceError::Conflict(_) => ("conflict", "rules-refused", said, Vec::new()),
        ServiceError::Unavailable => ("unavailable", "rules-sandbox-unavailable", said, Vec::new()),
        other => return Err(other.into()),
    };
    Ok(html! {
        div class="alert error" role="alert" id="rules-refused" data-error=(error) {
            p { (tr.t(key)) }
            @if details.is_empty() { p { (message) } }
            @if !details.is_empty() {
                ul {
                    @for d in &details {
                        li {
                            @if let Some(r) = &d.rule_id { code { (r) } " " }
                            @if let Some(f) = &d.fixture { "«" (f) "» " }
                            @if let (Some(x), Some(a)) = (&d.expected, &d.actual) {
                                (tr.t("rules-expected")) ": " strong { (x) } ", " (tr.t("rules-actual")) ": " strong { (a) }
                            } @else {
                                (d.message)
                            }
                        }
                    }
                }
            }
        }
    })
}
