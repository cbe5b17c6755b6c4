//! Issue 15, the verifiable audit log, end to end on PostgreSQL + Redis
//! with the API and the worker apart: the Agency's reads appear in the
//! tenant's log; checkpoints are signed on request, served as signed notes
//! and deposited in the platform log under the Agency's key; proofs from
//! the API verify; `adal audit export` and the standalone `adal-verify`
//! binary accept the log as written and reject it once a row is edited.

use crate::psql;
use crate::records::{ADMIN_PASSWORD, gift_body, start_with, tenant};
use adal_blackbox::adal_bin;
use anyhow::Result;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;
use std::path::Path;

/// The Agency's Ed25519 seed for this deployment (any 32 bytes).
const AGENCY_KEY: &str = "4167656e6379206f66207468652052657075626c6963206f66204b617a616b68";

fn hash(v: &Value) -> [u8; 32] {
    let bytes = STANDARD
        .decode(v.as_str().unwrap_or_default())
        .unwrap_or_default();
    bytes.try_into().unwrap_or([0; 32])
}

fn hashes(v: &Value) -> Vec<[u8; 32]> {
    v.as_array().into_iter().flatten().map(hash).collect()
}

/// Runs `adal-verify` (built beside `adal`): its exit code and output.
fn adal_verify(dir: &Path, kept: &Path) -> Result<(i32, String)> {
    let out = std::process::Command::new(adal_bin().with_file_name("adal-verify"))
        .arg(dir)
        .arg("--checkpoint")
        .arg(kept)
        .output()?;
    Ok((
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    ))
}

/// `adal audit export --tenant TENANT --out DIR`: what it printed.
async fn export(run: &crate::records::Running, tenant: &str, dir: &Path) -> Result<String> {
    let dir = dir.to_str().unwrap_or_default();
    run.dep
        .run(&["audit", "export", "--tenant", tenant, "--out", dir], &[])
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_log_is_signed_proved_exported_and_verified_offline() -> Result<()> {
    let run = start_with(&[
        ("ADAL_WORKER__AUDIT_SEQUENCE_INTERVAL_MS", "200"),
        ("ADAL_REPORTING__AGENCY_KEY", AGENCY_KEY),
    ])
    .await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "ledger", "19034000123").await?;
    let tid = t.id.clone();
    let r = api
        .post(&t.employee, &format!("/tenants/{tid}/gifts"), &gift_body())
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);

    // The Agency looks at the risk map; the tenant's admin sees that it did.
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    let r = api
        .get(&agency, &format!("/tenants/{tid}/risk-map"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let seen = api
        .get(
            &t.admin,
            &format!("/tenants/{tid}/audit/entries?action=agency."),
        )
        .await?;
    assert_eq!(seen.status, 200, "{}", seen.text);
    let first = &seen.body[0];
    assert_eq!(first["action"], "agency.access", "{}", seen.text);
    assert_eq!(first["object"], "risk_map");
    assert_eq!(first["detail"]["by"], "agency@adal.test");
    // An employee cannot read the log.
    let r = api
        .get(&t.employee, &format!("/tenants/{tid}/audit/entries"))
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);

    // A checkpoint on request, served byte for byte as a signed note.
    let c = api
        .post(
            &t.admin,
            &format!("/tenants/{tid}/audit/checkpoints"),
            &Value::Null,
        )
        .await?;
    assert_eq!(c.status, 201, "{}", c.text);
    let note = c.body["note"].as_str().unwrap_or_default().to_owned();
    let size = c.body["tree_size"].as_u64().unwrap_or_default();
    assert!(size >= 5, "{}", c.text);
    let origin = note.lines().next().unwrap_or_default();
    assert!(origin.ends_with(&format!("/audit/{tid}")), "{note}");
    assert!(note.starts_with(&format!("{origin}\n{size}\n")), "{note}");
    let (status, _, served) = api
        .get_bytes(&t.admin, &format!("/tenants/{tid}/audit/checkpoint"))
        .await?;
    assert_eq!((status, String::from_utf8(served)?), (200, note.clone()));

    // Every entry's inclusion proof and the consistency proof from the
    // first entry verify against the signed root.
    let root = hash(&c.body["root"]);
    for seq in [1, size / 2, size] {
        let p = api
            .get(
                &t.compliance,
                &format!("/tenants/{tid}/audit/proofs/inclusion?seq={seq}&tree_size={size}"),
            )
            .await?;
        assert_eq!(p.status, 200, "{}", p.text);
        adal_tlog::verify_inclusion(
            &hash(&p.body["leaf_hash"]),
            seq - 1,
            size,
            &hashes(&p.body["hashes"]),
            &root,
        )?;
    }
    let p = api
        .get(
            &t.admin,
            &format!("/tenants/{tid}/audit/proofs/consistency?from=2&to={size}"),
        )
        .await?;
    assert_eq!(p.status, 200, "{}", p.text);
    adal_tlog::verify_consistency(
        2,
        size,
        &hash(&p.body["from_root"]),
        &root,
        &hashes(&p.body["hashes"]),
    )?;
    let bad = api
        .get(
            &t.admin,
            &format!("/tenants/{tid}/audit/proofs/inclusion?seq={}", size + 100),
        )
        .await?;
    assert_eq!(bad.status, 400, "{}", bad.text);

    // The log grows; the auditor's kept checkpoint still holds against
    // the export, checked by the standalone verifier.
    let r = api
        .post(&t.employee, &format!("/tenants/{tid}/gifts"), &gift_body())
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let work = tempfile::tempdir()?;
    let kept = work.path().join("kept");
    std::fs::write(&kept, &note)?;
    let dir = work.path().join("export");
    let said = export(&run, &tid, &dir).await?;
    assert!(said.contains("checkpoints written"), "{said}");
    let (code, out) = adal_verify(&dir, &kept)?;
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("OK"), "{out}");

    // Deposited with the Agency: the platform log's checkpoints carry the
    // Agency's signature too.
    let platform = work.path().join("platform");
    export(&run, "platform", &platform).await?;
    let keys = std::fs::read_to_string(platform.join("keys"))?;
    assert_eq!(keys.lines().count(), 2, "{keys}");
    assert!(keys.contains("/agency+"), "{keys}");
    let deposits = std::fs::read_to_string(platform.join("entries.jsonl"))?;
    assert!(deposits.contains(&format!("audit-log/{tid}")), "{deposits}");

    // Someone edits an entry in the database: the export no longer
    // verifies, and the service's own check names the entry.
    psql(
        &run.db.name,
        &format!("UPDATE audit_log SET detail = '{{}}' WHERE tenant_id = '{tid}' AND seq = 2"),
    )?;
    let tampered = work.path().join("tampered");
    export(&run, &tid, &tampered).await?;
    let (code, out) = adal_verify(&tampered, &kept)?;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("entry 2 "), "{out}");
    let v = api
        .get(&t.admin, &format!("/tenants/{tid}/audit/verify"))
        .await?;
    assert_eq!(v.status, 200, "{}", v.text);
    assert_eq!(v.body["intact"], false, "{}", v.text);
    assert_eq!(v.body["broken_at"], 2, "{}", v.text);
    Ok(())
}
