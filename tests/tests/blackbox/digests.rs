//! Alert digests (issue 16) through the real binaries, PostgreSQL, Redis
//! and an SMTP server: with `daily`, a day's qualifying findings leave as
//! one email listing each with its link, once; `immediate` still mails
//! each finding. The day is ended with `adal send-digests --as-of`, the
//! operator's command that runs the worker's own digest step.

use crate::{ADMIN_PASSWORD, create_tenant, gift, start_production};
use adal_blackbox::*;
use anyhow::Result;
use serde_json::{Value, json};
use std::time::Duration;

/// Files three gifts over the limit, each from another giver (so only
/// the limit's rule fires), and waits for their findings.
async fn three_gift_findings(
    api: &Api,
    t: &crate::TenantFixture,
    dep: &Deployment,
) -> Result<Vec<String>> {
    let tid = &t.id;
    for (i, value) in ["180000.00", "190000.00", "200000.00"]
        .into_iter()
        .enumerate()
    {
        let mut g = gift(value, None);
        g["giver_name"] = json!(format!("Giver {i} LLP"));
        let r = api
            .post(&t.employee, &format!("/tenants/{tid}/gifts"), &g)
            .await?;
        assert_eq!(r.status, 202, "{}", r.text);
    }
    let findings = api
        .get_until(
            &t.compliance,
            &format!("/tenants/{tid}/findings"),
            Duration::from_secs(60),
            "three findings",
            |b| b["total"].as_u64() == Some(3),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}\nworker log:\n{}", dep.log("worker")))?;
    Ok(findings["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .collect())
}

async fn with_rules(api: &Api, t: &crate::TenantFixture, settings: Value) -> Result<()> {
    let tid = &t.id;
    let s = api
        .put(&t.admin, &format!("/tenants/{tid}/settings"), &settings)
        .await?;
    assert_eq!(s.status, 200, "{}", s.text);
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/rule-sets"),
            &json!({"rules": library_rules()}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let version = r.body["version"].as_i64().unwrap();
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/rule-sets/{version}/activate"),
            &json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_daily_digest_sends_one_email_with_every_finding_once() -> Result<()> {
    let (_db, smtp, dep, api, _) = start_production().await?;
    let _serve = dep.spawn("serve", &["serve", "--api-only"])?;
    let _worker = dep.spawn("worker", &["worker"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;

    // The setting: refused when unknown, beside its field; shown back.
    let t = create_tenant(&api, &platform, "digestco", "19034000456").await?;
    let tid = &t.id;
    let base = json!({"alert_threshold": "low", "alert_emails": ["unit@digestco.kz"],
                      "mci_by_year": {"2026": "4325"}});
    let mut weekly = base.clone();
    weekly["alert_digest"] = json!("weekly");
    let r = api
        .put(&t.admin, &format!("/tenants/{tid}/settings"), &weekly)
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(crate::pointers_of(&r), ["/alert_digest"], "{}", r.text);
    assert_eq!(r.body["details"][0]["code"], "choice.unknown", "{}", r.text);
    let r = api.get(&t.admin, &format!("/tenants/{tid}")).await?;
    assert_eq!(
        r.body["settings"]["alert_digest"], "immediate",
        "{}",
        r.text
    );

    let mut daily = base.clone();
    daily["alert_digest"] = json!("daily");
    with_rules(&api, &t, daily).await?;
    let r = api.get(&t.admin, &format!("/tenants/{tid}")).await?;
    assert_eq!(r.body["settings"]["alert_digest"], "daily", "{}", r.text);

    let ids = three_gift_findings(&api, &t, &dep).await?;
    // The worker keeps running (mail every second): nothing is mailed
    // while the day lasts.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(smtp.messages().len(), 0, "no email per finding");

    // The day ends (as the operator's command sees it): one digest.
    let as_of = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let out = dep.run(&["send-digests", "--as-of", &as_of], &[]).await?;
    assert!(out.contains("1 digests queued listing 3 findings"), "{out}");
    let mails = eventually(Duration::from_secs(30), "the digest", || {
        let m = smtp.messages();
        async move { Ok((!m.is_empty()).then_some(m)) }
    })
    .await?;
    let text = mail_text(&mails[0]);
    assert!(text.contains("unit@digestco.kz"), "{text}");
    assert!(text.contains("Daily alert digest: 3 findings"), "{text}");
    for id in &ids {
        // Under the configured public address (`public_url`).
        let link = format!("http://127.0.0.1:8080/t/{tid}/findings/{id}");
        assert!(text.contains(&link), "{link} missing:\n{text}");
    }
    assert!(text.contains("Procurement"), "whom it concerns:\n{text}");

    // Nothing more: neither the command again nor the worker's own passes.
    let out = dep.run(&["send-digests", "--as-of", &as_of], &[]).await?;
    assert!(out.contains("0 digests queued"), "{out}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(smtp.messages().len(), 1);

    // Immediate, the default: one email per finding.
    let t2 = create_tenant(&api, &platform, "instantco", "19034000789").await?;
    let mut settings = base.clone();
    settings["alert_emails"] = json!(["unit@instantco.kz"]);
    with_rules(&api, &t2, settings).await?;
    three_gift_findings(&api, &t2, &dep).await?;
    let mails = eventually(Duration::from_secs(30), "three alerts", || {
        let m = smtp.messages();
        async move {
            let mine: Vec<String> = m
                .into_iter()
                .filter(|m| m.contains("unit@instantco.kz"))
                .collect();
            Ok((mine.len() >= 3).then_some(mine))
        }
    })
    .await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(
        smtp.messages()
            .iter()
            .filter(|m| m.contains("unit@instantco.kz"))
            .count(),
        3
    );
    assert!(mails.iter().all(|m| !mail_text(m).contains("digest")));
    Ok(())
}
