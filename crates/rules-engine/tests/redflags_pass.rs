//! How `adal-rules redflags` runs, beyond what each indicator computes
//! (that is redflags_conformance.rs): the output does not depend on the
//! number of worker threads, and evaluating a rule once per distinct
//! combination of its declared inputs gives what evaluating it once per
//! contracting process gives.
#![allow(clippy::unwrap_used)]

use adal_rules_engine::library::restrict_to_inputs;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_adal-rules");

const SETTINGS: &str = "no_price_comparison_procurement_methods = NPC\n\
    [exclusions]\nprocurement_method_details = EXC\n\
    [R003]\n[R018]\n[R024]\nthreshold = 0.05\n[R025]\n[R028]\n[R030]\n[R035]\n[R036]\n\
    [R038]\n[R048]\nminimum_contracting_processes = 1\n[R058]\nthreshold = 0.5\n";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Several thousand lines (several chunks for the workers): every
/// conformance fixture's releases, repeated with distinct ocids, with a
/// line that is not JSON and blank lines among them.
fn big_input(dir: &Path) -> PathBuf {
    let fixtures = repo().join("../shared/conformance/cardinal/indicators");
    let mut releases = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    names.sort();
    for path in names {
        for line in std::fs::read_to_string(path).unwrap().lines() {
            if let Ok(v) = serde_json::from_str::<Value>(line) {
                releases.push(v);
            }
        }
    }
    assert!(releases.len() > 100);
    let mut text = String::new();
    for round in 0..40 {
        for (i, r) in releases.iter().enumerate() {
            let mut r = r.clone();
            if let Some(ocid) = r.get("ocid").and_then(Value::as_str) {
                r["ocid"] = json!(format!("{ocid}#{round}.{i}"));
            }
            text.push_str(&r.to_string());
            text.push('\n');
        }
        text.push_str(if round % 2 == 0 { "not json\n" } else { "\n" });
    }
    let path = dir.join("big.jsonl");
    std::fs::write(&path, text).unwrap();
    path
}

fn redflags(dir: &Path, input: &Path, extra: &[&str]) -> Output {
    let settings = dir.join("settings.ini");
    std::fs::write(&settings, SETTINGS).unwrap();
    Command::new(BIN)
        .arg("redflags")
        .args(extra)
        .arg("--settings")
        .arg(settings)
        .arg(input)
        .output()
        .unwrap()
}

#[test]
fn the_output_does_not_depend_on_the_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_input(dir.path());
    let one = redflags(dir.path(), &input, &["--threads", "1"]);
    assert!(
        one.status.success(),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    let v: Value = serde_json::from_slice(&one.stdout).unwrap();
    // Every indicator found something, so the comparison means something.
    let codes: std::collections::BTreeSet<&str> = ["OCID", "Buyer", "ProcuringEntity", "Tenderer"]
        .iter()
        .filter_map(|g| v.get(*g).and_then(Value::as_object))
        .flat_map(|ids| ids.values())
        .filter_map(Value::as_object)
        .flat_map(|codes| codes.keys().map(String::as_str))
        .collect();
    assert_eq!(codes.len(), 11, "{codes:?}");
    // The skipped lines are reported with their line numbers.
    let stderr = String::from_utf8_lossy(&one.stderr);
    assert_eq!(
        stderr.matches("not a JSON object, skipped").count(),
        20,
        "{stderr}"
    );
    for threads in ["2", "3", "8"] {
        let many = redflags(dir.path(), &input, &["--threads", threads]);
        assert!(many.status.success());
        assert!(
            one.stdout == many.stdout,
            "--threads {threads} differs from --threads 1"
        );
        assert_eq!(one.stderr, many.stderr, "--threads {threads}");
    }
}

#[test]
fn rules_with_declared_inputs_give_what_they_give_on_every_fact() {
    let dir = tempfile::tempdir().unwrap();
    let input = big_input(dir.path());
    // The shipped rules without their `inputs`: evaluated once per process
    // on every fact.
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    let mut stripped = 0;
    for entry in std::fs::read_dir(repo().join("rules/procurement")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let kept: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("inputs = "))
            .collect();
        stripped += text.lines().count() - kept.len();
        std::fs::write(rules.join(path.file_name().unwrap()), kept.join("\n")).unwrap();
    }
    assert_eq!(stripped, 6, "the six per-process rules declare inputs");
    let memoized = redflags(dir.path(), &input, &[]);
    let per_process = redflags(dir.path(), &input, &["--rules", rules.to_str().unwrap()]);
    assert!(memoized.status.success() && per_process.status.success());
    assert!(memoized.stdout == per_process.stdout);
}

#[test]
fn an_input_that_is_not_a_fact_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    for id in ["R018"] {
        for ext in ["toml", "rhai"] {
            let name = format!("{id}.{ext}");
            let text = std::fs::read_to_string(repo().join("rules/procurement").join(&name))
                .unwrap()
                .replace(
                    "inputs = [\"number_of_tenderers\"",
                    "inputs = [\"tenderers\"",
                );
            std::fs::write(rules.join(name), text).unwrap();
        }
    }
    let input = dir.path().join("one.jsonl");
    std::fs::write(&input, "{\"ocid\":\"x\"}\n").unwrap();
    let out = Command::new(BIN)
        .args(["redflags", "--rules"])
        .arg(&rules)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("R018: input \"tenderers\" is not a fact of a contracting process"),
        "{stderr}"
    );
}

#[test]
fn a_rule_with_inputs_sees_only_them() {
    let payload = json!({"ocid": "x", "a": 1, "b": [2]});
    assert_eq!(
        restrict_to_inputs(&payload, &["b".into(), "c".into()]),
        json!({"b": [2]})
    );
    // No declared inputs: the whole payload.
    assert_eq!(restrict_to_inputs(&payload, &[]), payload);
}

#[test]
fn threads_must_be_a_positive_integer() {
    for bad in ["0", "two", "-1"] {
        let out = Command::new(BIN)
            .args(["redflags", "--threads", bad, "-"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--threads {bad}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--threads takes a positive integer"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
