//! The checks of a new rule set's rules: ids, parameters and their
//! declarations, fixtures. The scripts' syntax is the sandbox's to check.

use super::*;

fn valid_rule_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

const MAX_FIXTURES: usize = 100;

fn valid_param_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 64
}

/// Checks a rule's parameter declarations; returns them and the values the
/// script reads (defaults, then the rule's own `params`).
fn validate_parameters(
    i: usize,
    r: &Rule,
    errors: &mut Vec<FieldError>,
) -> (BTreeMap<String, ParamSpec>, BTreeMap<String, Value>) {
    let mut declared = BTreeMap::new();
    let mut values = BTreeMap::new();
    for (name, d) in &r.parameters {
        let at = format!("/rules/{i}/parameters/{}", esc(name));
        if !valid_param_name(name) {
            errors.push(FieldError::new(
                at,
                "parameter names are 1-64 lowercase letters, digits and underscores",
            ));
            continue;
        }
        let Some(ty) = ParamType::parse(&d.ty) else {
            errors.push(FieldError::new(
                format!("{at}/type"),
                "must be one of: integer, money, decimal, string, bool, optional_decimal, integer_map",
            ));
            continue;
        };
        let spec = ParamSpec {
            ty,
            default: d.default.clone(),
            unit: d.unit.clone(),
            description: d.description.clone(),
            min: d.min.clone(),
            max: d.max.clone(),
        };
        match spec.validate() {
            Ok(v) => {
                values.insert(name.clone(), v);
                declared.insert(name.clone(), spec);
            }
            Err(e) => errors.push(FieldError::new(at, e)),
        }
    }
    if r.parameters.is_empty() {
        // Rules uploaded without declarations keep their values as given.
        values = r.params.clone();
    } else {
        for (name, v) in &r.params {
            let at = format!("/rules/{i}/params/{}", esc(name));
            match declared.get(name) {
                Some(spec) => match check_param(spec, v) {
                    Ok(v) => {
                        values.insert(name.clone(), v);
                    }
                    Err(e) => errors.push(FieldError::new(at, lifecycle::describe(spec, &e))),
                },
                None if r.parameters.contains_key(name) => {}
                None => errors.push(FieldError::new(at, "not a declared parameter")),
            }
        }
    }
    (declared, values)
}

fn validate_fixtures(
    i: usize,
    r: &Rule,
    declared: &BTreeMap<String, ParamSpec>,
    errors: &mut Vec<FieldError>,
) -> Vec<Fixture> {
    if r.fixtures.is_empty() {
        errors.push(FieldError::new(
            format!("/rules/{i}/fixtures"),
            "at least one fixture is required: activation runs every fixture",
        ));
    }
    if r.fixtures.len() > MAX_FIXTURES {
        errors.push(FieldError::new(
            format!("/rules/{i}/fixtures"),
            format!("at most {MAX_FIXTURES} fixtures"),
        ));
    }
    let mut names = HashSet::new();
    let mut out = Vec::new();
    for (j, f) in r.fixtures.iter().enumerate() {
        let at = |field: &str| format!("/rules/{i}/fixtures/{j}/{field}");
        let before = errors.len();
        let name_len = f.name.trim().chars().count();
        if name_len == 0 || name_len > 300 {
            errors.push(FieldError::new(at("name"), "must be 1-300 characters"));
        } else if !names.insert(f.name.trim().to_owned()) {
            errors.push(FieldError::new(
                at("name"),
                format!("duplicate fixture name {:?}", f.name.trim()),
            ));
        }
        let expect = match f.expect.as_str() {
            "finding" => Some(Expect::Finding),
            "clear" => Some(Expect::Clear),
            _ => {
                errors.push(FieldError::new(
                    at("expect"),
                    "must be \"finding\" or \"clear\"",
                ));
                None
            }
        };
        let expect_severity = match &f.expect_severity {
            None => None,
            Some(s) => {
                let sev = Severity::parse(s);
                if sev.is_none() {
                    errors.push(FieldError::new(
                        at("expect_severity"),
                        "must be one of: low, medium, high, critical",
                    ));
                } else if expect == Some(Expect::Clear) {
                    errors.push(FieldError::new(
                        at("expect_severity"),
                        "only a fixture expecting a finding can expect a severity",
                    ));
                }
                sev
            }
        };
        if f.submission.kind.trim().is_empty() {
            errors.push(FieldError::new(
                format!("/rules/{i}/fixtures/{j}/submission/kind"),
                "must not be empty",
            ));
        }
        let mut params = BTreeMap::new();
        for (name, v) in &f.params {
            let p = format!("/rules/{i}/fixtures/{j}/params/{}", esc(name));
            match declared.get(name) {
                None => errors.push(FieldError::new(p, "not a declared parameter of this rule")),
                Some(spec) => match check_param(spec, v) {
                    Ok(v) => {
                        params.insert(name.clone(), v);
                    }
                    Err(e) => errors.push(FieldError::new(p, lifecycle::describe(spec, &e))),
                },
            }
        }
        if let (Some(expect), true) = (expect, errors.len() == before) {
            out.push(Fixture {
                name: f.name.trim().to_owned(),
                submission: FixtureSubmission {
                    kind: f.submission.kind.clone(),
                    payload: f.submission.payload.clone(),
                    context: f.submission.context.clone().unwrap_or(Value::Null),
                },
                expect,
                expect_severity,
                params,
            });
        }
    }
    out
}

/// Checks the tenant's own rules (everything but the scripts' syntax,
/// which only the sandbox compiles) and converts them to definitions.
pub fn validate_rules(rules: Vec<Rule>, errors: &mut Vec<FieldError>) -> Vec<RuleDefinition> {
    if rules.len() > MAX_RULES {
        errors.push(FieldError::new(
            "/rules",
            format!("at most {MAX_RULES} rules"),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, r) in rules.into_iter().enumerate() {
        let at = |f: &str| format!("/rules/{i}/{f}");
        if !valid_rule_id(&r.id) {
            errors.push(FieldError::new(
                at("id"),
                "must be 1-100 lowercase letters, digits and dashes",
            ));
        } else if !seen.insert(r.id.clone()) {
            errors.push(FieldError::new(
                at("id"),
                format!("duplicate rule id {:?}", r.id),
            ));
        }
        let title_len = r.title.trim().chars().count();
        if title_len == 0 || title_len > 300 {
            errors.push(FieldError::new(at("title"), "must be 1-300 characters"));
        }
        if !AREAS.contains(&r.area.as_str()) {
            errors.push(FieldError::new(
                at("area"),
                format!("must be one of: {}", AREAS.join(", ")),
            ));
        }
        let guideline_section = r
            .guideline_section
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if guideline_section
            .as_ref()
            .is_some_and(|s| s.chars().count() > 300)
        {
            errors.push(FieldError::new(
                at("guideline_section"),
                "must be at most 300 characters",
            ));
        }
        for (k, kind) in r.kinds.iter().enumerate() {
            if !KINDS.contains(&kind.as_str()) {
                errors.push(FieldError::new(
                    format!("/rules/{i}/kinds/{k}"),
                    format!("must be one of: {}", KINDS.join(", ")),
                ));
            }
        }
        let severity = Severity::parse(&r.severity);
        if severity.is_none() {
            errors.push(FieldError::new(
                at("severity"),
                "must be one of: low, medium, high, critical",
            ));
        }
        if !(1..=5).contains(&r.likelihood) {
            errors.push(FieldError::new(at("likelihood"), "must be 1 to 5"));
        }
        if !(1..=5).contains(&r.impact) {
            errors.push(FieldError::new(at("impact"), "must be 1 to 5"));
        }
        if r.script.len() > MAX_SCRIPT {
            errors.push(FieldError::new(
                at("script"),
                format!("must be at most {MAX_SCRIPT} bytes"),
            ));
        }
        let (declared, params) = validate_parameters(i, &r, errors);
        let fixtures = validate_fixtures(i, &r, &declared, errors);
        if let Some(severity) = severity {
            out.push(RuleDefinition {
                id: r.id,
                title: r.title.trim().to_owned(),
                area: r.area,
                guideline_section,
                kinds: r.kinds,
                severity,
                likelihood: r.likelihood,
                impact: r.impact,
                params,
                script: r.script,
                declared,
                fixtures,
            });
        }
    }
    out
}

/// Compile errors from the sandbox as details naming the rule's script,
/// line and column.
pub(super) fn compile_error_details(
    errors: &[adal_sandbox_protocol::CompileError],
    own: &BTreeMap<&str, usize>,
) -> Vec<Detail> {
    errors
        .iter()
        .map(|e| {
            let place = e
                .position
                .map(|p| format!(" at line {}, column {}", p.line, p.column))
                .unwrap_or_default();
            Detail {
                pointer: own.get(e.rule_id.as_str()).map_or_else(
                    || "/library_version".to_owned(),
                    |i| format!("/rules/{i}/script"),
                ),
                message: format!("rule {}{place}: {}", e.rule_id, e.message),
                rule_id: Some(e.rule_id.clone()),
                line: e.position.map(|p| p.line),
                column: e.position.map(|p| p.column),
                ..Detail::default()
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(id: &str, section: Option<&str>) -> Rule {
        serde_json::from_value(json!({
            "id": id,
            "title": "Own rule",
            "area": "conflict_of_interest",
            "kinds": ["gift"],
            "severity": "low",
            "likelihood": 1,
            "impact": 1,
            "script": "()",
            "guideline_section": section,
            "fixtures": [{"name": "x", "expect": "clear",
                "submission": {"kind": "gift", "payload": {}}}],
        }))
        .unwrap()
    }

    #[test]
    fn an_own_rule_may_cite_a_guideline_section() {
        let mut errors = Vec::new();
        let defs = validate_rules(
            vec![
                rule("a", Some("  Conflict of interest: gifts ")),
                rule("b", None),
            ],
            &mut errors,
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            defs[0].guideline_section.as_deref(),
            Some("Conflict of interest: gifts")
        );
        assert_eq!(defs[1].guideline_section, None);
        // It goes back out as it came in.
        assert_eq!(
            rule_to_api(defs[0].clone()).guideline_section.as_deref(),
            Some("Conflict of interest: gifts")
        );
        // Blank is none; too long is refused at its pointer.
        let mut errors = Vec::new();
        let defs = validate_rules(vec![rule("a", Some("  "))], &mut errors);
        assert_eq!(defs[0].guideline_section, None);
        let long = "x".repeat(301);
        validate_rules(vec![rule("a", Some(&long))], &mut errors);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/rules/0/guideline_section");
    }
}
