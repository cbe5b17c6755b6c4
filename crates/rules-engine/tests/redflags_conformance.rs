//! The procurement red flags against the public conformance suite of OCDS
//! Cardinal (`shared/conformance/cardinal/`, see its README): every fixture
//! runs through `adal-rules redflags` with the settings its file name
//! encodes plus the two global settings, and must print its `.expected`.
#![allow(clippy::unwrap_used)]
// The helpers unwrap; clippy.toml covers only #[test] functions.

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

/// Runs `redflags --settings` with `settings` on a conformance fixture;
/// returns (exit code, stdout as JSON or null, stderr).
fn redflags_with(settings: &str, fixture: &str) -> (Option<i32>, Value, String) {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), settings).unwrap();
    let out = Command::new(BIN)
        .args(["redflags", "--no-meta", "--settings"])
        .arg(file.path())
        .arg(fixtures_dir().join(fixture))
        .output()
        .unwrap();
    (
        out.status.code(),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_values_of_used_settings_are_usage_errors() {
    let (code, _, stderr) = redflags_with("[R003]\nthreshold = soon\n", "R003.jsonl");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("[R003] threshold: \"soon\" is not an integer"),
        "{stderr}"
    );
}

/// The sections and keys of the settings file `ocdscardinal init` writes
/// (every key filled in; `init` writes them commented out): global keys,
/// `prepare`'s sections, `[exclusions]` and every indicator's section.
const CARDINAL_INIT: &str = "\
currency = USD
no_price_comparison_procurement_methods = Random Selection
price_comparison_procurement_methods = Reverse Auction
[defaults]
currency = USD
item_classification_scheme = UNSPSC
bid_status = valid
award_status = active
party_roles = true
[redactions]
amount = 0
organization_id = placeholder
[corrections]
award_status_by_contract_status = true
[modifications]
move_auctions = true
prefix_buyer_or_procuring_entity_id = DO-UC-
prefix_tenderer_or_supplier_id = DO-RPE-
split_procurement_method_details = -
[codelists.bid_status]
qualified = valid
[codelists.award_status]
Active = active
[exclusions]
procurement_method_details = Random Selection
[R003]
threshold = 15
procurement_methods = open|selective|limited
[R003.procurement_method_details]
emergency = 10
international = 25
[R018]
procurement_methods = open|selective
[R024]
threshold = 0.05
[R025]
percentile = 75
threshold = 0.05
[R028]
[R030]
[R035]
threshold = 1
[R036]
[R038]
threshold = 0.5
minimum_submitted_bids = 2
minimum_contracting_processes = 2
[R044]
[R048]
digits = 2
threshold = 10
minimum_contracting_processes = 20
[R058]
threshold = 0.5
";

/// The whole file `ocdscardinal init` writes is accepted, as written
/// (keys commented out) and filled in: what redflags does not use is
/// noted on stderr and ignored, and the result is the one the settings it
/// uses give alone.
#[test]
fn the_whole_cardinal_init_file_is_accepted() {
    let as_written: String = CARDINAL_INIT
        .lines()
        .map(|l| {
            if l.starts_with('[') {
                format!("{l}\n")
            } else {
                format!("; {l}\n")
            }
        })
        .collect();
    for settings in [as_written.as_str(), CARDINAL_INIT] {
        let (code, out, stderr) = redflags_with(settings, "R003.jsonl");
        assert_eq!(code, Some(0), "{stderr}");
        assert!(out.is_object(), "{stderr}");
        assert!(
            stderr.contains(
                "[defaults], [redactions], [corrections], [modifications], \
                 [codelists.bid_status], [codelists.award_status] not used here"
            ),
            "{stderr}"
        );
        assert!(
            stderr.contains("[R044]: indicator R044 is not implemented; skipped"),
            "{stderr}"
        );
    }
    // Filled in, the used settings decide the result: the same file with
    // only them gives the same output.
    let unused = [
        "[defaults]",
        "[redactions]",
        "[corrections]",
        "[modifications]",
        "[codelists.",
        "[R044]",
    ];
    let mut keep = true;
    let used: String = CARDINAL_INIT
        .lines()
        .filter(|l| {
            if l.starts_with('[') {
                keep = !unused.iter().any(|u| l.starts_with(u));
            }
            keep
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let mut flagged = 0;
    for fixture in ["R003.jsonl", "R025.jsonl", "R038.jsonl", "R058.jsonl"] {
        let (code, full, stderr) = redflags_with(CARDINAL_INIT, fixture);
        assert_eq!(code, Some(0), "{stderr}");
        let (code, alone, stderr) = redflags_with(&used, fixture);
        assert_eq!(code, Some(0), "{used}\n{stderr}");
        assert!(!stderr.contains("ignored"), "{used}\n{stderr}");
        assert_eq!(full, alone, "{fixture}");
        flagged += usize::from(full.as_object().is_some_and(|o| !o.is_empty()));
    }
    assert!(
        flagged > 0,
        "no fixture flagged anything: a weak comparison"
    );
}

/// Keys and sections nobody declares are noted and ignored, not refused.
#[test]
fn unknown_settings_are_noted_and_ignored() {
    let (code, out, stderr) = redflags_with(
        "fixed_price_procurement_methods = Random Selection\n\
         [output]\nformat = json\n\
         [exclusions]\nprocurement_methods = direct\n\
         [R003]\nthreshhold = 3\n\
         [R003.nothing_of_the_kind]\nx = 1\n",
        "R003.jsonl",
    );
    assert_eq!(code, Some(0), "{stderr}");
    for note in [
        "setting \"fixed_price_procurement_methods\" is not used here; ignored",
        "[output] not used here",
        "[exclusions]: setting \"procurement_methods\" is not used here; ignored",
        "[R003]: setting \"threshhold\" is not used here; ignored",
        "[R003.nothing_of_the_kind]: R003 has no table setting \"nothing_of_the_kind\"; ignored",
    ] {
        assert!(stderr.contains(note), "{note:?} not in:\n{stderr}");
    }
    // R003 still ran, with its default threshold.
    let (_, defaults, _) = redflags_with("[R003]\n", "R003.jsonl");
    assert_eq!(out, defaults);
}

/// `--confine` (how the service runs a tenant's red flags): the same
/// results as unconfined, from standard input, on one thread; a FILE or
/// more threads are refused before anything is read.
#[test]
fn confined_runs_agree_with_unconfined_ones() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = fixtures_dir();
    let settings = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(settings.path(), "[R024]\n[R058]\n[R003]\n").unwrap();
    let mut input = std::fs::read(dir.join("R003.jsonl")).unwrap();
    input.extend(std::fs::read(dir.join("R058.jsonl")).unwrap());
    let run = |extra: &[&str]| {
        let mut child = Command::new(BIN)
            .arg("redflags")
            .args(extra)
            .arg("--settings")
            .arg(settings.path())
            .arg("-")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let free = run(&[]);
    assert!(
        free["OCID"].as_object().is_some_and(|o| !o.is_empty()),
        "{free}"
    );
    assert!(free["Meta"]["R058"]["upper_fence"].is_number(), "{free}");
    assert_eq!(run(&["--confine"]), free);
    assert_eq!(run(&["--confine", "--memory-mb", "256"]), free);

    for (args, says) in [
        (
            vec!["--confine", "x.jsonl"],
            "--confine reads standard input only",
        ),
        (vec!["--confine", "--threads", "2", "-"], "one thread"),
        (vec!["--memory-mb", "64", "-"], "with --confine only"),
        (
            vec!["--confine", "--memory-mb", "0", "-"],
            "positive integer",
        ),
    ] {
        let out = Command::new(BIN)
            .arg("redflags")
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
}
