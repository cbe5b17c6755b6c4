//! Procurement red flags over OCDS compiled releases, with the output of
//! OCDS Cardinal's `indicators` command (see docs/redflags.md).
//!
//! One streaming pass reads each release (one JSON line) into the few
//! columns the indicators need ([`ocds`]). Per contracting process it
//! derives facts (the submission period, the tenderers sharing a price,
//! ...) and evaluates the per-process rules of `rules/procurement/` once
//! on them, through the same [`RuleEngine`] the tenants' rules run in. It
//! also appends to the dataset columns (the relative difference of the two
//! lowest valid bids, per-organisation counts); after the pass the dataset
//! rules compute quartiles and Tukey's fences over those columns natively
//! ([`stats`]), parameterised by their rule metadata.

pub mod ini;
pub mod ocds;
pub mod stats;

mod columns;
mod config;
mod dataset;
mod facts;
mod id;
mod pass;
mod release;
mod report;

pub use config::{Config, Global, builtin_rules};
pub use report::{Group, Report};

use crate::engine::RuleEngine;
use crate::library::LibraryRule;
use dataset::{Params, finalize};
use facts::Fact;
use pass::{Memoized, Pass, State, Worker, read_chunk};
use std::collections::HashMap;
use std::fmt;
use std::io::BufRead;

/// The submission kind of a contracting process's facts.
pub const PROCESS_KIND: &str = "procurement_process";

/// The indicators computed natively over the whole data set.
pub const DATASET_RULES: [&str; 5] = ["R024", "R025", "R038", "R048", "R058"];

/// The hash maps and sets of the pass. Their keys come from the input, so
/// they stay seeded at random, but hash short identifiers several times
/// faster than std's SipHash (most of the dataset folds' time was hashing).
pub(crate) type FastMap<K, V> = HashMap<K, V, ahash::RandomState>;
pub(crate) type FastSet<K> = std::collections::HashSet<K, ahash::RandomState>;

/// A problem that stops a run.
#[derive(Debug)]
pub enum Error {
    Io(std::io::Error),
    /// A per-process rule does not compile.
    Compile(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "i/o error: {e}"),
            Error::Compile(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for Error {}

/// Runs the enabled rules over JSON lines of compiled releases.
pub fn run(mut input: impl BufRead, config: &Config, engine: &RuleEngine) -> Result<Report, Error> {
    let per_process: Vec<&LibraryRule> = config
        .rules
        .iter()
        .filter(|r| !DATASET_RULES.contains(&r.meta.id.as_str()))
        .filter(|r| r.source.kinds.is_empty() || r.source.kinds.iter().any(|k| k == PROCESS_KIND))
        .collect();
    let sources: Vec<_> = per_process.iter().map(|r| r.source.clone()).collect();
    let compiled = engine.compile_all(&sources).map_err(|errors| {
        Error::Compile(
            errors
                .iter()
                .map(|e| format!("{}: {}", e.rule_id, e.message))
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    // Rules that declare their inputs are evaluated once per distinct
    // combination of them; the others once per process, on every fact.
    let mut plain = Vec::new();
    let mut memoized = Vec::new();
    for (rule, meta) in compiled.into_iter().zip(&per_process) {
        if meta.meta.inputs.is_empty() {
            plain.push(rule);
            continue;
        }
        let inputs = meta
            .meta
            .inputs
            .iter()
            .map(|name| {
                Fact::parse(name).ok_or_else(|| {
                    Error::Compile(format!(
                        "{}: input {name:?} is not a fact of a contracting process",
                        meta.meta.id
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        memoized.push(Memoized { rule, inputs });
    }
    let dataset: HashMap<&str, Params<'_>> = config
        .rules
        .iter()
        .filter(|r| DATASET_RULES.contains(&r.meta.id.as_str()))
        .map(|r| (r.meta.id.as_str(), Params(&r.source.params)))
        .collect();
    let enabled = |id: &str| config.rules.iter().any(|r| r.meta.id == id);
    let codes: Vec<report::Code> = config
        .rules
        .iter()
        .map(|r| report::Code::from(r.meta.id.as_str()))
        .collect();
    let pass = Pass {
        global: &config.global,
        plain: &plain,
        memoized: &memoized,
        engine,
        bid_ratios: dataset.contains_key("R024") || dataset.contains_key("R058"),
        r025: dataset.contains_key("R025"),
        r038: dataset.contains_key("R038"),
        r048_digits: dataset.get("R048").map(|p| p.usize("digits", 2)),
        r036: enabled("R036"),
        codes: &codes,
    };
    let mut state = State::new(config.global.currency.clone());
    let mut first_line = 0;
    let mut worker = Worker::default();
    // Which currency is observed first decides which amounts count
    // everywhere after it, so until it is known the pass runs here, in file
    // order. From then on chunks are independent and go to the workers.
    let observes_currency = pass.bid_ratios || pass.r036;
    while config.threads <= 1 || (observes_currency && state.currency.is_none()) {
        let chunk = read_chunk(&mut input)?;
        if chunk.lines == 0 {
            break;
        }
        pass.chunk(&chunk.text, first_line, &mut state, &mut worker);
        first_line += chunk.lines;
    }
    // The memo and the shared identifiers go now: the workers have their
    // own, and the dataset rules at the end need neither.
    let Worker { counts, .. } = worker;
    state.columns.merge(counts);
    if config.threads > 1 {
        state = pass.parallel(input, first_line, state, config.threads)?;
    }
    let State {
        mut report,
        columns,
        ..
    } = state;
    finalize(&dataset, columns, &codes, &mut report);
    Ok(report)
}
