//! The results of a run, in the shape of cardinal's `indicators` output.

use super::facts::Facts;
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::collections::BTreeMap;
use std::sync::Arc;

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

/// An indicator code (a rule id), shared by every result that carries it
/// rather than copied into each.
pub type Code = Arc<str>;

/// One identifier's results: indicator code and value, sorted by code, one
/// value per code. Most identifiers carry one or two codes, so a short
/// sorted list costs a small fraction of a map per identifier.
pub type Codes = Vec<(Code, f64)>;

/// The results of a run.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Group → identifier → indicator codes and values.
    pub results: BTreeMap<Group, BTreeMap<Box<str>, Codes>>,
    /// Indicator code → quartiles and fences used.
    pub meta: BTreeMap<String, BTreeMap<String, f64>>,
    /// Lines that were not JSON objects with a string `ocid` (skipped).
    pub skipped_lines: Vec<(usize, String)>,
    /// Per-process rule errors (the process is then not flagged by it).
    pub rule_errors: Vec<String>,
}

/// Sets `code` to `value` in `codes`, keeping them sorted.
fn set_code(codes: &mut Codes, code: &Code, value: f64) {
    match codes.binary_search_by(|(c, _)| (**c).cmp(&**code)) {
        Ok(i) => codes[i].1 = value,
        Err(i) => codes.insert(i, (Arc::clone(code), value)),
    }
}

impl Report {
    pub(super) fn set(&mut self, group: Group, id: &str, code: &Code, value: f64) {
        let ids = self.results.entry(group).or_default();
        match ids.get_mut(id) {
            Some(codes) => set_code(codes, code, value),
            // The identifier is copied only the first time it is flagged,
            // with room for one code (a first push would make room for 4).
            None => {
                ids.insert(id.into(), vec![(Arc::clone(code), value)]);
            }
        }
    }

    /// Adds the results of `later`, whose values win where both have one.
    pub(super) fn merge_results(&mut self, later: BTreeMap<Group, BTreeMap<Box<str>, Codes>>) {
        for (group, ids) in later {
            let mine = self.results.entry(group).or_default();
            for (id, codes) in ids {
                match mine.get_mut(&id) {
                    Some(old) => {
                        for (code, value) in &codes {
                            set_code(old, code, *value);
                        }
                    }
                    None => {
                        mine.insert(id, codes);
                    }
                }
            }
        }
    }

    pub(super) fn meta(&mut self, code: &str, key: &str, value: f64) {
        self.meta
            .entry(code.to_owned())
            .or_default()
            .insert(key.to_owned(), value);
    }

    /// The output object of cardinal's `indicators` command, with its
    /// `Meta` key (values rounded to 4 decimals) unless `no_meta`, to be
    /// serialized as it is read: no copy of the results is built.
    pub fn output(&self, no_meta: bool) -> Output<'_> {
        Output {
            report: self,
            no_meta,
        }
    }
}

/// The output object of a [`Report`] (see [`Report::output`]).
pub struct Output<'r> {
    report: &'r Report,
    no_meta: bool,
}

/// A map serialized from an iterator of its entries (cloned to be walked:
/// the iterators here borrow the report, so a clone copies no results).
struct MapOf<I>(I);

impl<K: Serialize, V: Serialize, I: Iterator<Item = (K, V)> + Clone> Serialize for MapOf<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.clone())
    }
}

fn map_of<K, V, I: IntoIterator<Item = (K, V)>>(entries: I) -> MapOf<I::IntoIter> {
    MapOf(entries.into_iter())
}

impl Serialize for Output<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        enum Entry<'r> {
            Results(&'r BTreeMap<Box<str>, Codes>),
            Meta(&'r BTreeMap<String, BTreeMap<String, f64>>),
        }
        // The keys in the order a JSON object with sorted keys has them,
        // as the output has always been written.
        let mut entries: Vec<(&str, Entry<'_>)> = self
            .report
            .results
            .iter()
            .map(|(group, ids)| (group.as_str(), Entry::Results(ids)))
            .collect();
        if !self.no_meta {
            entries.push(("Meta", Entry::Meta(&self.report.meta)));
        }
        entries.sort_by_key(|(key, _)| *key);
        let mut map = s.serialize_map(Some(entries.len()))?;
        for (key, entry) in entries {
            match entry {
                Entry::Results(ids) => {
                    map.serialize_entry(
                        key,
                        &map_of(ids.iter().map(|(id, codes)| {
                            (&**id, map_of(codes.iter().map(|(c, v)| (&**c, *v))))
                        })),
                    )?
                }
                Entry::Meta(meta) => map.serialize_entry(
                    key,
                    &map_of(meta.iter().map(|(code, m)| {
                        (
                            code,
                            map_of(
                                m.iter()
                                    .map(|(k, v)| (k, (v * 10_000.0).round() / 10_000.0)),
                            ),
                        )
                    })),
                )?,
            }
        }
        map.end()
    }
}

/// Maps a per-process finding to cardinal's output values.
pub(super) fn record_finding(report: &mut Report, code: &Code, facts: &Facts<'_>) {
    let ocid = facts.ocid;
    match &**code {
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
            let ids = if &**code == "R028" {
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
