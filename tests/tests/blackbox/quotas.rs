//! Issue 12, problem 6: a tenant's imports are held to a quota (file size
//! and rows a day), refused with what to do about it, and nothing of a
//! refused file is applied.

use crate::records::{Running, counts, csv_upload_path, import, start_with, tenant};
use anyhow::Result;

/// A people CSV of `n` rows: the `first`-th valid IIN of a run of them
/// onwards (a few eleven-digit prefixes have no check digit).
fn people_csv(first: usize, n: usize) -> String {
    let mut csv = String::from("iin,full_name\n");
    let iins = (0..)
        .filter_map(|i| adal_domain::with_check_digit(&format!("850505{:05}", 40_000 + i)))
        .skip(first)
        .take(n);
    for (i, iin) in iins.enumerate() {
        csv.push_str(&format!("{iin},Person {}\n", first + i));
    }
    csv
}

/// Imports a people CSV as `token`, waiting for the import to end.
async fn people_import(
    run: &Running,
    token: &str,
    tid: &str,
    name: &str,
    csv: String,
) -> Result<serde_json::Value> {
    import(run, token, tid, "people", name, "text/csv", csv).await
}

async fn people_count(run: &Running, token: &str, tid: &str) -> Result<usize> {
    let r = run
        .api
        .get(token, &format!("/tenants/{tid}/people?limit=1"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    Ok(r.body["total"].as_u64().unwrap_or(0) as usize)
}

#[tokio::test(flavor = "multi_thread")]
async fn imports_are_held_to_the_file_size_and_daily_row_quotas() -> Result<()> {
    let run = start_with(&[
        ("ADAL_IMPORTS__MAX_FILE_BYTES", "2000"),
        ("ADAL_IMPORTS__ROWS_PER_DAY", "5"),
    ])
    .await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "quota", "19034000123").await?;
    let other = tenant(api, &run.platform, "quotb", "04034000157").await?;
    let tid = t.id.as_str();

    // Over the size limit: refused before it is stored.
    let big = people_csv(0, 120);
    assert!(big.len() > 2000);
    let r = api
        .upload(
            &t.hr,
            &csv_upload_path(tid, "people", "big.csv"),
            "text/csv",
            big,
        )
        .await?;
    assert_eq!(r.status, 413, "{}", r.text);
    assert_eq!(
        r.body["details"][0]["code"], "import.too_large",
        "{}",
        r.text
    );
    assert!(r.text.contains("2000 bytes"), "{}", r.text);
    let list = api.get(&t.hr, &format!("/tenants/{tid}/imports")).await?;
    assert_eq!(list.body["total"], 0, "nothing stored: {}", list.text);

    // More rows than a day allows: failed as a whole, nothing applied.
    let i = people_import(&run, &t.hr, tid, "six.csv", people_csv(0, 6)).await?;
    assert_eq!(i["status"], "failed", "{i}");
    assert!(i["error"].as_str().unwrap().contains("split it"), "{i}");
    assert_eq!(counts(&i), (0, 0, 0), "{i}");
    assert_eq!(people_count(&run, &t.hr, tid).await?, 0);

    // Within the day's rows: applied.
    let i = people_import(&run, &t.hr, tid, "three.csv", people_csv(0, 3)).await?;
    assert_eq!(i["status"], "done", "{i}");
    assert_eq!(counts(&i), (3, 0, 0), "{i}");

    // Three more would make six: refused whole once read, with when.
    let i = people_import(&run, &t.hr, tid, "more.csv", people_csv(3, 3)).await?;
    assert_eq!(i["status"], "failed", "{i}");
    let why = i["error"].as_str().unwrap();
    assert!(
        why.contains("nothing was imported") && why.contains("(UTC)"),
        "{why}"
    );
    assert_eq!(people_count(&run, &t.hr, tid).await?, 3);

    // Two more make exactly five: applied.
    let i = people_import(&run, &t.hr, tid, "two.csv", people_csv(3, 2)).await?;
    assert_eq!(i["status"], "done", "{i}");
    assert_eq!(people_count(&run, &t.hr, tid).await?, 5);

    // The day's rows are used: refused at the door, with when to retry.
    let r = api
        .upload(
            &t.hr,
            &csv_upload_path(tid, "people", "one.csv"),
            "text/csv",
            people_csv(10, 1),
        )
        .await?;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(
        r.body["details"][0]["code"], "import.quota_used",
        "{}",
        r.text
    );
    let retry: u64 = r
        .headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("a Retry-After header");
    assert!((1..=86_400).contains(&retry), "{retry}");

    // Another tenant's quota is its own.
    let i = people_import(&run, &other.hr, &other.id, "three.csv", people_csv(0, 3)).await?;
    assert_eq!(i["status"], "done", "{i}");
    assert_eq!(counts(&i), (3, 0, 0), "{i}");
    Ok(())
}

/// A platform admin gives one tenant a quota of its own; the others keep
/// the installation's; only the platform sets it.
#[tokio::test(flavor = "multi_thread")]
async fn a_platform_admin_sets_one_tenants_own_import_quota() -> Result<()> {
    let run = start_with(&[("ADAL_IMPORTS__ROWS_PER_DAY", "100")]).await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "quotc", "19034000123").await?;
    let other = tenant(api, &run.platform, "quotd", "04034000157").await?;
    let tid = t.id.as_str();
    let quota = format!("/tenants/{tid}/import-quota");

    // Its people read the quota in force; nobody else's people do.
    let r = api.get(&t.hr, &quota).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["rows_per_day"],
        serde_json::Value::Null,
        "{}",
        r.text
    );
    assert_eq!(r.body["effective_rows_per_day"], 100, "{}", r.text);
    let r = api.get(&other.admin, &quota).await?;
    assert_eq!(r.status, 404, "{}", r.text);

    // Only the platform sets it, within range.
    let body = serde_json::json!({"rows_per_day": 2});
    for token in [&t.admin, &t.compliance, &other.admin] {
        let r = api.put(token, &quota, &body).await?;
        assert!(matches!(r.status, 403 | 404), "{}: {}", r.status, r.text);
    }
    let r = api
        .put(
            &run.platform,
            &quota,
            &serde_json::json!({"rows_per_day": 2_000_000_000u64, "max_file_bytes": 0}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        crate::pointers_of(&r),
        ["/rows_per_day", "/max_file_bytes"],
        "{}",
        r.text
    );
    let r = api
        .put(
            &run.platform,
            &format!("/tenants/{}/import-quota", uuid::Uuid::new_v4()),
            &body,
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api.put(&run.platform, &quota, &body).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["effective_rows_per_day"], 2, "{}", r.text);
    let r = api.get(&run.platform, &quota).await?;
    assert_eq!(r.body["rows_per_day"], 2, "{}", r.text);

    // Its imports are held to it; the other tenant's are not.
    let i = people_import(&run, &t.hr, tid, "three.csv", people_csv(0, 3)).await?;
    assert_eq!(i["status"], "failed", "{i}");
    assert_eq!(counts(&i), (0, 0, 0), "{i}");
    let i = people_import(&run, &other.hr, &other.id, "three.csv", people_csv(0, 3)).await?;
    assert_eq!(i["status"], "done", "{i}");

    // Back to the installation's: the same file goes through.
    let r = api
        .put(
            &run.platform,
            &quota,
            &serde_json::json!({"rows_per_day": null}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["effective_rows_per_day"], 100, "{}", r.text);
    let i = people_import(&run, &t.hr, tid, "again.csv", people_csv(0, 3)).await?;
    assert_eq!(i["status"], "done", "{i}");
    let audited = crate::psql(
        &run.db.name,
        &format!(
            "SELECT count(*) FROM audit_log WHERE tenant_id = '{tid}' AND action = 'tenant.import_quota'"
        ),
    )?;
    assert_eq!(audited, "2");
    Ok(())
}
