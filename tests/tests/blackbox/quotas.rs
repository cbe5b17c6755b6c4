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
