//! The real `adal-rules` binary: the serve protocol over stdin/stdout and the
//! `test` subcommand.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use adal_sandbox_protocol::{
    FailureCode, Request, Response, RuleErrorKind, RuleOutcome, RuleSource, Severity,
    SubmissionInput,
};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_adal-rules");

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules")
}

struct Sandbox {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Sandbox {
    fn start() -> Self {
        Self::start_with(&[])
    }

    fn start_with(args: &[&str]) -> Self {
        let mut child = Command::new(BIN)
            .arg("serve")
            .args(args)
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn adal-rules serve");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Sandbox {
            child,
            stdin,
            stdout,
        }
    }

    fn send_line(&mut self, line: &str) -> Response {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
        let mut out = String::new();
        assert!(
            self.stdout.read_line(&mut out).unwrap() > 0,
            "sandbox closed stdout"
        );
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("bad response {out:?}: {e}"))
    }

    fn send(&mut self, req: &Request) -> Response {
        self.send_line(&serde_json::to_string(req).unwrap())
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rule(id: &str, script: &str) -> RuleSource {
    RuleSource {
        id: id.into(),
        kinds: vec!["gift".into()],
        script: script.into(),
        severity: Severity::High,
        likelihood: 2,
        impact: 4,
        params: [("limit_mci".to_string(), json!(2))].into(),
    }
}

fn gift(id: &str, value: &str) -> SubmissionInput {
    SubmissionInput {
        id: id.into(),
        kind: "gift".into(),
        payload: json!({"direction": "received", "giver_name": "Alpha LLP", "description": "Watch",
                        "value_kzt": value, "date": "2026-03-01"}),
        context: json!({"mci": {"2026": "4325"}}),
    }
}

#[test]
fn check_load_and_evaluate_over_stdio() {
    let mut sb = Sandbox::start();
    assert!(matches!(
        sb.send(&Request::Hello { id: 1 }),
        Response::Hello {
            id: 1,
            protocol: adal_sandbox_protocol::PROTOCOL_VERSION,
            ..
        }
    ));

    let over = rule(
        "over",
        "money(submission.value_kzt) > mci(context, submission.date) * params.limit_mci",
    );
    let spin = rule("spin", "loop {}");
    let broken = rule("broken", "let x = ;");

    match sb.send(&Request::Check {
        id: 2,
        rules: vec![over.clone(), broken.clone()],
    }) {
        Response::Checked { id: 2, errors } => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].rule_id, "broken");
            assert_eq!(errors[0].position.map(|p| (p.line, p.column)), Some((1, 9)));
        }
        other => panic!("{other:?}"),
    }
    match sb.send(&Request::Load {
        id: 3,
        key: "bad".into(),
        rules: vec![over.clone(), broken],
    }) {
        Response::Failed {
            id: 3,
            code: FailureCode::CompileFailed,
            errors,
            ..
        } => assert_eq!(errors.len(), 1),
        other => panic!("{other:?}"),
    }
    match sb.send(&Request::Evaluate {
        id: 4,
        key: "bad".into(),
        shared: serde_json::Value::Null,
        submissions: vec![gift("g", "1")],
    }) {
        Response::Failed {
            id: 4,
            code: FailureCode::UnknownRuleSet,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        sb.send(&Request::Load {
            id: 5,
            key: "v1".into(),
            rules: vec![spin, over]
        }),
        Response::Loaded {
            id: 5,
            rules: 2,
            ..
        }
    ));
    let req = Request::Evaluate {
        id: 6,
        key: "v1".into(),
        shared: serde_json::Value::Null,
        submissions: vec![gift("big", "150000.00"), gift("small", "8650.00")],
    };
    match sb.send(&req) {
        Response::Evaluated { id: 6, results } => {
            assert_eq!(results.len(), 2);
            assert_eq!(results[0].id, "big");
            assert!(
                matches!(&results[0].outcomes[0], RuleOutcome::Error { kind: RuleErrorKind::Limit, message, .. } if message.contains("operations"))
            );
            assert!(
                matches!(&results[0].outcomes[1], RuleOutcome::Finding { rule_id, severity: Severity::High, .. } if rule_id == "over")
            );
            // Clear rules are listed by id, not as outcomes.
            assert_eq!(results[0].clear, Vec::<String>::new());
            assert_eq!(results[1].clear, ["over"]);
            assert_eq!(results[1].outcomes.len(), 1);
        }
        other => panic!("{other:?}"),
    }
}

/// Protocol 3: the shared context reaches every submission's rules under
/// its own context (whose keys win), clear rules come back as ids, and
/// rules of other kinds appear nowhere.
#[test]
fn shared_context_clear_ids_and_no_skipped_outcomes_over_stdio() {
    let mut sb = Sandbox::start();
    let over = rule(
        "over",
        "money(submission.value_kzt) > mci(context, submission.date) * params.limit_mci",
    );
    // Reads a shared key the submission may override.
    let today = rule(
        "today",
        r#"if context.today == "2026-11-24" { () } else { context.today }"#,
    );
    let mut decl = rule("decl-only", "true");
    decl.kinds = vec!["asset_declaration".into()];
    assert!(matches!(
        sb.send(&Request::Load {
            id: 1,
            key: "k".into(),
            rules: vec![over, today, decl]
        }),
        Response::Loaded { rules: 3, .. }
    ));
    let bare = |id: &str, value: &str, context: serde_json::Value| SubmissionInput {
        context,
        ..gift(id, value)
    };
    let req = Request::Evaluate {
        id: 2,
        key: "k".into(),
        shared: json!({"mci": {"2026": "4325"}, "today": "2026-11-24"}),
        submissions: vec![
            bare("big", "150000.00", serde_json::Value::Null),
            bare("small", "10.00", json!({"today": "2027-01-01"})),
        ],
    };
    match sb.send(&req) {
        Response::Evaluated { id: 2, results } => {
            // `over` read the MCI from the shared context alone.
            assert_eq!(results[0].clear, ["today"]);
            assert!(
                matches!(&results[0].outcomes[..], [RuleOutcome::Finding { rule_id, .. }] if rule_id == "over"),
                "{results:?}"
            );
            // The submission's `today` won over the shared one.
            assert_eq!(results[1].clear, ["over"]);
            assert!(
                matches!(&results[1].outcomes[..], [RuleOutcome::Finding { rule_id, explanation, .. }]
                    if rule_id == "today" && explanation == "2027-01-01"),
                "{results:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    // No skipped outcome on the wire: the answer never names `decl-only`.
    let line = serde_json::to_string(&sb.send(&req)).unwrap();
    assert!(
        !line.contains("decl-only") && !line.contains("skipped"),
        "{line}"
    );

    // A shared context that is not an object, or a submission context
    // that cannot be merged with one, is a bad request.
    for (shared, context) in [
        (json!(["not", "an", "object"]), serde_json::Value::Null),
        (json!({"today": "2026-11-24"}), json!("text")),
    ] {
        let req = Request::Evaluate {
            id: 3,
            key: "k".into(),
            shared,
            submissions: vec![bare("g", "1", context)],
        };
        assert!(
            matches!(
                sb.send(&req),
                Response::Failed {
                    id: 3,
                    code: FailureCode::BadRequest,
                    ..
                }
            ),
            "{req:?}"
        );
    }
}

#[test]
fn garbage_gets_failed_and_the_next_request_still_works() {
    let mut sb = Sandbox::start();
    match sb.send_line("this is not json {") {
        Response::Failed {
            id: 0,
            code: FailureCode::BadRequest,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    match sb.send_line(r#"{"op":"launch_missiles","id":9}"#) {
        Response::Failed {
            id: 9,
            code: FailureCode::BadRequest,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    match sb.send_line("\u{0}\u{1}\u{7f}") {
        Response::Failed {
            id: 0,
            code: FailureCode::BadRequest,
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        sb.send(&Request::Hello { id: 10 }),
        Response::Hello { id: 10, .. }
    ));
}

#[test]
fn a_rule_cannot_write_to_stdout() {
    let mut sb = Sandbox::start();
    let noisy = rule(
        "noisy",
        r#"print("{\"status\":\"hello\"}"); debug(1); true"#,
    );
    assert!(matches!(
        sb.send(&Request::Load {
            id: 1,
            key: "k".into(),
            rules: vec![noisy]
        }),
        Response::Loaded { .. }
    ));
    let req = Request::Evaluate {
        id: 2,
        key: "k".into(),
        shared: serde_json::Value::Null,
        submissions: vec![gift("g", "1")],
    };
    assert!(matches!(sb.send(&req), Response::Evaluated { id: 2, .. }));
    assert!(matches!(
        sb.send(&Request::Hello { id: 3 }),
        Response::Hello { id: 3, .. }
    ));
}

#[test]
fn test_subcommand_passes_on_the_standard_library() {
    let out = Command::new(BIN)
        .arg("test")
        .arg(rules_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" 0 failed"), "{stdout}");
}

#[test]
fn test_subcommand_fails_on_a_broken_fixture() {
    let dir = tempfile::tempdir().unwrap();
    let src = rules_dir().join("gifts");
    let nested = dir.path().join("gifts");
    std::fs::create_dir(&nested).unwrap();
    for f in ["gift-over-mci-limit.rhai", "gift-over-mci-limit.toml"] {
        std::fs::copy(src.join(f), nested.join(f)).unwrap();
    }
    // Flip one fixture's expectation: the gift at exactly the limit is clear,
    // so expecting a finding must fail.
    let meta = nested.join("gift-over-mci-limit.toml");
    let text = std::fs::read_to_string(&meta).unwrap();
    let broken = text.replacen(
        "name = \"gift exactly at the limit is allowed\"\nexpect = \"clear\"",
        "name = \"gift exactly at the limit is allowed\"\nexpect = \"finding\"",
        1,
    );
    assert_ne!(text, broken, "fixture to break not found");
    std::fs::write(&meta, broken).unwrap();

    let out = Command::new(BIN)
        .arg("test")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout.contains("FAIL gift-over-mci-limit / \"gift exactly at the limit is allowed\": expected finding, got clear"),
        "{stdout}"
    );
    assert!(stdout.contains("1 failed"), "{stdout}");
}

#[test]
fn test_subcommand_names_the_file_with_bad_metadata() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.rhai"), "true").unwrap();
    std::fs::write(
        dir.path().join("r.toml"),
        r#"id = "r"
title = "t"
area = "a"
guideline_section = "s"
severity = "low"
likelihood = 9
impact = 1
legal_basis = "l"
"#,
    )
    .unwrap();
    let out = Command::new(BIN)
        .arg("test")
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("r.toml") && stderr.contains("likelihood"),
        "{stderr}"
    );
}

/// `--rule-time-ms`: a rule past its time is answered as a limit error
/// naming it, by the same process, and the other rules' outcomes come too.
#[test]
fn serve_stops_a_rule_past_its_time_and_answers_the_rest() {
    let mut sb = Sandbox::start_with(&["--rule-time-ms", "200"]);
    // Within its operations (each `contains` scans 10,000 elements in one),
    // far past its time.
    let slow = rule(
        "slow",
        "let a = [];\na.pad(10000, 0);\nloop { a.contains(-1); }",
    );
    let over = rule(
        "over",
        "money(submission.value_kzt) > mci(context, submission.date) * params.limit_mci",
    );
    assert!(matches!(
        sb.send(&Request::Load {
            id: 1,
            key: "k".into(),
            rules: vec![slow, over]
        }),
        Response::Loaded {
            id: 1,
            rules: 2,
            ..
        }
    ));
    let req = Request::Evaluate {
        id: 2,
        key: "k".into(),
        shared: serde_json::Value::Null,
        submissions: vec![gift("big", "150000.00")],
    };
    match sb.send(&req) {
        Response::Evaluated { id: 2, results } => {
            match &results[0].outcomes[0] {
                RuleOutcome::Error {
                    rule_id,
                    kind: RuleErrorKind::Limit,
                    message,
                    position,
                } => {
                    assert_eq!(rule_id, "slow");
                    assert_eq!(message, "time limit (200 ms) exceeded");
                    assert_eq!(position.map(|p| p.line), Some(3));
                }
                other => panic!("{other:?}"),
            }
            assert!(
                matches!(&results[0].outcomes[1], RuleOutcome::Finding { rule_id, .. } if rule_id == "over")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        sb.send(&Request::Hello { id: 3 }),
        Response::Hello { id: 3, .. }
    ));
}

/// Whatever `serve` says about running unconfined, it says before its file
/// size limit (0) is set: a later write to a stderr that is a regular file
/// would kill it.
#[test]
fn serve_unconfined_with_stderr_to_a_file_still_serves() {
    let dir = tempfile::tempdir().unwrap();
    let log = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    let mut child = Command::new(BIN)
        .args(["serve", "--no-confine"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    writeln!(stdin, r#"{{"op":"hello","id":1}}"#).unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success(), "{line}");
    assert!(line.contains("hello"), "{line}");
    let said = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    assert!(said.contains("--no-confine"), "{said}");
}

#[test]
fn serve_refuses_bad_options() {
    for args in [
        &["serve", "--rule-time-ms", "0"][..],
        &["serve", "--rule-time-ms"],
        &["serve", "--memory-mb", "x"],
        &["serve", "--confine"],
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("usage:"),
            "{args:?}"
        );
    }
}

/// What `adal-rules confinement-probe` saw: for each attempt (open a file,
/// connect a socket, start a process), 0 or its errno.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn confinement_probe(extra: &[&str]) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("secret.txt");
    std::fs::write(&file, "not for tenants").unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let out = Command::new(BIN)
        .arg("confinement-probe")
        .arg(&file)
        .arg(&addr)
        .args(extra)
        .env_clear()
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The confined process can neither open a file, nor connect a socket, nor
/// start a process, whatever code asks (here plain Rust in the binary, not
/// a rule): each fails with EPERM, where the same attempts succeeded in
/// the same process a moment before it confined itself.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
#[test]
fn the_confined_sandbox_cannot_open_files_sockets_or_processes() {
    let ok = json!({"open": 0, "connect": 0, "spawn": 0});
    let eperm = json!({"open": 1, "connect": 1, "spawn": 1});
    let confined = confinement_probe(&[]);
    assert_eq!(confined["before"], ok, "{confined}");
    assert_eq!(confined["after"], eperm, "{confined}");
    // The filter is all that changed: without it, the same attempts work.
    let unconfined = confinement_probe(&["--no-confine"]);
    assert_eq!(unconfined["after"], ok, "{unconfined}");
}

#[cfg(target_os = "linux")]
#[test]
fn serve_limits_its_own_resources() {
    let mut child = Command::new(BIN)
        .args(["serve", "--memory-mb", "300"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    // Once it answers, the limits are in place (they are set before reading).
    writeln!(stdin, r#"{{"op":"hello","id":1}}"#).unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert!(line.contains("hello"), "{line}");
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", child.id())).unwrap();
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let row = |name: &str| -> Vec<String> {
        let l = limits
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name} in {limits}"));
        l[name.len()..]
            .split_whitespace()
            .take(2)
            .map(String::from)
            .collect()
    };
    assert_eq!(
        row("Max address space"),
        [(300u64 << 20).to_string(), (300u64 << 20).to_string()]
    );
    assert_eq!(row("Max file size"), ["0", "0"]);
    assert_eq!(row("Max open files"), ["16", "16"]);
    assert_eq!(row("Max core file size"), ["0", "0"]);
    // Mode 2: a seccomp filter, on every thread.
    #[cfg(target_arch = "x86_64")]
    {
        assert!(status.contains("\nSeccomp:\t2\n"), "{status}");
        assert!(status.contains("\nNoNewPrivs:\t1\n"), "{status}");
    }
    let _ = status;
}

/// Writes a one-rule library whose metadata ends with `params` and whose
/// script is `script`, and runs `adal-rules test` on it.
fn test_one_rule(params: &str, script: &str) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.rhai"), script).unwrap();
    std::fs::write(
        dir.path().join("r.toml"),
        format!(
            r#"id = "r"
title = "t"
area = "hr"
guideline_section = "s"
kinds = ["gift"]
severity = "low"
likelihood = 1
impact = 1
legal_basis = "l"

[[fixtures]]
name = "anything"
expect = "clear"
submission = {{ kind = "gift", payload = {{ n = 1 }} }}
{params}"#
        ),
    )
    .unwrap();
    let out = Command::new(BIN)
        .arg("test")
        .arg(dir.path())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn test_subcommand_checks_parameter_declarations() {
    let (ok, _, stderr) = test_one_rule(
        "[params.limit_days]\ntype = \"integer\"\ndefault = 0\nunit = \"days\"\nmin = 1\nmax = 30\n",
        "false",
    );
    assert!(!ok);
    assert!(
        stderr.contains("limit_days") && stderr.contains("below the minimum 1"),
        "{stderr}"
    );
    let (ok, _, stderr) = test_one_rule(
        "[params.limit]\ntype = \"integer\"\ndefault = 3\nunit = \"mci\"\n",
        "false",
    );
    assert!(!ok);
    assert!(stderr.contains("unit \"mci\""), "{stderr}");
    let (ok, _, stderr) = test_one_rule(
        "[params.who]\ntype = \"string\"\ndefault = \"a\"\nmax = 3\n",
        "false",
    );
    assert!(!ok);
    assert!(stderr.contains("min and max apply to"), "{stderr}");
    let (ok, stdout, _) = test_one_rule(
        "[params.limit]\ntype = \"integer\"\ndefault = 3\nunit = \"MCI\"\nmin = 1\n",
        "params.limit > 5",
    );
    assert!(ok, "{stdout}");
}

#[test]
fn test_subcommand_rejects_a_script_reading_an_undeclared_parameter() {
    let (ok, stdout, _) = test_one_rule(
        "[params.limit]\ntype = \"integer\"\ndefault = 3\n",
        "params.limit > 5 && params.limt < 2",
    );
    assert!(!ok);
    assert!(
        stdout.contains("FAIL r: expected every parameter the script reads to be declared, got params.limt not declared"),
        "{stdout}"
    );
}

#[test]
fn fixtures_run_over_stdio_with_their_own_params() {
    use adal_sandbox_protocol::{Expect, Fixture, FixtureSubmission, RuleUnderTest};
    let mut sb = Sandbox::start();
    let over = rule(
        "over",
        "money(submission.value_kzt) > mci(context, submission.date) * params.limit_mci",
    );
    let g = gift("x", "10000.00");
    let fixture = |name: &str, expect, params: Option<i64>| Fixture {
        name: name.into(),
        submission: FixtureSubmission {
            kind: g.kind.clone(),
            payload: g.payload.clone(),
            context: g.context.clone(),
        },
        expect,
        expect_severity: None,
        params: params
            .map(|p| [("limit_mci".to_string(), json!(p))].into())
            .unwrap_or_default(),
    };
    let rules = vec![
        RuleUnderTest {
            rule: over.clone(),
            fixtures: vec![
                fixture("over the default of 2 MCI", Expect::Finding, None),
                fixture("under 5 MCI", Expect::Clear, Some(5)),
                fixture("wrongly expects clear", Expect::Clear, None),
            ],
            inputs: Vec::new(),
        },
        RuleUnderTest {
            rule: rule("untested", "true"),
            fixtures: vec![],
            inputs: Vec::new(),
        },
    ];
    match sb.send(&Request::Test { id: 7, rules }) {
        Response::Tested { id: 7, report } => {
            assert_eq!((report.rules, report.fixtures, report.passed), (2, 3, 2));
            assert_eq!(report.failures.len(), 2, "{:?}", report.failures);
            let f = &report.failures[0];
            assert_eq!(f.rule_id, "over");
            assert_eq!(f.fixture.as_deref(), Some("wrongly expects clear"));
            assert_eq!(f.expected, "clear");
            assert!(f.actual.starts_with("finding (high)"), "{}", f.actual);
            assert_eq!(report.failures[1].rule_id, "untested");
            assert_eq!(report.failures[1].fixture, None);
        }
        other => panic!("{other:?}"),
    }
}

/// Every subcommand answers `--help` (also `-h`, after other arguments,
/// and `help SUBCOMMAND`) with its usage on stdout and exit status 0, and
/// does nothing else: `serve --help` serves nothing.
#[test]
fn every_subcommand_answers_help() {
    let run = |args: &[&str]| {
        Command::new(BIN)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    for sub in ["serve", "test", "eval", "redflags", "confinement-probe"] {
        for args in [
            vec![sub, "--help"],
            vec![sub, "-h"],
            vec!["help", sub],
            vec![sub, "x", "--help"],
        ] {
            let out = run(&args);
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{args:?}: {:?}", out.status);
            assert!(
                stdout.starts_with(&format!("usage: adal-rules {sub}")),
                "{args:?}: {stdout}"
            );
            assert!(out.stderr.is_empty(), "{args:?}");
        }
    }
    let out = run(&["--help"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for sub in ["serve", "test DIR", "eval --rules", "redflags"] {
        assert!(stdout.contains(&format!("adal-rules {sub}")), "{stdout}");
    }
    // An unknown subcommand's help is a usage error.
    assert_eq!(run(&["frobnicate", "--help"]).status.code(), Some(2));
}
