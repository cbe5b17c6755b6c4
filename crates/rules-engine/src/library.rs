//! Rule libraries on disk (`NAME.rhai` + `NAME.toml`) and their fixtures.

use crate::engine::{RuleEngine, RuleRun};
use crate::functions::parse_decimal;
pub use adal_sandbox_protocol::params::{ParamSpec, ParamType};
pub use adal_sandbox_protocol::{
    Expect, Fixture, FixtureFailure, FixtureSubmission, RuleUnderTest, TestReport,
};
use adal_sandbox_protocol::{RuleErrorKind, RuleOutcome, RuleSource, SubmissionInput};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

/// A rule's metadata file. Unknown keys are errors so typos surface.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub title: String,
    pub area: String,
    pub guideline_section: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
    /// The submission keys the rule reads. When set, the rule is given
    /// only these keys (its fixtures too), so its outcome is a function of
    /// their values: `adal-rules redflags` evaluates it once per distinct
    /// combination instead of once per contracting process.
    #[serde(default)]
    pub inputs: Vec<String>,
    pub severity: adal_sandbox_protocol::Severity,
    pub likelihood: u8,
    pub impact: u8,
    pub legal_basis: String,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_to: Option<String>,
    #[serde(default)]
    pub params: BTreeMap<String, ParamSpec>,
    #[serde(default)]
    pub fixtures: Vec<Fixture>,
}

/// A rule loaded from disk: its metadata and the source the engine runs,
/// with parameter defaults filled in.
#[derive(Debug, Clone)]
pub struct LibraryRule {
    pub meta: RuleMeta,
    pub source: RuleSource,
    pub meta_path: PathBuf,
}

/// A problem with one file of a library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub path: PathBuf,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

/// Loads every rule under `dir` (recursively), sorted by path. Returns every
/// problem found, not only the first.
pub fn load_dir(dir: &Path) -> Result<Vec<LibraryRule>, Vec<LoadError>> {
    let mut errors = Vec::new();
    let mut metas = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                errors.push(LoadError {
                    path: e
                        .path()
                        .map_or_else(|| dir.to_path_buf(), Path::to_path_buf),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let path = entry.path();
        if !entry.file_type().is_file() {
            continue;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => metas.push(path.to_path_buf()),
            Some("rhai") if !path.with_extension("toml").is_file() => errors.push(LoadError {
                path: path.to_path_buf(),
                message: "script has no metadata file next to it (NAME.toml)".into(),
            }),
            _ => {}
        }
    }
    let mut rules = Vec::new();
    let mut ids: HashMap<String, PathBuf> = HashMap::new();
    for meta_path in metas {
        match load_rule(&meta_path) {
            Ok(rule) => {
                if let Some(prev) = ids.insert(rule.meta.id.clone(), meta_path.clone()) {
                    errors.push(LoadError {
                        path: meta_path,
                        message: format!(
                            "duplicate rule id {:?} (also in {})",
                            rule.meta.id,
                            prev.display()
                        ),
                    });
                } else {
                    rules.push(rule);
                }
            }
            Err(message) => errors.push(LoadError {
                path: meta_path,
                message,
            }),
        }
    }
    if errors.is_empty() {
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// Loads one rule from its metadata file and the script beside it.
pub fn load_rule(meta_path: &Path) -> Result<LibraryRule, String> {
    let text = std::fs::read_to_string(meta_path).map_err(|e| format!("cannot read: {e}"))?;
    let stem = meta_path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let script_path = meta_path.with_extension("rhai");
    let script = std::fs::read_to_string(&script_path)
        .map_err(|e| format!("cannot read script {}: {e}", script_path.display()));
    parse_rule(&text, stem, script, meta_path)
}

/// Builds a rule from the text of its metadata and its script (or why the
/// script could not be read), checking the id against `stem`, the file
/// name the metadata came from.
pub fn parse_rule(
    meta_text: &str,
    stem: &str,
    script: Result<String, String>,
    meta_path: &Path,
) -> Result<LibraryRule, String> {
    let meta: RuleMeta = toml::from_str(meta_text).map_err(|e| format!("invalid metadata: {e}"))?;
    if meta.id != stem {
        return Err(format!(
            "id {:?} must match the file name {stem:?}",
            meta.id
        ));
    }
    for (name, v) in [("likelihood", meta.likelihood), ("impact", meta.impact)] {
        if !(1..=5).contains(&v) {
            return Err(format!("{name} must be 1..=5, got {v}"));
        }
    }
    let mut params = BTreeMap::new();
    for (name, spec) in &meta.params {
        spec.validate()
            .map_err(|e| format!("param {name:?}: {e}"))?;
        let v =
            check_param(spec, &spec.default).map_err(|e| format!("param {name:?}: default {e}"))?;
        params.insert(name.clone(), v);
    }
    for fx in &meta.fixtures {
        for (name, v) in &fx.params {
            let spec = meta
                .params
                .get(name)
                .ok_or_else(|| format!("fixture {:?}: unknown param {name:?}", fx.name))?;
            check_param(spec, v)
                .map_err(|e| format!("fixture {:?}: param {name:?}: {e}", fx.name))?;
        }
    }
    let script = script?;
    let source = RuleSource {
        id: meta.id.clone(),
        kinds: meta.kinds.clone(),
        script,
        severity: meta.severity,
        likelihood: meta.likelihood,
        impact: meta.impact,
        params,
    };
    Ok(LibraryRule {
        meta,
        source,
        meta_path: meta_path.to_path_buf(),
    })
}

/// Validates a parameter value against its spec (the shared rules of
/// [`adal_sandbox_protocol::params`]) and returns it as the engine receives
/// it: money and decimals as decimal strings in rust_decimal's spelling.
pub fn check_param(spec: &ParamSpec, v: &Value) -> Result<Value, String> {
    let checked = adal_sandbox_protocol::params::check_param(spec, v)?;
    Ok(match (spec.ty, &checked) {
        (ParamType::Money | ParamType::Decimal | ParamType::OptionalDecimal, Value::String(s))
            if !s.is_empty() =>
        {
            parse_decimal(s)
                .map(|d| Value::String(d.to_string()))
                .ok_or_else(|| format!("{v} is out of the decimal range"))?
        }
        _ => checked,
    })
}

/// Runs every fixture of every rule of a library, each with the rule's
/// declared defaults and the fixture's own parameters.
pub fn run_fixtures(engine: &RuleEngine, rules: &[LibraryRule]) -> TestReport {
    let under_test: Vec<RuleUnderTest> = rules
        .iter()
        .map(|r| RuleUnderTest {
            rule: r.source.clone(),
            inputs: r.meta.inputs.clone(),
            fixtures: r
                .meta
                .fixtures
                .iter()
                .map(|fx| {
                    let mut fx = fx.clone();
                    for (k, v) in fx.params.iter_mut() {
                        // Already validated by the loader; this only puts
                        // decimals in the engine's spelling.
                        if let Some(spec) = r.meta.params.get(k)
                            && let Ok(checked) = check_param(spec, v)
                        {
                            *v = checked;
                        }
                    }
                    fx
                })
                .collect(),
        })
        .collect();
    run_tests(engine, &under_test)
}

/// What each fixture of one library rule produces, by fixture name, with
/// the rule's defaults and the fixture's parameters: the outcomes
/// themselves (with their facts), for checks beyond pass or fail such as
/// the explanation templates in every language. `None` for a fixture whose
/// rule does not run on its kind; a compile error is the rule's error.
pub fn fixture_runs(engine: &RuleEngine, rule: &LibraryRule) -> Vec<(String, Option<RuleRun>)> {
    rule.meta
        .fixtures
        .iter()
        .map(|fx| {
            let mut source = rule.source.clone();
            for (k, v) in &fx.params {
                let v = rule
                    .meta
                    .params
                    .get(k)
                    .and_then(|spec| check_param(spec, v).ok())
                    .unwrap_or_else(|| v.clone());
                source.params.insert(k.clone(), v);
            }
            let run = match engine.compile(&source) {
                Ok(c) => evaluate_one(engine, &c, fx, &rule.meta.inputs),
                Err(e) => Some(RuleRun::Reported(RuleOutcome::Error {
                    rule_id: rule.meta.id.clone(),
                    kind: RuleErrorKind::Runtime,
                    message: e.message,
                    position: e.position,
                })),
            };
            (fx.name.clone(), run)
        })
        .collect()
}

/// The names a script reads as `params.NAME`. A textual scan: it also sees
/// names in comments and strings, which only makes it stricter.
pub fn params_read(script: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = script;
    while let Some(at) = rest.find("params.") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "params.".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// Runs every fixture of every rule: the rule's `params` (its declared
/// defaults) with each fixture's own `params` over them. A rule fails as a
/// whole if it has no fixtures (it would pass vacuously: fixtures gate
/// activation), reads a parameter it does not declare, or does not compile.
pub fn run_tests(engine: &RuleEngine, rules: &[RuleUnderTest]) -> TestReport {
    let mut report = TestReport {
        rules: rules.len(),
        ..TestReport::default()
    };
    for RuleUnderTest {
        rule,
        fixtures,
        inputs,
    } in rules
    {
        let id = &rule.id;
        let rule_failure = |expected: &str, actual: String| FixtureFailure {
            rule_id: id.clone(),
            fixture: None,
            expected: expected.into(),
            actual,
        };
        if fixtures.is_empty() {
            report
                .failures
                .push(rule_failure("at least one fixture", "none".into()));
            continue;
        }
        let undeclared: Vec<String> = params_read(&rule.script)
            .into_iter()
            .filter(|p| !rule.params.contains_key(p))
            .collect();
        if !undeclared.is_empty() {
            report.failures.push(rule_failure(
                "every parameter the script reads to be declared",
                format!("params.{} not declared", undeclared.join(", params.")),
            ));
            continue;
        }
        let compiled = match engine.compile(rule) {
            Ok(c) => c,
            Err(e) => {
                let at = e
                    .position
                    .map(|p| format!(" at line {}, column {}", p.line, p.column))
                    .unwrap_or_default();
                report.failures.push(rule_failure(
                    "the script to compile",
                    format!("compile error{at}: {}", e.message),
                ));
                continue;
            }
        };
        for fx in fixtures {
            report.fixtures += 1;
            let inputs = inputs.as_slice();
            let outcome = if fx.params.is_empty() {
                evaluate_one(engine, &compiled, fx, inputs)
            } else {
                let mut source = rule.clone();
                source
                    .params
                    .extend(fx.params.iter().map(|(k, v)| (k.clone(), v.clone())));
                match engine.compile(&source) {
                    Ok(c) => evaluate_one(engine, &c, fx, inputs),
                    Err(e) => Some(RuleRun::Reported(RuleOutcome::Error {
                        rule_id: id.clone(),
                        kind: RuleErrorKind::Runtime,
                        message: e.message,
                        position: e.position,
                    })),
                }
            };
            let expected = match (fx.expect, fx.expect_severity) {
                (Expect::Finding, Some(s)) => format!("finding ({})", s.as_str()),
                (e, _) => e.to_string(),
            };
            let (pass, actual) = match outcome {
                Some(RuleRun::Reported(RuleOutcome::Finding {
                    severity,
                    explanation,
                    ..
                })) => (
                    fx.expect == Expect::Finding
                        && fx.expect_severity.is_none_or(|s| s == severity),
                    format!("finding ({}): {explanation}", severity.as_str()),
                ),
                Some(RuleRun::Clear) => (fx.expect == Expect::Clear, "clear".into()),
                Some(RuleRun::Skipped) => (
                    false,
                    format!(
                        "skipped (kind {:?} not in the rule's kinds)",
                        fx.submission.kind
                    ),
                ),
                Some(RuleRun::Reported(RuleOutcome::Error {
                    kind,
                    message,
                    position,
                    ..
                })) => {
                    let at = position
                        .map(|p| format!(" at line {}, column {}", p.line, p.column))
                        .unwrap_or_default();
                    (false, format!("{} error{at}: {message}", kind_name(kind)))
                }
                None => (false, "no outcome".into()),
            };
            if pass {
                report.passed += 1;
            } else {
                report.failures.push(FixtureFailure {
                    rule_id: id.clone(),
                    fixture: Some(fx.name.clone()),
                    expected,
                    actual,
                });
            }
        }
    }
    report
}

/// The payload without the keys a rule does not declare in `inputs` (all
/// of it when `inputs` is empty).
pub fn restrict_to_inputs(payload: &Value, inputs: &[String]) -> Value {
    match payload {
        Value::Object(map) if !inputs.is_empty() => Value::Object(
            map.iter()
                .filter(|(k, _)| inputs.iter().any(|i| i == *k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn evaluate_one(
    engine: &RuleEngine,
    rule: &crate::engine::CompiledRule,
    fx: &Fixture,
    inputs: &[String],
) -> Option<RuleRun> {
    let sub = SubmissionInput {
        id: fx.name.clone(),
        kind: fx.submission.kind.clone(),
        payload: restrict_to_inputs(&fx.submission.payload, inputs),
        context: fx.submission.context.clone(),
    };
    engine
        .runs(std::slice::from_ref(rule), &sub)
        .into_iter()
        .next()
}

fn kind_name(kind: RuleErrorKind) -> &'static str {
    match kind {
        RuleErrorKind::Runtime => "runtime",
        RuleErrorKind::Limit => "limit",
        RuleErrorKind::BadResult => "bad result",
    }
}
