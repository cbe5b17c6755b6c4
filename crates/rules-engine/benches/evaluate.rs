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

use adal_rules_engine::{RuleEngine, Server};
use adal_sandbox_protocol::{Request, Response, RuleSource, SubmissionInput};
use criterion::measurement::Measurement;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;

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

fn config<M: Measurement>(c: Criterion<M>) -> Criterion<M> {
    c.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
}

fn wall_time(c: &mut Criterion) {
    inprocess(c, "inprocess");
}

fn cpu_time(_: &mut Criterion) {
    let mut c = config(Criterion::default().with_measurement(cpu_time::CpuTime::new(Vec::new())))
        .configure_from_args();
    inprocess(&mut c, "inprocess_cpu");
}

fn inprocess<M: Measurement>(c: &mut Criterion<M>, group: &str) {
    let (rules, gifts) = fixtures();
    let engine = RuleEngine::default();
    let compiled = engine.compile_all(&rules).unwrap();

    let mut server = Server::default();
    let loaded = server.handle(Request::Load {
        id: 1,
        key: "rules20".into(),
        rules: rules.clone(),
    });
    assert!(matches!(loaded, Response::Loaded { rules: 20, .. }));

    let mut group = c.benchmark_group(group);
    for n in BATCHES {
        let batch = &gifts[..n];
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("evaluate", n), batch, |b, batch| {
            b.iter(|| {
                batch
                    .iter()
                    .map(|s| engine.evaluate(&compiled, black_box(s)))
                    .collect::<Vec<_>>()
            })
        });
        let line = serde_json::to_vec(&Request::Evaluate {
            id: 2,
            key: "rules20".into(),
            submissions: batch.to_vec(),
        })
        .unwrap();
        group.bench_with_input(BenchmarkId::new("serve_line", n), &line, |b, line| {
            b.iter(|| {
                let response = server.handle_line(black_box(line));
                assert!(matches!(response, Response::Evaluated { .. }));
                serde_json::to_string(&response).unwrap()
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = config(Criterion::default());
    targets = wall_time, cpu_time
}
criterion_main!(benches);
