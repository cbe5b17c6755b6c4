//! Issue 14's cases beyond reports, black-box on PostgreSQL + Redis and
//! on the embedded default: a compliance officer escalates a finding to a
//! case (once), links the case to findings and people, and closes it with
//! the measures taken; who may do what.

use super::records::{gift_body, iin};
use super::{ADMIN_PASSWORD, create_tenant, start_production};
use adal_blackbox::*;
use anyhow::Result;
use serde_json::json;
use std::time::Duration;

async fn case_from_a_finding(api: &Api, platform: &str, tag: &str, bin_prefix: &str) -> Result<()> {
    let t = create_tenant(api, platform, tag, bin_prefix).await?;
    let p = |s: &str| format!("/tenants/{}{s}", t.id);
    let r = api
        .post(
            &t.compliance,
            &p("/rule-sets"),
            &json!({"rules": library_rules()}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api
        .post(&t.compliance, &p("/rule-sets/1/activate"), &json!({}))
        .await?;
    assert!((200..300).contains(&r.status), "{}", r.text);
    let r = api.post(&t.employee, &p("/gifts"), &gift_body()).await?;
    assert!((200..300).contains(&r.status), "{}", r.text);
    let findings = api
        .get_until(
            &t.compliance,
            &p("/findings"),
            Duration::from_secs(60),
            "a finding",
            |b| b["items"][0]["id"].is_string(),
        )
        .await?;
    let finding = findings["items"][0]["id"].as_str().unwrap().to_owned();
    let rule = findings["items"][0]["rule_id"].as_str().unwrap().to_owned();
    // The rule's title in the language asked for; English otherwise.
    let english = findings["items"][0]["rule_title"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(english, rule, "a library rule has a title");
    let r = api
        .get_with(
            &t.compliance,
            &p(&format!("/findings/{finding}")),
            &[("Accept-Language", "ru-RU,ru;q=0.9,en;q=0.5")],
        )
        .await?;
    let russian = r.body["rule_title"].as_str().unwrap().to_owned();
    assert_ne!(russian, english, "{}", r.text);
    assert!(russian.chars().any(|c| matches!(c, 'а'..='я')), "{russian}");
    // The explanation too, written from the facts the finding stored, with
    // amounts as the language writes them.
    let explained_en = findings["items"][0]["explanation"].as_str().unwrap();
    let explained_ru = r.body["explanation"].as_str().unwrap();
    assert_ne!(explained_ru, explained_en, "{}", r.text);
    assert!(
        explained_ru.chars().any(|c| matches!(c, 'а'..='я')),
        "{explained_ru}"
    );
    let r = api
        .get_with(&t.compliance, &p("/findings"), &[("Accept-Language", "de")])
        .await?;
    assert_eq!(r.body["items"][0]["rule_title"], english.as_str());
    assert_eq!(r.body["items"][0]["explanation"], explained_en);

    // Only the compliance unit opens cases.
    let open = p(&format!("/findings/{finding}/case"));
    let r = api.post(&t.hr, &open, &json!({})).await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = api.post(&t.compliance, &open, &json!({})).await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["created"], true);
    let case = r.body["id"].as_str().unwrap().to_owned();
    // Once: again, the same case.
    let r = api.post(&t.compliance, &open, &json!({})).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], case.as_str());
    assert_eq!(r.body["created"], false);
    // A finding that does not exist: 404.
    let r = api
        .post(
            &t.compliance,
            &p(&format!("/findings/{}/case", uuid::Uuid::new_v4())),
            &json!({}),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);

    let base = p(&format!("/cases/{case}"));
    let r = api.get(&t.compliance, &base).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["source"], "finding");
    assert!(r.body["report"]["what"].as_str().unwrap().contains(&rule));
    assert_eq!(r.body["links"][0]["kind"], "finding");
    assert_eq!(r.body["links"][0]["target_id"], finding.as_str());
    assert!(
        r.body["links"][0]["label"]
            .as_str()
            .unwrap()
            .starts_with(&rule)
    );
    let r = api.get(&t.compliance, &p("/cases")).await?;
    assert!(r.text.contains(&case), "in the unit's list: {}", r.text);

    // People: linked once, unlinked once.
    let r = api
        .post(
            &t.admin,
            &p("/people"),
            &json!({"iin": iin("85010130007"), "full_name": "Aigerim Nurlanova"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let person = r.body["id"].as_str().unwrap().to_owned();
    let links = format!("{base}/links");
    let r = api
        .post(&t.compliance, &links, &json!({"person_id": person}))
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let link = r.body["id"].as_str().unwrap().to_owned();
    let r = api
        .post(&t.compliance, &links, &json!({"person_id": person}))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = api
        .post(
            &t.compliance,
            &links,
            &json!({"person_id": uuid::Uuid::new_v4()}),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api
        .post(
            &t.compliance,
            &links,
            &json!({"finding_id": finding, "person_id": person}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = api.get(&t.compliance, &base).await?;
    assert_eq!(
        r.body["links"][1]["label"], "Aigerim Nurlanova",
        "{}",
        r.text
    );
    let r = api
        .send(
            "DELETE",
            &t.compliance,
            &format!("{links}/{link}"),
            String::new(),
        )
        .await?;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = api
        .send(
            "DELETE",
            &t.compliance,
            &format!("{links}/{link}"),
            String::new(),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);

    // Measures come with closing, and only then.
    let r = api
        .send(
            "PATCH",
            &t.compliance,
            &base,
            json!({"status": "under_review", "measures": "Reprimand"}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/measures", "{}", r.text);
    let r = api
        .send(
            "PATCH",
            &t.compliance,
            &base,
            json!({"status": "closed", "outcome": "substantiated",
                   "measures": "The gift was handed over; the employee was reprimanded."})
            .to_string(),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["measures"],
        "The gift was handed over; the employee was reprimanded."
    );
    // Reopened, the case forgets how it ended.
    let r = api
        .send(
            "PATCH",
            &t.compliance,
            &base,
            json!({"status": "under_review"}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["measures"].is_null(), "{}", r.text);
    let audit = api.get(&t.admin, &p("/audit/entries?action=case.")).await?;
    for action in [
        "case.from_finding",
        "case.link",
        "case.unlink",
        "case.change",
    ] {
        assert!(
            audit
                .body
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == action),
            "no {action}: {}",
            audit.text
        );
    }
    assert!(
        !audit.text.contains("reprimanded"),
        "the audit log holds no content"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finding_becomes_a_case_on_postgres_redis() -> Result<()> {
    let (_db, _smtp, dep, api, _) = start_production().await?;
    let _serve = dep.spawn("serve", &["serve"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    case_from_a_finding(&api, &platform, "casework", "29034001111").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_finding_becomes_a_case_on_the_embedded_default() -> Result<()> {
    let (dep, api) = super::start_embedded().await?;
    let _serve = dep.spawn("serve", &["serve"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    case_from_a_finding(&api, &platform, "caseworkemb", "29034002222").await
}
