//! The rule lifecycle's logic, apart from HTTP: turning a tenant's choices
//! (the library version adopted, overrides, disabled rules, own rules) into
//! the rules of a version, every mistake named by JSON pointer; and
//! comparing a dry run's outcomes with the findings already recorded.

use adal_domain::FieldError;
use adal_sandbox_protocol::params::{ParamSpec, check_param};
use adal_sandbox_protocol::{RuleOutcome, Severity};
use adal_store::evaluation::Finding;
use adal_store::rules::{Adoption, Library, RuleDefinition};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// A JSON pointer segment: `~` and `/` escaped (RFC 6901).
pub fn esc(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

const MAX_REASON: usize = 2000;

/// The tenant's choices over the library, validated against it.
pub struct Choices<'a> {
    pub library_version: Option<&'a str>,
    pub overrides: &'a BTreeMap<String, BTreeMap<String, Value>>,
    pub disabled: &'a BTreeMap<String, String>,
}

/// The library rules of a version adopted with `choices`, each with its
/// defaults overridden, and the adoption record; `None` when nothing is
/// adopted (a version uploaded whole). `own_ids` are the tenant's own
/// rules, which must not reuse a library id.
pub fn adopt(
    lib: &Library,
    choices: &Choices<'_>,
    own_ids: &[(usize, &str)],
    errors: &mut Vec<FieldError>,
) -> Option<(Vec<RuleDefinition>, Adoption)> {
    let Some(wanted) = choices.library_version else {
        if !choices.overrides.is_empty() {
            errors.push(FieldError::coded(
                "/overrides",
                "library.not_adopted",
                "overrides apply to library rules: set library_version to adopt the library",
            ));
        }
        if !choices.disabled.is_empty() {
            errors.push(FieldError::coded(
                "/disabled",
                "library.not_adopted",
                "only library rules can be disabled: set library_version to adopt the library",
            ));
        }
        return None;
    };
    if wanted != lib.version {
        errors.push(FieldError::coded(
            "/library_version",
            "library.version",
            format!(
                "this service ships library version {:?}, not {wanted:?}",
                lib.version
            ),
        ));
        return None;
    }
    let unknown = |id: &str| format!("no rule {id:?} in library version {}", lib.version);
    let mut adoption = Adoption::default();
    for (id, reason) in choices.disabled {
        let at = format!("/disabled/{}", esc(id));
        if lib.rule(id).is_none() {
            errors.push(FieldError::coded(at, "rule.unknown", unknown(id)));
        } else if reason.trim().is_empty() {
            errors.push(FieldError::coded(
                at,
                "reason.required",
                "a reason is required to disable a rule of the standard",
            ));
        } else if reason.chars().count() > MAX_REASON {
            errors.push(FieldError::coded(
                at,
                "text.too_long",
                format!("the reason must be at most {MAX_REASON} characters"),
            ));
        } else {
            adoption
                .disabled
                .insert(id.clone(), reason.trim().to_owned());
        }
    }
    for (id, values) in choices.overrides {
        let at = format!("/overrides/{}", esc(id));
        let Some(rule) = lib.rule(id) else {
            errors.push(FieldError::coded(at, "rule.unknown", unknown(id)));
            continue;
        };
        if choices.disabled.contains_key(id) {
            errors.push(FieldError::coded(
                at,
                "rule.disabled",
                format!("rule {id:?} is disabled; drop its overrides or enable it"),
            ));
            continue;
        }
        let mut checked = BTreeMap::new();
        for (name, v) in values {
            let at = format!("{at}/{}", esc(name));
            match rule.declared.get(name) {
                None => errors.push(FieldError::coded(
                    at,
                    "param.unknown",
                    format!(
                        "rule {id:?} has no parameter {name:?} (it declares: {})",
                        declared_names(&rule.declared)
                    ),
                )),
                Some(spec) => match check_param(spec, v) {
                    Ok(v) => {
                        checked.insert(name.clone(), v);
                    }
                    Err(e) => errors.push(param_error(at, spec, v, &e)),
                },
            }
        }
        if !checked.is_empty() {
            adoption.overrides.insert(id.clone(), checked);
        }
    }
    for (i, id) in own_ids {
        if lib.rule(id).is_some() {
            errors.push(FieldError::coded(
                format!("/rules/{i}/id"),
                "rule.library_id",
                format!(
                    "{id:?} is a rule of the library; disable it and give your own rule another id"
                ),
            ));
        }
    }
    let rules = lib
        .rules
        .iter()
        .filter(|r| !choices.disabled.contains_key(&r.id))
        .map(|r| {
            let mut r = r.clone();
            if let Some(o) = adoption.overrides.get(&r.id) {
                r.params
                    .extend(o.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            r
        })
        .collect();
    adoption.own_rules = own_ids.iter().map(|(_, id)| (*id).to_owned()).collect();
    Some((rules, adoption))
}

fn declared_names(declared: &BTreeMap<String, ParamSpec>) -> String {
    if declared.is_empty() {
        "none".to_owned()
    } else {
        declared.keys().cloned().collect::<Vec<_>>().join(", ")
    }
}

/// The error of `value`, which `spec` refused with `error`: `param.range`
/// when it has the declared type (so only a bound refused it), else
/// `param.type`. Told apart by checking it again without bounds, never by
/// reading the message.
pub fn param_error(at: String, spec: &ParamSpec, value: &Value, error: &str) -> FieldError {
    let unbounded = ParamSpec {
        min: None,
        max: None,
        ..spec.clone()
    };
    let code = if check_param(&unbounded, value).is_ok() {
        "param.range"
    } else {
        "param.type"
    };
    FieldError::coded(at, code, describe(spec, error))
}

/// A value's error with what the declaration allows, so the message alone
/// says how to fix it.
pub fn describe(spec: &ParamSpec, error: &str) -> String {
    let ty = spec.ty.as_str();
    let article = if ty.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    let mut allowed = format!("{article} {ty}");
    if let Some(u) = &spec.unit {
        allowed.push_str(&format!(" in {u}"));
    }
    match (&spec.min, &spec.max) {
        (Some(a), Some(b)) => allowed.push_str(&format!(" from {a} to {b}")),
        (Some(a), None) => allowed.push_str(&format!(" of at least {a}")),
        (None, Some(b)) => allowed.push_str(&format!(" of at most {b}")),
        (None, None) => {}
    }
    format!("{error}; expected {allowed}")
}

/// A finding as a dry run compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub severity: Severity,
    pub likelihood: u8,
    pub impact: u8,
    pub explanation: String,
}

/// What a draft would change for one rule.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct RuleDiff {
    pub appear: Vec<(Uuid, Found)>,
    pub disappear: Vec<(Uuid, Found)>,
    /// (submission, as recorded, as the draft finds it).
    pub change: Vec<(Uuid, Found, Found)>,
    pub unchanged: u64,
    /// (submission, the draft's error outcome).
    pub errors: Vec<(Uuid, RuleOutcome)>,
}

/// Compares the draft's outcomes (findings and rule errors) for one
/// submission with the findings recorded for it, rule by rule, adding to
/// `diffs`.
pub fn compare(
    submission: Uuid,
    outcomes: &[RuleOutcome],
    recorded: &[&Finding],
    diffs: &mut BTreeMap<String, RuleDiff>,
) {
    let mut before: BTreeMap<&str, Found> = BTreeMap::new();
    for f in recorded {
        if let Some(severity) = Severity::parse(&f.severity) {
            before.insert(
                f.rule_id.as_str(),
                Found {
                    severity,
                    likelihood: u8::try_from(f.likelihood).unwrap_or(0),
                    impact: u8::try_from(f.impact).unwrap_or(0),
                    explanation: f.explanation.clone(),
                },
            );
        }
    }
    let mut seen = BTreeSet::new();
    for o in outcomes {
        let id = o.rule_id();
        seen.insert(id.to_owned());
        let diff = diffs.entry(id.to_owned()).or_default();
        let old = before.get(id).cloned();
        match o {
            RuleOutcome::Finding {
                severity,
                likelihood,
                impact,
                explanation,
                ..
            } => {
                let new = Found {
                    severity: *severity,
                    likelihood: *likelihood,
                    impact: *impact,
                    explanation: explanation.clone(),
                };
                match old {
                    None => diff.appear.push((submission, new)),
                    Some(old) if old == new => diff.unchanged += 1,
                    Some(old) => diff.change.push((submission, old, new)),
                }
            }
            RuleOutcome::Error { .. } => {
                diff.errors.push((submission, o.clone()));
                // The draft cannot tell whether the finding would stay.
            }
        }
    }
    // Rules recorded that report nothing now: clear (the sandbox lists
    // those apart from the outcomes), skipped for the submission's kind,
    // disabled or dropped.
    for (id, old) in before {
        if !seen.contains(id) {
            diffs
                .entry(id.to_owned())
                .or_default()
                .disappear
                .push((submission, old));
        }
    }
}

/// How one rule differs between two versions.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleChange {
    pub rule_id: String,
    /// (parameter, value before, value after), for every effective value
    /// that differs (`None`: not set on that side).
    pub params: Vec<(String, Option<Value>, Option<Value>)>,
    pub script: bool,
    /// Title, area, kinds, severity, likelihood or impact.
    pub metadata: bool,
    pub declarations: bool,
    pub fixtures: bool,
}

/// What changed from one version to another.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VersionDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<RuleChange>,
    /// (rule, reason before, reason after) for every rule whose disabled
    /// state or reason differs.
    pub disabled: Vec<(String, Option<String>, Option<String>)>,
}

/// Compares two versions rule by rule and choice by choice.
pub fn diff_versions(
    from: &[RuleDefinition],
    from_adoption: Option<&Adoption>,
    to: &[RuleDefinition],
    to_adoption: Option<&Adoption>,
) -> VersionDiff {
    let old: BTreeMap<&str, &RuleDefinition> = from.iter().map(|r| (r.id.as_str(), r)).collect();
    let new: BTreeMap<&str, &RuleDefinition> = to.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut d = VersionDiff {
        added: new
            .keys()
            .filter(|id| !old.contains_key(*id))
            .map(|id| (*id).to_owned())
            .collect(),
        removed: old
            .keys()
            .filter(|id| !new.contains_key(*id))
            .map(|id| (*id).to_owned())
            .collect(),
        ..VersionDiff::default()
    };
    for (id, a) in &old {
        let Some(b) = new.get(id) else { continue };
        let names: BTreeSet<&String> = a.params.keys().chain(b.params.keys()).collect();
        let params: Vec<_> = names
            .into_iter()
            .filter(|n| a.params.get(*n) != b.params.get(*n))
            .map(|n| {
                (
                    n.clone(),
                    a.params.get(n).cloned(),
                    b.params.get(n).cloned(),
                )
            })
            .collect();
        let change = RuleChange {
            rule_id: (*id).to_owned(),
            params,
            script: a.script != b.script,
            metadata: (
                &a.title,
                &a.area,
                &a.kinds,
                a.severity,
                a.likelihood,
                a.impact,
            ) != (
                &b.title,
                &b.area,
                &b.kinds,
                b.severity,
                b.likelihood,
                b.impact,
            ),
            declarations: a.declared != b.declared,
            fixtures: a.fixtures != b.fixtures,
        };
        if !change.params.is_empty()
            || change.script
            || change.metadata
            || change.declarations
            || change.fixtures
        {
            d.changed.push(change);
        }
    }
    let empty = BTreeMap::new();
    let da = from_adoption.map_or(&empty, |a| &a.disabled);
    let db = to_adoption.map_or(&empty, |a| &a.disabled);
    let ids: BTreeSet<&String> = da.keys().chain(db.keys()).collect();
    d.disabled = ids
        .into_iter()
        .filter(|id| da.get(*id) != db.get(*id))
        .map(|id| (id.clone(), da.get(id).cloned(), db.get(id).cloned()))
        .collect();
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use adal_sandbox_protocol::params::ParamType;
    use serde_json::json;

    fn library() -> Library {
        let spec = ParamSpec {
            ty: ParamType::Integer,
            default: json!(2),
            unit: Some("MCI".into()),
            description: None,
            min: Some(json!(1)),
            max: Some(json!(1000)),
        };
        let rule = |id: &str, declared: BTreeMap<String, ParamSpec>| RuleDefinition {
            id: id.into(),
            title: id.into(),
            area: "conflict_of_interest".into(),
            guideline_section: None,
            kinds: vec!["gift".into()],
            severity: Severity::Medium,
            likelihood: 3,
            impact: 3,
            params: declared.keys().map(|k| (k.clone(), json!(2))).collect(),
            script: "false".into(),
            declared,
            fixtures: vec![],
        };
        Library {
            version: "2026.11.0".into(),
            rules: vec![
                rule("a-rule", BTreeMap::new()),
                rule("limit/rule", [("limit_mci".to_owned(), spec)].into()),
            ],
        }
    }

    fn run(
        version: Option<&str>,
        overrides: Value,
        disabled: Value,
        own: &[(usize, &str)],
    ) -> (Option<(Vec<RuleDefinition>, Adoption)>, Vec<FieldError>) {
        let lib = library();
        let overrides = serde_json::from_value(overrides).unwrap();
        let disabled = serde_json::from_value(disabled).unwrap();
        let mut errors = Vec::new();
        let out = adopt(
            &lib,
            &Choices {
                library_version: version,
                overrides: &overrides,
                disabled: &disabled,
            },
            own,
            &mut errors,
        );
        (out, errors)
    }

    fn pointers(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.pointer.as_str()).collect()
    }

    #[test]
    fn overrides_are_applied_and_recorded() {
        let (out, errors) = run(
            Some("2026.11.0"),
            json!({"limit/rule": {"limit_mci": 5}}),
            json!({"a-rule": "we have no such declarations"}),
            &[(0, "own")],
        );
        assert!(errors.is_empty(), "{errors:?}");
        let (rules, adoption) = out.unwrap();
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].params["limit_mci"], json!(5));
        // The declaration keeps the library default: fixtures run with it.
        assert_eq!(rules[0].declared["limit_mci"].default, json!(2));
        assert_eq!(adoption.overrides["limit/rule"]["limit_mci"], json!(5));
        assert_eq!(adoption.disabled["a-rule"], "we have no such declarations");
        assert_eq!(adoption.own_rules, vec!["own"]);
    }

    #[test]
    fn bad_overrides_are_named_by_pointer() {
        let (_, errors) = run(
            Some("2026.11.0"),
            json!({
                "limit/rule": {"limit_mci": 0, "nope": 1},
                "ghost": {"x": 1},
            }),
            json!({}),
            &[],
        );
        assert_eq!(
            pointers(&errors),
            [
                "/overrides/ghost",
                "/overrides/limit~1rule/limit_mci",
                "/overrides/limit~1rule/nope"
            ]
        );
        assert!(errors[1].message.contains("below the minimum 1"));
        assert!(
            errors[1]
                .message
                .contains("expected an integer in MCI from 1 to 1000")
        );
        assert!(errors[2].message.contains("declares: limit_mci"));
        let (_, errors) = run(
            Some("2026.11.0"),
            json!({"limit/rule": {"limit_mci": "5"}}),
            json!({}),
            &[],
        );
        assert!(
            errors[0].message.contains("is not an integer"),
            "{errors:?}"
        );
    }

    #[test]
    fn disabling_needs_a_reason_and_a_known_rule() {
        let (_, errors) = run(
            Some("2026.11.0"),
            json!({}),
            json!({"a-rule": "  ", "ghost": "x"}),
            &[(3, "a-rule")],
        );
        assert_eq!(
            pointers(&errors),
            ["/disabled/a-rule", "/disabled/ghost", "/rules/3/id"]
        );
        assert!(errors[0].message.contains("reason is required"));
    }

    #[test]
    fn choices_need_the_shipped_library_version() {
        let (out, errors) = run(Some("1999.1"), json!({}), json!({}), &[]);
        assert!(out.is_none());
        assert_eq!(pointers(&errors), ["/library_version"]);
        let (out, errors) = run(None, json!({"a-rule": {}}), json!({"a-rule": "r"}), &[]);
        assert!(out.is_none());
        assert_eq!(pointers(&errors), ["/overrides", "/disabled"]);
    }

    fn finding(rule: &str, explanation: &str) -> RuleOutcome {
        RuleOutcome::Finding {
            rule_id: rule.into(),
            severity: Severity::High,
            likelihood: 3,
            impact: 4,
            explanation: explanation.into(),
            facts: Default::default(),
        }
    }

    fn recorded(rule: &str, explanation: &str) -> Finding {
        Finding {
            id: Uuid::now_v7(),
            tenant_id: Uuid::nil(),
            submission_id: Uuid::nil(),
            rule_set_version_id: Uuid::nil(),
            rule_id: rule.into(),
            area: "hr".into(),
            severity: "high".into(),
            likelihood: 3,
            impact: 4,
            explanation: explanation.into(),
            facts: None,
            department_id: None,
            position_id: None,
            status: "open".into(),
            created_at: chrono::Utc::now(),
            due_at: None,
        }
    }

    #[test]
    fn versions_differ_by_rule_and_by_choice() {
        let lib = library();
        let (v1, a1) = adopt(
            &lib,
            &Choices {
                library_version: Some("2026.11.0"),
                overrides: &BTreeMap::new(),
                disabled: &BTreeMap::new(),
            },
            &[],
            &mut Vec::new(),
        )
        .unwrap();
        let overrides = serde_json::from_value(json!({"limit/rule": {"limit_mci": 7}})).unwrap();
        let disabled = serde_json::from_value(json!({"a-rule": "not ours"})).unwrap();
        let (mut v2, a2) = adopt(
            &lib,
            &Choices {
                library_version: Some("2026.11.0"),
                overrides: &overrides,
                disabled: &disabled,
            },
            &[],
            &mut Vec::new(),
        )
        .unwrap();
        let mut own = lib.rules[0].clone();
        own.id = "own".into();
        v2.push(own);
        let d = diff_versions(&v1, Some(&a1), &v2, Some(&a2));
        assert_eq!(d.added, ["own"]);
        assert_eq!(d.removed, ["a-rule"]);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(
            d.changed[0].params,
            [("limit_mci".to_owned(), Some(json!(2)), Some(json!(7)))]
        );
        assert!(!d.changed[0].script && !d.changed[0].fixtures);
        assert_eq!(
            d.disabled,
            [("a-rule".to_owned(), None, Some("not ours".to_owned()))]
        );
        assert_eq!(
            diff_versions(&v2, Some(&a2), &v2, Some(&a2)),
            VersionDiff::default()
        );
    }

    #[test]
    fn findings_appear_disappear_and_change() {
        let s = Uuid::now_v7();
        let before = [
            recorded("same", "x"),
            recorded("gone", "x"),
            recorded("moved", "old"),
            recorded("dropped", "x"),
        ];
        let outcomes = vec![
            // "gone" is clear now: the draft reports nothing for it.
            finding("same", "x"),
            finding("moved", "new"),
            finding("new", "y"),
            RuleOutcome::Error {
                rule_id: "broken".into(),
                kind: adal_sandbox_protocol::RuleErrorKind::Limit,
                message: "too many operations".into(),
                position: None,
            },
        ];
        let mut diffs = BTreeMap::new();
        compare(s, &outcomes, &before.iter().collect::<Vec<_>>(), &mut diffs);
        assert_eq!(diffs["same"].unchanged, 1);
        assert_eq!(diffs["gone"].disappear.len(), 1);
        assert_eq!(diffs["dropped"].disappear.len(), 1);
        assert_eq!(diffs["moved"].change[0].1.explanation, "old");
        assert_eq!(diffs["moved"].change[0].2.explanation, "new");
        assert_eq!(diffs["new"].appear[0].0, s);
        assert_eq!(diffs["broken"].errors.len(), 1);
    }

    fn codes(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.pointer.as_str(), e.code.as_ref()))
            .collect()
    }

    /// Library version, overrides, disabled rules, own rule ids, and the
    /// pointers and codes expected.
    type Case<'a> = (
        Option<&'a str>,
        Value,
        Value,
        &'a [(usize, &'a str)],
        Vec<(&'a str, &'a str)>,
    );

    #[test]
    fn every_bad_choice_has_its_exact_code() {
        let v = Some("2026.11.0");
        let long = "x".repeat(MAX_REASON + 1);
        let cases: Vec<Case<'_>> = vec![
            (
                None,
                json!({"a-rule": {}}),
                json!({}),
                &[],
                vec![("/overrides", "library.not_adopted")],
            ),
            (
                None,
                json!({}),
                json!({"a-rule": "why"}),
                &[],
                vec![("/disabled", "library.not_adopted")],
            ),
            (
                Some("2020.1.0"),
                json!({}),
                json!({}),
                &[],
                vec![("/library_version", "library.version")],
            ),
            (
                v,
                json!({}),
                json!({"ghost": "why"}),
                &[],
                vec![("/disabled/ghost", "rule.unknown")],
            ),
            (
                v,
                json!({"ghost": {}}),
                json!({}),
                &[],
                vec![("/overrides/ghost", "rule.unknown")],
            ),
            (
                v,
                json!({}),
                json!({"a-rule": " "}),
                &[],
                vec![("/disabled/a-rule", "reason.required")],
            ),
            (
                v,
                json!({}),
                json!({"a-rule": long}),
                &[],
                vec![("/disabled/a-rule", "text.too_long")],
            ),
            (
                v,
                json!({"limit/rule": {"limit_mci": 5}}),
                json!({"limit/rule": "why"}),
                &[],
                vec![("/overrides/limit~1rule", "rule.disabled")],
            ),
            (
                v,
                json!({"limit/rule": {"nope": 1}}),
                json!({}),
                &[],
                vec![("/overrides/limit~1rule/nope", "param.unknown")],
            ),
            (
                v,
                json!({"limit/rule": {"limit_mci": 0}}),
                json!({}),
                &[],
                vec![("/overrides/limit~1rule/limit_mci", "param.range")],
            ),
            (
                v,
                json!({"limit/rule": {"limit_mci": 1001}}),
                json!({}),
                &[],
                vec![("/overrides/limit~1rule/limit_mci", "param.range")],
            ),
            (
                v,
                json!({"limit/rule": {"limit_mci": "5"}}),
                json!({}),
                &[],
                vec![("/overrides/limit~1rule/limit_mci", "param.type")],
            ),
            (
                v,
                json!({}),
                json!({}),
                &[(3, "a-rule")],
                vec![("/rules/3/id", "rule.library_id")],
            ),
        ];
        let mut all = Vec::new();
        for (version, overrides, disabled, own, expected) in cases {
            let (_, errors) = run(version, overrides.clone(), disabled.clone(), own);
            assert_eq!(codes(&errors), expected, "{overrides} {disabled}");
            all.extend(errors);
        }
        // None of them is the generic code.
        assert!(all.iter().all(|e| e.code != "invalid"), "{all:?}");
    }
}
