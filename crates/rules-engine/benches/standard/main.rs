//! The whole standard per submission: every rule of the library in
//! `rules/` (default parameters) against a realistic mix of submissions of
//! every kind the rules look at (workload.rs).
//!
//! - `standard_kind/<kind>`: `RuleEngine::evaluate` over 100 submissions of
//!   one kind, already parsed, through the whole rule set (rules for other
//!   kinds are skipped, as in the service): time per submission by kind;
//! - `standard_mix/evaluate`: the same over 1000 submissions of the mix;
//! - `standard_mix/serve_line`: `Server::handle_line` on the `evaluate`
//!   request line of those 1000 plus encoding the response line: what
//!   `adal-rules serve` does per request except the pipe.
//!
//! Each group is measured in wall time and in CPU time (`_cpu`, see
//! ../cpu_time.rs), whose throughput is per core.
//!
//! `cargo bench --manifest-path crates/rules-engine/Cargo.toml --bench standard`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../common/mod.rs"]
#[macro_use]
mod common;
#[path = "../cpu_time.rs"]
mod cpu_time;
mod workload;

use adal_rules_engine::RuleEngine;
use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

const PER_KIND: usize = 100;
const MIX_BATCH: usize = 1000;

/// How long each benchmark measures.
const MEASUREMENT: Duration = Duration::from_secs(3);

fn standard<M: Measurement>(c: &mut Criterion<M>, suffix: &str) {
    let rules = workload::library_rules();
    let engine = RuleEngine::default();
    let compiled = engine.compile_all(&rules).unwrap();

    let mut group = c.benchmark_group(format!("standard_kind{suffix}"));
    group.throughput(Throughput::Elements(PER_KIND as u64));
    for (kind, _) in workload::MIX {
        let batch = workload::of_kind(kind, PER_KIND, 7);
        group.bench_with_input(BenchmarkId::from_parameter(kind), &batch, |b, batch| {
            b.iter(|| {
                batch
                    .iter()
                    .map(|s| engine.evaluate(&compiled, black_box(s)))
                    .collect::<Vec<_>>()
            })
        });
    }
    group.finish();

    let mix = workload::mixed(MIX_BATCH, 1);
    let mut server = common::loaded_server("standard", &rules);
    let mut group = c.benchmark_group(format!("standard_mix{suffix}"));
    common::evaluate_and_serve(
        &mut group,
        &engine,
        &compiled,
        (&mut server, "standard"),
        &mix,
    );
    group.finish();
}

wall_and_cpu_main!(standard, "", "_cpu", MEASUREMENT);
