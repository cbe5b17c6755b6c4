//! The compliance officer's rule editor: the adopted standard (the active
//! version's rules by area, the versions with their status), a form that
//! makes a draft from the active version with new parameter values, and a
//! draft's page with its dry run and activation.
//!
//! Nothing here checks or runs a rule itself: the draft goes through
//! [`adal_service::create_version`], the dry run through
//! [`adal_service::dry_run_version`] and activation (with its fixture gate)
//! through [`adal_service::activate_version`], the functions behind the API's
//! `POST /rule-sets`, `/dry-run` and `/activate`. This module only turns
//! the form into the API's request and the API's pointers back into the
//! form's fields.

use crate::forms::{error_summary, error_text, errors_of, orphans};
use crate::i18n::Tr;
use crate::layout::{Fail, Frame, head, label, page, redirect, respond};
use crate::pages::{Fields, PageResult, allowed, authorize, authorize_form, caller, finish, frame};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_sandbox_protocol::params::{ParamSpec, ParamType};
use adal_service::{AppState, DryRunReport, ServiceError, TenantCtx};
use adal_store::rules::{self, Adoption, Library, RuleDefinition, RuleSetVersion};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// How many of the latest submissions the dry-run form proposes.
const DRY_RUN_PROPOSED: u64 = 50;

// ------------------------------------------------------------ pure parts

/// The input of one parameter of one library rule.
pub fn field_name(rule: &str, param: &str) -> String {
    format!("p.{rule}.{param}")
}

fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The input an error of [`adal_service::create_version`] is about: its
/// pointers name an override as `/overrides/{rule}/{param}`. A pointer
/// that names no single parameter belongs to no input.
pub fn field_of(pointer: &str) -> Option<String> {
    let rest = pointer.strip_prefix("/overrides/")?;
    let mut parts = rest.split('/');
    let rule = unescape(parts.next()?);
    let param = unescape(parts.next()?);
    if parts.next().is_some() || rule.is_empty() || param.is_empty() {
        return None;
    }
    Some(field_name(&rule, &param))
}

/// A parameter's value as the form shows it: strings bare, everything
/// else as JSON (`true`, `5`, `{"open": 3}`).
pub fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What was typed, as the JSON value the API's parameter check expects
/// for the parameter's type. Anything that does not fit the type is sent
/// as a string, so the API's check refuses it with its own message.
pub fn typed(ty: ParamType, text: &str) -> Value {
    let t = text.trim();
    match ty {
        ParamType::Integer => t
            .parse::<i64>()
            .map_or_else(|_| Value::String(t.to_owned()), Value::from),
        ParamType::Bool => match t {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(t.to_owned()),
        },
        ParamType::IntegerMap => serde_json::from_str::<Value>(t)
            .ok()
            .filter(Value::is_object)
            .unwrap_or_else(|| Value::String(t.to_owned())),
        // Amounts may be typed with group separators.
        ParamType::Money | ParamType::Decimal | ParamType::OptionalDecimal => {
            Value::String(t.replace([' ', '\u{a0}', '\u{202f}'], ""))
        }
        ParamType::String => Value::String(text.to_owned()),
    }
}

/// The form's values: each enabled library rule's effective parameters.
pub fn values_of(defs: &[RuleDefinition]) -> Fields {
    let mut v = Fields::new();
    for d in defs {
        for (name, value) in &d.params {
            if d.declared.contains_key(name) {
                v.insert(field_name(&d.id, name), shown(value));
            }
        }
    }
    v
}

/// The overrides the form asks for: every declared parameter of an
/// enabled library rule whose value differs from the library's default.
pub fn overrides_of(
    lib: &Library,
    disabled: &BTreeMap<String, String>,
    values: &Fields,
) -> BTreeMap<String, BTreeMap<String, Value>> {
    let mut out: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for r in lib.rules.iter().filter(|r| !disabled.contains_key(&r.id)) {
        for (name, spec) in &r.declared {
            let Some(text) = values.get(&field_name(&r.id, name)) else {
                continue;
            };
            if text.trim() == shown(&spec.default).trim() {
                continue;
            }
            out.entry(r.id.clone())
                .or_default()
                .insert(name.clone(), typed(spec.ty, text));
        }
    }
    out
}

/// The request for a draft made from `active`: the same library version,
/// overrides, disabled rules and own rules, with `added` among the own
/// rules (in place of an own rule with its id, at the returned index).
pub fn from_active(
    active: &RuleSetVersion,
    added: Option<adal_service::Rule>,
) -> Result<(adal_service::NewRuleSet, usize), Fail> {
    let adoption = rules::adoption_of(active)?.unwrap_or_default();
    let replaced = added.as_ref().map(|r| r.id.clone());
    let mut own: Vec<adal_service::Rule> = rules::rules_of(active)?
        .into_iter()
        .filter(|d| adoption.own_rules.contains(&d.id) && Some(&d.id) != replaced.as_ref())
        .map(adal_service::rule_to_api)
        .collect();
    let at = own.len();
    own.extend(added);
    Ok((
        adal_service::NewRuleSet {
            library_version: active.library_version.clone(),
            overrides: adoption.overrides,
            disabled: adoption.disabled,
            rules: own,
        },
        at,
    ))
}

/// The request that makes a draft from `active` with the form's values
/// as its overrides.
pub fn new_rule_set(
    lib: &Library,
    active: &RuleSetVersion,
    values: &Fields,
) -> Result<adal_service::NewRuleSet, Fail> {
    let (mut request, _) = from_active(active, None)?;
    request.overrides = overrides_of(lib, &request.disabled, values);
    Ok(request)
}

/// The message of a rule to leave out that is left out already.
pub const ALREADY_LEFT_OUT: &str = "this rule is left out already";
/// The message of a rule to enable that the version in force does not
/// leave out.
pub const NOT_LEFT_OUT: &str = "the version in force does not leave this rule out";
/// The message of a choice over the library in a version that adopted
/// none (uploaded whole).
pub const NO_LIBRARY: &str = "the version in force adopts no library";

/// The request that makes a draft from `active` leaving the library rule
/// `rule` out for `reason`: its parameter values go with it (the API
/// refuses overrides of a disabled rule), so enabling it again brings back
/// the library's defaults. The API checks the rule and the reason; the
/// form only refuses what the API would take as a change of reason.
pub fn disable_request(
    active: &RuleSetVersion,
    rule: &str,
    reason: &str,
) -> Result<Result<adal_service::NewRuleSet, FieldError>, Fail> {
    let (mut request, _) = from_active(active, None)?;
    let at = || format!("/disabled/{}", adal_service::pointer_segment(rule));
    if request.library_version.is_none() {
        return Ok(Err(FieldError::new(at(), NO_LIBRARY)));
    }
    if rule.is_empty() {
        return Ok(Err(FieldError::new(at(), "must not be empty")));
    }
    if request.disabled.contains_key(rule) {
        return Ok(Err(FieldError::new(at(), ALREADY_LEFT_OUT)));
    }
    request.overrides.remove(rule);
    request.disabled.insert(rule.to_owned(), reason.to_owned());
    Ok(Ok(request))
}

/// The request that makes a draft from `active` with the library rule
/// `rule`, which it leaves out, enabled again.
pub fn enable_request(
    active: &RuleSetVersion,
    rule: &str,
) -> Result<Result<adal_service::NewRuleSet, FieldError>, Fail> {
    let (mut request, _) = from_active(active, None)?;
    let at = format!("/disabled/{}", adal_service::pointer_segment(rule));
    if request.disabled.remove(rule).is_none() {
        return Ok(Err(FieldError::new(at, NOT_LEFT_OUT)));
    }
    Ok(Ok(request))
}

/// The input of the form that leaves a rule out that an error of
/// [`adal_service::create_version`] is about: an unknown rule, or the last
/// enabled one, is the rule's; anything else about it, the reason's.
pub fn choice_field_of(e: &FieldError) -> Option<String> {
    let field = if e.pointer == "/disabled" || e.message.starts_with("no rule ") {
        "rule"
    } else if e.pointer.starts_with("/disabled/") {
        if [NO_LIBRARY, ALREADY_LEFT_OUT, "must not be empty"].contains(&e.message.as_str()) {
            "rule"
        } else {
            "reason"
        }
    } else {
        return None;
    };
    Some(field.to_owned())
}

/// The guideline section of a rule: as stored with the version, or, for
/// a version stored before rules carried it, as the library has it.
fn section_of<'a>(lib: &'a Library, d: &'a RuleDefinition) -> Option<&'a str> {
    d.guideline_section
        .as_deref()
        .or_else(|| lib.rule(&d.id).and_then(|r| r.guideline_section.as_deref()))
}

fn bound(spec: &ParamSpec) -> Option<String> {
    match (&spec.min, &spec.max) {
        (None, None) => None,
        (min, max) => Some(format!(
            "{} – {}",
            min.as_ref().map(shown).unwrap_or_default(),
            max.as_ref().map(shown).unwrap_or_default()
        )),
    }
}

// ------------------------------------------------------------ rendering

/// A parameter's error: the catalogue's words, then the API's message,
/// which names the bounds and the unit.
fn param_error(tr: &Tr, e: &FieldError) -> String {
    match crate::forms::error_key(e) {
        Some(k) => format!("{} ({})", tr.t(k), e.message),
        None => error_text(tr, e),
    }
}

fn param_list(d: &RuleDefinition) -> Markup {
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
fn rules_by_area(tr: &Tr, lib: &Library, defs: &[RuleDefinition]) -> Markup {
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
                                    td { (d.title) br; small { code { (d.id) } } }
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
struct EnableForms<'a> {
    action: String,
    csrf: &'a str,
    error: Option<String>,
}

/// The library rules a version leaves out, each with its guideline
/// section and the reason given; on the adopted standard, for a writer,
/// each with a button that enables it again.
fn left_out(
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
                                            @if let Some(r) = rule { (r.title) br; }
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
                            option value=(r.id) selected[chosen == r.id] { (r.title) " (" (r.id) ")" }
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

fn status_label(tr: &Tr, status: &str) -> String {
    label(tr, "ruleset-status", status)
}

fn versions_table(tr: &Tr, tenant: Uuid, all: &[RuleSetVersion]) -> Markup {
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
                    legend { (r.title) " " small { code { (r.id) } } }
                    @if let Some(g) = &r.guideline_section { p class="guideline" { (g) } }
                    @for (name, spec) in &r.declared {
                        @let field = field_name(&r.id, name);
                        @let id = format!("f-{}-{}", r.id, name);
                        @let errs = errors_of(errors, &field);
                        div class={ "field" @if !errs.is_empty() { " invalid" } } {
                            label for=(id) {
                                code { (name) }
                                @if let Some(u) = &spec.unit { " (" (u) ")" }
                            }
                            input type="text" id=(id) name=(field)
                                value=(values.get(&field).map_or_else(|| shown(&spec.default), Clone::clone))
                                aria-invalid=[(!errs.is_empty()).then_some("true")]
                                aria-describedby={ (id) "-hint" @if !errs.is_empty() { " " (id) "-error" } };
                            p class="hint" id={ (id) "-hint" } {
                                (tr.t("rules-default")) ": " (shown(&spec.default))
                                @if let Some(b) = bound(spec) { "; " (tr.t("rules-range")) ": " (b) }
                                @if let Some(d) = &spec.description { " — " (d) }
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

/// The dry run's answer: per rule, the findings that would appear,
/// disappear or change, and the rule's errors.
pub fn dry_run_report(tr: &Tr, r: &DryRunReport) -> Markup {
    let changed: Vec<_> = r
        .rules
        .iter()
        .filter(|x| {
            !(x.appear.is_empty()
                && x.disappear.is_empty()
                && x.change.is_empty()
                && x.errors.is_empty())
        })
        .collect();
    html! {
        section id="dry-run" {
            h2 { (tr.t("rules-dry-run-result")) }
            p id="dry-run-summary" data-submissions=(r.submissions) {
                (tr.t_args("rules-dry-run-summary", &[("n", r.submissions.into())]))
            }
            @if changed.is_empty() {
                p id="dry-run-nothing" { (tr.t("rules-dry-run-nothing")) }
            } @else {
                div class="scroll" {
                    table id="dry-run-table" {
                        (head(tr, &[("col-rule", false), ("col-appear", true), ("col-disappear", true), ("col-change", true), ("col-unchanged", true), ("col-errors", true)]))
                        tbody {
                            @for x in &changed {
                                tr data-rule=(x.rule_id) {
                                    td { code { (x.rule_id) } }
                                    td class="num" data-appear=(x.appear.len()) { (x.appear.len()) }
                                    td class="num" data-disappear=(x.disappear.len()) { (x.disappear.len()) }
                                    td class="num" data-change=(x.change.len()) { (x.change.len()) }
                                    td class="num" { (x.unchanged) }
                                    td class="num" { (x.errors.len()) }
                                }
                            }
                        }
                    }
                }
                @for x in changed.iter().filter(|x| !x.errors.is_empty()) {
                    h3 { (tr.t("rules-errors-of")) " " code { (x.rule_id) } }
                    ul class="rule-errors" {
                        @for e in &x.errors {
                            li {
                                (e.kind) ": " (e.message)
                                @if let (Some(l), Some(c)) = (e.line, e.column) {
                                    " (" (tr.t_args("rules-at", &[("line", l.into()), ("column", c.into())])) ")"
                                }
                                " — " code { (e.submission_id) }
                            }
                        }
                    }
                }
            }
            @if !r.failures.is_empty() {
                h3 { (tr.t("rules-dry-run-failures")) }
                ul { @for f in &r.failures { li { code { (f.submission_id) } ": " (f.message) } } }
            }
        }
    }
}

/// What the API refused, as messages: each detail with its rule, fixture,
/// expected and actual outcome where it has them.
fn refusal(tr: &Tr, e: ServiceError) -> Result<Markup, Fail> {
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

// ------------------------------------------------------------ handlers

fn base(tenant: Uuid) -> String {
    format!("/t/{tenant}/rules")
}

#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct StandardQuery {
    activated: Option<i32>,
}

/// The forms of the adopted standard as last submitted: what was typed
/// into the form that leaves a rule out and its errors, what refused an
/// enable-again button, or the sandbox being down.
#[derive(Default)]
struct Choices {
    values: Fields,
    errors: Vec<(Option<String>, FieldError)>,
    enable_error: Option<String>,
    refused: Option<Markup>,
}

async fn standard_page(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    activated: Option<i32>,
    choices: Choices,
) -> PageResult {
    let tenant = ctx.tenant().0;
    let writer = allowed(state, caller(v)?, tenant, obj::RULE_SETS, act::WRITE).await;
    let all = rules::list_versions(&state.store, ctx.tenant()).await?;
    let active = all.iter().find(|x| x.status == rules::ACTIVE);
    let tr = &v.tr;
    let shown_rules = match active {
        Some(a) => Some((a, rules::rules_of(a)?, rules::adoption_of(a)?)),
        None => None,
    };
    let status = if choices.refused.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else if choices.errors.is_empty() && choices.enable_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let enable = writer.then(|| EnableForms {
        action: format!("{}/enable", base(tenant)),
        csrf: &v.csrf,
        error: choices.enable_error.clone(),
    });
    let body = html! {
        @if let Some(n) = activated {
            p class="alert ok" role="status" id="rules-activated" { (tr.t_args("rules-activated", &[("version", n.into())])) }
        }
        @if let Some(m) = &choices.refused { (m) }
        @match &shown_rules {
            Some((a, defs, adoption)) => {
                h2 id="active-version" data-version=(a.version) {
                    (tr.t("rules-active")) ": " (tr.t("rules-version")) " " (a.version)
                    @if let Some(l) = &a.library_version { " · " (tr.t("rules-library")) " " (l) }
                }
                @if writer {
                    p {
                        a class="button" id="edit-parameters" href={ (base(tenant)) "/parameters" } { (tr.t("rules-edit-parameters")) }
                        " "
                        a class="button" id="write-rule" href={ (base(tenant)) "/new" } { (tr.t("rules-write-rule")) }
                    }
                }
                (rules_by_area(tr, &state.library, defs))
                (left_out(tr, &state.library, adoption.as_ref(), enable.as_ref()))
                // Only a version adopted from the library has library
                // rules to leave out.
                @if let (true, Some(ad)) = (writer, adoption.as_ref().filter(|_| a.library_version.is_some())) {
                    (disable_form(tr, &format!("{}/disable", base(tenant)), &v.csrf, &state.library, &ad.disabled, &choices.values, &choices.errors))
                }
            }
            None => p id="no-active" { (tr.t("rules-none-active")) }
        }
        h2 { (tr.t("rules-versions")) }
        (versions_table(tr, tenant, &all))
    };
    let f = frame(state, v, ctx.tenant()).await;
    Ok(respond(v, status, page(v, &f, &tr.t("rules-title"), body)))
}

/// The adopted standard: the active version by area, and every version.
#[handler]
pub(crate) async fn standard(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<StandardQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RULE_SETS, act::READ).await?;
        standard_page(&state, &v, &ctx, q.activated, Choices::default()).await
    }
    .await;
    finish(&v, r)
}

/// Makes a draft through the API's own path and opens its page; a refusal
/// is shown on the adopted standard, by the form it came from.
async fn make_choice(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    request: Result<adal_service::NewRuleSet, FieldError>,
    mut choices: Choices,
    placed: impl Fn(FieldError, &mut Choices),
) -> PageResult {
    let request = match request {
        Ok(r) => r,
        Err(e) => {
            placed(e, &mut choices);
            return standard_page(state, v, ctx, None, choices).await;
        }
    };
    match adal_service::create_version(state, ctx, request).await {
        Ok(draft) => Ok(redirect(
            v,
            &format!("{}/v/{}?created=1", base(ctx.tenant().0), draft.version),
        )),
        Err(e @ ServiceError::Invalid { .. }) => {
            for fe in e.field_errors() {
                placed(fe, &mut choices);
            }
            standard_page(state, v, ctx, None, choices).await
        }
        Err(other) => {
            choices.refused = Some(refusal(&v.tr, other)?);
            standard_page(state, v, ctx, None, choices).await
        }
    }
}

/// What a form of the adopted standard asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// Leave a library rule out, with the reason given.
    Disable,
    /// Enable again a library rule the version in force leaves out.
    Enable,
}

async fn choose(
    req: &Request,
    state: &AppState,
    tenant: Uuid,
    values: Fields,
    choice: Choice,
) -> Response {
    let v = Visitor::load(req, state).await;
    let r: PageResult = async {
        let ctx = authorize_form(state, &v, &values, tenant, obj::RULE_SETS, act::WRITE).await?;
        let active = active_of(state, &ctx).await?;
        let rule = values.get("rule").map_or("", |r| r.trim());
        let tr = &v.tr;
        match choice {
            Choice::Disable => {
                let reason = values.get("reason").map_or("", String::as_str);
                let request = disable_request(&active, rule, reason)?;
                let choices = Choices {
                    values: values.clone(),
                    ..Choices::default()
                };
                make_choice(state, &v, &ctx, request, choices, |e, c| {
                    c.errors.push((choice_field_of(&e), e));
                })
                .await
            }
            // The enable-again buttons have no input of their own: their
            // refusal is said above the table of rules left out.
            Choice::Enable => {
                let request = enable_request(&active, rule)?;
                make_choice(state, &v, &ctx, request, Choices::default(), |e, c| {
                    let text = error_text(tr, &e);
                    c.enable_error = Some(match c.enable_error.take() {
                        Some(before) => format!("{before} {text}"),
                        None => text,
                    });
                })
                .await
            }
        }
    }
    .await;
    finish(&v, r)
}

/// Leaves a library rule out, with the reason given, in a new draft.
#[handler]
pub(crate) async fn disable_rule(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(values): Form<Fields>,
) -> Response {
    choose(req, &state, tenant, values, Choice::Disable).await
}

/// Enables again, in a new draft, a library rule the version in force
/// leaves out.
#[handler]
pub(crate) async fn enable_rule(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(values): Form<Fields>,
) -> Response {
    choose(req, &state, tenant, values, Choice::Enable).await
}

/// What the parameters page shows besides the frame.
struct ParamsView<'a> {
    lib: &'a Library,
    disabled: &'a BTreeMap<String, String>,
    values: &'a Fields,
    errors: &'a [(Option<String>, FieldError)],
    refused: Option<Markup>,
}

fn parameters_page(v: &Visitor, f: &Frame, tenant: Uuid, view: ParamsView<'_>) -> Response {
    let ParamsView {
        lib,
        disabled,
        values,
        errors,
        refused,
    } = view;
    let tr = &v.tr;
    let status = if refused.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = html! {
        @if let Some(m) = refused { (m) }
        p { (tr.t("rules-parameters-intro")) }
        (parameters_form(tr, &format!("{}/parameters", base(tenant)), &v.csrf, lib, disabled, values, errors))
    };
    respond(v, status, page(v, f, &tr.t("rules-parameters-title"), body))
}

pub(crate) async fn active_of(state: &AppState, ctx: &TenantCtx) -> Result<RuleSetVersion, Fail> {
    rules::active_version(&state.store, ctx.tenant())
        .await?
        .ok_or(Fail::NotFound)
}

/// The form that makes a draft with new parameter values.
#[handler]
pub(crate) async fn parameters(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RULE_SETS, act::WRITE).await?;
        let active = active_of(&state, &ctx).await?;
        let disabled = rules::adoption_of(&active)?.unwrap_or_default().disabled;
        let values = values_of(&rules::rules_of(&active)?);
        let f = frame(&state, &v, ctx.tenant()).await;
        Ok(parameters_page(
            &v,
            &f,
            tenant,
            ParamsView {
                lib: &state.library,
                disabled: &disabled,
                values: &values,
                errors: &[],
                refused: None,
            },
        ))
    }
    .await;
    finish(&v, r)
}

/// Makes the draft through the API's own path; its refusals come back
/// beside their inputs.
#[handler]
pub(crate) async fn save_parameters(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &values, tenant, obj::RULE_SETS, act::WRITE).await?;
        let active = active_of(&state, &ctx).await?;
        let request = new_rule_set(&state.library, &active, &values)?;
        let disabled = request.disabled.clone();
        match adal_service::create_version(&state, &ctx, request).await {
            Ok(draft) => Ok(redirect(
                &v,
                &format!("{}/v/{}?created=1", base(tenant), draft.version),
            )),
            Err(e @ ServiceError::Invalid { .. }) => {
                let errors: Vec<(Option<String>, FieldError)> = e
                    .field_errors()
                    .into_iter()
                    .map(|fe| (field_of(&fe.pointer), fe))
                    .collect();
                let f = frame(&state, &v, ctx.tenant()).await;
                Ok(parameters_page(
                    &v,
                    &f,
                    tenant,
                    ParamsView {
                        lib: &state.library,
                        disabled: &disabled,
                        values: &values,
                        errors: &errors,
                        refused: None,
                    },
                ))
            }
            // The sandbox that compiles the scripts is down: say so and
            // keep what was typed.
            Err(other) => {
                let m = refusal(&v.tr, other)?;
                let f = frame(&state, &v, ctx.tenant()).await;
                Ok(parameters_page(
                    &v,
                    &f,
                    tenant,
                    ParamsView {
                        lib: &state.library,
                        disabled: &disabled,
                        values: &values,
                        errors: &[],
                        refused: Some(m),
                    },
                ))
            }
        }
    }
    .await;
    finish(&v, r)
}

#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct VersionQuery {
    created: Option<String>,
}

/// What the version page shows below the rules: a dry run's report or a
/// refusal.
enum Outcome {
    None,
    Report(Box<DryRunReport>),
    Refused(Markup),
}

async fn version_page(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    number: i32,
    created: bool,
    submissions: &str,
    outcome: Outcome,
) -> PageResult {
    let tenant = ctx.tenant().0;
    let tr = &v.tr;
    let ver = rules::get_version(&state.store, ctx.tenant(), number)
        .await
        .map_err(|_| Fail::NotFound)?;
    let writer = allowed(state, caller(v)?, tenant, obj::RULE_SETS, act::WRITE).await;
    let defs = rules::rules_of(&ver)?;
    let adoption = rules::adoption_of(&ver)?;
    let draft = ver.status == rules::DRAFT;
    let here = format!("{}/v/{number}", base(tenant));
    let status = match outcome {
        Outcome::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let body = html! {
        @if created { p class="alert ok" role="status" id="draft-created" { (tr.t_args("rules-draft-created", &[("version", number.into())])) } }
        p id="version-status" data-status=(ver.status) {
            (tr.t("col-status")) ": " strong { (status_label(tr, &ver.status)) }
            @if let Some(l) = &ver.library_version { " · " (tr.t("rules-library")) " " (l) }
        }
        p { a href=(base(tenant)) { (tr.t("rules-back")) } }
        @if let Outcome::Refused(m) = &outcome { (m) }
        @if draft && writer {
            form method="post" action={ (here) "/dry-run" } class="inline-form" id="dry-run-form" {
                input type="hidden" name="csrf" value=(v.csrf);
                label for="dry-run-n" { (tr.t("rules-dry-run-n")) }
                input type="number" min="1" max="500" id="dry-run-n" name="submissions" value=(submissions);
                button type="submit" id="dry-run-submit" { (tr.t("rules-dry-run")) }
            }
            form method="post" action={ (here) "/activate" } class="inline-form" id="activate-form" {
                input type="hidden" name="csrf" value=(v.csrf);
                button type="submit" id="activate-submit" { (tr.t("rules-activate")) }
            }
        }
        @if let Outcome::Report(r) = &outcome { (dry_run_report(tr, r)) }
        h2 { (tr.t("rules-of-version")) }
        (rules_by_area(tr, &state.library, &defs))
        (left_out(tr, &state.library, adoption.as_ref(), None))
    };
    let f = frame(state, v, ctx.tenant()).await;
    let title = format!("{} {number}", tr.t("rules-version"));
    Ok(respond(v, status, page(v, &f, &title, body)))
}

/// One version: its rules and, for a draft, the dry run and activation.
#[handler]
pub(crate) async fn version(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, number)): Path<(Uuid, i32)>,
    Query(q): Query<VersionQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RULE_SETS, act::READ).await?;
        let n = DRY_RUN_PROPOSED.to_string();
        version_page(
            &state,
            &v,
            &ctx,
            number,
            q.created.is_some(),
            &n,
            Outcome::None,
        )
        .await
    }
    .await;
    finish(&v, r)
}

/// Runs the dry run and shows its report as the answer. It changes
/// nothing but the audit trail, so the answer is the page itself rather
/// than a redirect: a reload runs it again.
#[handler]
pub(crate) async fn dry_run(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, number)): Path<(Uuid, i32)>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &values, tenant, obj::RULE_SETS, act::WRITE).await?;
        let typed = values.get("submissions").map_or("", |s| s.trim());
        let outcome = match typed.parse::<u64>() {
            Err(_) => Outcome::Refused(refusal(
                &v.tr,
                ServiceError::field(
                    "/submissions",
                    "range.submissions",
                    "must be between 1 and 500",
                ),
            )?),
            Ok(n) => match adal_service::dry_run_version(&state, &ctx, number, Some(n)).await {
                Ok(report) => Outcome::Report(Box::new(report)),
                Err(e) => Outcome::Refused(refusal(&v.tr, e)?),
            },
        };
        version_page(&state, &v, &ctx, number, false, typed, outcome).await
    }
    .await;
    finish(&v, r)
}

/// Activates through the API's path, fixture gate included; a refusal is
/// shown on the version's page.
#[handler]
pub(crate) async fn activate(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, number)): Path<(Uuid, i32)>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &values, tenant, obj::RULE_SETS, act::WRITE).await?;
        match adal_service::activate_version(&state, &ctx, number).await {
            Ok(done) => Ok(redirect(
                &v,
                &format!("{}?activated={}", base(tenant), done.version),
            )),
            Err(e) => {
                let m = refusal(&v.tr, e)?;
                let n = DRY_RUN_PROPOSED.to_string();
                version_page(&state, &v, &ctx, number, false, &n, Outcome::Refused(m)).await
            }
        }
    }
    .await;
    finish(&v, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use adal_sandbox_protocol::Severity;
    use serde_json::json;

    fn lib() -> Library {
        let spec = |ty, default: Value| ParamSpec {
            ty,
            default,
            unit: None,
            description: None,
            min: None,
            max: None,
        };
        Library {
            version: "1".into(),
            rules: vec![RuleDefinition {
                id: "gift-over-limit".into(),
                title: "Gift over the limit".into(),
                area: "gifts".into(),
                guideline_section: Some("Conflict of interest: gifts".into()),
                kinds: vec!["gift".into()],
                severity: Severity::High,
                likelihood: 3,
                impact: 3,
                params: BTreeMap::from([("mci".into(), json!(2)), ("cap".into(), json!("100.00"))]),
                script: String::new(),
                declared: BTreeMap::from([
                    ("mci".into(), spec(ParamType::Integer, json!(2))),
                    ("cap".into(), spec(ParamType::Money, json!("100.00"))),
                ]),
                fixtures: Vec::new(),
            }],
        }
    }

    /// A version adopted from [`lib`] with `adoption`.
    fn active(adoption: &Adoption, library_version: Option<&str>) -> RuleSetVersion {
        let enabled: Vec<_> = lib()
            .rules
            .into_iter()
            .filter(|r| !adoption.disabled.contains_key(&r.id))
            .collect();
        RuleSetVersion {
            id: Uuid::nil(),
            tenant_id: Uuid::nil(),
            version: 3,
            status: rules::ACTIVE.into(),
            content_hash: String::new(),
            rules: serde_json::to_string(&enabled).unwrap(),
            created_by: Uuid::nil(),
            created_at: chrono::Utc::now(),
            activated_at: None,
            library_version: library_version.map(str::to_owned),
            adoption: Some(serde_json::to_string(adoption).unwrap()),
        }
    }

    #[test]
    fn leaving_out_and_enabling_again_change_only_the_disabled_rules() {
        let overridden = Adoption {
            overrides: BTreeMap::from([(
                "gift-over-limit".into(),
                BTreeMap::from([("mci".into(), json!(4))]),
            )]),
            ..Adoption::default()
        };
        let v = active(&overridden, Some("1"));
        let r = disable_request(&v, "gift-over-limit", "no gifts")
            .unwrap()
            .unwrap();
        assert_eq!(r.library_version.as_deref(), Some("1"));
        assert_eq!(r.disabled["gift-over-limit"], "no gifts");
        // Its overrides go with it: the API refuses overrides of a
        // disabled rule.
        assert!(r.overrides.is_empty());
        // Left out already, none chosen, or no library adopted: refused
        // with the form's own messages.
        let left_out = Adoption {
            disabled: BTreeMap::from([("gift-over-limit".into(), "no gifts".into())]),
            ..Adoption::default()
        };
        let v = active(&left_out, Some("1"));
        let e = disable_request(&v, "gift-over-limit", "again")
            .unwrap()
            .unwrap_err();
        assert_eq!(e.message, ALREADY_LEFT_OUT);
        assert_eq!(choice_field_of(&e).as_deref(), Some("rule"));
        let e = disable_request(&v, "", "r").unwrap().unwrap_err();
        assert_eq!(choice_field_of(&e).as_deref(), Some("rule"));
        let whole = active(&Adoption::default(), None);
        let e = disable_request(&whole, "gift-over-limit", "r")
            .unwrap()
            .unwrap_err();
        assert_eq!(e.message, NO_LIBRARY);
        // Enabling again drops only the rule from the disabled ones.
        let r = enable_request(&v, "gift-over-limit").unwrap().unwrap();
        assert!(r.disabled.is_empty());
        assert_eq!(r.library_version.as_deref(), Some("1"));
        let e = enable_request(&v, "not-left-out").unwrap().unwrap_err();
        assert_eq!(e.message, NOT_LEFT_OUT);
        for e in [
            e,
            FieldError::new("/disabled/x", "no rule \"x\" in library version 1"),
            FieldError::new(
                "/disabled/x",
                "a reason is required to disable a rule of the standard",
            ),
            FieldError::new("/disabled", "a version needs at least one enabled rule"),
        ] {
            assert!(crate::forms::error_key(&e).is_some(), "no key for {e:?}");
        }
    }

    #[test]
    fn the_api_refusals_of_a_rule_left_out_land_on_their_inputs() {
        let field = |p: &str, m: &str| choice_field_of(&FieldError::new(p, m));
        assert_eq!(
            field("/disabled/x", "no rule \"x\" in library version 1").as_deref(),
            Some("rule")
        );
        assert_eq!(
            field(
                "/disabled/x",
                "a reason is required to disable a rule of the standard"
            )
            .as_deref(),
            Some("reason")
        );
        assert_eq!(
            field("/disabled", "a version needs at least one enabled rule").as_deref(),
            Some("rule")
        );
        assert_eq!(field("/library_version", "this service ships …"), None);
    }

    #[test]
    fn the_disable_form_keeps_what_was_typed_and_lists_only_enabled_rules() {
        let tr = Tr::new(crate::Lang::En);
        let l = lib();
        let values = Fields::from([
            ("rule".to_owned(), "gift-over-limit".to_owned()),
            ("reason".to_owned(), "<b>ours</b>".to_owned()),
        ]);
        let errors = vec![(
            Some("reason".to_owned()),
            FieldError::new(
                "/disabled/gift-over-limit",
                "a reason is required to disable a rule of the standard",
            ),
        )];
        let html =
            disable_form(&tr, "/a", "c", &l, &BTreeMap::new(), &values, &errors).into_string();
        assert!(
            html.contains(r#"<option value="gift-over-limit" selected>"#),
            "{html}"
        );
        assert!(html.contains("&lt;b&gt;ours&lt;/b&gt;</textarea>"));
        assert!(html.contains(r#"id="d-reason-error""#));
        assert!(html.contains(&tr.t("err-reason-required")));
        assert!(!html.contains(crate::MISSING));
        let disabled = BTreeMap::from([("gift-over-limit".to_owned(), "r".to_owned())]);
        let html = disable_form(&tr, "/a", "c", &l, &disabled, &Fields::new(), &[]).into_string();
        assert!(!html.contains(r#"value="gift-over-limit""#));
        // The left-out table cites the guideline section from the library.
        let adoption = Adoption {
            disabled,
            ..Adoption::default()
        };
        let forms = EnableForms {
            action: "/e".into(),
            csrf: "c",
            error: None,
        };
        let html = left_out(&tr, &l, Some(&adoption), Some(&forms)).into_string();
        assert!(
            html.contains(r#"<td class="guideline">Conflict of interest: gifts</td>"#),
            "{html}"
        );
        assert!(html.contains(r#"id="enable-gift-over-limit""#));
        let html = left_out(&tr, &l, Some(&adoption), None).into_string();
        assert!(!html.contains("<form"));
    }

    #[test]
    fn pointers_map_to_their_inputs() {
        assert_eq!(
            field_of("/overrides/gift-over-limit/mci").as_deref(),
            Some("p.gift-over-limit.mci")
        );
        // Escaped segments come back whole.
        assert_eq!(
            field_of("/overrides/a~1b/c~0d").as_deref(),
            Some("p.a/b.c~d")
        );
        // A pointer at a whole rule, or elsewhere, has no input.
        assert_eq!(field_of("/overrides/gift-over-limit"), None);
        assert_eq!(field_of("/library_version"), None);
        assert_eq!(field_of("/overrides/r/p/extra"), None);
    }

    #[test]
    fn typed_values_follow_the_parameter_type() {
        assert_eq!(typed(ParamType::Integer, " 5 "), json!(5));
        assert_eq!(typed(ParamType::Integer, "five"), json!("five"));
        assert_eq!(typed(ParamType::Money, "150 000.00"), json!("150000.00"));
        assert_eq!(typed(ParamType::Bool, "true"), json!(true));
        assert_eq!(typed(ParamType::Bool, "yes"), json!("yes"));
        assert_eq!(typed(ParamType::IntegerMap, r#"{"a": 1}"#), json!({"a": 1}));
        assert_eq!(typed(ParamType::IntegerMap, "[1]"), json!("[1]"));
    }

    #[test]
    fn only_changed_values_become_overrides() {
        let l = lib();
        let mut values = values_of(&l.rules);
        assert!(overrides_of(&l, &BTreeMap::new(), &values).is_empty());
        values.insert("p.gift-over-limit.mci".into(), "4".into());
        let o = overrides_of(&l, &BTreeMap::new(), &values);
        assert_eq!(
            o["gift-over-limit"],
            BTreeMap::from([("mci".into(), json!(4))])
        );
        // A disabled rule's values are not sent: the API would refuse them.
        let disabled = BTreeMap::from([("gift-over-limit".into(), "not ours".into())]);
        assert!(overrides_of(&l, &disabled, &values).is_empty());
    }

    #[test]
    fn errors_render_beside_their_input() {
        let tr = Tr::new(crate::Lang::En);
        let l = lib();
        let values = Fields::from([("p.gift-over-limit.mci".to_owned(), "x".to_owned())]);
        let errors = vec![(
            field_of("/overrides/gift-over-limit/mci"),
            FieldError::new("/overrides/gift-over-limit/mci", "\"x\" is not an integer"),
        )];
        let html =
            parameters_form(&tr, "/a", "c", &l, &BTreeMap::new(), &values, &errors).into_string();
        let input = html.find(r#"name="p.gift-over-limit.mci""#).unwrap();
        let error = html.find(r#"id="f-gift-over-limit-mci-error""#).unwrap();
        let next = html.find(r#"id="parameters-submit""#).unwrap();
        assert!(input < error && error < next, "{html}");
        assert!(html.contains(r#"value="x""#));
        assert!(!html.contains(crate::MISSING));
    }
}
