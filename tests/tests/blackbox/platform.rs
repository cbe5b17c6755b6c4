//! Issue 15, the platform operator, over HTTP on PostgreSQL + Redis:
//! tenants with their usage, suspension (its people signed out and kept
//! out, the Agency still reading, both logged with the reason) and
//! reactivation; the Agency's accounts created through the API working at
//! once, disabled and enabled; every other role refused.

use crate::records::{ADMIN_PASSWORD, PASSWORD, start_with, tenant};
use anyhow::Result;
use serde_json::{Value, json};

fn pointers(r: &Value) -> Vec<String> {
    r["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["pointer"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_operator_suspends_tenants_and_keeps_the_agencys_accounts() -> Result<()> {
    let run = start_with(&[]).await?;
    let api = &run.api;
    let platform = &run.platform;
    let t = tenant(api, platform, "opera", "19034000125").await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    let tid = &t.id;

    // Every tenant with its usage: the operator's alone.
    let r = api.get(platform, "/platform/tenants").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let line = r
        .body
        .as_array()
        .and_then(|a| a.iter().find(|l| l["tenant"]["id"] == tid.as_str()))
        .cloned()
        .unwrap_or_default();
    assert!(line["accounts"].as_u64().unwrap_or(0) >= 5, "{}", r.text);
    assert_eq!(line["tenant"]["suspended_at"], Value::Null);
    for token in [&agency, &t.admin] {
        let r = api.get(token, "/platform/tenants").await?;
        assert_eq!(r.status, 403, "{}", r.text);
    }

    // Suspension needs a reason, and the operator.
    let suspend = format!("/tenants/{tid}/suspend");
    let r = api
        .post(platform, &suspend, &json!({"reason": "  "}))
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(pointers(&r.body), ["/reason"]);
    for token in [&agency, &t.admin] {
        let r = api
            .post(token, &suspend, &json!({"reason": "Contract ended"}))
            .await?;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    let r = api
        .post(platform, &suspend, &json!({"reason": "Contract ended"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["suspended_at"].is_string(), "{}", r.text);
    assert_eq!(r.body["suspended_reason"], "Contract ended");
    let r = api
        .post(platform, &suspend, &json!({"reason": "Again"}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);

    // Its people are signed out and kept out; the Agency still reads it.
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/findings"))
        .await?;
    assert_eq!(r.status, 401, "a revoked session: {}", r.text);
    let r = api
        .post(
            "",
            "/auth/login",
            &json!({"email": "admin@opera.kz", "password": PASSWORD}),
        )
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["error"], "tenant_suspended", "{}", r.text);
    assert!(r.text.contains("suspended"), "{}", r.text);
    let r = api
        .get(&agency, &format!("/tenants/{tid}/findings"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    // Reactivated, they sign in again; the log says who did what and why.
    let r = api
        .post(platform, &format!("/tenants/{tid}/reactivate"), &json!({}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["suspended_at"], Value::Null);
    let r = api
        .post(platform, &format!("/tenants/{tid}/reactivate"), &json!({}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let admin = api.login("admin@opera.kz", PASSWORD).await?;
    let log = api
        .get(
            &admin,
            &format!("/tenants/{tid}/audit/entries?action=tenant.suspend"),
        )
        .await?;
    assert_eq!(log.status, 200, "{}", log.text);
    assert_eq!(
        log.body[0]["detail"]["reason"], "Contract ended",
        "{}",
        log.text
    );

    // The Agency's accounts: checked, created, working at once (no
    // restart), disabled and enabled; the operator's alone.
    let accounts = "/platform/agency-accounts";
    let r = api
        .post(
            platform,
            accounts,
            &json!({"email": "not-an-email", "display_name": "", "password": "short"}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(pointers(&r.body), ["/email", "/display_name", "/password"]);
    let new =
        json!({"email": "inspector@agency.kz", "display_name": "Inspector", "password": PASSWORD});
    for token in [&agency, &admin] {
        let r = api.post(token, accounts, &new).await?;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    let r = api.post(platform, accounts, &new).await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["role"], "agency_auditor");
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    let r = api.post(platform, accounts, &new).await?;
    assert_eq!(r.status, 422, "the same email again: {}", r.text);
    assert_eq!(pointers(&r.body), ["/email"]);
    let inspector = api.login("inspector@agency.kz", PASSWORD).await?;
    let r = api.get(&inspector, "/agency/cartogram").await?;
    assert_eq!(r.status, 200, "the new auditor works at once: {}", r.text);
    let r = api
        .get(&inspector, &format!("/tenants/{tid}/findings"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api.get(platform, accounts).await?;
    assert!(
        r.body
            .as_array()
            .is_some_and(|a| a.iter().any(|u| u["id"] == id.as_str())),
        "{}",
        r.text
    );
    let r = api
        .post(platform, &format!("{accounts}/{id}/disable"), &json!({}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["disabled"], true);
    let r = api.get(&inspector, "/agency/cartogram").await?;
    assert_eq!(r.status, 401, "signed out: {}", r.text);
    let r = api
        .post(
            platform,
            &format!("{accounts}/{}/disable", t.id),
            &json!({}),
        )
        .await?;
    assert_eq!(r.status, 404, "not an Agency account: {}", r.text);
    let r = api
        .post(platform, &format!("{accounts}/{id}/enable"), &json!({}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    api.login("inspector@agency.kz", PASSWORD).await?;
    Ok(())
}
