//! The procurement red flags of a tenant, as a step of its dataset run.
//!
//! The eleven OCP red-flag rules (`rules/procurement/R*.toml`) judge a
//! process against statistics of every other process (quartiles, fences),
//! so they cannot run one submission at a time. The run feeds the
//! tenant's current OCDS releases to `adal-rules redflags --confine` (in
//! the sandbox, like every rule), with a settings file written from the
//! tenant's active standard: an indicator runs only if the standard holds
//! it, with the tenant's parameter values. Each value the pass reports
//! becomes a derived record (`procurement_red_flag`, one per indicator and
//! process, buyer, procuring entity or tenderer) and each record a finding
//! of the indicator's rule, through the same pipeline as any dataset rule;
//! a flag that no longer fires gets a version that says so, which closes
//! its finding.

use adal_domain::Kind;
use adal_domain::records::derived::DerivedKind;
use adal_sandbox::{SandboxError, SandboxPool};
use adal_sandbox_protocol::RuleOutcome;
use adal_store::dataset::{self, Derived, Tally};
use adal_store::rules::{self, RuleDefinition};
use adal_store::{Store, StoreError, TenantId};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

/// The kinds the red-flag rules declare: what `adal-rules redflags`
/// builds from a release (a process, a tenderer, an organisation), never a
/// kind anyone files.
pub const RED_FLAG_KINDS: [&str; 3] = [
    "procurement_process",
    "procurement_tenderer",
    "procurement_organisation",
];

/// Cardinal's result groups, the words findings use for them, and the
/// payload's `group`.
const GROUPS: [(&str, &str, &str); 4] = [
    ("OCID", "procurement process", "process"),
    ("Buyer", "buyer", "buyer"),
    ("ProcuringEntity", "procuring entity", "procuring_entity"),
    ("Tenderer", "tenderer", "tenderer"),
];

/// How long one pass may take; a run is taken over by another worker
/// after ten minutes (`STALE_AFTER`), so a pass must end well before.
const PASS_LIMIT: Duration = Duration::from_secs(5 * 60);

/// Releases read from the database per page.
const PAGE: u64 = 1_000;

/// Whether `rule` is one of the red-flag rules.
pub fn is_red_flag_rule(rule: &RuleDefinition) -> bool {
    rule.kinds
        .iter()
        .any(|k| RED_FLAG_KINDS.contains(&k.as_str()))
}

/// The cardinal settings file for `rules` (the red-flag rules of a
/// standard): a section per indicator, so exactly those run, with each
/// parameter's value; a table parameter as its own `[RNNN.NAME]` section.
/// Values that cannot be written (a line break, a key with `=`) are left
/// out and named in the notes returned, so the indicator runs with its
/// default for them.
pub fn settings_file(rules: &[&RuleDefinition]) -> (String, Vec<String>) {
    let mut out = String::new();
    let mut skipped = Vec::new();
    let plain = |s: &str| !s.contains(['\n', '\r', '"']);
    for rule in rules {
        let _ = writeln!(out, "[{}]", rule.id);
        let mut tables = Vec::new();
        for (name, value) in &rule.params {
            match value {
                Value::Object(map) => tables.push((name, map)),
                Value::String(s) if plain(s) => {
                    // Quoted, so that an empty value ("not set") and a
                    // value with `;` or `#` read back as written.
                    let _ = writeln!(out, "{name} = \"{s}\"");
                }
                Value::Number(n) => {
                    let _ = writeln!(out, "{name} = {n}");
                }
                Value::Bool(b) => {
                    let _ = writeln!(out, "{name} = {b}");
                }
                other => skipped.push(format!(
                    "{}: {name} = {other} cannot be written to a settings file",
                    rule.id
                )),
            }
        }
        for (name, map) in tables {
            let _ = writeln!(out, "[{}.{name}]", rule.id);
            for (key, v) in map {
                let key_ok = !key.is_empty()
                    && !key.contains(['=', '[', ']', ';', '#', '\n', '\r', '"'])
                    && key.trim() == key;
                match v.as_i64() {
                    Some(n) if key_ok => {
                        let _ = writeln!(out, "{key} = {n}");
                    }
                    _ => skipped.push(format!(
                        "{}: {name}.{key:?} cannot be written to a settings file",
                        rule.id
                    )),
                }
            }
        }
    }
    (out, skipped)
}

/// The derived records for a pass's `report`: one per value reported.
pub fn records(report: &Value, titles: &BTreeMap<String, String>) -> Vec<Derived> {
    let mut out = Vec::new();
    for (group, word, key) in GROUPS {
        let Some(subjects) = report.get(group).and_then(Value::as_object) else {
            continue;
        };
        for (subject, codes) in subjects {
            let Some(codes) = codes.as_object() else {
                continue;
            };
            for (code, value) in codes {
                // By subject first, so a process's flags are found by prefix.
                let reference = format!("{key}/{subject}/{code}");
                let title = titles.get(code).map_or(code.as_str(), String::as_str);
                let shown = value
                    .as_f64()
                    .map_or_else(|| value.to_string(), |v| format!("{}", round4(v)));
                let explanation = format!("{title} ({code}): {word} {subject}, value {shown}");
                out.push(Derived {
                    reference,
                    subject_iin: None,
                    department_id: None,
                    position_id: None,
                    notable: true,
                    payload: json!({
                        "indicator": code,
                        "title": title,
                        "group": key,
                        "subject": subject,
                        "ocid": (group == "OCID").then_some(subject),
                        "value": value.as_f64().map(round4),
                        "fired": true,
                        "explanation": explanation,
                    }),
                });
            }
        }
    }
    out
}

/// The version of a flag's record once the pass no longer reports it: the
/// same flag, no longer firing. `None` for one already retired.
pub fn retired(old: &Value) -> Option<Value> {
    if old.get("fired") != Some(&Value::Bool(true)) {
        return None;
    }
    let mut payload = old.clone();
    let p = payload.as_object_mut()?;
    p.insert("fired".into(), Value::Bool(false));
    p.insert("value".into(), Value::Null);
    p.remove("explanation");
    Some(payload)
}

/// Rounded as cardinal's `Meta` is, so a value that moves in its last
/// bits between runs does not make a new version.
fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// What the evaluator records for a `procurement_red_flag` record: the
/// finding of the indicator's rule when the flag fired and the standard
/// still holds the rule; nothing otherwise (clear). The pass already ran
/// the rule in the sandbox; this only carries its result over, with the
/// severity, likelihood and impact the standard gives the rule.
pub fn outcomes(payload: &Value, rules: &[RuleDefinition]) -> Vec<RuleOutcome> {
    if payload.get("fired") != Some(&Value::Bool(true)) {
        return Vec::new();
    }
    let Some(code) = payload.get("indicator").and_then(Value::as_str) else {
        return Vec::new();
    };
    let Some(rule) = rules.iter().find(|r| r.id == code && is_red_flag_rule(r)) else {
        return Vec::new();
    };
    let explanation = payload
        .get("explanation")
        .and_then(Value::as_str)
        .filter(|e| !e.trim().is_empty())
        .map_or_else(|| rule.title.clone(), str::to_owned);
    vec![RuleOutcome::Finding {
        rule_id: rule.id.clone(),
        severity: rule.severity,
        likelihood: rule.likelihood,
        impact: rule.impact,
        explanation,
        facts: Default::default(),
    }]
}

/// Why a red-flag pass did not run to the end.
#[derive(Debug, thiserror::Error)]
pub enum RedFlagsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("red-flag pass: {0}")]
    Sandbox(#[from] SandboxError),
}

/// Runs the tenant's red flags and files what they found. Returns what was
/// filed and what the pass computed (for the run's `computed.red_flags`).
pub async fn run(
    store: &Store,
    sandbox: &SandboxPool,
    tenant: TenantId,
) -> Result<(Tally, Value), RedFlagsError> {
    let defs = match rules::active_version(store, tenant).await? {
        Some(v) => rules::rules_of(&v)?,
        None => Vec::new(),
    };
    let flag_rules: Vec<&RuleDefinition> = defs.iter().filter(|r| is_red_flag_rule(r)).collect();
    let titles: BTreeMap<String, String> = flag_rules
        .iter()
        .map(|r| (r.id.clone(), r.title.clone()))
        .collect();
    let (settings, unwritable) = settings_file(&flag_rules);
    let mut processes = 0_u64;
    let (report, notes, rule_errors) = if flag_rules.is_empty() {
        (json!({}), Vec::new(), false)
    } else {
        let mut pass = sandbox.start_redflags(&settings, PASS_LIMIT).await?;
        let mut after = None;
        loop {
            let page = dataset::current_payload_page(store, tenant, Kind::Procurement, after, PAGE)
                .await?;
            let Some((last, _)) = page.last() else {
                break;
            };
            after = Some(*last);
            let mut lines = Vec::with_capacity(page.iter().map(|(_, r)| r.len() + 1).sum());
            for (_, release) in &page {
                // Stored compact (serde_json), so one line each; a newline
                // inside would only split it into lines the pass skips
                // and notes.
                lines.extend_from_slice(release.as_bytes());
                lines.push(b'\n');
                processes += 1;
            }
            pass.write_lines(&lines).await?;
        }
        let out = pass.finish().await?;
        (out.report, out.notes, out.rule_errors)
    };
    let derived = records(&report, &titles);
    let mut raised: BTreeMap<&str, u64> = BTreeMap::new();
    for d in &derived {
        if let Some(code) = d.payload.get("indicator").and_then(Value::as_str) {
            *raised.entry(code).or_default() += 1;
        }
    }
    let computed = json!({
        "processes": processes,
        "indicators": titles.keys().collect::<Vec<_>>(),
        "settings": settings,
        "meta": report.get("Meta").cloned().unwrap_or(json!({})),
        "flags": raised,
        "rule_errors": rule_errors,
        "notes": unwritable.into_iter().chain(notes).collect::<Vec<_>>(),
    });
    let tally = dataset::file_derived_retiring(
        store,
        tenant,
        DerivedKind::ProcurementRedFlag,
        derived,
        retired,
    )
    .await?;
    Ok((tally, computed))
}
