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
            errors.push(FieldError::coded(
                at,
                "param.name",
                "parameter names are 1-64 lowercase letters, digits and underscores",
            ));
            continue;
        }
        let Some(ty) = ParamType::parse(&d.ty) else {
            errors.push(FieldError::coded(
                format!("{at}/type"),
                "choice.unknown",
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
            Err(e) => errors.push(FieldError::coded(at, "param.declaration", e)),
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
                    Err(e) => errors.push(lifecycle::param_error(at, spec, v, &e)),
                },
                None if r.parameters.contains_key(name) => {}
                None => errors.push(FieldError::coded(
                    at,
                    "param.unknown",
                    "not a declared parameter",
                )),
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
        errors.push(FieldError::coded(
            format!("/rules/{i}/fixtures"),
            "fixture.required",
            "at least one fixture is required: activation runs every fixture",
        ));
    }
    if r.fixtures.len() > MAX_FIXTURES {
        errors.push(FieldError::coded(
            format!("/rules/{i}/fixtures"),
            "list.too_long",
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
            errors.push(FieldError::coded(
                at("name"),
                "fixture.name",
                "must be 1-300 characters",
            ));
        } else if !names.insert(f.name.trim().to_owned()) {
            errors.push(FieldError::coded(
                at("name"),
                "fixture.duplicate",
                format!("duplicate fixture name {:?}", f.name.trim()),
            ));
        }
        let expect = match f.expect.as_str() {
            "finding" => Some(Expect::Finding),
            "clear" => Some(Expect::Clear),
            _ => {
                errors.push(FieldError::coded(
                    at("expect"),
                    "choice.unknown",
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
                    errors.push(FieldError::coded(
                        at("expect_severity"),
                        "choice.unknown",
                        "must be one of: low, medium, high, critical",
                    ));
                } else if expect == Some(Expect::Clear) {
                    errors.push(FieldError::coded(
                        at("expect_severity"),
                        "fixture.severity",
                        "only a fixture expecting a finding can expect a severity",
                    ));
                }
                sev
            }
        };
        if f.submission.kind.trim().is_empty() {
            errors.push(FieldError::coded(
                format!("/rules/{i}/fixtures/{j}/submission/kind"),
                "text.empty",
                "must not be empty",
            ));
        }
        let mut params = BTreeMap::new();
        for (name, v) in &f.params {
            let p = format!("/rules/{i}/fixtures/{j}/params/{}", esc(name));
            match declared.get(name) {
                None => errors.push(FieldError::coded(
                    p,
                    "param.unknown",
                    "not a declared parameter of this rule",
                )),
                Some(spec) => match check_param(spec, v) {
                    Ok(v) => {
                        params.insert(name.clone(), v);
                    }
                    Err(e) => errors.push(lifecycle::param_error(p, spec, v, &e)),
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
        errors.push(FieldError::coded(
            "/rules",
            "list.too_long",
            format!("at most {MAX_RULES} rules"),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (i, r) in rules.into_iter().enumerate() {
        let at = |f: &str| format!("/rules/{i}/{f}");
        if !valid_rule_id(&r.id) {
            errors.push(FieldError::coded(
                at("id"),
                "rule.id",
                "must be 1-100 lowercase letters, digits and dashes",
            ));
        } else if !seen.insert(r.id.clone()) {
            errors.push(FieldError::coded(
                at("id"),
                "rule.duplicate",
                format!("duplicate rule id {:?}", r.id),
            ));
        }
        let title_len = r.title.trim().chars().count();
        if title_len == 0 || title_len > 300 {
            let code = if title_len == 0 {
                "text.empty"
            } else {
                "text.too_long"
            };
            errors.push(FieldError::coded(
                at("title"),
                code,
                "must be 1-300 characters",
            ));
        }
        if !AREAS.contains(&r.area.as_str()) {
            errors.push(FieldError::coded(
                at("area"),
                "choice.unknown",
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
            errors.push(FieldError::coded(
                at("guideline_section"),
                "text.too_long",
                "must be at most 300 characters",
            ));
        }
        for (k, kind) in r.kinds.iter().enumerate() {
            if !KINDS.contains(&kind.as_str()) {
                errors.push(FieldError::coded(
                    format!("/rules/{i}/kinds/{k}"),
                    "choice.unknown",
                    format!("must be one of: {}", KINDS.join(", ")),
                ));
            }
        }
        let severity = Severity::parse(&r.severity);
        if severity.is_none() {
            errors.push(FieldError::coded(
                at("severity"),
                "choice.unknown",
                "must be one of: low, medium, high, critical",
            ));
        }
        if !(1..=5).contains(&r.likelihood) {
            errors.push(FieldError::coded(
                at("likelihood"),
                "range.risk_level",
                "must be 1 to 5",
            ));
        }
        if !(1..=5).contains(&r.impact) {
            errors.push(FieldError::coded(
                at("impact"),
                "range.risk_level",
                "must be 1 to 5",
            ));
        }
        if r.script.len() > MAX_SCRIPT {
            errors.push(FieldError::coded(
                at("script"),
                "script.too_long",
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

    /// A rule with one declared parameter, `limit` (an integer, 1 to 10).
    fn declared_rule() -> Value {
        json!({
            "id": "own-rule",
            "title": "Own rule",
            "area": "conflict_of_interest",
            "kinds": ["gift"],
            "severity": "low",
            "likelihood": 1,
            "impact": 1,
            "script": "()",
            "parameters": {"limit": {"type": "integer", "default": 2, "min": 1, "max": 10}},
            "params": {"limit": 3},
            "fixtures": [{"name": "x", "expect": "finding", "expect_severity": "low",
                "params": {"limit": 4},
                "submission": {"kind": "gift", "payload": {}}}],
        })
    }

    fn codes_of(rules: Vec<Value>) -> Vec<(String, String)> {
        let rules = rules
            .into_iter()
            .map(|r| serde_json::from_value(r).unwrap())
            .collect();
        let mut errors = Vec::new();
        validate_rules(rules, &mut errors);
        errors
            .into_iter()
            .map(|e| (e.pointer, e.code.into_owned()))
            .collect()
    }

    fn edited(pointer: &str, x: Value) -> Value {
        let mut r = declared_rule();
        *r.pointer_mut(pointer).unwrap() = x;
        r
    }

    /// Pointers and the codes expected at them, in order.
    type Expected = Vec<(&'static str, &'static str)>;

    #[allow(clippy::too_many_lines)]
    fn cases() -> Vec<(Vec<Value>, Expected)> {
        let f = "/fixtures/0";
        vec![
            (
                vec![edited("/id", json!("Own_Rule"))],
                vec![("/rules/0/id", "rule.id")],
            ),
            (
                vec![declared_rule(), declared_rule()],
                vec![("/rules/1/id", "rule.duplicate")],
            ),
            (
                vec![edited("/title", json!(" "))],
                vec![("/rules/0/title", "text.empty")],
            ),
            (
                vec![edited("/title", json!("t".repeat(301)))],
                vec![("/rules/0/title", "text.too_long")],
            ),
            (
                vec![edited("/area", json!("sports"))],
                vec![("/rules/0/area", "choice.unknown")],
            ),
            (
                vec![edited("/kinds", json!(["memo"]))],
                vec![("/rules/0/kinds/0", "choice.unknown")],
            ),
            (
                vec![edited("/severity", json!("dire"))],
                vec![("/rules/0/severity", "choice.unknown")],
            ),
            (
                vec![edited("/likelihood", json!(6))],
                vec![("/rules/0/likelihood", "range.risk_level")],
            ),
            (
                vec![edited("/impact", json!(0))],
                vec![("/rules/0/impact", "range.risk_level")],
            ),
            (
                vec![edited("/script", json!("x".repeat(MAX_SCRIPT + 1)))],
                vec![("/rules/0/script", "script.too_long")],
            ),
            (
                vec![edited(
                    "/parameters",
                    json!({"Limit": {"type": "integer", "default": 1}}),
                )],
                vec![
                    ("/rules/0/parameters/Limit", "param.name"),
                    ("/rules/0/params/limit", "param.unknown"),
                    ("/rules/0/fixtures/0/params/limit", "param.unknown"),
                ],
            ),
            (
                vec![edited("/parameters/limit/type", json!("float"))],
                vec![
                    ("/rules/0/parameters/limit/type", "choice.unknown"),
                    ("/rules/0/fixtures/0/params/limit", "param.unknown"),
                ],
            ),
            (
                vec![edited("/parameters/limit/min", json!(20))],
                vec![
                    ("/rules/0/parameters/limit", "param.declaration"),
                    ("/rules/0/fixtures/0/params/limit", "param.unknown"),
                ],
            ),
            (
                vec![edited("/params/limit", json!(11))],
                vec![("/rules/0/params/limit", "param.range")],
            ),
            (
                vec![edited("/params/limit", json!("three"))],
                vec![("/rules/0/params/limit", "param.type")],
            ),
            (
                vec![edited("/params", json!({"other": 1}))],
                vec![("/rules/0/params/other", "param.unknown")],
            ),
            (
                vec![edited("/fixtures", json!([]))],
                vec![("/rules/0/fixtures", "fixture.required")],
            ),
            (
                vec![edited(&format!("{f}/name"), json!(" "))],
                vec![("/rules/0/fixtures/0/name", "fixture.name")],
            ),
            (
                vec![edited(&format!("{f}/expect"), json!("maybe"))],
                vec![("/rules/0/fixtures/0/expect", "choice.unknown")],
            ),
            (
                vec![edited(&format!("{f}/expect_severity"), json!("dire"))],
                vec![("/rules/0/fixtures/0/expect_severity", "choice.unknown")],
            ),
            (
                vec![edited(&format!("{f}/expect"), json!("clear"))],
                vec![("/rules/0/fixtures/0/expect_severity", "fixture.severity")],
            ),
            (
                vec![edited(&format!("{f}/submission/kind"), json!(" "))],
                vec![("/rules/0/fixtures/0/submission/kind", "text.empty")],
            ),
            (
                vec![edited(&format!("{f}/params"), json!({"limit": 0}))],
                vec![("/rules/0/fixtures/0/params/limit", "param.range")],
            ),
            (
                vec![edited(&format!("{f}/params"), json!({"other": 0}))],
                vec![("/rules/0/fixtures/0/params/other", "param.unknown")],
            ),
        ]
    }

    #[test]
    fn every_bad_rule_has_its_exact_codes() {
        assert_eq!(codes_of(vec![declared_rule()]), vec![]);
        for (rules, expected) in cases() {
            let expected: Vec<(String, String)> = expected
                .into_iter()
                .map(|(p, c)| (p.to_owned(), c.to_owned()))
                .collect();
            assert_eq!(codes_of(rules.clone()), expected, "{rules:?}");
        }
    }

    #[test]
    fn lists_over_their_limits_have_a_code() {
        let mut r = declared_rule();
        let fixture = r["fixtures"][0].clone();
        r["fixtures"] = (0..=MAX_FIXTURES)
            .map(|n| {
                let mut f = fixture.clone();
                f["name"] = json!(format!("f{n}"));
                f
            })
            .collect();
        assert_eq!(
            codes_of(vec![r]),
            [("/rules/0/fixtures".to_owned(), "list.too_long".to_owned())]
        );
        let many: Vec<Value> = (0..=MAX_RULES)
            .map(|n| {
                let mut r = declared_rule();
                r["id"] = json!(format!("r{n}"));
                r
            })
            .collect();
        assert_eq!(
            codes_of(many),
            [("/rules".to_owned(), "list.too_long".to_owned())]
        );
        let mut r = declared_rule();
        r["fixtures"] = json!([fixture.clone(), fixture]);
        assert_eq!(
            codes_of(vec![r]),
            [(
                "/rules/0/fixtures/1/name".to_owned(),
                "fixture.duplicate".to_owned()
            )]
        );
    }

    #[test]
    fn no_bad_rule_is_refused_with_the_generic_code() {
        let all: Vec<_> = cases()
            .into_iter()
            .flat_map(|(rules, _)| codes_of(rules))
            .collect();
        assert!(!all.is_empty());
        assert!(all.iter().all(|(_, c)| c != "invalid"), "{all:?}");
    }
}
