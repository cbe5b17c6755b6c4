//! The procurement red flags in the service: a tenant's OCDS import ends
//! with its red flags evaluated, by the rules and parameters of its own
//! standard, with the same values as `adal-rules redflags` on the same
//! releases; each flag is a finding of its indicator, shown with its
//! process, and closes when the process no longer shows it.

use crate::records::{Running, Tenant, adopt_library, counts, import, start_with, tenant};
use adal_blackbox::*;
use anyhow::Result;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// Cardinal's groups and the `on` the service names them by.
const GROUPS: [(&str, &str); 4] = [
    ("OCID", "process"),
    ("Buyer", "buyer"),
    ("ProcuringEntity", "procuring_entity"),
    ("Tenderer", "tenderer"),
];

fn round4(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// The release of `ocid` among JSON lines.
fn release_of(releases: &str, ocid: &str) -> Value {
    releases
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["ocid"] == ocid)
        .unwrap()
}

/// Whether the procurement officer sees `indicator` fire on `ocid`.
async fn flagged(run: &Running, t: &Tenant, ocid: &str, indicator: &str) -> Result<bool> {
    let p = run
        .api
        .get(
            &t.procurement,
            &format!("/tenants/{}/procurements/{ocid}", t.id),
        )
        .await?;
    assert_eq!(p.status, 200, "{}", p.text);
    Ok(p.body["red_flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["indicator"] == indicator))
}

/// The tenant's newest dataset run asked for with `trigger` (an import, a
/// procurement filed), once more than `after` have been asked for and all
/// have ended.
async fn triggered_run(run: &Running, t: &Tenant, trigger: &str, after: usize) -> Result<Value> {
    let runs = run
        .api
        .get_until(
            &t.compliance,
            &format!("/tenants/{}/dataset-runs", t.id),
            Duration::from_secs(180),
            "the dataset run an import or a filing asked for",
            |b| {
                let imports: Vec<&Value> = b
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| r["trigger"] == trigger)
                    .collect();
                imports.len() > after
                    && imports
                        .iter()
                        .all(|r| r["status"] == "done" || r["status"] == "failed")
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}\nworker log:\n{}", run.dep.log("worker")))?;
    // Newest first.
    Ok(runs
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["trigger"] == trigger)
        .unwrap()
        .clone())
}

/// The open findings of the tenant's red-flag rules, per indicator, once
/// every red-flag record is evaluated.
async fn open_flag_findings(run: &Running, t: &Tenant) -> Result<BTreeMap<String, usize>> {
    let tid = &t.id;
    run.api
        .get_until(
            &t.compliance,
            &format!(
                "/tenants/{tid}/submissions?kind=procurement_red_flag&status=received&limit=1"
            ),
            Duration::from_secs(120),
            "every red-flag record evaluated",
            |b| b["total"].as_u64() == Some(0),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}\nworker log:\n{}", run.dep.log("worker")))?;
    let mut by_rule = BTreeMap::new();
    let mut offset = 0;
    loop {
        let page = run
            .api
            .get(
                &t.compliance,
                &format!(
                    "/tenants/{tid}/findings?area=procurement&status=open&limit=200&offset={offset}"
                ),
            )
            .await?;
        assert_eq!(page.status, 200, "{}", page.text);
        let items = page.body["items"].as_array().unwrap();
        for f in items {
            let rule = f["rule_id"].as_str().unwrap();
            if rule.len() == 4 && rule.starts_with('R') {
                *by_rule.entry(rule.to_owned()).or_default() += 1;
            }
        }
        offset += items.len();
        if items.is_empty() || offset as u64 >= page.body["total"].as_u64().unwrap() {
            return Ok(by_rule);
        }
    }
}

/// `adal-rules redflags --no-meta --settings SETTINGS FILE`.
fn reference(settings: &str, releases: &str) -> Result<Value> {
    let dir = temp_dir("redflags-reference");
    std::fs::create_dir_all(&dir)?;
    let (ini, data) = (dir.join("settings.ini"), dir.join("releases.jsonl"));
    std::fs::write(&ini, settings)?;
    std::fs::write(&data, releases)?;
    let out = std::process::Command::new(rules_binary())
        .args(["redflags", "--no-meta", "--settings"])
        .arg(&ini)
        .arg(&data)
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "adal-rules redflags: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ocds_import_ends_with_its_red_flags_as_findings() -> Result<()> {
    // The scheduler stays out of it: the only runs are the ones imports
    // ask for.
    let run = start_with(&[("ADAL_WORKER__DATASET_INTERVAL_SECS", "0")]).await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "samruk", "08044000145").await?;
    let other = tenant(api, &run.platform, "kegoc", "04034000157").await?;
    let tid = t.id.clone();

    // The standard: the whole library, R003 with a threshold of its own.
    adopt_library(api, &t, json!({"R003": {"threshold": 20}})).await?;

    // 300 processes shaped so that every indicator fires somewhere.
    let out = std::process::Command::new("python3")
        .arg(repo_root().join("tests/load/gen_ocds.py"))
        .args(["--processes", "300", "--seed", "7"])
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let releases = String::from_utf8(out.stdout)?;
    let i = import(
        &run,
        &t.procurement,
        &tid,
        "ocds",
        "processes.jsonl",
        "application/x-ndjson",
        releases.clone(),
    )
    .await?;
    assert_eq!(i["status"], "done", "{i}");
    assert_eq!(counts(&i), (300, 0, 0), "{i}");

    // The import asked for the run; it reports what it computed.
    let ds = triggered_run(&run, &t, "import", 0).await?;
    assert_eq!(ds["status"], "done", "{ds}");
    let rf = &ds["computed"]["red_flags"];
    assert_eq!(rf["processes"], 300, "{rf}");
    assert_eq!(rf["indicators"].as_array().map(Vec::len), Some(11), "{rf}");
    assert_eq!(rf["rule_errors"], false, "{rf}");
    let settings = rf["settings"].as_str().unwrap();
    assert!(settings.contains("[R003]\n"), "{settings}");
    assert!(settings.contains("threshold = 20\n"), "{settings}");
    // Fences come from the tenant's data.
    assert!(rf["meta"]["R024"]["lower_fence"].is_number(), "{rf}");

    // The same values as the command line on the same releases.
    let want = reference(settings, &releases)?;
    let mut per_indicator: BTreeMap<String, usize> = BTreeMap::new();
    for (group, _) in GROUPS {
        for codes in want[group].as_object().into_iter().flat_map(|o| o.values()) {
            for code in codes.as_object().unwrap().keys() {
                *per_indicator.entry(code.clone()).or_default() += 1;
            }
        }
    }
    assert!(per_indicator.len() >= 8, "few indicators fired: {want}");
    assert_eq!(rf["flags"], json!(per_indicator), "{rf}");
    // Each a finding of its indicator's rule.
    // (Read again until they agree, for a minute at most: on a loaded
    // machine a page of findings can be read while the last batch of
    // red-flag records is being recorded.)
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let got = open_flag_findings(&run, &t).await?;
        if got == per_indicator || std::time::Instant::now() > deadline {
            assert_eq!(got, per_indicator);
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // A procurement officer sees a process's flags, with their values.
    let (ocid, codes) = want["OCID"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, c)| c.get("R003").is_some())
        .expect("some process has a short submission period");
    let p = api
        .get(
            &t.procurement,
            &format!("/tenants/{tid}/procurements/{ocid}"),
        )
        .await?;
    assert_eq!(p.status, 200, "{}", p.text);
    let flags = p.body["red_flags"].as_array().unwrap();
    for (code, value) in codes.as_object().unwrap() {
        let f = flags
            .iter()
            .find(|f| f["indicator"] == *code && f["on"] == "process")
            .unwrap_or_else(|| panic!("{code} on {ocid}: {}", p.text));
        assert_eq!(f["subject"], *ocid);
        assert_eq!(f["value"], json!(round4(value.as_f64().unwrap())));
        assert!(f["explanation"].as_str().unwrap().contains(ocid.as_str()));
    }
    let flag_record = flags.iter().find(|f| f["indicator"] == "R003").unwrap()["submission_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let findings = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/findings?submission_id={flag_record}"),
        )
        .await?;
    assert_eq!(
        findings.body["items"][0]["rule_id"], "R003",
        "{}",
        findings.text
    );
    assert_eq!(
        findings.body["items"][0]["status"], "open",
        "{}",
        findings.text
    );
    // Another organisation learns nothing of it.
    for path in [
        format!("/tenants/{tid}/procurements/{ocid}"),
        format!("/tenants/{tid}/findings?submission_id={flag_record}"),
    ] {
        let r = api.get(&other.compliance, &path).await?;
        assert!(matches!(r.status, 403 | 404), "{path}: {}", r.text);
        assert!(!r.text.contains("R003"), "{path}: {}", r.text);
    }

    // The process corrected: a submission period of 60 days. Its import
    // asks for a run, and the flag's finding closes.
    let mut release = release_of(&releases, ocid);
    let start = chrono::DateTime::parse_from_rfc3339(
        release["tender"]["tenderPeriod"]["startDate"]
            .as_str()
            .unwrap(),
    )?;
    release["tender"]["tenderPeriod"]["endDate"] =
        json!((start + chrono::Duration::days(60)).to_rfc3339());
    let i = import(
        &run,
        &t.procurement,
        &tid,
        "ocds",
        "correction.jsonl",
        "application/x-ndjson",
        release.to_string(),
    )
    .await?;
    assert_eq!(counts(&i), (1, 0, 0), "{i}");
    let ds = triggered_run(&run, &t, "import", 1).await?;
    assert_eq!(ds["status"], "done", "{ds}");
    let closed = api
        .get_until(
            &t.compliance,
            &format!("/tenants/{tid}/findings?submission_id={flag_record}"),
            Duration::from_secs(120),
            "the R003 finding of the corrected process closed",
            |b| {
                b["items"][0]["status"]
                    .as_str()
                    .is_some_and(|s| s != "open")
            },
        )
        .await?;
    assert_eq!(closed["items"][0]["rule_id"], "R003", "{closed}");
    assert!(!flagged(&run, &t, ocid, "R003").await?, "R003 on {ocid}");

    // Filed back through the API as it first was: the filing asks for a
    // run itself (no import, no schedule), and the flag is back.
    let original = release_of(&releases, ocid);
    let r = api
        .post(
            &t.procurement,
            &format!("/tenants/{tid}/procurements"),
            &original,
        )
        .await?;
    assert!(matches!(r.status, 200..=202), "{}", r.text);
    assert_eq!(r.body["outcome"], "corrected", "{}", r.text);
    let ds = triggered_run(&run, &t, "procurement", 0).await?;
    assert_eq!(ds["status"], "done", "{ds}");
    assert!(flagged(&run, &t, ocid, "R003").await?, "no R003 on {ocid}");
    Ok(())
}
