//! Rule libraries on disk (`NAME.rhai` + `NAME.toml`) and their fixtures.

use crate::engine::RuleEngine;
use crate::functions::parse_decimal;
use adal_sandbox_protocol::{RuleErrorKind, RuleOutcome, RuleSource, Severity, SubmissionInput};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
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
    pub severity: Severity,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    Money,
    Integer,
    Decimal,
    String,
    Bool,
    /// A decimal that may be left unset: the empty string means "not set"
    /// (TOML has no null), e.g. a fixed fence that otherwise is computed
    /// from the data set.
    OptionalDecimal,
    /// A table from names to integers, e.g. a threshold per procurement
    /// method detail.
    IntegerMap,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamSpec {
    #[serde(rename = "type")]
    pub ty: ParamType,
    pub default: Value,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub min: Option<Value>,
    #[serde(default)]
    pub max: Option<Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    Finding,
    Clear,
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expect::Finding => "finding",
            Expect::Clear => "clear",
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    pub name: String,
    pub submission: FixtureSubmission,
    pub expect: Expect,
    #[serde(default)]
    pub expect_severity: Option<Severity>,
    /// Parameter overrides for this fixture (validated like defaults).
    #[serde(default)]
    pub params: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureSubmission {
    pub kind: String,
    pub payload: Value,
    #[serde(default)]
    pub context: Value,
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

/// Validates a parameter value against its spec and returns it as the
/// engine receives it (money and decimals as decimal strings).
pub fn check_param(spec: &ParamSpec, v: &Value) -> Result<Value, String> {
    match spec.ty {
        ParamType::Integer => {
            let i = v.as_i64().ok_or_else(|| format!("{v} is not an integer"))?;
            let bound = |b: &Option<Value>, name: &str| -> Result<Option<i64>, String> {
                b.as_ref()
                    .map(|b| {
                        b.as_i64()
                            .ok_or_else(|| format!("{name} {b} is not an integer"))
                    })
                    .transpose()
            };
            check_range(i, bound(&spec.min, "min")?, bound(&spec.max, "max")?)?;
            Ok(Value::from(i))
        }
        ParamType::Money | ParamType::Decimal => {
            let d = value_decimal(v).ok_or_else(|| {
                format!("{v} is not a decimal amount (use a string like \"150000.00\")")
            })?;
            let bound = |b: &Option<Value>, name: &str| -> Result<Option<Decimal>, String> {
                b.as_ref()
                    .map(|b| value_decimal(b).ok_or_else(|| format!("{name} {b} is not a decimal")))
                    .transpose()
            };
            check_range(d, bound(&spec.min, "min")?, bound(&spec.max, "max")?)?;
            Ok(Value::String(d.to_string()))
        }
        ParamType::String => v
            .is_string()
            .then(|| v.clone())
            .ok_or_else(|| format!("{v} is not a string")),
        ParamType::Bool => v
            .is_boolean()
            .then(|| v.clone())
            .ok_or_else(|| format!("{v} is not a bool")),
        ParamType::OptionalDecimal => match v {
            Value::String(s) if s.trim().is_empty() => Ok(Value::String(String::new())),
            _ => {
                let d = value_decimal(v)
                    .ok_or_else(|| format!("{v} is not a decimal (or \"\" for not set)"))?;
                Ok(Value::String(d.to_string()))
            }
        },
        ParamType::IntegerMap => {
            let map = v
                .as_object()
                .ok_or_else(|| format!("{v} is not a table of integers"))?;
            for (k, i) in map {
                if !i.is_i64() {
                    return Err(format!("{k:?} = {i} is not an integer"));
                }
            }
            Ok(v.clone())
        }
    }
}

fn value_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => parse_decimal(s),
        Value::Number(n) => n.as_i64().map(Decimal::from),
        _ => None,
    }
}

fn check_range<T: PartialOrd + fmt::Display>(
    v: T,
    min: Option<T>,
    max: Option<T>,
) -> Result<(), String> {
    if let Some(min) = min.filter(|m| v < *m) {
        return Err(format!("{v} is below min {min}"));
    }
    if let Some(max) = max.filter(|m| v > *m) {
        return Err(format!("{v} is above max {max}"));
    }
    Ok(())
}

/// One fixture (or rule) that did not behave as expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureFailure {
    pub rule_id: String,
    /// `None` when the rule itself failed (does not compile, no fixtures).
    pub fixture: Option<String>,
    pub expected: String,
    pub actual: String,
}

impl fmt::Display for FixtureFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fixture {
            Some(fx) => write!(
                f,
                "FAIL {} / {fx:?}: expected {}, got {}",
                self.rule_id, self.expected, self.actual
            ),
            None => write!(
                f,
                "FAIL {}: expected {}, got {}",
                self.rule_id, self.expected, self.actual
            ),
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct TestReport {
    pub rules: usize,
    pub fixtures: usize,
    pub passed: usize,
    pub failures: Vec<FixtureFailure>,
}

impl TestReport {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Runs every fixture of every rule. A rule without fixtures fails: the
/// design requires fixtures to pass before a rule can be activated, and a
/// rule with none would pass vacuously.
pub fn run_fixtures(engine: &RuleEngine, rules: &[LibraryRule]) -> TestReport {
    let mut report = TestReport {
        rules: rules.len(),
        ..TestReport::default()
    };
    for rule in rules {
        let id = &rule.meta.id;
        let rule_failure = |expected: &str, actual: String| FixtureFailure {
            rule_id: id.clone(),
            fixture: None,
            expected: expected.into(),
            actual,
        };
        if rule.meta.fixtures.is_empty() {
            report
                .failures
                .push(rule_failure("at least one fixture", "none".into()));
            continue;
        }
        let compiled = match engine.compile(&rule.source) {
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
        for fx in &rule.meta.fixtures {
            report.fixtures += 1;
            let mut source = rule.source.clone();
            for (k, v) in &fx.params {
                // Already validated by the loader.
                if let Some(spec) = rule.meta.params.get(k) {
                    source.params.insert(
                        k.clone(),
                        check_param(spec, v).unwrap_or_else(|_| v.clone()),
                    );
                }
            }
            let inputs = &rule.meta.inputs;
            let outcome = if fx.params.is_empty() {
                evaluate_one(engine, &compiled, fx, inputs)
            } else {
                match engine.compile(&source) {
                    Ok(c) => evaluate_one(engine, &c, fx, inputs),
                    Err(e) => Some(RuleOutcome::Error {
                        rule_id: id.clone(),
                        kind: RuleErrorKind::Runtime,
                        message: e.message,
                        position: e.position,
                    }),
                }
            };
            let expected = match (fx.expect, fx.expect_severity) {
                (Expect::Finding, Some(s)) => format!("finding ({})", s.as_str()),
                (e, _) => e.to_string(),
            };
            let (pass, actual) = match outcome {
                Some(RuleOutcome::Finding {
                    severity,
                    explanation,
                    ..
                }) => (
                    fx.expect == Expect::Finding
                        && fx.expect_severity.is_none_or(|s| s == severity),
                    format!("finding ({}): {explanation}", severity.as_str()),
                ),
                Some(RuleOutcome::Clear { .. }) => (fx.expect == Expect::Clear, "clear".into()),
                Some(RuleOutcome::Skipped { .. }) => (
                    false,
                    format!(
                        "skipped (kind {:?} not in the rule's kinds)",
                        fx.submission.kind
                    ),
                ),
                Some(RuleOutcome::Error {
                    kind,
                    message,
                    position,
                    ..
                }) => {
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
) -> Option<RuleOutcome> {
    let sub = SubmissionInput {
        id: fx.name.clone(),
        kind: fx.submission.kind.clone(),
        payload: restrict_to_inputs(&fx.submission.payload, inputs),
        context: fx.submission.context.clone(),
    };
    engine
        .evaluate(std::slice::from_ref(rule), &sub)
        .outcomes
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
