//! The pool against the real `adal-rules` binary.
#![allow(clippy::unwrap_used)]

use adal_sandbox::{SandboxConfig, SandboxError, SandboxPool};
use adal_sandbox_protocol::{RuleOutcome, RuleSource, Severity, SubmissionInput};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn binary() -> PathBuf {
    adal_testkit::rules_binary()
}

fn pool(size: usize, deadline: Duration) -> (SandboxPool, tempfile_dir::Dir) {
    let dir = tempfile_dir::Dir::new();
    let pool = SandboxPool::new(SandboxConfig {
        binary: binary(),
        pool_size: size,
        deadline,
        memory_mb: 512,
        work_dir: dir.path().to_path_buf(),
    });
    (pool, dir)
}

/// A minimal temporary directory, to avoid a dependency the main
/// workspace does not have.
mod tempfile_dir {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU32, Ordering};

    pub struct Dir(PathBuf);

    impl Dir {
        pub fn new() -> Self {
            static N: AtomicU32 = AtomicU32::new(0);
            let p = std::env::temp_dir().join(format!(
                "adal-sandbox-test-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A rule from the standard library in `rules/`, with its parameter
/// defaults as the service would send them.
fn library_rule(id: &str, params: serde_json::Value) -> RuleSource {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/gifts");
    let (severity, likelihood, impact) = match id {
        "gift-over-mci-limit" => (Severity::Medium, 3, 3),
        _ => (Severity::High, 3, 4),
    };
    RuleSource {
        id: id.into(),
        kinds: vec!["gift".into()],
        script: std::fs::read_to_string(dir.join(format!("{id}.rhai"))).unwrap(),
        severity,
        likelihood,
        impact,
        params: serde_json::from_value(params).unwrap(),
    }
}

fn gift_rules() -> Vec<RuleSource> {
    vec![
        library_rule("gift-over-mci-limit", json!({"limit_mci": 2})),
        library_rule("gift-from-open-procurement-counterparty", json!({})),
    ]
}

fn gift(id: &str, value: &str, bin: &str) -> SubmissionInput {
    SubmissionInput {
        id: id.into(),
        kind: "gift".into(),
        payload: json!({"direction": "received", "giver_name": "Alpha LLP", "giver_bin": bin,
                        "description": "Watch", "value_kzt": value, "date": "2026-03-01",
                        "occasion": "New year"}),
        context: json!({"mci": {"2026": "4325"}, "open_procurement_bins": ["120440001234"]}),
    }
}

fn spin_rule() -> RuleSource {
    // Each run stops at the operations limit, so a batch of many
    // submissions (see `slow_batch`) is what keeps the process busy.
    RuleSource {
        id: "spin".into(),
        kinds: vec![],
        script: "loop {}".into(),
        severity: Severity::Low,
        likelihood: 1,
        impact: 1,
        params: Default::default(),
    }
}

/// Enough submissions against a `loop {}` rule that evaluating them takes
/// far longer than any test waits (each run burns the full operations budget).
fn slow_batch() -> Vec<SubmissionInput> {
    (0..10_000)
        .map(|i| gift(&format!("s{i}"), "1", ""))
        .collect()
}

#[tokio::test]
async fn evaluates_a_gift_against_the_gift_rules() {
    let (pool, _dir) = pool(2, Duration::from_secs(30));
    let results = pool
        .evaluate(
            "gifts-v1",
            &gift_rules(),
            vec![
                gift("big", "150000.00", "120440001234"),
                gift("small", "8650.00", "980140005670"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    let big = &results[0];
    assert_eq!(big.id, "big");
    assert!(
        matches!(&big.outcomes[0], RuleOutcome::Finding { rule_id, explanation, facts, .. }
            if rule_id == "gift-over-mci-limit" && explanation.contains("150000.00") && explanation.contains("8650")
                && facts.get("value_kzt").map(String::as_str) == Some("150000.00")),
        "{:?}",
        big.outcomes
    );
    assert!(matches!(
        &big.outcomes[1],
        RuleOutcome::Finding {
            severity: Severity::High,
            ..
        }
    ));
    let small = &results[1];
    assert!(small.outcomes.is_empty(), "{small:?}");
    assert_eq!(
        small.clear,
        [
            "gift-over-mci-limit",
            "gift-from-open-procurement-counterparty"
        ]
    );

    // The same key again uses the loaded set; compile errors come back too.
    assert_eq!(
        pool.evaluate("gifts-v1", &gift_rules(), vec![])
            .await
            .unwrap()
            .len(),
        0
    );
    let mut broken = spin_rule();
    broken.script = "let = 1;".into();
    let errors = pool.check(&[broken.clone()]).await.unwrap();
    assert_eq!(errors.len(), 1);
    assert!(matches!(
        pool.evaluate("broken", &[broken], vec![]).await,
        Err(SandboxError::CompileFailed(e)) if e.len() == 1
    ));
}

#[tokio::test]
async fn a_killed_process_fails_its_request_and_is_replaced() {
    let (pool, _dir) = pool(1, Duration::from_secs(600));
    let pool = std::sync::Arc::new(pool);
    let busy = {
        let pool = pool.clone();
        tokio::spawn(async move { pool.evaluate("spin", &[spin_rule()], slow_batch()).await })
    };
    // Wait until the process is up and working on the request.
    let started = Instant::now();
    let pid = loop {
        if let Some(pid) = pool.pids().first().copied() {
            break pid;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "sandbox never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!busy.is_finished());
    assert!(
        Command::new("kill")
            .args(["-9", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );

    let result = tokio::time::timeout(Duration::from_secs(30), busy)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(result, Err(SandboxError::Crashed)), "{result:?}");
    assert!(pool.pids().is_empty(), "dead process still listed");

    let results = pool
        .evaluate("gifts-v1", &gift_rules(), vec![gift("g", "150000.00", "")])
        .await
        .unwrap();
    assert!(matches!(
        results[0].outcomes[0],
        RuleOutcome::Finding { .. }
    ));
    let pids = pool.pids();
    assert_eq!(pids.len(), 1);
    assert_ne!(pids[0], pid, "a fresh process serves the next request");
}

#[tokio::test]
async fn a_request_past_its_deadline_is_killed_and_the_next_one_works() {
    let (pool, _dir) = pool(1, Duration::from_millis(1500));
    // Start the process first so the deadline covers only the slow request.
    pool.start().await.unwrap();
    let first = pool.pids();
    let t = Instant::now();
    let result = pool.evaluate("spin", &[spin_rule()], slow_batch()).await;
    assert!(matches!(result, Err(SandboxError::Deadline)), "{result:?}");
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "deadline not enforced: {:?}",
        t.elapsed()
    );
    assert!(pool.pids().is_empty(), "killed process still listed");

    let results = pool
        .evaluate(
            "gifts-v1",
            &gift_rules(),
            vec![gift("g", "100.00", "120440001234")],
        )
        .await
        .unwrap();
    assert_eq!(results[0].clear, ["gift-over-mci-limit"]);
    assert!(matches!(
        &results[0].outcomes[..],
        [RuleOutcome::Finding { .. }]
    ));
    assert_ne!(pool.pids(), first);
}

/// A rule that stays within its operations but runs long: each
/// `contains` scans 10,000 elements in one operation, so reaching the
/// operations limit would take minutes. Only a clock stops it: the
/// sandbox's per-rule time limit (`--rule-time-ms`, 1000 ms by default),
/// or the pool's deadline if that comes first.
fn slow_bounded_rule() -> RuleSource {
    RuleSource {
        id: "slow".into(),
        kinds: vec![],
        script: "let a = [];\na.pad(10000, 0);\nloop { a.contains(-1); }".into(),
        severity: Severity::Low,
        likelihood: 1,
        impact: 1,
        params: Default::default(),
    }
}

/// One submission, one rule within its operations limit, a deadline
/// shorter than the rule's time limit: the deadline is what stops it, the
/// process is killed, and a new one (another pid) serves the next request.
#[tokio::test]
async fn a_rule_within_its_operations_but_past_the_deadline_is_killed_and_replaced() {
    let (pool, _dir) = pool(1, Duration::from_millis(600));
    pool.start().await.unwrap();
    let first = pool.pids();
    assert_eq!(first.len(), 1);
    let t = Instant::now();
    let result = pool
        .evaluate("slow", &[slow_bounded_rule()], vec![gift("g", "1", "")])
        .await;
    assert!(matches!(result, Err(SandboxError::Deadline)), "{result:?}");
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "deadline not enforced: {:?}",
        t.elapsed()
    );
    assert!(pool.pids().is_empty(), "killed process still listed");
    // The pid is gone from the system too, not just from the pool's list.
    let deadline = Instant::now() + Duration::from_secs(10);
    while Path::new(&format!("/proc/{}/status", first[0])).exists()
        && !std::fs::read_to_string(format!("/proc/{}/status", first[0]))
            .unwrap_or_default()
            .contains("State:\tZ")
    {
        assert!(
            Instant::now() < deadline,
            "process {} still running",
            first[0]
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let results = pool
        .evaluate("gifts-v1", &gift_rules(), vec![gift("g", "150000.00", "")])
        .await
        .unwrap();
    assert!(matches!(
        results[0].outcomes[0],
        RuleOutcome::Finding { .. }
    ));
    let now = pool.pids();
    assert_eq!(now.len(), 1);
    assert_ne!(now, first, "a fresh process serves the next request");
}

/// The same rule with a deadline longer than its time limit: the sandbox
/// stops the rule itself and answers with a limit error naming the time
/// limit, the other rules' outcomes come with it, and the process (same
/// pid) goes on serving.
#[tokio::test]
async fn a_slow_rule_within_the_deadline_gets_a_time_limit_error_from_the_same_process() {
    let (pool, _dir) = pool(1, Duration::from_secs(20));
    pool.start().await.unwrap();
    let first = pool.pids();
    let mut rules = vec![slow_bounded_rule()];
    rules.extend(gift_rules());
    let t = Instant::now();
    let results = pool
        .evaluate(
            "slow-and-gifts",
            &rules,
            vec![gift("g", "150000.00", "120440001234")],
        )
        .await
        .unwrap();
    let took = t.elapsed();
    match &results[0].outcomes[0] {
        RuleOutcome::Error {
            rule_id,
            kind: adal_sandbox_protocol::RuleErrorKind::Limit,
            message,
            position,
        } => {
            assert_eq!(rule_id, "slow");
            assert_eq!(message, "time limit (1000 ms) exceeded");
            assert_eq!(position.map(|p| p.line), Some(3));
        }
        other => panic!("expected a time-limit error, got {other:?}"),
    }
    assert!(took >= Duration::from_millis(1000), "{took:?}");
    for o in &results[0].outcomes[1..] {
        assert!(matches!(o, RuleOutcome::Finding { .. }), "{o:?}");
    }
    assert_eq!(pool.pids(), first, "the same process answered");
    let again = pool
        .evaluate("gifts-v1", &gift_rules(), vec![gift("g", "100.00", "")])
        .await
        .unwrap();
    assert!(again[0].outcomes.is_empty(), "{again:?}");
    assert_eq!(again[0].clear.len(), 2);
    assert_eq!(pool.pids(), first);
}

#[tokio::test]
async fn a_missing_binary_is_a_spawn_error() {
    let dir = tempfile_dir::Dir::new();
    let pool = SandboxPool::new(SandboxConfig {
        binary: dir.path().join("no-such-binary"),
        pool_size: 1,
        deadline: Duration::from_secs(5),
        memory_mb: 256,
        work_dir: dir.path().to_path_buf(),
    });
    assert!(matches!(
        pool.check(&[]).await,
        Err(SandboxError::Spawn { .. })
    ));
    // The slot is not lost: the next call tries again (and fails the same way).
    assert!(matches!(
        pool.check(&[]).await,
        Err(SandboxError::Spawn { .. })
    ));
}

/// Fixtures run in a sandbox process, never in ours: a failing one comes
/// back with its rule, name, expectation and actual outcome, and a fixture
/// that spins is stopped by the engine's limits, not by hanging the pool.
#[tokio::test]
async fn fixtures_run_in_the_sandbox_and_failures_name_rule_and_fixture() {
    use adal_sandbox_protocol::{Expect, Fixture, FixtureSubmission, RuleUnderTest};
    let (pool, _dir) = pool(1, Duration::from_secs(20));
    let fixture = |name: &str, value: &str, expect| {
        let g = gift(name, value, "000000000000");
        Fixture {
            name: name.into(),
            submission: FixtureSubmission {
                kind: g.kind,
                payload: g.payload,
                context: g.context,
            },
            expect,
            expect_severity: None,
            params: Default::default(),
        }
    };
    let rules = vec![
        RuleUnderTest {
            rule: library_rule("gift-over-mci-limit", json!({"limit_mci": 2})),
            fixtures: vec![
                fixture("over 2 MCI", "9000.00", Expect::Finding),
                fixture("claims a small gift is a finding", "10.00", Expect::Finding),
            ],
            inputs: Vec::new(),
        },
        RuleUnderTest {
            rule: spin_rule(),
            fixtures: vec![fixture("spins", "1.00", Expect::Clear)],
            inputs: Vec::new(),
        },
    ];
    let report = pool.test(&rules).await.unwrap();
    assert_eq!((report.fixtures, report.passed), (3, 1));
    let f = &report.failures[0];
    assert_eq!(f.rule_id, "gift-over-mci-limit");
    assert_eq!(
        f.fixture.as_deref(),
        Some("claims a small gift is a finding")
    );
    assert_eq!(
        (f.expected.as_str(), f.actual.as_str()),
        ("finding", "clear")
    );
    let spin = &report.failures[1];
    assert_eq!(spin.rule_id, "spin");
    assert!(spin.actual.starts_with("limit error"), "{}", spin.actual);
}

/// The tenant context sent once as `shared`: every submission's rules see
/// it, a submission's own context key wins over the shared one, clear rules
/// come back by id and a rule for another kind appears nowhere.
#[tokio::test]
async fn shared_context_clear_rules_and_skipped_ones() {
    let (pool, _dir) = pool(1, Duration::from_secs(30));
    let mut rules = gift_rules();
    let mut declarations_only = spin_rule();
    declarations_only.id = "declarations-only".into();
    declarations_only.kinds = vec!["asset_declaration".into()];
    declarations_only.script = "true".into();
    rules.push(declarations_only);
    let lean = |id: &str, value: &str, context: serde_json::Value| SubmissionInput {
        context,
        ..gift(id, value, "120440001234")
    };
    let results = pool
        .evaluate_batch(
            "gifts-and-declarations",
            &rules,
            json!({"mci": {"2026": "4325"}, "open_procurement_bins": ["120440001234"]}),
            vec![
                // Nothing of its own: the shared context alone.
                lean("shared-only", "150000.00", serde_json::Value::Null),
                // Its own open procurements (none) win over the shared ones.
                lean("own-wins", "10.00", json!({"open_procurement_bins": []})),
            ],
        )
        .await
        .unwrap();
    let reported = |i: usize| -> Vec<&str> {
        results[i]
            .outcomes
            .iter()
            .map(RuleOutcome::rule_id)
            .collect()
    };
    assert_eq!(results[0].id, "shared-only");
    // Both rules read the shared context: the MCI and the open BINs.
    assert_eq!(
        reported(0),
        [
            "gift-over-mci-limit",
            "gift-from-open-procurement-counterparty"
        ]
    );
    assert!(results[0].clear.is_empty());
    assert_eq!(results[1].id, "own-wins");
    assert!(reported(1).is_empty(), "{:?}", results[1]);
    assert_eq!(
        results[1].clear,
        [
            "gift-over-mci-limit",
            "gift-from-open-procurement-counterparty"
        ]
    );
    // The declarations-only rule was skipped: neither clear nor reported.
    for r in &results {
        assert!(!r.clear.iter().any(|c| c == "declarations-only"));
        assert!(
            !r.outcomes
                .iter()
                .any(|o| o.rule_id() == "declarations-only")
        );
    }
}

/// A stand-in for `adal-rules serve`, for answers the real one never
/// gives: a shell script (builtins only: the pool clears the environment,
/// PATH included) that says hello with protocol `protocol`, loads
/// anything, and answers every evaluation with `results`.
fn fake_sandbox(dir: &Path, protocol: u32, results: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = format!(
        r#"#!/bin/sh
while IFS= read -r line; do
  id=${{line#*\"id\":}}; id=${{id%%[,\}}]*}}
  case $line in
    *'"op":"hello"'*) echo "{{\"status\":\"hello\",\"id\":$id,\"protocol\":{protocol},\"engine\":\"adal-rules 0.0.1\"}}" ;;
    *'"op":"load"'*) echo "{{\"status\":\"loaded\",\"id\":$id,\"key\":\"k\",\"rules\":1}}" ;;
    *) echo '{{"status":"evaluated","id":'"$id"',"results":{results}}}' ;;
  esac
done
"#
    );
    let path = dir.join(format!("fake-adal-rules-{protocol}"));
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

fn pool_of(binary: PathBuf, dir: &Path) -> SandboxPool {
    SandboxPool::new(SandboxConfig {
        binary,
        pool_size: 1,
        deadline: Duration::from_secs(10),
        memory_mb: 256,
        work_dir: dir.to_path_buf(),
    })
}

/// A sandbox of another protocol version is refused at the handshake
/// (a version 3 sandbox would give no finding's facts).
#[tokio::test]
async fn a_sandbox_of_another_protocol_version_is_refused() {
    let dir = tempfile_dir::Dir::new();
    let pool = pool_of(fake_sandbox(dir.path(), 3, "[]"), dir.path());
    match pool.evaluate("k", &gift_rules(), vec![]).await {
        Err(SandboxError::Protocol(m)) => {
            assert!(m.contains("speaks protocol 3, this service 4"), "{m}")
        }
        other => panic!("expected a protocol error, got {other:?}"),
    }
    assert!(pool.pids().is_empty(), "the refused process is not kept");
    // The same script speaking this version is served: the refusal was
    // the version's alone.
    let dir = tempfile_dir::Dir::new();
    let pool = pool_of(fake_sandbox(dir.path(), 4, "[]"), dir.path());
    assert!(
        pool.evaluate("k", &gift_rules(), vec![])
            .await
            .unwrap()
            .is_empty()
    );
}

/// An answer naming a rule outside the rule set, or with another number
/// of results than submissions, is a protocol error, and the process that
/// gave it is replaced.
#[tokio::test]
async fn an_answer_that_does_not_fit_the_request_is_a_protocol_error() {
    for (results, needle) in [
        (
            r#"[{"id":"g","clear":["no-such-rule"],"outcomes":[]}]"#,
            "names rule \"no-such-rule\", not in the rule set",
        ),
        (r#"[]"#, "0 results for 1 submissions"),
    ] {
        let dir = tempfile_dir::Dir::new();
        let pool = pool_of(fake_sandbox(dir.path(), 4, results), dir.path());
        pool.start().await.unwrap();
        assert_eq!(pool.pids().len(), 1);
        match pool
            .evaluate("k", &gift_rules(), vec![gift("g", "1.00", "")])
            .await
        {
            Err(SandboxError::Protocol(m)) => assert!(m.contains(needle), "{m}"),
            other => panic!("expected a protocol error, got {other:?}"),
        }
        assert!(pool.pids().is_empty(), "the process was not replaced");
    }
}

/// A red-flag pass: releases in, cardinal's report out; unreadable lines
/// and unused settings come back as notes (without the temporary file's
/// path), a bad setting is refused, and a pass past its time is killed.
#[tokio::test]
async fn red_flag_passes_report_notes_and_refusals() {
    let (pool, _dir) = pool(1, Duration::from_secs(10));
    let mut pass = pool
        .start_redflags("[R018]\n[R999]\n", Duration::from_secs(30))
        .await
        .unwrap();
    pass.write_lines(
        b"{\"ocid\":\"ocds-1\",\"tender\":{\"procurementMethod\":\"open\",\"numberOfTenderers\":1}}\nnot json\n",
    )
    .await
    .unwrap();
    let out = pass.finish().await.unwrap();
    assert_eq!(out.report["OCID"], json!({"ocds-1": {"R018": 1.0}}));
    assert!(!out.rule_errors);
    let notes = out.notes.join("\n");
    assert!(notes.contains("R999"), "{notes}");
    assert!(notes.contains("not a JSON object"), "{notes}");
    assert!(!notes.contains("adal-redflags-"), "{notes}");

    let pass = pool
        .start_redflags("[R003]\nthreshold = soon\n", Duration::from_secs(30))
        .await
        .unwrap();
    match pass.finish().await {
        Err(SandboxError::Failed { message, .. }) => {
            assert!(message.contains("threshold"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }

    // A pass that never gets the end of its input runs out of time.
    let started = Instant::now();
    let mut pass = pool
        .start_redflags("[R018]\n", Duration::from_millis(500))
        .await
        .unwrap();
    pass.write_lines(b"{\"ocid\":\"x\"}\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(matches!(
        pass.write_lines(b"{\"ocid\":\"y\"}\n").await,
        Err(SandboxError::Deadline)
    ));
    assert!(started.elapsed() < Duration::from_secs(5));
}
