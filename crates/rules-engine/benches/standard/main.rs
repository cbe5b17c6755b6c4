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

#[path = "../cpu_time.rs"]
mod cpu_time;
mod workload;

use adal_rules_engine::{RuleEngine, Server};
use adal_sandbox_protocol::{Request, Response};
use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

const PER_KIND: usize = 100;
const MIX_BATCH: usize = 1000;

fn config<M: Measurement>(c: Criterion<M>) -> Criterion<M> {
    c.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

fn wall_time(c: &mut Criterion) {
    standard(c, "");
}

fn cpu_time(_: &mut Criterion) {
    let mut c = config(Criterion::default().with_measurement(cpu_time::CpuTime::new(Vec::new())))
        .configure_from_args();
    standard(&mut c, "_cpu");
}

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
    let mut server = Server::default();
    let loaded = server.handle(Request::Load {
        id: 1,
        key: "standard".into(),
        rules: rules.clone(),
    });
    assert!(matches!(loaded, Response::Loaded { .. }), "{loaded:?}");
    let line = serde_json::to_vec(&Request::Evaluate {
        id: 2,
        key: "standard".into(),
        submissions: mix.clone(),
    })
    .unwrap();

    let mut group = c.benchmark_group(format!("standard_mix{suffix}"));
    group.throughput(Throughput::Elements(MIX_BATCH as u64));
    group.bench_with_input(BenchmarkId::new("evaluate", MIX_BATCH), &mix, |b, mix| {
        b.iter(|| {
            mix.iter()
                .map(|s| engine.evaluate(&compiled, black_box(s)))
                .collect::<Vec<_>>()
        })
    });
    group.bench_with_input(
        BenchmarkId::new("serve_line", MIX_BATCH),
        &line,
        |b, line| {
            b.iter(|| {
                let response = server.handle_line(black_box(line));
                assert!(matches!(response, Response::Evaluated { .. }));
                serde_json::to_string(&response).unwrap()
            })
        },
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = config(Criterion::default());
    targets = wall_time, cpu_time
}
criterion_main!(benches);
