//! Reads the standard library of rules in `rules/` (a `NAME.rhai` script
//! beside a `NAME.toml` with its metadata) into rule definitions with
//! their default parameters. Fixtures are the rule engine's concern
//! (`adal-rules test rules/`); here only what a rule set stores is read.

use adal_sandbox_protocol::Severity;
use adal_store::rules::RuleDefinition;
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
struct Meta {
    id: String,
    title: String,
    area: String,
    #[serde(default)]
    kinds: Vec<String>,
    severity: String,
    likelihood: u8,
    impact: u8,
    #[serde(default)]
    params: BTreeMap<String, Param>,
}

#[derive(Debug, Deserialize)]
struct Param {
    default: toml::Value,
}

fn to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Value::from(*f),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(to_json).collect()),
        toml::Value::Table(t) => {
            serde_json::Value::Object(t.iter().map(|(k, v)| (k.clone(), to_json(v))).collect())
        }
    }
}

/// Every rule under `dir` (recursively), sorted by id.
pub fn load(dir: &Path) -> Result<Vec<RuleDefinition>> {
    let mut out = Vec::new();
    visit(dir, &mut out)?;
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

fn visit(dir: &Path, out: &mut Vec<RuleDefinition>) -> Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::path);
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            visit(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "toml") {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let meta: Meta =
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
            let script_path = path.with_extension("rhai");
            let script = std::fs::read_to_string(&script_path)
                .with_context(|| format!("reading {}", script_path.display()))?;
            let Some(severity) = Severity::parse(&meta.severity) else {
                bail!("{}: unknown severity {:?}", path.display(), meta.severity);
            };
            out.push(RuleDefinition {
                id: meta.id,
                title: meta.title,
                area: meta.area,
                kinds: meta.kinds,
                severity,
                likelihood: meta.likelihood,
                impact: meta.impact,
                params: meta
                    .params
                    .iter()
                    .map(|(k, p)| (k.clone(), to_json(&p.default)))
                    .collect(),
                script,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    #[test]
    fn the_gift_rules_load_with_their_defaults() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
        let rules = super::load(&dir).unwrap();
        let limit = rules
            .iter()
            .find(|r| r.id == "gift-over-mci-limit")
            .unwrap();
        assert_eq!(limit.params["limit_mci"], serde_json::json!(2));
        assert_eq!(limit.kinds, vec!["gift"]);
        assert!(limit.script.contains("mci("));
        assert!(
            rules
                .iter()
                .any(|r| r.id == "gift-from-open-procurement-counterparty")
        );
    }
}
