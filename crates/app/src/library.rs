//! The standard library of rules (`rules/`: a `NAME.rhai` script beside a
//! `NAME.toml` with its metadata, parameter declarations and fixtures, and
//! `rules/VERSION`), embedded in the binary at build time and read here
//! into rule definitions. The rule engine checks the same files with
//! `adal-rules test rules/`; both read declarations and fixtures through
//! the types of `adal-sandbox-protocol`.

use adal_sandbox_protocol::params::{ParamSpec, check_param};
use adal_sandbox_protocol::{Fixture, Severity};
use adal_store::rules::{Library, RuleDefinition};
use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::BTreeMap;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/library.rs"));
}

#[derive(Debug, Deserialize)]
struct Meta {
    id: String,
    title: String,
    area: String,
    guideline_section: String,
    #[serde(default)]
    kinds: Vec<String>,
    severity: String,
    likelihood: u8,
    impact: u8,
    #[serde(default)]
    params: BTreeMap<String, ParamSpec>,
    #[serde(default)]
    fixtures: Vec<Fixture>,
}

/// The library this binary ships, sorted by rule id.
pub fn embedded() -> Result<Library> {
    let mut rules = embedded::RULES
        .iter()
        .map(|(name, meta, script)| {
            parse(meta, script).with_context(|| format!("rules/{name}.toml"))
        })
        .collect::<Result<Vec<_>>>()?;
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Library {
        version: embedded::VERSION.trim().to_owned(),
        rules,
    })
}

fn parse(meta: &str, script: &str) -> Result<RuleDefinition> {
    let meta: Meta = toml::from_str(meta)?;
    let Some(severity) = Severity::parse(&meta.severity) else {
        bail!("unknown severity {:?}", meta.severity);
    };
    let mut params = BTreeMap::new();
    for (name, spec) in &meta.params {
        let v = spec
            .validate()
            .map_err(|e| anyhow::anyhow!("param {name:?}: {e}"))?;
        params.insert(name.clone(), v);
    }
    let mut fixtures = meta.fixtures;
    for fx in &mut fixtures {
        for (name, v) in fx.params.iter_mut() {
            let spec = meta
                .params
                .get(name)
                .with_context(|| format!("fixture {:?}: unknown param {name:?}", fx.name))?;
            *v = check_param(spec, v)
                .map_err(|e| anyhow::anyhow!("fixture {:?}: param {name:?}: {e}", fx.name))?;
        }
    }
    Ok(RuleDefinition {
        id: meta.id,
        title: meta.title,
        area: meta.area,
        guideline_section: Some(meta.guideline_section),
        kinds: meta.kinds,
        severity,
        likelihood: meta.likelihood,
        impact: meta.impact,
        params,
        script: script.to_owned(),
        declared: meta.params,
        fixtures,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_library_loads_with_its_version_defaults_and_fixtures() {
        let lib = super::embedded().unwrap();
        let on_disk = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/VERSION"),
        )
        .unwrap();
        assert_eq!(lib.version, on_disk.trim());
        let limit = lib.rule("gift-over-mci-limit").unwrap();
        assert_eq!(limit.params["limit_mci"], serde_json::json!(2));
        assert_eq!(limit.declared["limit_mci"].unit.as_deref(), Some("MCI"));
        assert_eq!(limit.kinds, vec!["gift"]);
        assert_eq!(
            limit.guideline_section.as_deref(),
            Some("Conflict of interest: gifts")
        );
        // Every rule cites its section of the Agency's guidelines.
        assert!(lib.rules.iter().all(|r| r.guideline_section.is_some()));
        assert!(limit.script.contains("mci("));
        assert!(limit.fixtures.len() >= 5);
        assert!(
            lib.rule("gift-from-open-procurement-counterparty")
                .is_some()
        );
        // Every rule ships with fixtures: activation runs them.
        assert!(lib.rules.iter().all(|r| !r.fixtures.is_empty()));
        assert!(lib.rules.windows(2).all(|w| w[0].id < w[1].id));
    }
}
