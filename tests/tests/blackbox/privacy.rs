//! Issue 12, personal data: asset declarations and the audit log's copies
//! of a person are sealed at rest under the person's key; a person's data
//! is exported and erased (refused while it must be kept); retention
//! periods erase what expired; every step is audited and the audit log
//! still verifies after the keys are destroyed.

use crate::psql;
use crate::records::{PASSWORD, Running, declaration_body, gift_body, iin, start_with, tenant};
use anyhow::Result;
use serde_json::{Value, json};
use std::time::Duration;

const MARKER_ADDRESS: &str = "Astana, Sealedmarker Street 77";
const MARKER_NAME: &str = "Aigerim Namemarker";
const MARKER_RELATIVE: &str = "Bolat Relativemarker";

fn db(run: &Running) -> &str {
    &run.db.name
}

/// How many rows of the database hold `needle` anywhere in the named
/// text columns (what a stolen copy of the database would show).
fn rows_holding(run: &Running, needle: &str) -> Result<u64> {
    let mut n = 0;
    for (table, column) in [
        ("submissions", "payload"),
        ("audit_log", "detail"),
        ("people", "full_name"),
        ("relatives", "full_name"),
        ("findings", "explanation"),
        ("users", "person_iin"),
    ] {
        let c = psql(
            db(run),
            &format!("SELECT count(*) FROM {table} WHERE {column} LIKE '%{needle}%'"),
        )?;
        n += c.parse::<u64>()?;
    }
    Ok(n)
}

/// The text of a PDF, as poppler's `pdftotext` reads it (`.ci/run`
/// installs poppler-utils).
pub(crate) fn pdf_text(pdf: &[u8]) -> Result<String> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("export.pdf");
    std::fs::write(&path, pdf)?;
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "pdftotext: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8(out.stdout)?)
}

async fn wait_erased(run: &Running, token: &str, path: &str) -> Result<Value> {
    for _ in 0..120 {
        let r = run.api.get(token, path).await?;
        assert_eq!(r.status, 200, "{}", r.text);
        if r.body["payload"].is_null() {
            return Ok(r.body);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    anyhow::bail!("{path} was not erased by the retention pass within 30 s")
}

#[tokio::test(flavor = "multi_thread")]
async fn personal_data_is_sealed_exported_erased_and_kept_only_as_long_as_set() -> Result<()> {
    let run = start_with(&[("ADAL_WORKER__RETENTION_INTERVAL_SECS", "1")]).await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "privy", "19034000123").await?;
    let other = tenant(api, &run.platform, "privo", "04034000157").await?;
    let tid = t.id.clone();
    let mine = iin("88020250005");

    // A person on file with a relative, and an account linked to them.
    let r = api
        .post(
            &t.hr,
            &format!("/tenants/{tid}/people"),
            &json!({"iin": mine, "full_name": MARKER_NAME, "started_on": "2020-01-15",
                    "relatives": [{"relation": "sibling", "full_name": MARKER_RELATIVE}]}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let pid = r.body["id"].as_str().unwrap().to_owned();
    let r = api
        .post(
            &t.admin,
            &format!("/tenants/{tid}/users"),
            &json!({"email": "linked@privy.kz", "display_name": "Linked", "password": PASSWORD,
                    "role": "employee", "person_iin": mine}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let linked = api.login("linked@privy.kz", PASSWORD).await?;

    // Their declaration: stored sealed, read back in the clear.
    let mut decl = declaration_body(2025, &mine);
    decl["real_estate"][0]["address"] = json!(MARKER_ADDRESS);
    let r = api
        .post(
            &linked,
            &format!("/tenants/{tid}/asset-declarations"),
            &decl,
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let did = r.body["submission_id"].as_str().unwrap().to_owned();
    let stored = psql(
        db(&run),
        &format!("SELECT payload FROM submissions WHERE id = '{did}'"),
    )?;
    assert!(stored.starts_with("sealed:v1:"), "{stored}");
    assert_eq!(
        rows_holding(&run, "Sealedmarker")?,
        0,
        "the address in the clear"
    );
    // The audit log's copy of the person is sealed too.
    assert_eq!(
        rows_holding(&run, "Relativemarker")?,
        1,
        "only relatives.full_name"
    );
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/submissions/{did}"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["payload"]["real_estate"][0]["address"],
        MARKER_ADDRESS
    );
    let r = api
        .get(&linked, &format!("/tenants/{tid}/submissions/{did}"))
        .await?;
    assert_eq!(
        r.body["payload"]["real_estate"][0]["address"],
        MARKER_ADDRESS
    );
    // A gift they file from their account is about them too.
    let r = api
        .post(&linked, &format!("/tenants/{tid}/gifts"), &gift_body())
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let gid = r.body["submission_id"].as_str().unwrap().to_owned();

    // The export: the compliance unit's, for anyone on file; the person's
    // own through /me/export; nobody else's.
    let export = format!("/tenants/{tid}/people/{pid}/export");
    let r = api.get(&t.compliance, &export).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["person"]["full_name"], MARKER_NAME);
    assert_eq!(
        r.body["person"]["relatives"][0]["full_name"],
        MARKER_RELATIVE
    );
    let records = r.body["records"].as_array().unwrap();
    assert_eq!(records.len(), 2, "{}", r.text);
    assert!(r.text.contains(MARKER_ADDRESS), "{}", r.text);
    assert_eq!(
        r.body["history"][0]["action"], "person.create",
        "{}",
        r.text
    );
    assert_eq!(
        r.body["history"][0]["detail"]["full_name"], MARKER_NAME,
        "the sealed audit copy is opened: {}",
        r.text
    );
    // The same as a printable PDF, its text readable by any PDF reader.
    let (status, kind, pdf) = api
        .get_bytes(&t.compliance, &format!("{export}/pdf"))
        .await?;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(kind, "application/pdf");
    let text = pdf_text(&pdf)?;
    for needle in [
        MARKER_NAME,
        MARKER_RELATIVE,
        MARKER_ADDRESS,
        "person.create",
    ] {
        assert!(text.contains(needle), "{needle} not in the PDF:\n{text}");
    }
    let (status, _, _) = api.get_bytes(&t.admin, &format!("{export}/pdf")).await?;
    assert!(matches!(status, 403 | 404), "{status}");
    let (status, _, pdf) = api
        .get_bytes(&linked, &format!("/tenants/{tid}/me/export/pdf"))
        .await?;
    assert_eq!(status, 200);
    assert!(pdf_text(&pdf)?.contains(MARKER_NAME));
    let mine_export = api
        .get(&linked, &format!("/tenants/{tid}/me/export"))
        .await?;
    assert_eq!(mine_export.status, 200, "{}", mine_export.text);
    assert_eq!(mine_export.body["person"]["id"], json!(pid));
    let r = api
        .get(&t.employee, &format!("/tenants/{tid}/me/export"))
        .await?;
    assert_eq!(r.status, 404, "an account linked to nobody: {}", r.text);
    for token in [&t.admin, &t.hr, &t.procurement, &t.employee, &linked] {
        let r = api.get(token, &export).await?;
        assert!(matches!(r.status, 403 | 404), "{}: {}", r.status, r.text);
        assert!(!r.text.contains(MARKER_NAME), "{}", r.text);
    }
    // Another tenant's officer with this tenant's ids, and this tenant's
    // officer with an id of another tenant: 404, nothing learned.
    let r = api.get(&other.compliance, &export).await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api
        .get(
            &t.compliance,
            &format!("/tenants/{}/people/{pid}/export", other.id),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api
        .post(
            &other.compliance,
            &format!("/tenants/{}/people/{pid}/erasure", other.id),
            &json!({}),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let exports = psql(
        db(&run),
        &format!(
            "SELECT count(*) FROM audit_log WHERE action = 'person.export' AND object = 'person/{pid}'"
        ),
    )?;
    assert_eq!(exports, "4", "each export is audited, JSON and PDF");

    // Erasure: refused while they are employed, saying so.
    let erase = format!("/tenants/{tid}/people/{pid}/erasure");
    let r = api.post(&t.compliance, &erase, &json!({})).await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("still employed"), "{}", r.text);
    let r = api.post(&t.admin, &erase, &json!({})).await?;
    assert!(matches!(r.status, 403 | 404), "{}", r.text);
    // They leave; then they can be erased.
    let r = api
        .post(
            &t.hr,
            &format!("/tenants/{tid}/people"),
            &json!({"iin": mine, "full_name": MARKER_NAME, "started_on": "2020-01-15",
                    "ended_on": "2025-01-31",
                    "relatives": [{"relation": "sibling", "full_name": MARKER_RELATIVE}]}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api.post(&t.compliance, &erase, &json!({})).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["records"], 2, "{}", r.text);
    assert_eq!(r.body["relatives"], 1, "{}", r.text);
    assert!(
        r.body["keys_destroyed"].as_u64().unwrap() >= 1,
        "{}",
        r.text
    );
    // Gone from every table, the audit log included (its copies can no
    // longer be opened), and the log still verifies.
    for needle in [
        "Namemarker",
        "Relativemarker",
        "Sealedmarker",
        mine.as_str(),
    ] {
        assert_eq!(rows_holding(&run, needle)?, 0, "{needle} left behind");
    }
    assert_eq!(
        psql(
            db(&run),
            &format!("SELECT count(*) FROM subject_keys WHERE subject = 'iin:{mine}'"),
        )?,
        "0"
    );
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/people/{pid}"))
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    for id in [&did, &gid] {
        let r = api
            .get(&t.compliance, &format!("/tenants/{tid}/submissions/{id}"))
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.body["payload"].is_null(), "{}", r.text);
        assert!(r.body["subject_iin"].is_null(), "{}", r.text);
    }
    let r = api
        .get(&linked, &format!("/tenants/{tid}/me/export"))
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let v = api
        .get(&t.compliance, &format!("/tenants/{tid}/audit/verify"))
        .await?;
    assert_eq!(v.body["intact"], true, "{}", v.text);
    let erasures = psql(
        db(&run),
        &format!(
            "SELECT count(*) FROM audit_log WHERE action = 'person.erase' AND object = 'person/{pid}'"
        ),
    )?;
    assert_eq!(erasures, "1");

    // Retention periods: checked field by field, the administrator's.
    let retention = format!("/tenants/{tid}/retention");
    let r = api
        .put(
            &t.admin,
            &retention,
            &json!({"years": {"gift": 0, "parking": 3}}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        crate::pointers_of(&r),
        ["/years/gift", "/years/parking"],
        "{}",
        r.text
    );
    let r = api
        .put(&t.employee, &retention, &json!({"years": {"gift": 5}}))
        .await?;
    assert!(matches!(r.status, 403 | 404), "{}", r.text);
    let r = api
        .put(&other.admin, &retention, &json!({"years": {"gift": 5}}))
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);

    // A gift filed six years ago and one filed now; gifts kept five years.
    let mut ids = Vec::new();
    for _ in 0..2 {
        let r = api
            .post(&t.employee2, &format!("/tenants/{tid}/gifts"), &gift_body())
            .await?;
        assert_eq!(r.status, 202, "{}", r.text);
        ids.push(r.body["submission_id"].as_str().unwrap().to_owned());
    }
    psql(
        db(&run),
        &format!(
            "UPDATE submissions SET received_at = received_at - interval '6 years' WHERE id = '{}'",
            ids[0]
        ),
    )?;
    let r = api
        .put(
            &t.admin,
            &retention,
            &json!({"years": {"gift": 5, "person": 10}}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api.get(&t.employee, &retention).await?;
    assert_eq!(
        r.body["years"],
        json!({"gift": 5, "person": 10}),
        "{}",
        r.text
    );
    let old = wait_erased(
        &run,
        &t.compliance,
        &format!("/tenants/{tid}/submissions/{}", ids[0]),
    )
    .await?;
    assert_eq!(old["kind"], "gift", "the record's shape stays: {old}");
    let new = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/submissions/{}", ids[1]),
        )
        .await?;
    assert_eq!(
        new.body["payload"]["description"], "Smart watch",
        "{}",
        new.text
    );
    let runs = psql(
        db(&run),
        "SELECT count(*) FROM audit_log WHERE action = 'retention.erase' AND object = 'kind/gift'",
    )?;
    assert_eq!(runs, "1", "one pass erased it; later passes find nothing");
    // The other tenant set nothing and lost nothing.
    assert_eq!(
        psql(
            db(&run),
            &format!(
                "SELECT count(*) FROM submissions WHERE tenant_id = '{}' AND payload = 'null'",
                other.id
            ),
        )?,
        "0"
    );
    let v = api
        .get(&t.compliance, &format!("/tenants/{tid}/audit/verify"))
        .await?;
    assert_eq!(v.body["intact"], true, "{}", v.text);
    Ok(())
}
