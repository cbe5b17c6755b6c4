//! The results of a run, in the shape of cardinal's `indicators` output.

use super::facts::Facts;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// The groups of results, in output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    Ocid,
    Buyer,
    ProcuringEntity,
    Tenderer,
}

impl Group {
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Ocid => "OCID",
            Group::Buyer => "Buyer",
            Group::ProcuringEntity => "ProcuringEntity",
            Group::Tenderer => "Tenderer",
        }
    }
}

/// The results of a run.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Group → identifier → indicator code → value.
    pub results: BTreeMap<Group, BTreeMap<String, BTreeMap<String, f64>>>,
    /// Indicator code → quartiles and fences used.
    pub meta: BTreeMap<String, BTreeMap<String, f64>>,
    /// Lines that were not JSON objects with a string `ocid` (skipped).
    pub skipped_lines: Vec<(usize, String)>,
    /// Per-process rule errors (the process is then not flagged by it).
    pub rule_errors: Vec<String>,
}

impl Report {
    pub(super) fn set(&mut self, group: Group, id: &str, code: &str, value: f64) {
        self.results
            .entry(group)
            .or_default()
            .entry(id.to_owned())
            .or_default()
            .insert(code.to_owned(), value);
    }

    pub(super) fn meta(&mut self, code: &str, key: &str, value: f64) {
        self.meta
            .entry(code.to_owned())
            .or_default()
            .insert(key.to_owned(), value);
    }

    /// The output object of cardinal's `indicators` command, with its
    /// `Meta` key (values rounded to 4 decimals) unless `no_meta`.
    pub fn to_json(&self, no_meta: bool) -> Value {
        let mut out = Map::new();
        for (group, ids) in &self.results {
            out.insert(group.as_str().to_owned(), json!(ids));
        }
        if !no_meta {
            let meta: Map<String, Value> = self
                .meta
                .iter()
                .map(|(code, m)| {
                    let m: Map<String, Value> = m
                        .iter()
                        .map(|(k, v)| (k.clone(), json!((v * 10_000.0).round() / 10_000.0)))
                        .collect();
                    (code.clone(), Value::Object(m))
                })
                .collect();
            out.insert("Meta".into(), Value::Object(meta));
        }
        Value::Object(out)
    }
}

/// Maps a per-process finding to cardinal's output values.
pub(super) fn record_finding(report: &mut Report, code: &str, facts: &Facts<'_>) {
    let ocid = facts.ocid;
    match code {
        "R035" => {
            #[allow(clippy::cast_precision_loss)]
            let n = facts.disqualified_other_tenderers as f64;
            report.set(Group::Ocid, ocid, code, n);
            if let Some(id) = &facts.sole_valid_tenderer_awarded {
                report.set(Group::Tenderer, id, code, 0.0);
            }
        }
        "R028" | "R030" => {
            report.set(Group::Ocid, ocid, code, 1.0);
            let ids = if code == "R028" {
                &facts.identical_price_tenderers
            } else {
                &facts.late_winning_tenderers
            };
            for id in ids {
                report.set(Group::Tenderer, id, code, 1.0);
            }
        }
        _ => report.set(Group::Ocid, ocid, code, 1.0),
    }
}
