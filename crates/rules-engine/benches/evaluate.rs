//! In-process evaluation of the 20-rule gift set (benches/fixtures), the
//! baseline for the sandbox pool's benchmark (crates/sandbox/benches/pool.rs)
//! which evaluates the same rules and batches through `adal-rules serve`.
//!
//! - `inprocess/evaluate`: `RuleEngine::evaluate` on already-parsed
//!   submissions, what a service embedding Rhai would do;
//! - `inprocess/serve_line`: `Server::handle_line` on the request line plus
//!   encoding the response line, i.e. everything `adal-rules serve` does per
//!   request except the pipe reads and writes.
//!
//! Each is measured twice: in wall time (`inprocess`) and in CPU time
//! (`inprocess_cpu`, see cpu_time.rs), whose throughput is per core.
//!
//! `cargo bench --manifest-path crates/rules-engine/Cargo.toml --bench evaluate`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adal_rules_engine::RuleEngine;
use adal_sandbox_protocol::{RuleSource, SubmissionInput};
use criterion::Criterion;
use criterion::measurement::Measurement;
use std::time::Duration;

#[macro_use]
mod common;
mod cpu_time;

const RULES: &str = include_str!("fixtures/rules20.json");
const GIFTS: &str = include_str!("fixtures/gifts1000.jsonl");
const BATCHES: [usize; 2] = [100, 1000];

fn fixtures() -> (Vec<RuleSource>, Vec<SubmissionInput>) {
    let rules: Vec<RuleSource> = serde_json::from_str(RULES).unwrap();
    let gifts = GIFTS
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (rules, gifts)
}

/// How long each benchmark measures.
const MEASUREMENT: Duration = Duration::from_secs(4);

fn inprocess<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let (rules, gifts) = fixtures();
    let engine = RuleEngine::default();
    let compiled = engine.compile_all(&rules).unwrap();

    let mut server = common::loaded_server("rules20", &rules);
    let mut group = c.benchmark_group(group);
    for n in BATCHES {
        common::evaluate_and_serve(
            &mut group,
            &engine,
            &compiled,
            (&mut server, "rules20"),
            &gifts[..n],
        );
    }
    group.finish();
}

wall_and_cpu_main!(inprocess, "inprocess", "inprocess_cpu", MEASUREMENT);
