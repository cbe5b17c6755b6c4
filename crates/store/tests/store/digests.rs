//! Alert digests against real databases, each test run on a fresh SQLite
//! file and a fresh PostgreSQL database.

use crate::store::{all_findings, infos, submit, tenant, version};
use adal_sandbox_protocol::{RuleOutcome, Severity};
use adal_store::evaluation::{self, AlertPolicy};
use adal_store::tenants::AlertDigest;
use adal_store::{Store, TenantId, digests, org, outbox};
use chrono::{Duration, TimeZone, Utc};

adal_testkit::on_both_backends!(
    a_daily_digest_lists_the_days_findings_once,
    two_workers_gather_a_digest_once,
    periods_are_utc_hours_and_days,
    the_migration_rolls_back_and_existing_tenants_stay_immediate,
);

fn finding(rule: &str, severity: Severity) -> RuleOutcome {
    RuleOutcome::Finding {
        rule_id: rule.to_owned(),
        severity,
        likelihood: 3,
        impact: 3,
        explanation: format!("explained {rule}"),
        facts: Default::default(),
    }
}

fn policy(digest: AlertDigest, languages: &[(&str, &str)]) -> AlertPolicy {
    AlertPolicy {
        threshold: Severity::Medium,
        recipients: vec!["cu@example.kz".to_owned(), "ru@example.kz".to_owned()],
        languages: languages
            .iter()
            .map(|(e, l)| ((*e).to_owned(), (*l).to_owned()))
            .collect(),
        link_base: "https://adal.example".to_owned(),
        triage: Default::default(),
        digest,
    }
}

/// The tenant's alert addresses as the digest reads them when it is sent.
async fn with_recipients(store: &Store, t: TenantId) {
    let mut s =
        adal_store::tenants::settings_of(&adal_store::tenants::get(store, t).await.unwrap())
            .unwrap();
    s.alert_emails = vec!["cu@example.kz".to_owned(), "ru@example.kz".to_owned()];
    s.alert_digest = Some(AlertDigest::Daily);
    adal_store::tenants::update_settings(store, t, "test", &s)
        .await
        .unwrap();
}

/// Records three qualifying findings (and one below the threshold) on
/// three submissions under `policy`.
async fn three_findings(
    store: &Store,
    t: TenantId,
    department: Option<uuid::Uuid>,
    p: &AlertPolicy,
) {
    let v = version(store, t).await;
    let rules = infos(&[
        ("r1", "gifts"),
        ("r2", "gifts"),
        ("r3", "gifts"),
        ("low", "gifts"),
    ]);
    for (i, rule) in ["r1", "r2", "r3"].into_iter().enumerate() {
        let s = submit(store, t, department, None).await;
        let mut outcomes = vec![finding(rule, Severity::High)];
        if i == 0 {
            outcomes.push(finding("low", Severity::Low));
        }
        evaluation::record(store, t, &s, v, &outcomes, &rules, p)
            .await
            .unwrap();
    }
}

/// With `daily`, three qualifying findings queue no email; once the day
/// is over, one email per language lists all three with their links, and
/// the next run sends nothing more. `immediate` still mails each finding.
async fn a_daily_digest_lists_the_days_findings_once(store: Store) {
    let t = tenant(&store, "Digest JSC").await;
    with_recipients(&store, t).await;
    let ru = crate::triage::user(&store, Some(t), "ru@example.kz").await;
    adal_store::users::set_lang(&store, ru, "ru").await.unwrap();
    let d = org::create_department(&store, t, "admin", "Procurement".to_owned(), None)
        .await
        .unwrap();
    three_findings(&store, t, Some(d.id), &policy(AlertDigest::Daily, &[])).await;
    assert!(outbox::list(&store, t, 10).await.unwrap().is_empty());
    let (findings, _) = all_findings(&store, t).await;
    assert_eq!(findings.len(), 4);
    assert_eq!(digests::waiting(&store, t).await.unwrap().len(), 3);

    // The day is not over: nothing yet.
    let now = Utc::now();
    let run = digests::send_due(&store, now, "https://adal.example")
        .await
        .unwrap();
    assert_eq!(run, digests::DigestRun::default());

    let tomorrow = now + Duration::days(1);
    let run = digests::send_due(&store, tomorrow, "https://adal.example/")
        .await
        .unwrap();
    assert_eq!(
        (run.digests, run.findings, run.emails),
        (1, 3, 2),
        "one digest, in English and in Russian"
    );
    let rows = outbox::list(&store, t, 10).await.unwrap();
    assert_eq!(rows.len(), 2);
    for m in &rows {
        let to = outbox::recipients_of(m).unwrap();
        assert_eq!(to.len(), 1, "{to:?}");
        for f in findings.iter().filter(|f| f.rule_id != "low") {
            let link = format!("https://adal.example/t/{}/findings/{}", t.uuid(), f.id);
            assert!(m.body.contains(&link), "{}", m.body);
        }
        assert!(!m.body.contains("Title of low"), "{}", m.body);
        assert!(m.body.contains("Procurement"), "{}", m.body);
        if to[0] == "ru@example.kz" {
            assert!(m.subject.contains("за день"), "{}", m.subject);
        } else {
            assert!(m.subject.contains("Daily alert digest: 3"), "{}", m.subject);
        }
    }
    assert!(digests::waiting(&store, t).await.unwrap().is_empty());
    let again = digests::send_due(&store, tomorrow + Duration::days(1), "https://adal.example")
        .await
        .unwrap();
    assert_eq!(again, digests::DigestRun::default());
    assert_eq!(outbox::list(&store, t, 10).await.unwrap().len(), 2);

    // Immediate, as before: one email per qualifying finding (two
    // languages each), nothing waiting.
    let t2 = tenant(&store, "Immediate JSC").await;
    three_findings(
        &store,
        t2,
        None,
        &policy(AlertDigest::Immediate, &[("ru@example.kz", "ru")]),
    )
    .await;
    assert_eq!(outbox::list(&store, t2, 20).await.unwrap().len(), 6);
    assert!(digests::waiting(&store, t2).await.unwrap().is_empty());
}

/// Two workers gathering the same due digest at once: every finding is
/// in exactly one digest, and the emails are queued once.
async fn two_workers_gather_a_digest_once(store: Store) {
    let t = tenant(&store, "Race JSC").await;
    with_recipients(&store, t).await;
    three_findings(&store, t, None, &policy(AlertDigest::Hourly, &[])).await;
    let later = Utc::now() + Duration::hours(2);
    let (a, b) = tokio::join!(
        digests::send_due(&store, later, ""),
        digests::send_due(&store, later, "")
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.findings + b.findings, 3, "{a:?} {b:?}");
    assert_eq!(a.digests + b.digests, 1, "{a:?} {b:?}");
    let rows = outbox::list(&store, t, 10).await.unwrap();
    // Both recipients read English: one email to both.
    assert_eq!(rows.len(), 1);
    assert_eq!(outbox::recipients_of(&rows[0]).unwrap().len(), 2);
    assert!(rows[0].subject.contains("Hourly"), "{}", rows[0].subject);
    // Without a public address, the findings' ids instead of links.
    for f in all_findings(&store, t).await.0 {
        let listed = rows[0].body.contains(&f.id.to_string());
        // The low finding is below the threshold: in no digest.
        assert_eq!(listed, f.rule_id != "low", "{}", rows[0].body);
    }
    assert!(!rows[0].body.contains("http"), "{}", rows[0].body);
}

async fn periods_are_utc_hours_and_days(_store: Store) {
    let at = Utc.with_ymd_and_hms(2026, 3, 1, 13, 45, 10).unwrap();
    assert_eq!(AlertDigest::Immediate.period_of(at), None);
    assert_eq!(
        AlertDigest::Hourly.period_of(at),
        Some((
            Utc.with_ymd_and_hms(2026, 3, 1, 13, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 1, 14, 0, 0).unwrap()
        ))
    );
    assert_eq!(
        AlertDigest::Daily.period_of(at),
        Some((
            Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()
        ))
    );
    for d in AlertDigest::ALL {
        assert_eq!(AlertDigest::parse(d.as_str()), Some(d));
    }
    assert_eq!(AlertDigest::parse("weekly"), None);
}

/// The digests' migration both ways: rolled back (with any later one) and
/// applied again, a tenant that was there reads `immediate`, and findings
/// can wait for digests again.
async fn the_migration_rolls_back_and_existing_tenants_stay_immediate(store: Store) {
    let t = tenant(&store, "Upgrade JSC").await;
    with_recipients(&store, t).await;
    let store = crate::store::migrate_again_from(store, "m20261209_000180_alert_digest").await;
    let settings =
        adal_store::tenants::settings_of(&adal_store::tenants::get(&store, t).await.unwrap())
            .unwrap();
    assert_eq!(settings.alert_digest, Some(AlertDigest::Immediate));
    three_findings(&store, t, None, &policy(AlertDigest::Daily, &[])).await;
    assert_eq!(digests::waiting(&store, t).await.unwrap().len(), 3);
}
