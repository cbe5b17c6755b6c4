//! Issue 15, the annual internal analysis of corruption risks, over HTTP
//! on PostgreSQL + Redis: a tenant's report for the year as JSON, CSV and
//! PDF, built from what the tenant filed and how its compliance unit closed
//! the findings; who may read it (the compliance unit, the administrator,
//! the Agency, whose reading is logged; not an employee, not another
//! tenant); the year checked; and the Agency's summary across tenants.

use crate::privacy::pdf_text;
use crate::records::{ADMIN_PASSWORD, adopt_library, gift_body, start_with, tenant};
use anyhow::Result;
use chrono::Datelike;
use serde_json::{Value, json};
use std::time::Duration;

fn row<'a>(csv: &'a str, prefix: &str) -> Option<&'a str> {
    csv.lines().find(|l| l.starts_with(prefix))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_annual_report_is_built_from_the_year_and_read_by_whom_it_concerns() -> Result<()> {
    let run = start_with(&[]).await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "annual", "19034000124").await?;
    let other = tenant(api, &run.platform, "annualb", "04034000158").await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    let year = (chrono::Utc::now() + chrono::Duration::hours(5)).year();
    let tid = &t.id;

    // A gift over the limit becomes a finding; the compliance unit
    // resolves it, and what it did is the risk's measure.
    adopt_library(api, &t, json!({})).await?;
    let r = api
        .post(&t.employee, &format!("/tenants/{tid}/gifts"), &gift_body())
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let found = api
        .get_until(
            &t.compliance,
            &format!("/tenants/{tid}/findings"),
            Duration::from_secs(60),
            "a finding on the gift",
            |b| b["total"].as_u64().unwrap_or(0) >= 1,
        )
        .await?;
    let total = found["total"].as_u64().unwrap_or(0);
    let first = &found["items"][0];
    let finding = first["id"].as_str().unwrap_or_default().to_owned();
    let rule = first["rule_id"].as_str().unwrap_or_default().to_owned();
    let area = first["area"].as_str().unwrap_or_default().to_owned();
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/findings/{finding}/resolve"),
            &json!({"reason": "Gift returned to the giver; staff briefed"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    let path = format!("/tenants/{tid}/annual-reports/{year}");
    let r = api.get(&t.compliance, &path).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let b = &r.body;
    assert_eq!(b["year"], year);
    assert_eq!(b["partial"], true, "the year is running");
    assert_eq!(b["tenant"]["name"], "annual JSC");
    assert_eq!(b["findings"]["total"], total, "{}", r.text);
    assert_eq!(b["findings"]["resolved"], 1, "{}", r.text);
    assert_eq!(b["findings"]["open"], total - 1, "{}", r.text);
    let map_sum: u64 = b["risk_map"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().into_iter().flatten())
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(map_sum, total, "the map holds every finding of the year");
    let risk = b["risks"]
        .as_array()
        .and_then(|a| a.iter().find(|k| k["rule_id"] == rule.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(risk["area"], area.as_str(), "{}", r.text);
    assert_eq!(risk["resolved"], 1, "{}", r.text);
    assert_eq!(risk["owner"], "Procurement", "{}", r.text);
    assert_eq!(
        risk["measures"],
        json!(["Gift returned to the giver; staff briefed"]),
        "{}",
        r.text
    );
    assert_eq!(b["high_risk_positions"][0]["title"], "Buyer", "{}", r.text);
    assert_eq!(b["declarations"]["for_year"], year - 1);
    assert!(b["training"]["coverage_percent"].is_null() || b["training"]["high_risk_staff"] != 0);

    // The same figures as CSV, a figure a row.
    let csv = api.get(&t.compliance, &format!("{path}/csv")).await?;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert!(
        csv.text.starts_with("section,item,measure,value\r\n"),
        "{}",
        csv.text
    );
    assert_eq!(
        row(&csv.text, "findings,all,total,"),
        Some(format!("findings,all,total,{total}").as_str())
    );
    assert_eq!(
        row(&csv.text, &format!("risk,{area}/{rule},measures,")),
        Some(
            format!("risk,{area}/{rule},measures,Gift returned to the giver; staff briefed")
                .as_str()
        )
    );
    // And as a PDF a person can read.
    let (status, _, pdf) = api.get_bytes(&t.admin, &format!("{path}/pdf")).await?;
    assert_eq!(status, 200);
    let text = pdf_text(&pdf)?;
    assert!(
        text.contains("Annual internal analysis of corruption risks")
            && text.contains("annual JSC")
            && text.contains("Gift returned to the giver"),
        "{text}"
    );

    // Who may read it: not an employee, not another tenant (404, as for
    // any of its ids); the Agency may, and the tenant sees that it did.
    let r = api.get(&t.employee, &path).await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = api.get(&other.compliance, &path).await?;
    assert_eq!(r.status, 404, "{}", r.text);
    assert!(r.body.get("findings").is_none());
    let r = api.get(&agency, &path).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let log = api
        .get(
            &t.admin,
            &format!("/tenants/{tid}/audit/entries?action=agency.access"),
        )
        .await?;
    assert_eq!(log.status, 200, "{}", log.text);
    assert!(
        log.body
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["detail"]["by"] == "agency@adal.test")),
        "{}",
        log.text
    );

    // Years the report cannot be made for are refused at /year.
    for y in [1999, year + 1] {
        let r = api
            .get(&t.compliance, &format!("/tenants/{tid}/annual-reports/{y}"))
            .await?;
        assert_eq!(r.status, 422, "{y}: {}", r.text);
        assert_eq!(r.body["details"][0]["pointer"], "/year", "{}", r.text);
    }

    // The Agency's summary: every tenant in a line, and the totals.
    let s = api
        .get(&agency, &format!("/agency/annual-reports/{year}"))
        .await?;
    assert_eq!(s.status, 200, "{}", s.text);
    let line = s.body["tenants"]
        .as_array()
        .and_then(|a| a.iter().find(|l| l["tenant"]["id"] == tid.as_str()))
        .cloned()
        .unwrap_or_default();
    assert_eq!(line["findings"], total, "{}", s.text);
    assert_eq!(line["high_risk_positions"], 1, "{}", s.text);
    assert_eq!(s.body["total"]["tenants"], 2, "{}", s.text);
    assert_eq!(s.body["total"]["findings"], total, "{}", s.text);
    let csv = api
        .get(&agency, &format!("/agency/annual-reports/{year}/csv"))
        .await?;
    assert_eq!(csv.status, 200, "{}", csv.text);
    assert_eq!(
        csv.text.lines().count(),
        4,
        "a header, two tenants, the totals: {}",
        csv.text
    );
    for token in [&t.compliance, &t.admin] {
        let r = api
            .get(token, &format!("/agency/annual-reports/{year}"))
            .await?;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    Ok(())
}
