//! The pure parts: the form's values and the API's requests that make a
//! draft, and the API's pointers back into the form's inputs.

use crate::kit::errors::{ALREADY_LEFT_OUT, NO_LIBRARY, NOT_LEFT_OUT};
use crate::kit::{Fail, Fields};
use adal_domain::FieldError;
use adal_sandbox_protocol::params::{ParamSpec, ParamType};
use adal_store::rules::{self, Library, RuleDefinition, RuleSetVersion};
use serde_json::Value;
use std::collections::BTreeMap;

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

/// The form's values: each enabled library rule's effective parameters.
pub fn values_of(defs: &[RuleDefinition]) -> Fields {
    let mut v = Fields::new();
    for d in defs {
        for (name, value) in &d.params {
            if let Some(spec) = d.declared.get(name) {
                let field = field_name(&d.id, name);
                v.extend(super::inputs::fields_of(spec.ty, &field, value));
            }
        }
    }
    v
}

/// Whether the form's `value` is the library's default: the same JSON,
/// or for numbers the same text (`5` typed for the default `5`).
fn same(spec: &ParamSpec, value: &Value) -> bool {
    match spec.ty {
        ParamType::Bool | ParamType::IntegerMap => *value == spec.default,
        ParamType::String => {
            *value == Value::String(super::inputs::list_items(&shown(&spec.default)).join("|"))
        }
        _ => shown(value).trim() == shown(&spec.default).trim(),
    }
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
            let Some(value) = super::inputs::value_of(spec.ty, &field_name(&r.id, name), values)
            else {
                continue;
            };
            if same(spec, &value) {
                continue;
            }
            out.entry(r.id.clone())
                .or_default()
                .insert(name.clone(), value);
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
pub(super) fn section_of<'a>(lib: &'a Library, d: &'a RuleDefinition) -> Option<&'a str> {
    d.guideline_section
        .as_deref()
        .or_else(|| lib.rule(&d.id).and_then(|r| r.guideline_section.as_deref()))
}
