//! Issue 15, the corruption cartogram, over HTTP on PostgreSQL + Redis:
//! the Agency (and platform admins) read open findings across tenants by
//! region and sector as JSON, SVG and CSV, and the ranked high-risk
//! positions; tenants' own roles cannot; the public aggregate names no
//! tenant, hides regions with too few tenants, and is rate-limited.

use crate::records::{ADMIN_PASSWORD, adopt_library, gift_body, start_with, tenant};
use anyhow::Result;
use serde_json::{Value, json};
use std::time::Duration;

fn public_region(body: &Value, key: &str) -> Value {
    body.as_array()
        .and_then(|a| a.iter().find(|r| r["region"] == key))
        .cloned()
        .unwrap_or_default()
}

fn region<'a>(body: &'a Value, key: &str) -> &'a Value {
    body["regions"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["region"] == key))
        .unwrap_or(&Value::Null)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_agency_reads_the_cartogram_and_the_public_its_aggregate() -> Result<()> {
    let run = start_with(&[("ADAL_PUBLIC_REQUESTS_PER_MINUTE", "60")]).await?;
    let api = &run.api;
    // `tenant` places every organisation in Karaganda region, in the
    // quasi-public sector, with one high-risk position ("Buyer").
    let a = tenant(api, &run.platform, "carta", "19034000123").await?;
    let b = tenant(api, &run.platform, "cartb", "04034000157").await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;

    // Two organisations: too few for the public to see their figures.
    let p = api.get("", "/public/cartogram").await?;
    assert_eq!(p.status, 200, "{}", p.text);
    let k = public_region(&p.body, "karaganda");
    assert_eq!(k["tenants"], 2, "{}", p.text);
    assert!(
        k["open_findings"].is_null() && k["level"].is_null(),
        "{}",
        p.text
    );

    let c = tenant(api, &run.platform, "cartc", "05034000136").await?;
    adopt_library(api, &a, json!({})).await?;
    let r = api
        .post(
            &a.employee,
            &format!("/tenants/{}/gifts", a.id),
            &gift_body(),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let findings = api
        .get_until(
            &a.compliance,
            &format!("/tenants/{}/findings", a.id),
            Duration::from_secs(60),
            "a finding on the gift",
            |b| b["total"].as_u64().unwrap_or(0) >= 1,
        )
        .await?;
    let open = findings["total"].as_u64().unwrap_or(0);

    let m = api
        .get(&agency, "/agency/cartogram?region=karaganda")
        .await?;
    assert_eq!(m.status, 200, "{}", m.text);
    assert_eq!(m.body["region"], "karaganda");
    assert_eq!(m.body["total"]["tenants"], 3, "{}", m.text);
    assert_eq!(m.body["total"]["open_findings"], open, "{}", m.text);
    assert_eq!(m.body["total"]["high_risk_positions"], 3, "{}", m.text);
    // The Guidelines' areas: by area, severity and band, each adding up to
    // the open findings; declarations and cases counted.
    let sum = |v: &Value| -> u64 {
        v.as_object()
            .map(|o| o.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0)
    };
    assert_eq!(sum(&m.body["by_area"]), open, "{}", m.text);
    assert_eq!(sum(&m.body["total"]["by_severity"]), open, "{}", m.text);
    assert_eq!(sum(&m.body["total"]["by_band"]), open, "{}", m.text);
    assert!(
        m.body["total"]["overdue_declarations"].is_u64(),
        "{}",
        m.text
    );
    assert_eq!(m.body["total"]["cases_open"], 0, "{}", m.text);
    assert_eq!(m.body["regions"].as_array().map(Vec::len), Some(20));
    assert_eq!(region(&m.body, "karaganda")["tenants"], 3);
    assert_eq!(region(&m.body, "astana")["level"], "empty");
    // Most exposed first: the tenant with the finding leads.
    assert_eq!(
        m.body["tenants"][0]["tenant_id"],
        a.id.as_str(),
        "{}",
        m.text
    );
    for t in [&b, &c] {
        assert!(m.text.contains(&t.id), "{} is listed", t.id);
    }
    let none = api.get(&agency, "/agency/cartogram?sector=private").await?;
    assert_eq!(none.body["total"]["tenants"], 0, "{}", none.text);
    assert_eq!(none.body["tenants"], json!([]));
    let bad = api
        .get(&agency, "/agency/cartogram?region=atlantis")
        .await?;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert!(bad.text.contains("region"), "{}", bad.text);

    let (status, ct, svg) = api.get_bytes(&agency, "/agency/cartogram.svg").await?;
    let svg = String::from_utf8(svg)?;
    assert_eq!(
        (status, ct.starts_with("image/svg+xml")),
        (200, true),
        "{ct}"
    );
    assert_eq!(svg.matches(r#"class="tile""#).count(), 20);
    assert!(svg.contains(r#"data-region="karaganda""#));
    let (status, ct, csv) = api.get_bytes(&agency, "/agency/cartogram.csv").await?;
    let csv = String::from_utf8(csv)?;
    assert_eq!((status, ct.starts_with("text/csv")), (200, true), "{ct}");
    assert!(
        csv.contains(&format!("region,karaganda,3,{open},")),
        "{csv}"
    );

    let pos = api.get(&agency, "/agency/high-risk-positions").await?;
    assert_eq!(pos.status, 200, "{}", pos.text);
    let rows = pos.body.as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 3, "{}", pos.text);
    assert!(
        rows.iter()
            .all(|p| p["title"] == "Buyer" && p["region"] == "karaganda")
    );
    let one = api
        .get(&agency, "/agency/high-risk-positions?limit=1")
        .await?;
    assert_eq!(one.body.as_array().map(Vec::len), Some(1));
    let zero = api
        .get(&agency, "/agency/high-risk-positions?limit=0")
        .await?;
    assert_eq!(zero.status, 400, "{}", zero.text);
    let (status, _, pcsv) = api
        .get_bytes(&agency, "/agency/high-risk-positions.csv")
        .await?;
    assert_eq!(status, 200);
    assert_eq!(String::from_utf8(pcsv)?.lines().count(), 4);

    // The platform's administrators read it too; no tenant role does, and
    // nobody without a token.
    assert_eq!(
        api.get(&run.platform, "/agency/cartogram").await?.status,
        200
    );
    for token in [&a.admin, &a.compliance, &c.employee] {
        for path in [
            "/agency/cartogram",
            "/agency/cartogram.csv",
            "/agency/high-risk-positions",
        ] {
            let r = api.get(token, path).await?;
            assert_eq!(r.status, 403, "{path}: {}", r.text);
            assert!(!r.text.contains(&b.id), "{path}");
        }
    }
    assert_eq!(api.get("", "/agency/cartogram").await?.status, 401);

    // The public aggregate: figures for Karaganda's three, no name and no
    // tenant id anywhere.
    let p = api.get("", "/public/cartogram").await?;
    assert_eq!(p.status, 200, "{}", p.text);
    let k = public_region(&p.body, "karaganda");
    assert_eq!(
        (k["tenants"].as_u64(), k["open_findings"].as_u64()),
        (Some(3), Some(open)),
        "{}",
        p.text
    );
    for t in [&a, &b, &c] {
        assert!(!p.text.contains(&t.id), "{}", p.text);
    }
    assert!(!p.text.contains("JSC"), "{}", p.text);
    // Anyone may ask, but not without end.
    let mut limited = None;
    for _ in 0..80 {
        let r = api.get("", "/public/cartogram").await?;
        if r.status == 429 {
            limited = Some(r);
            break;
        }
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let limited = limited.ok_or_else(|| anyhow::anyhow!("no 429 within 80 requests"))?;
    assert!(limited.headers.contains_key("retry-after"));
    Ok(())
}
