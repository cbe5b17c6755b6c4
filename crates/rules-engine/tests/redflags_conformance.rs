//! The procurement red flags against the public conformance suite of OCDS
//! Cardinal (`shared/conformance/cardinal/`, see its README): every fixture
//! runs through `adal-rules redflags` with the settings its file name
//! encodes plus the two global settings, and must print its `.expected`.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_adal-rules");

fn fixtures_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/conformance/cardinal/indicators");
    assert!(
        dir.is_dir(),
        "the conformance suite is missing: expected {} (shared/ beside the repository)",
        dir.display()
    );
    dir
}

/// The settings file for a fixture named `CODE[-setting-value...]`: the
/// global settings every fixture runs with, and the indicator's section.
fn settings_for(name: &str) -> String {
    let mut parts = name.split('-');
    let code = parts.next().unwrap();
    let rest: Vec<&str> = parts.collect();
    let mut ini = String::from(
        "no_price_comparison_procurement_methods = NPC\n\
         [exclusions]\n\
         procurement_method_details = EXC\n",
    );
    ini.push_str(&format!("[{code}]\n"));
    match rest.as_slice() {
        // A second fixture of the indicator, with its defaults.
        [] | [_] => {}
        [key, value] => ini.push_str(&format!("{key} = {}\n", value.replace('+', "|"))),
        [table, pairs @ ..] => {
            assert!(pairs.len() % 2 == 0, "{name}: odd key-value pairs");
            ini.push_str(&format!("[{code}.{table}]\n"));
            for kv in pairs.chunks(2) {
                ini.push_str(&format!("{} = {}\n", kv[0], kv[1]));
            }
        }
    }
    ini
}

/// JSON equality with numbers compared as f64 within a small tolerance.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        _ => a == b,
    }
}

/// Runs one fixture; `Err` describes the mismatch.
fn check(dir: &Path, name: &str) -> Result<(), String> {
    let settings = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(settings.path(), settings_for(name)).unwrap();
    let out = Command::new(BIN)
        .arg("redflags")
        .arg("--settings")
        .arg(settings.path())
        .arg("--no-meta")
        .arg(dir.join(format!("{name}.jsonl")))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let actual: Value =
        serde_json::from_str(&stdout).map_err(|e| format!("output is not JSON ({e}): {stdout}"))?;
    let expected_text = std::fs::read_to_string(dir.join(format!("{name}.expected"))).unwrap();
    let expected: Value = serde_json::from_str(&expected_text).unwrap();
    if same(&actual, &expected) {
        Ok(())
    } else {
        Err(format!("expected {expected}\n      got {actual}"))
    }
}

/// Every fixture in the suite, by name (without extension), sorted.
fn all_fixtures(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "jsonl").then(|| p.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_cardinal_fixture_conforms() {
    let dir = fixtures_dir();
    let names = all_fixtures(&dir);
    assert!(
        names.len() >= 15,
        "only {} fixtures in {}",
        names.len(),
        dir.display()
    );
    let failures: Vec<String> = names
        .iter()
        .filter_map(|n| check(&dir, n).err().map(|e| format!("{n}:\n      {e}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures do not conform:\n  {}",
        failures.len(),
        names.len(),
        failures.join("\n  ")
    );
}

#[test]
fn settings_from_file_names() {
    assert!(settings_for("R003").ends_with("[R003]\n"));
    assert!(settings_for("R038-tenderer").ends_with("[R038]\n"));
    assert!(settings_for("R003-threshold-10").ends_with("[R003]\nthreshold = 10\n"));
    assert!(
        settings_for("R003-procurement_methods-open+selective")
            .ends_with("procurement_methods = open|selective\n")
    );
    assert!(
        settings_for("R003-procurement_method_details-x-5-y-10")
            .ends_with("[R003]\n[R003.procurement_method_details]\nx = 5\ny = 10\n")
    );
}

#[test]
fn meta_reports_the_fences_unless_no_meta() {
    let dir = fixtures_dir();
    let settings = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(settings.path(), "[R024]\n[R058]\n").unwrap();
    let out = Command::new(BIN)
        .args(["redflags", "--settings"])
        .arg(settings.path())
        .arg(dir.join("R058.jsonl"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["q1", "q3", "lower_fence"] {
        assert!(v["Meta"]["R024"][key].is_number(), "{v}");
    }
    for key in ["q1", "q3", "upper_fence"] {
        assert!(v["Meta"]["R058"][key].is_number(), "{v}");
    }
}

#[test]
fn standard_input_and_builtin_rules_without_settings() {
    use std::io::Write;
    use std::process::Stdio;
    // Without a settings file every shipped rule runs with its defaults.
    let mut child = Command::new(BIN)
        .args(["redflags", "--no-meta", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(
            br#"{"ocid":"x","tender":{"procurementMethod":"open","numberOfTenderers":1,"tenderPeriod":{"startDate":"2026-03-01T00:00:00Z","endDate":"2026-03-05T00:00:00Z"}}}
not json
"#,
        )
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({"OCID": {"x": {"R003": 1.0, "R018": 1.0}}})
    );
}

#[test]
fn bad_settings_are_usage_errors() {
    let settings = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(settings.path(), "[R003]\nthreshhold = 3\n").unwrap();
    let out = Command::new(BIN)
        .args(["redflags", "--settings"])
        .arg(settings.path())
        .arg("-")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown setting \"threshhold\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
