//! Issue 14's feedback channel, black-box: a report filed without an
//! account (proof of work, receipt once), followed with the receipt,
//! messages both ways, internal notes the reporter never sees, closing
//! with an outcome; on PostgreSQL + Redis and on the embedded default.
//! The report's text and the receipt are found in no database file, no
//! dump and no log line.

use super::{ADMIN_PASSWORD, create_agency_auditor, create_tenant, psql, start_production};
use adal_blackbox::*;
use anyhow::Result;
use serde_json::{Value, json};

/// A report with a marker no one else writes.
fn report(marker: &str) -> Value {
    json!({
        "what": format!("The head of procurement asked for a kickback ({marker}). Қазақша мәтін."),
        "when": "last spring",
        "where": "Karaganda office",
        "involved": [{"name": "Serik Bekov", "position": "Head of procurement"}],
        "language": "en"
    })
}

/// A reporter's token for `receipt`.
async fn open(api: &Api, receipt: &str) -> Result<Reply> {
    let pow = api.proof_of_work().await?;
    api.post_public(
        "/public/reports/access",
        &[("Proof-Of-Work", &pow)],
        &json!({ "receipt": receipt }),
    )
    .await
}

/// The whole conversation, escalated to the Agency (`agency`, an
/// auditor's token) before it is closed; returns the receipt and the
/// marker for the callers' searches.
async fn conversation(
    api: &Api,
    platform: &str,
    agency: &str,
    tag: &str,
    bin: &str,
) -> Result<(String, String)> {
    let t = create_tenant(api, platform, tag, bin).await?;
    let tid = &t.id;
    let marker = format!("MARKER-{}", uuid::Uuid::new_v4().simple());
    // A second compliance officer, whom the report will name (in Latin
    // letters; the account is in Cyrillic).
    let r = api
        .post(
            &t.admin,
            &format!("/tenants/{tid}/users"),
            &json!({"email": format!("bekov@{tag}.kz"), "display_name": "Беков Серик",
                    "password": super::PASSWORD, "role": "compliance_officer"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let named_id = r.body["id"].as_str().unwrap().to_owned();
    let named = api
        .login(&format!("bekov@{tag}.kz"), super::PASSWORD)
        .await?;

    // The challenge, and what happens without doing its work.
    let r = api.get_public("/public/challenge").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["bits"], 8);
    let r = api
        .post_public(
            &format!("/public/tenants/{tid}/reports"),
            &[],
            &report(&marker),
        )
        .await?;
    assert_eq!(r.status, 429, "{}", r.text);
    assert_eq!(r.body["error"], "proof_of_work_required");
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("/public/challenge")
    );
    let r = api
        .post_public(
            &format!("/public/tenants/{tid}/reports"),
            &[("Proof-Of-Work", "v1.1.AAAA.BBBB:1")],
            &report(&marker),
        )
        .await?;
    assert_eq!(r.status, 400, "{}", r.text);

    // Wrong input names its field, and spends no work.
    let pow = api.proof_of_work().await?;
    let r = api
        .post_public(
            &format!("/public/tenants/{tid}/reports"),
            &[("Proof-Of-Work", &pow)],
            &json!({"what": "   ", "language": "de"}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let pointers: Vec<&str> = r.body["details"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["pointer"].as_str())
        .collect();
    assert!(
        pointers.contains(&"/what") && pointers.contains(&"/language"),
        "{}",
        r.text
    );
    // An organisation that does not exist is a 404, the work unspent.
    let r = api
        .post_public(
            &format!("/public/tenants/{}/reports", uuid::Uuid::now_v7()),
            &[("Proof-Of-Work", &pow)],
            &report(&marker),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    // The same work filed once, refused the second time.
    let r = api
        .post_public(
            &format!("/public/tenants/{tid}/reports"),
            &[("Proof-Of-Work", &pow)],
            &report(&marker),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let receipt = r.body["receipt"].as_str().unwrap().to_owned();
    let digits: String = receipt.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(digits.len(), 40, "{receipt}");
    assert_eq!(receipt.split(' ').count(), 10, "{receipt}");
    let r = api
        .post_public(
            &format!("/public/tenants/{tid}/reports"),
            &[("Proof-Of-Work", &pow)],
            &report(&marker),
        )
        .await?;
    assert_eq!(r.status, 400, "{}", r.text);
    assert!(r.text.contains("Proof-Of-Work"), "{}", r.text);

    // A receipt that opens nothing; then the right one, without spaces.
    let wrong: String = digits
        .chars()
        .map(|c| if c == '9' { '0' } else { '9' })
        .collect();
    let r = open(api, &wrong).await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = open(api, &digits).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let reporter = r.body["token"].as_str().unwrap().to_owned();
    let r = api.get(&reporter, "/public/reports/mine").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "received");
    assert!(r.body["report"]["what"].as_str().unwrap().contains(&marker));
    assert_eq!(r.body["anonymous"], true);
    assert_eq!(r.body["assignee_id"], Value::Null);
    // A forged token is a 401.
    let r = api
        .get(&format!("{reporter}x"), "/public/reports/mine")
        .await?;
    assert_eq!(r.status, 401, "{}", r.text);

    // Only the compliance unit sees cases.
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/cases"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["total"], 1, "{}", r.text);
    let case = r.body["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["items"][0]["overdue"], false);
    assert!(!r.text.contains(&marker), "a list shows no content");
    for who in [&t.admin, &t.employee, &t.procurement] {
        let r = api.get(who, &format!("/tenants/{tid}/cases")).await?;
        assert_eq!(r.status, 403, "{}", r.text);
        let r = api
            .get(who, &format!("/tenants/{tid}/cases/{case}"))
            .await?;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/cases/{case}"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["report"]["what"].as_str().unwrap().contains(&marker));
    assert_eq!(r.body["report"]["involved"][0]["name"], "Serik Bekov");
    assert_eq!(
        r.body["recused"],
        json!([{"user_id": named_id, "reason": "named"}]),
        "{}",
        r.text
    );

    // The officer the report names never sees it, and cannot be given it.
    let r = api.get(&named, &format!("/tenants/{tid}/cases")).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["total"], 0, "{}", r.text);
    let r = api
        .get(&named, &format!("/tenants/{tid}/cases/{case}"))
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api
        .post(
            &named,
            &format!("/tenants/{tid}/cases/{case}/messages"),
            &json!({"body": "Let me see"}),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api
        .send(
            "PATCH",
            &t.compliance,
            &format!("/tenants/{tid}/cases/{case}"),
            json!({"assignee_id": named_id}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);

    // The handler acknowledges, takes the case, writes and notes.
    let me = api.get(&t.compliance, "/me").await?.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = api
        .send(
            "PATCH",
            &t.compliance,
            &format!("/tenants/{tid}/cases/{case}"),
            json!({"status": "acknowledged", "assignee_id": me}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "acknowledged");
    assert!(r.body["acknowledged_at"].is_string());
    // Only a compliance officer can be assigned.
    let r = api
        .send(
            "PATCH",
            &t.compliance,
            &format!("/tenants/{tid}/cases/{case}"),
            json!({"assignee_id": t.employee_id}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/assignee_id");
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/cases/{case}/messages"),
            &json!({"body": "Thank you. Which tender was it?"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/cases/{case}/messages"),
            &json!({"body": "Internal: check tender T-17", "internal": true}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);

    // The reporter reads the reply (not the note) and answers.
    let r = api.get(&reporter, "/public/reports/mine").await?;
    assert_eq!(r.body["status"], "acknowledged");
    let messages = r.body["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{}", r.text);
    assert_eq!(messages[0]["author"], "handler");
    assert_eq!(messages[0]["author_id"], Value::Null);
    assert!(!r.text.contains("T-17"), "a note reached the reporter");
    let r = api
        .post(
            &reporter,
            "/public/reports/mine/messages",
            &json!({"body": "Tender T-17, for cables. Ответ по-русски."}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api
        .post(
            &reporter,
            "/public/reports/mine/messages",
            &json!({"body": ""}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);

    // Escalated to the Agency with the report; the Agency reads it, the
    // reporter sees the status.
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/cases/{case}/escalate"),
            &json!({"summary": "Kickbacks in cable tenders", "include_report": true}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api.get(agency, &format!("/agency/cases/{case}")).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["channel"], "tenant");
    assert!(r.body["report"]["what"].as_str().unwrap().contains(&marker));
    assert_eq!(
        r.body["messages"],
        json!([]),
        "the conversation stays the organisation's"
    );
    let r = api.get(&reporter, "/public/reports/mine").await?;
    assert_eq!(r.body["status"], "escalated", "{}", r.text);

    // Closing needs an outcome; then the reporter sees it and can write
    // no more.
    let r = api
        .send(
            "PATCH",
            &t.compliance,
            &format!("/tenants/{tid}/cases/{case}"),
            json!({"status": "closed"}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/outcome");
    let r = api
        .send(
            "PATCH",
            &t.compliance,
            &format!("/tenants/{tid}/cases/{case}"),
            json!({"status": "closed", "outcome": "referred_to_law_enforcement"}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let handler_view = r.body.clone();
    let authors: Vec<&str> = handler_view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["author"].as_str())
        .collect();
    assert_eq!(authors, ["handler", "note", "reporter"], "{handler_view}");
    let r = api.get(&reporter, "/public/reports/mine").await?;
    assert_eq!(r.body["status"], "closed");
    assert_eq!(r.body["outcome"], "referred_to_law_enforcement");
    let r = api
        .post(
            &reporter,
            "/public/reports/mine/messages",
            &json!({"body": "One more thing"}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);

    // The handler steps aside: unassigned, and the case is hidden from
    // them from then on.
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/cases/{case}/recuse"),
            &json!({}),
        )
        .await?;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/cases/{case}"))
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/cases"))
        .await?;
    assert_eq!(r.body["total"], 0, "{}", r.text);

    // The channel in figures: one report, closed the day it came,
    // anonymous, referred; as JSON and CSV; not for other roles.
    let stats = format!("/tenants/{tid}/case-statistics");
    let r = api.get(&named, &stats).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["reports"], 1, "{}", r.text);
    assert_eq!(r.body["open"], 0);
    assert_eq!(r.body["anonymous_share"], 1.0);
    assert_eq!(r.body["median_days_to_acknowledge"], 0.0);
    assert_eq!(r.body["median_days_to_close"], 0.0);
    let referred = r.body["by_outcome"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["value"] == "referred_to_law_enforcement")
        .unwrap();
    assert_eq!(referred["count"], 1);
    let r = api.get(&named, &format!("{stats}/csv")).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.text.starts_with("from,to,reports,open,overdue"),
        "{}",
        r.text
    );
    let r = api
        .get(&named, &format!("{stats}?from=2000-01-01&to=2000-12-31"))
        .await?;
    assert_eq!(r.body["reports"], 0, "{}", r.text);
    let r = api
        .get(&named, &format!("{stats}?from=2026-02-01&to=2026-01-01"))
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = api.get(&t.admin, &stats).await?;
    assert_eq!(r.status, 403, "{}", r.text);

    Ok((digits, marker))
}

/// Every file under `dir` (recursively) that holds `needle`.
pub(crate) fn files_holding(dir: &std::path::Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(bytes) = std::fs::read(&p)
                && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
            {
                found.push(p.display().to_string());
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn report_followed_by_receipt_and_closed_on_postgres_redis() -> Result<()> {
    let (db, _smtp, dep, api, _) = start_production().await?;
    create_agency_auditor(&dep).await?;
    let serve = dep.spawn("serve", &["serve", "--api-only"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    let (receipt, marker) = conversation(&api, &platform, &agency, "kappa", "29034000555").await?;
    drop(serve);
    // Handlers' reads and changes are in the audit log, with nothing of
    // the content.
    let audit = psql(
        &db.name,
        "SELECT action || ' ' || detail FROM audit_log ORDER BY seq",
    )?;
    for action in [
        "case.read",
        "case.change",
        "case.message",
        "case.note",
        "case.recuse",
    ] {
        assert!(
            audit.contains(action),
            "no {action} in the audit log: {audit}"
        );
    }
    assert!(!audit.contains(&marker));
    // Nothing of the report or its receipt in the database (a full dump)
    // or the logs.
    let dump = std::process::Command::new("pg_dump")
        .args(["-h", "127.0.0.1", "-U", "postgres", "--data-only", &db.name])
        .output()?;
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("reports"), "the dump holds the reports table");
    for needle in [marker.as_str(), receipt.as_str(), "Serik Bekov", "T-17"] {
        assert!(!dump.contains(needle), "{needle} in the database dump");
        assert!(
            files_holding(&dep.dir, needle).is_empty(),
            "{needle} in {:?}",
            files_holding(&dep.dir, needle)
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn report_followed_by_receipt_and_closed_on_the_embedded_default() -> Result<()> {
    let (dep, api) = super::start_embedded().await?;
    create_agency_auditor(&dep).await?;
    let serve = dep.spawn("serve", &["serve"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    let (receipt, marker) = conversation(&api, &platform, &agency, "lambda", "29034000666").await?;
    drop(serve);
    // The SQLite files (and their write-ahead logs), the queue, the mail
    // directory and the service's log: none holds the report or receipt.
    assert!(
        dep.dir.join("reporting.key").exists(),
        "the embedded key was generated"
    );
    for needle in [marker.as_str(), receipt.as_str(), "Serik Bekov", "T-17"] {
        let found = files_holding(&dep.dir, needle);
        assert!(found.is_empty(), "{needle} found in {found:?}");
    }
    Ok(())
}

/// Key rotation: reports filed under the first key are read, after `adal
/// reporting-rekey`, by a service that has only the new one; a second run
/// has nothing left to do.
#[tokio::test(flavor = "multi_thread")]
async fn the_key_encryption_key_is_rotated_without_losing_a_report() -> Result<()> {
    let dep = Deployment::embedded();
    dep.run(&["migrate"], &[]).await?;
    dep.run(
        &["create-admin", "--email", "platform@adal.test"],
        &[("ADAL_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    )
    .await?;
    let api = Api::new(dep.base_url());
    let serve = dep.spawn("serve", &["serve", "--api-only"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let t = create_tenant(&api, &platform, "mu", "29034000777").await?;
    let pow = api.proof_of_work().await?;
    let r = api
        .post_public(
            &format!("/public/tenants/{}/reports", t.id),
            &[("Proof-Of-Work", &pow)],
            &report("before rotation"),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let receipt = r.body["receipt"].as_str().unwrap().to_owned();
    drop(serve);

    let old = std::fs::read_to_string(dep.dir.join("reporting.key"))?;
    let new = "5e".repeat(32);
    let rotating = [
        ("ADAL_REPORTING__KEY", new.as_str()),
        ("ADAL_REPORTING__PREVIOUS_KEY", old.trim()),
    ];
    let out = dep.run(&["reporting-rekey"], &rotating).await?;
    assert!(out.contains("1 report keys rewrapped"), "{out}");
    let out = dep.run(&["reporting-rekey"], &rotating).await?;
    assert!(out.contains("0 report keys rewrapped"), "{out}");

    // The service with the new key alone reads the report, for the
    // handler and for the reporter.
    let mut after = Deployment {
        env: dep.env.clone(),
        dir: dep.dir.clone(),
        port: free_port(),
    };
    after
        .env
        .insert("ADAL_LISTEN".into(), format!("127.0.0.1:{}", after.port));
    after.env.insert("ADAL_REPORTING__KEY".into(), new.clone());
    let api = Api::new(after.base_url());
    let _serve = after.spawn("serve-after", &["serve", "--api-only"])?;
    after.wait_ready().await?;
    let r = api
        .get(&t.compliance, &format!("/tenants/{}/cases", t.id))
        .await?;
    let case = r.body["items"][0]["id"].as_str().unwrap().to_owned();
    let r = api
        .get(&t.compliance, &format!("/tenants/{}/cases/{case}", t.id))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(
        r.body["report"]["what"]
            .as_str()
            .unwrap()
            .contains("before rotation")
    );
    let r = open(&api, &receipt).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let reporter = r.body["token"].as_str().unwrap().to_owned();
    let r = api.get(&reporter, "/public/reports/mine").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    Ok(())
}

/// Escalation on PostgreSQL: the organisation hands a case to the Agency
/// with a summary; the Agency lists and reads what was shared (the report
/// only when the organisation chose to share it), its read is audited in
/// the organisation's log; nobody else reaches the Agency's view, and the
/// Agency reads no case that was not escalated.
#[tokio::test(flavor = "multi_thread")]
async fn an_escalated_case_reaches_the_agency_with_what_was_shared() -> Result<()> {
    let (db, _smtp, dep, api, _) = start_production().await?;
    create_agency_auditor(&dep).await?;
    let _serve = dep.spawn("serve", &["serve", "--api-only"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    let t = create_tenant(&api, &platform, "nu", "29034000888").await?;
    let tid = &t.id;
    let mut cases = Vec::new();
    for marker in ["kept-in-house", "shared-with-agency", "never-escalated"] {
        let pow = api.proof_of_work().await?;
        let r = api
            .post_public(
                &format!("/public/tenants/{tid}/reports"),
                &[("Proof-Of-Work", &pow)],
                &report(marker),
            )
            .await?;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/cases"))
        .await?;
    for item in r.body["items"].as_array().unwrap() {
        let id = item["id"].as_str().unwrap().to_owned();
        let c = api
            .get(&t.compliance, &format!("/tenants/{tid}/cases/{id}"))
            .await?;
        let what = c.body["report"]["what"].as_str().unwrap().to_owned();
        cases.push((what, id));
    }
    let id_of = |m: &str| {
        cases
            .iter()
            .find(|(w, _)| w.contains(m))
            .map(|(_, id)| id.clone())
            .unwrap()
    };
    let (summary_only, with_report, never) = (
        id_of("kept-in-house"),
        id_of("shared-with-agency"),
        id_of("never-escalated"),
    );
    for (id, include) in [(&summary_only, false), (&with_report, true)] {
        let r = api
            .post(
                &t.compliance,
                &format!("/tenants/{tid}/cases/{id}/escalate"),
                &json!({"summary": "A pattern across three tenders", "include_report": include}),
            )
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "escalated");
    }
    // Twice is a conflict; an empty summary names its field.
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/cases/{summary_only}/escalate"),
            &json!({"summary": "again"}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/cases/{never}/escalate"),
            &json!({"summary": "  "}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/summary");

    // The Agency's list holds the two escalated cases, no content.
    let r = api.get(&agency, "/agency/cases").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["total"], 2, "{}", r.text);
    assert!(!r.text.contains("kept-in-house") && !r.text.contains(&never));
    let r = api
        .get(&agency, &format!("/agency/cases/{summary_only}"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["summary"], "A pattern across three tenders");
    assert_eq!(r.body["tenant_name"], "nu JSC");
    assert_eq!(r.body["report"], Value::Null, "{}", r.text);
    assert!(!r.text.contains("kept-in-house"));
    let r = api
        .get(&agency, &format!("/agency/cases/{with_report}"))
        .await?;
    assert!(
        r.body["report"]["what"]
            .as_str()
            .unwrap()
            .contains("shared-with-agency")
    );
    // Not escalated, or not a case: the same 404.
    for id in [never.clone(), uuid::Uuid::new_v4().to_string()] {
        let r = api.get(&agency, &format!("/agency/cases/{id}")).await?;
        assert_eq!(r.status, 404, "{}", r.text);
    }
    // The Agency still reads no tenant case directly.
    let r = api
        .get(&agency, &format!("/tenants/{tid}/cases/{never}"))
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    // Nobody else reaches the Agency's view.
    for who in [&platform, &t.admin, &t.compliance, &t.employee] {
        let r = api.get(who, "/agency/cases").await?;
        assert_eq!(r.status, 403, "{}", r.text);
        let r = api
            .get(who, &format!("/agency/cases/{with_report}"))
            .await?;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    // The Agency's reads are in the organisation's audit log.
    let audit = psql(
        &db.name,
        "SELECT action FROM audit_log WHERE action LIKE 'case.%' ORDER BY seq",
    )?;
    assert_eq!(audit.matches("case.escalate").count(), 2, "{audit}");
    assert!(audit.matches("case.read").count() >= 3 + 2 + 2, "{audit}");
    Ok(())
}

/// The Agency's own channel on PostgreSQL: a report about an organisation
/// made to the Agency instead of the organisation's unit. The
/// organisation's officers never see it (not in the list, a 404 by id, not
/// in its statistics); the Agency lists and reads it with the
/// conversation, writes to the reporter, notes, and closes it with an
/// outcome, which the reporter reads with the receipt. The Agency changes
/// nothing of an organisation's own case, escalated or not.
#[tokio::test(flavor = "multi_thread")]
async fn a_report_to_the_agency_is_handled_by_the_agency_alone() -> Result<()> {
    let (_db, _smtp, dep, api, _) = start_production().await?;
    create_agency_auditor(&dep).await?;
    let _serve = dep.spawn("serve", &["serve", "--api-only"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    let t = create_tenant(&api, &platform, "ag", "29034000889").await?;
    let tid = &t.id;
    // Without the work, or about an organisation that does not exist: no.
    let r = api
        .post_public(
            &format!("/public/agency/tenants/{tid}/reports"),
            &[],
            &report("x"),
        )
        .await?;
    assert_eq!(r.status, 429, "{}", r.text);
    let pow = api.proof_of_work().await?;
    let r = api
        .post_public(
            &format!("/public/agency/tenants/{}/reports", uuid::Uuid::new_v4()),
            &[("Proof-Of-Work", &pow)],
            &report("x"),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let pow = api.proof_of_work().await?;
    let r = api
        .post_public(
            &format!("/public/agency/tenants/{tid}/reports"),
            &[("Proof-Of-Work", &pow)],
            &report("straight-to-the-agency"),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let receipt = r.body["receipt"].as_str().unwrap().to_owned();
    // And one the organisation handles, escalated, for contrast.
    let pow = api.proof_of_work().await?;
    let r = api
        .post_public(
            &format!("/public/tenants/{tid}/reports"),
            &[("Proof-Of-Work", &pow)],
            &report("in-house"),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);

    // The organisation sees its own case only.
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/cases"))
        .await?;
    assert_eq!(r.body["total"], 1, "{}", r.text);
    let own = r.body["items"][0]["id"].as_str().unwrap().to_owned();
    let stats = api
        .get(&t.compliance, &format!("/tenants/{tid}/case-statistics"))
        .await?;
    assert_eq!(stats.body["reports"], 1, "{}", stats.text);
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/cases/{own}/escalate"),
            &json!({"summary": "Please look", "include_report": false}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    // The Agency's list holds both, each with how it came.
    let r = api.get(&agency, "/agency/cases").await?;
    assert_eq!(r.body["total"], 2, "{}", r.text);
    let items = r.body["items"].as_array().unwrap();
    let direct = items.iter().find(|i| i["channel"] == "agency").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        items
            .iter()
            .any(|i| i["channel"] == "tenant" && i["id"] == own.as_str())
    );
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/cases/{direct}"))
        .await?;
    assert_eq!(r.status, 404, "the organisation never sees it: {}", r.text);
    let r = api.get(&agency, &format!("/agency/cases/{direct}")).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["channel"], "agency");
    assert!(
        r.body["report"]["what"]
            .as_str()
            .unwrap()
            .contains("straight-to-the-agency")
    );

    // The Agency works on it.
    for (body, internal) in [
        ("We have opened an inquiry.", false),
        ("Cross-check the tender", true),
    ] {
        let r = api
            .post(
                &agency,
                &format!("/agency/cases/{direct}/messages"),
                &json!({"body": body, "internal": internal}),
            )
            .await?;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let r = api
        .send(
            "PATCH",
            &agency,
            &format!("/agency/cases/{direct}"),
            json!({"status": "closed"}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 422, "closing needs an outcome: {}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/outcome");
    let r = api
        .send(
            "PATCH",
            &agency,
            &format!("/agency/cases/{direct}"),
            json!({"status": "closed", "outcome": "referred_to_law_enforcement"}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "closed");
    assert_eq!(
        r.body["messages"].as_array().unwrap().len(),
        2,
        "{}",
        r.text
    );

    // The reporter reads the answer, not the note, and the outcome.
    let r = open(&api, &receipt).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let reporter = r.body["token"].as_str().unwrap().to_owned();
    let r = api.get(&reporter, "/public/reports/mine").await?;
    assert_eq!(
        r.body["outcome"], "referred_to_law_enforcement",
        "{}",
        r.text
    );
    assert!(r.text.contains("opened an inquiry") && !r.text.contains("Cross-check"));

    // The Agency's figures: the organisation's own channel, and the
    // report made about it to the Agency; nobody else reads them.
    let r = api.get(&agency, "/agency/case-statistics").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let row = r.body["tenants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tenant_id"] == tid.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["figures"]["reports"], 1, "{row}");
    assert_eq!(row["reported_to_agency"], 1, "{row}");
    assert!(r.body["total"]["reports"].as_u64().unwrap() >= 1);
    let (status, _, csv) = api
        .get_bytes(&agency, "/agency/case-statistics/csv?from=2000-01-01")
        .await?;
    assert_eq!(status, 200);
    let csv = String::from_utf8(csv)?;
    assert!(
        csv.starts_with("tenant_id,tenant_name,reported_to_agency,from,to,reports"),
        "{csv}"
    );
    assert!(
        csv.contains("ag JSC") && csv.lines().last().unwrap().contains(",all,"),
        "{csv}"
    );
    let r = api
        .get(
            &agency,
            "/agency/case-statistics?from=2026-12-31&to=2026-01-01",
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    for who in [&t.admin, &t.compliance] {
        let r = api.get(who, "/agency/case-statistics").await?;
        assert_eq!(r.status, 403, "{}", r.text);
    }

    // The organisation's escalated case stays the organisation's: the
    // Agency writes nothing on it; nobody else writes on the Agency's.
    let r = api
        .post(
            &agency,
            &format!("/agency/cases/{own}/messages"),
            &json!({"body": "hello"}),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api
        .send(
            "PATCH",
            &agency,
            &format!("/agency/cases/{own}"),
            json!({"status": "under_review"}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    for who in [&platform, &t.admin, &t.compliance] {
        let r = api
            .post(
                who,
                &format!("/agency/cases/{direct}/messages"),
                &json!({"body": "hello"}),
            )
            .await?;
        assert_eq!(r.status, 403, "{}", r.text);
    }
    Ok(())
}
