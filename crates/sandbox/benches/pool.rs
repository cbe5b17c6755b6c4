//! Evaluation of the 20-rule gift set through one `adal-rules serve`
//! process: `SandboxPool::evaluate` end to end (request encoding, the pipe,
//! the sandbox's decoding, evaluation and encoding, the pipe back, response
//! decoding). The same rules and batches are measured in process by
//! crates/rules-engine/benches/evaluate.rs; the ratio of the two is the cost
//! of the process boundary.
//!
//! Measured in wall time (`boundary`) and in CPU time of this process plus
//! the sandbox process (`boundary_cpu`, see
//! crates/rules-engine/benches/cpu_time.rs), whose throughput is per core.
//!
//! Needs a release build of the sandbox binary:
//!
//! ```text
//! cargo build --release --manifest-path crates/rules-engine/Cargo.toml
//! cargo bench -p adal-sandbox --bench pool
//! ```
//!
//! or `ADAL_RULES_BIN=/path/to/adal-rules cargo bench -p adal-sandbox`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adal_sandbox::{SandboxConfig, SandboxPool};
use adal_sandbox_protocol::{Request, Response, RuleSource, SubmissionInput};
use criterion::measurement::Measurement;
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

#[path = "../../rules-engine/benches/cpu_time.rs"]
mod cpu_time;

const RULES: &str = include_str!("../../rules-engine/benches/fixtures/rules20.json");
const GIFTS: &str = include_str!("../../rules-engine/benches/fixtures/gifts1000.jsonl");
const BATCHES: [usize; 2] = [100, 1000];

fn binary() -> PathBuf {
    let path = std::env::var_os("ADAL_RULES_BIN").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules-engine/target/release/adal-rules"),
        PathBuf::from,
    );
    assert!(
        path.is_file(),
        "{} not found: run `cargo build --release --manifest-path crates/rules-engine/Cargo.toml` \
         or set ADAL_RULES_BIN",
        path.display()
    );
    path
}

fn config<M: Measurement>(c: Criterion<M>) -> Criterion<M> {
    c.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
}

fn through_the_boundary(c: &mut Criterion) {
    let rules: Vec<RuleSource> = serde_json::from_str(RULES).unwrap();
    let gifts: Vec<SubmissionInput> = GIFTS
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let work_dir = std::env::temp_dir().join(format!("adal-sandbox-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work_dir).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let pool = SandboxPool::new(SandboxConfig {
        binary: binary(),
        pool_size: 1,
        deadline: Duration::from_secs(60),
        memory_mb: 1024,
        work_dir: work_dir.clone(),
    });
    // Start the process and load the rule set outside the measurement.
    rt.block_on(pool.evaluate("rules20", &rules, gifts[..1].to_vec()))
        .unwrap();
    let sandbox = pool.pids();
    assert_eq!(sandbox.len(), 1);

    bench_pool(c, "boundary", &rt, &pool, &rules, &gifts);
    let mut cpu =
        config(Criterion::default().with_measurement(cpu_time::CpuTime::new(sandbox.clone())))
            .configure_from_args();
    bench_pool(&mut cpu, "boundary_cpu", &rt, &pool, &rules, &gifts);
    // The CPU times would be wrong had the process been replaced.
    assert_eq!(pool.pids(), sandbox);

    drop(pool);
    let _ = std::fs::remove_dir_all(&work_dir);
}

fn bench_pool<M: Measurement>(
    c: &mut Criterion<M>,
    group: &str,
    rt: &tokio::runtime::Runtime,
    pool: &SandboxPool,
    rules: &[RuleSource],
    gifts: &[SubmissionInput],
) {
    let mut group = c.benchmark_group(group);
    for n in BATCHES {
        let batch = &gifts[..n];
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("pool_evaluate", n), batch, |b, batch| {
            b.iter_batched(
                // `evaluate` takes the batch by value; clone it untimed.
                || batch.to_vec(),
                |subs| {
                    let results = rt.block_on(pool.evaluate("rules20", rules, subs)).unwrap();
                    assert_eq!(results.len(), n);
                    results
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// The client's share of the boundary: encoding the request line and
/// decoding the response line the sandbox really sends for it.
fn client_codec(c: &mut Criterion) {
    let rules: Vec<RuleSource> = serde_json::from_str(RULES).unwrap();
    let gifts: Vec<SubmissionInput> = GIFTS
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut group = c.benchmark_group("client_codec");
    for n in BATCHES {
        let request = Request::Evaluate {
            id: 2,
            key: "rules20".into(),
            shared: serde_json::Value::Null,
            submissions: gifts[..n].to_vec(),
        };
        let response = sandbox_answer(&rules, &request);
        let request_bytes = serde_json::to_vec(&request).unwrap().len();
        eprintln!(
            "batch of {n}: request line {request_bytes} bytes, response line {} bytes",
            response.len()
        );
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("encode_request", n), &request, |b, r| {
            b.iter(|| serde_json::to_string(r).unwrap())
        });
        // What the pool does (a direct decoding of `evaluated` lines) and,
        // for comparison, serde's generic decoding of the tagged enum.
        group.bench_with_input(BenchmarkId::new("decode_response", n), &response, |b, r| {
            b.iter(|| adal_sandbox::decode_response(r).unwrap())
        });
        group.bench_with_input(
            BenchmarkId::new("decode_response_generic", n),
            &response,
            |b, r| b.iter(|| serde_json::from_str::<Response>(r).unwrap()),
        );
    }
    group.finish();
}

/// Loads `rules` into a fresh sandbox process and returns its answer line
/// to `request`.
fn sandbox_answer(rules: &[RuleSource], request: &Request) -> String {
    let mut child = Command::new(binary())
        .arg("serve")
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let load = Request::Load {
        id: 1,
        key: "rules20".into(),
        rules: rules.to_vec(),
    };
    for r in [&load, request] {
        serde_json::to_writer(&mut stdin, r).unwrap();
        stdin.write_all(b"\n").unwrap();
    }
    drop(stdin);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let loaded: Response = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert!(
        matches!(loaded, Response::Loaded { rules: 20, .. }),
        "{loaded:?}"
    );
    let answer = lines.next().unwrap().unwrap();
    child.wait().unwrap();
    answer + "\n"
}

criterion_group! {
    name = benches;
    config = config(Criterion::default());
    targets = through_the_boundary, client_codec
}
criterion_main!(benches);
