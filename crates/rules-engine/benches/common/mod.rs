//! Benchmark bodies shared by evaluate.rs and standard/main.rs (a folder
//! without `main.rs`, so cargo does not take it for a benchmark of its own).

use adal_rules_engine::{CompiledRule, RuleEngine, Server};
use adal_sandbox_protocol::{Request, Response, RuleSource, SubmissionInput};
use criterion::measurement::Measurement;
use criterion::{BenchmarkGroup, BenchmarkId, Throughput};
use std::hint::black_box;

/// A sandbox server with `rules` loaded under `key`.
pub fn loaded_server(key: &str, rules: &[RuleSource]) -> Server {
    let mut server = Server::default();
    let loaded = server.handle(Request::Load {
        id: 1,
        key: key.into(),
        rules: rules.to_vec(),
    });
    assert!(
        matches!(loaded, Response::Loaded { rules: n, .. } if n == rules.len()),
        "{loaded:?}"
    );
    server
}

/// Two benchmarks of one batch, throughput in submissions:
/// - `evaluate/N`: `RuleEngine::evaluate` on each submission, already
///   parsed;
/// - `serve_line/N`: `Server::handle_line` on the batch's `evaluate`
///   request line (for the rule set `server` holds under `key`) plus
///   encoding the response line: everything `adal-rules serve` does per
///   request except the pipe.
pub fn evaluate_and_serve<M: Measurement>(
    group: &mut BenchmarkGroup<'_, M>,
    engine: &RuleEngine,
    compiled: &[CompiledRule],
    (server, key): (&mut Server, &str),
    batch: &[SubmissionInput],
) {
    let n = batch.len();
    group.throughput(Throughput::Elements(n as u64));
    group.bench_with_input(BenchmarkId::new("evaluate", n), batch, |b, batch| {
        b.iter(|| {
            batch
                .iter()
                .map(|s| engine.evaluate(compiled, black_box(s)))
                .collect::<Vec<_>>()
        })
    });
    let line = serde_json::to_vec(&Request::Evaluate {
        id: 2,
        key: key.into(),
        shared: serde_json::Value::Null,
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

/// The `main` of a benchmark measured twice, in wall time and in CPU time
/// (see cpu_time.rs, which the benchmark must include as `cpu_time`):
/// `$body(&mut Criterion<M>, name)` runs with `$wall`, then `$cpu` as the
/// name, each measuring for `$measurement`.
macro_rules! wall_and_cpu_main {
    ($body:ident, $wall:expr, $cpu:expr, $measurement:expr) => {
        fn wall_time(c: &mut criterion::Criterion) {
            $body(c, $wall);
        }

        fn cpu_time(_: &mut criterion::Criterion) {
            $body(&mut cpu_time::cpu_criterion($measurement), $cpu);
        }

        criterion::criterion_group! {
            name = benches;
            config = cpu_time::configure(criterion::Criterion::default(), $measurement);
            targets = wall_time, cpu_time
        }
        criterion::criterion_main!(benches);
    };
}
