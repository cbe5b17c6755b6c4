//! The wire protocol between the Adal services and the `adal-rules` sandbox.
//!
//! The sandbox reads one [`Request`] per line on stdin and writes exactly one
//! [`Response`] per line on stdout, in order. It holds no credentials and
//! sees nothing but what arrives here: a rule set and the submissions (with
//! the context the rules need) to evaluate against it.
//!
//! This crate is shared by two Cargo workspaces (the main one and the rule
//! engine's), so it depends on nothing but serde. It also holds what both
//! sides must agree on beyond the wire: rule parameter declarations
//! ([`params`]) and fixtures.

pub mod params;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Version of this protocol; the sandbox answers a [`Request::Hello`] with it,
/// and the pool refuses a sandbox that answers another.
/// 2: the `test` request (run rules' fixtures).
/// 3: `evaluate` carries the tenant-wide context once per request
/// (`shared`), and results list clear rules by id and carry only findings
/// and rule errors; skipped rules are left out.
/// 4: a finding carries the named facts it rests on (`facts`), from which
/// the services write its explanation in the reader's language.
pub const PROTOCOL_VERSION: u32 = 4;

/// The named values a finding rests on (the giver, the amount, the limit,
/// the date), each as text: what the library's explanation templates
/// (`rule-<id>-explanation` in `rules/locales/*.ftl`) are written over, so
/// a finding reads in Kazakh, Russian or English from what was stored.
/// Keys are `snake_case`; a key ending in `_kzt` holds an amount in tenge
/// and one ending in `date` a `YYYY-MM-DD` date, which the reader's
/// language formats.
pub type Facts = BTreeMap<String, String>;

/// At most this many facts on a finding, and this many characters in each
/// value: enough for any explanation, bounded so a rule cannot flood the
/// store.
pub const MAX_FACTS: usize = 24;
pub const MAX_FACT_CHARS: usize = 500;

/// How serious a finding is. Ordered: `Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// One rule as the sandbox needs it: the script, its metadata defaults and
/// the effective parameter values (library defaults merged with the
/// tenant's overrides, already validated by the caller).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSource {
    pub id: String,
    /// Submission kinds this rule looks at (`"gift"`, ...). Empty: every kind.
    #[serde(default)]
    pub kinds: Vec<String>,
    pub script: String,
    pub severity: Severity,
    /// 1..=5
    pub likelihood: u8,
    /// 1..=5
    pub impact: u8,
    /// Parameter values. Money parameters are decimal strings; the engine
    /// exposes them to scripts as they are and scripts convert with `money()`.
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Value>,
}

/// A submission to evaluate, with the context rules may read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmissionInput {
    /// Opaque to the sandbox; echoed back in the result.
    pub id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Whatever the rules need beyond the payload and the request's
    /// `shared` context: the person's relatives and interests, the
    /// declaration's totals. Null or an object when the request has a
    /// `shared` context (its keys are merged over that one's).
    #[serde(default)]
    pub context: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Request {
    /// Liveness and version check.
    Hello { id: u64 },
    /// Compile rules without keeping them; answers with diagnostics.
    Check { id: u64, rules: Vec<RuleSource> },
    /// Compile and cache a rule set under `key` (the caller uses the rule-set
    /// version's content hash). Fails as a whole if any rule does not compile.
    Load {
        id: u64,
        key: String,
        rules: Vec<RuleSource>,
    },
    /// Evaluate submissions against a loaded rule set.
    Evaluate {
        id: u64,
        key: String,
        /// Context common to every submission of the request (the
        /// tenant's MCI by year, its open procurements, today's date): an
        /// object, or null for none. Each submission's rules see it merged
        /// under the submission's own `context`, key by key at the top
        /// level, the submission's keys winning. Sent once rather than
        /// copied into every submission, which made it most of a batch.
        #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
        shared: serde_json::Value,
        submissions: Vec<SubmissionInput>,
    },
    /// Run every fixture of every rule (compiling each rule, keeping
    /// nothing); answers with the failures.
    Test { id: u64, rules: Vec<RuleUnderTest> },
}

impl Request {
    pub fn id(&self) -> u64 {
        match self {
            Request::Hello { id }
            | Request::Check { id, .. }
            | Request::Load { id, .. }
            | Request::Evaluate { id, .. }
            | Request::Test { id, .. } => *id,
        }
    }
}

/// What a fixture expects of its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// One example input of a rule with the outcome it must give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    pub name: String,
    pub submission: FixtureSubmission,
    pub expect: Expect,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_severity: Option<Severity>,
    /// Parameter values this fixture assumes, over the rule's declared
    /// defaults (validated against the declarations by whoever sends them).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureSubmission {
    pub kind: String,
    pub payload: serde_json::Value,
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub context: serde_json::Value,
}

/// A rule and its fixtures. `rule.params` holds the values fixtures run
/// with (the declared defaults), each fixture's own `params` over them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleUnderTest {
    pub rule: RuleSource,
    pub fixtures: Vec<Fixture>,
    /// The submission keys the rule declares it reads. When set, fixtures
    /// run with only these keys, so a script that reads an undeclared key
    /// fails them (the red-flag runner relies on the declaration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inputs: Vec<String>,
}

/// One fixture (or rule) that did not behave as expected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// The outcome of a fixture run.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
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

/// A place in a rule's script, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// A rule that does not compile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompileError {
    pub rule_id: String,
    pub message: String,
    pub position: Option<Position>,
}

/// What went wrong while a rule ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleErrorKind {
    /// The script threw, or used a value of the wrong type.
    Runtime,
    /// The script hit one of the engine's limits (operations, string size,
    /// call depth, ...); `message` names the limit.
    Limit,
    /// The script returned something that is not a finding.
    BadResult,
}

/// What one rule reported on one submission: a finding or an error. A
/// rule that ran and found nothing is listed in
/// [`SubmissionResult::clear`]; one that did not run (its `kinds` do not
/// include the submission's) appears nowhere.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum RuleOutcome {
    Finding {
        rule_id: String,
        severity: Severity,
        likelihood: u8,
        impact: u8,
        /// In the rule author's words (English in the library): what is
        /// shown when no template in the reader's language fits `facts`.
        explanation: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        facts: Facts,
    },
    Error {
        rule_id: String,
        kind: RuleErrorKind,
        message: String,
        position: Option<Position>,
    },
}

impl RuleOutcome {
    pub fn rule_id(&self) -> &str {
        match self {
            RuleOutcome::Finding { rule_id, .. } | RuleOutcome::Error { rule_id, .. } => rule_id,
        }
    }
}

/// One submission's result, in the order of the request's submissions.
/// The client knows the rule set, so the result says only what it cannot
/// know: which rules ran and found nothing, and what the others reported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubmissionResult {
    pub id: String,
    /// Ids of the rules that ran and found nothing, in rule-set order.
    pub clear: Vec<String>,
    /// Findings and rule errors, in rule-set order.
    pub outcomes: Vec<RuleOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Response {
    Hello {
        id: u64,
        protocol: u32,
        engine: String,
    },
    Checked {
        id: u64,
        errors: Vec<CompileError>,
    },
    Loaded {
        id: u64,
        key: String,
        rules: usize,
    },
    Evaluated {
        id: u64,
        results: Vec<SubmissionResult>,
    },
    Tested {
        id: u64,
        report: TestReport,
    },
    /// The request itself was wrong: unknown rule-set key, unparsable line.
    /// `id` is 0 when the line could not be parsed at all.
    Failed {
        id: u64,
        code: FailureCode,
        message: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        errors: Vec<CompileError>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureCode {
    BadRequest,
    UnknownRuleSet,
    CompileFailed,
    TooLarge,
}

impl Response {
    pub fn id(&self) -> u64 {
        match self {
            Response::Hello { id, .. }
            | Response::Checked { id, .. }
            | Response::Loaded { id, .. }
            | Response::Evaluated { id, .. }
            | Response::Tested { id, .. }
            | Response::Failed { id, .. } => *id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trips_as_one_json_line() -> Result<(), serde_json::Error> {
        let req = Request::Evaluate {
            id: 7,
            key: "v1".into(),
            shared: serde_json::json!({"mci": {"2026": "4325"}}),
            submissions: vec![SubmissionInput {
                id: "s1".into(),
                kind: "gift".into(),
                payload: serde_json::json!({"value_kzt": "150000.00"}),
                context: serde_json::Value::Null,
            }],
        };
        let line = serde_json::to_string(&req)?;
        assert!(!line.contains('\n'));
        assert!(line.contains(r#""op":"evaluate""#));
        let back: Request = serde_json::from_str(&line)?;
        assert_eq!(back, req);
        Ok(())
    }

    /// A request without `shared` (null) does not carry the key, and one
    /// without the key reads as null.
    #[test]
    fn shared_context_is_optional() -> Result<(), serde_json::Error> {
        let req = Request::Evaluate {
            id: 1,
            key: "v1".into(),
            shared: serde_json::Value::Null,
            submissions: vec![],
        };
        let line = serde_json::to_string(&req)?;
        assert!(!line.contains("shared"), "{line}");
        assert_eq!(serde_json::from_str::<Request>(&line)?, req);
        Ok(())
    }

    /// `clear` and `skipped` are not outcomes on the wire any more.
    #[test]
    fn outcomes_are_findings_and_errors_only() {
        let clear = r#"{"outcome":"clear","rule_id":"a"}"#;
        let skipped = r#"{"outcome":"skipped","rule_id":"a"}"#;
        assert!(serde_json::from_str::<RuleOutcome>(clear).is_err());
        assert!(serde_json::from_str::<RuleOutcome>(skipped).is_err());
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let line = r#"{"op":"hello","id":1,"extra":true}"#;
        assert!(serde_json::from_str::<Request>(line).is_err());
    }

    #[test]
    fn severities_order_by_seriousness() {
        assert!(Severity::Low < Severity::Medium);
        assert!(Severity::High < Severity::Critical);
        assert_eq!(Severity::parse("high"), Some(Severity::High));
        assert_eq!(Severity::parse("HIGH"), None);
    }
}
