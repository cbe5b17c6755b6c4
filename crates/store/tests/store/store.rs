//! The repositories against real databases, each test body run on both
//! backends (see `main.rs`).

use adal_sandbox_protocol::{Position, RuleErrorKind, RuleOutcome, Severity};
use adal_store::evaluation::{self, AlertPolicy, FindingFilter, Recorded, RuleInfo};
use adal_store::rules::{self, RuleDefinition};
use adal_store::submissions::{self, NewSubmission, SubmissionFilter};
use adal_store::{Store, StoreError, TenantId, audit, org, outbox, tenants};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

adal_testkit::on_both_backends!(
    a_deadlock_is_a_transient_conflict,
    evaluation_is_idempotent,
    alerts_go_to_the_outbox_once_and_back_off,
    alerts_are_written_in_each_recipients_language,
    tenants_never_see_each_other,
    risk_map_counts_and_ranks,
    audit_chain_detects_tampering,
    rule_set_versions_activate_linearly,
    stale_submissions_and_failures,
    concurrent_writers_keep_the_chain,
    adopted_versions_keep_the_tenants_choices,
    findings_follow_the_visibility_of_their_submission,
    one_current_record_per_reference,
    own_declarations_and_finding_times,
    convicted_registry_searches_screens_and_audits,
    submissions_filter_by_payload_fields,
);

// ---------------------------------------------------------------- helpers

pub(crate) async fn tenant(store: &Store, name: &str) -> TenantId {
    // Unique 12-digit BIN per tenant (the column is unique).
    let n = Uuid::new_v4().as_u128() % 1_000_000_000_000;
    let t = tenants::create(
        store,
        "platform-admin",
        tenants::NewTenant {
            name: name.to_owned(),
            bin: format!("{n:012}"),
            sector: "quasi_public".to_owned(),
            region: "Astana".to_owned(),
        },
    )
    .await
    .unwrap();
    TenantId::from_uuid(t.id)
}

pub(crate) async fn submit(
    store: &Store,
    tenant: TenantId,
    department_id: Option<Uuid>,
    position_id: Option<Uuid>,
) -> submissions::Submission {
    submissions::insert(
        store,
        tenant,
        NewSubmission {
            kind: "gift".to_owned(),
            schema_version: 1,
            submitted_by: Uuid::new_v4(),
            department_id,
            position_id,
            payload: serde_json::json!({"value_kzt": "150000.00", "date": "2026-03-01"}),
            reference: None,
            subject_iin: None,
            supersedes: None,
        },
    )
    .await
    .unwrap()
}

fn finding(rule_id: &str, severity: Severity, likelihood: u8, impact: u8) -> RuleOutcome {
    RuleOutcome::Finding {
        rule_id: rule_id.to_owned(),
        severity,
        likelihood,
        impact,
        explanation: format!("{rule_id} fired"),
        facts: Default::default(),
    }
}

fn rule_error(rule_id: &str) -> RuleOutcome {
    RuleOutcome::Error {
        rule_id: rule_id.to_owned(),
        kind: RuleErrorKind::Runtime,
        message: "boom".to_owned(),
        position: Some(Position { line: 3, column: 7 }),
    }
}

pub(crate) fn infos(rules: &[(&str, &str)]) -> HashMap<String, RuleInfo> {
    rules
        .iter()
        .map(|(id, area)| {
            (
                (*id).to_owned(),
                RuleInfo {
                    title: format!("Title of {id}"),
                    area: (*area).to_owned(),
                },
            )
        })
        .collect()
}

fn policy(threshold: Severity, recipients: &[&str]) -> AlertPolicy {
    AlertPolicy {
        threshold,
        recipients: recipients.iter().map(|r| (*r).to_owned()).collect(),
        languages: Default::default(),
        link_base: String::new(),
        triage: Default::default(),
        digest: Default::default(),
    }
}

fn rule_def(id: &str) -> RuleDefinition {
    RuleDefinition {
        id: id.to_owned(),
        title: format!("Title of {id}"),
        area: "conflict_of_interest".to_owned(),
        guideline_section: None,
        kinds: vec!["gift".to_owned()],
        severity: Severity::High,
        likelihood: 3,
        impact: 4,
        params: BTreeMap::new(),
        script: r#"if money(submission.value_kzt) > money("100") { "big gift" }"#.to_owned(),
        declared: BTreeMap::new(),
        fixtures: Vec::new(),
    }
}

/// A rule-set version to hang findings on.
/// Rolls the migration `name` (and every later one) back and applies them
/// again, as an upgrade would, and returns the store to read with. An
/// upgrade runs in a new process: on SQLite another pooled connection may
/// still hold the schema from before the rollback, and SQLite checks
/// `ADD COLUMN` against that cached schema ("duplicate column name", seen
/// once in CI), so the migrations run through fresh connections there.
pub(crate) async fn migrate_again_from(store: Store, name: &str) -> Store {
    use adal_migrations::MigratorTrait;
    use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
    let applied = adal_migrations::Migrator::get_applied_migrations(store.unscoped())
        .await
        .unwrap();
    let at = applied.iter().position(|m| m.name() == name).unwrap();
    adal_migrations::Migrator::down(
        store.unscoped(),
        Some(u32::try_from(applied.len() - at).unwrap()),
    )
    .await
    .unwrap();
    let store = if store.unscoped().get_database_backend() == DatabaseBackend::Sqlite {
        let row = store
            .unscoped()
            .query_one_raw(Statement::from_string(
                DatabaseBackend::Sqlite,
                "SELECT file FROM pragma_database_list WHERE name = 'main'",
            ))
            .await
            .unwrap()
            .unwrap();
        let file: String = row.try_get("", "file").unwrap();
        Store::connect(&format!("sqlite://{file}?mode=rwc"))
            .await
            .unwrap()
    } else {
        store
    };
    store.migrate().await.unwrap();
    store
}

pub(crate) async fn version(store: &Store, tenant: TenantId) -> Uuid {
    rules::create_version(store, tenant, Uuid::new_v4(), &[rule_def("r1")])
        .await
        .unwrap()
        .id
}

pub(crate) async fn all_findings(
    store: &Store,
    tenant: TenantId,
) -> (Vec<evaluation::Finding>, u64) {
    evaluation::list_findings(
        store,
        tenant,
        &adal_store::submissions::ReadScope::WholeTenant,
        &FindingFilter::default(),
        0,
        1000,
    )
    .await
    .unwrap()
}

// ---------------------------------------------------------------- tests

/// Test 1: Recording the same evaluation twice writes it once.
async fn evaluation_is_idempotent(store: Store) {
    let t = tenant(&store, "Idempotent JSC").await;
    let s = submit(&store, t, None, None).await;
    let v = version(&store, t).await;
    let outcomes = vec![finding("r1", Severity::High, 4, 5), rule_error("r2")];
    let rules = infos(&[("r1", "gifts"), ("r2", "gifts"), ("r3", "gifts")]);
    let alerts = policy(Severity::High, &["compliance@example.kz"]);

    let first = evaluation::record(&store, t, &s, v, &outcomes, &rules, &alerts)
        .await
        .unwrap();
    assert_eq!(
        first,
        Recorded {
            new_findings: 1,
            new_rule_errors: 1,
            alerts_queued: 1,
            replaced_findings_closed: 0,
        }
    );
    // A duplicate job still holds the submission as it was read before the
    // first evaluation (status `received`).
    let second = evaluation::record(&store, t, &s, v, &outcomes, &rules, &alerts)
        .await
        .unwrap();
    assert_eq!(second, Recorded::default());

    let (rows, total) = all_findings(&store, t).await;
    assert_eq!(total, 1);
    assert_eq!(rows.len(), 1);
    let f = &rows[0];
    assert_eq!(
        (f.rule_id.as_str(), f.severity.as_str(), f.area.as_str()),
        ("r1", "high", "gifts")
    );
    assert_eq!((f.likelihood, f.impact), (4, 5));
    assert_eq!(f.submission_id, s.id);
    assert_eq!(f.rule_set_version_id, v);
    assert_eq!(f.status, evaluation::OPEN);

    let errors = evaluation::rule_errors_for(&store, t, s.id).await.unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].rule_id, "r2");
    assert_eq!(errors[0].kind, "runtime");
    assert_eq!((errors[0].line, errors[0].col), (Some(3), Some(7)));

    assert_eq!(outbox::list(&store, t, 100).await.unwrap().len(), 1);

    let s2 = submissions::get(&store, t, s.id).await.unwrap();
    assert_eq!(s2.status, submissions::EVALUATED);
    assert_eq!(s2.rule_set_version_id, Some(v));
    assert!(s2.evaluated_at.is_some());

    let map = evaluation::risk_map(&store, t).await.unwrap();
    assert_eq!(map.open_findings, 1, "risk map counts the finding once");
}

/// An alert is written in the language each recipient chose on the
/// dashboard: one email per language, the finding's explanation written
/// from its facts, a link to it; an address with no account, or whose
/// person never chose, reads English.
async fn alerts_are_written_in_each_recipients_language(store: Store) {
    let t = tenant(&store, "Languages JSC").await;
    let v = version(&store, t).await;
    let ru = crate::triage::user(&store, Some(t), "ru.reader@example.kz").await;
    crate::triage::user(&store, Some(t), "never.chose@example.kz").await;
    adal_store::users::set_lang(&store, ru, "ru").await.unwrap();
    // Not a language of ours: nothing changes.
    adal_store::users::set_lang(&store, ru, "de").await.unwrap();
    let recipients = [
        "RU.Reader@example.kz".to_owned(),
        "never.chose@example.kz".to_owned(),
        "outside@example.kz".to_owned(),
    ];
    let languages = adal_store::users::languages_of(&store, t, &recipients)
        .await
        .unwrap();
    assert_eq!(languages.len(), 1, "{languages:?}");
    let policy = AlertPolicy {
        threshold: Severity::Low,
        recipients: recipients.to_vec(),
        languages,
        link_base: "https://adal.example/".to_owned(),
        triage: Default::default(),
        digest: Default::default(),
    };
    let facts: BTreeMap<String, String> = [
        ("description", "Watch"),
        ("giver", "Alpha LLP"),
        ("value_kzt", "150000.00"),
        ("limit_mci", "2"),
        ("limit_kzt", "8650"),
        ("mci_kzt", "4325"),
        ("year", "2026"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let outcome = RuleOutcome::Finding {
        rule_id: "gift-over-mci-limit".to_owned(),
        severity: Severity::High,
        likelihood: 3,
        impact: 3,
        explanation: "stored English".to_owned(),
        facts,
    };
    let s = submit(&store, t, None, None).await;
    let rules = infos(&[("gift-over-mci-limit", "gifts")]);
    let rec = evaluation::record(&store, t, &s, v, &[outcome], &rules, &policy)
        .await
        .unwrap();
    assert_eq!(rec.alerts_queued, 2, "one email per language");
    let rows = outbox::list(&store, t, 10).await.unwrap();
    let finding = all_findings(&store, t).await.0[0].id;
    let link = format!("https://adal.example/t/{}/findings/{finding}", t.uuid());
    let of = |who: &str| {
        rows.iter()
            .find(|m| outbox::recipients_of(m).unwrap().iter().any(|r| r == who))
            .unwrap()
    };
    let russian = of("RU.Reader@example.kz");
    assert_eq!(
        outbox::recipients_of(russian).unwrap(),
        vec!["RU.Reader@example.kz".to_owned()]
    );
    assert!(russian.subject.contains("высокой"), "{}", russian.subject);
    assert!(
        russian.body.contains("150\u{202f}000,00"),
        "{}",
        russian.body
    );
    assert!(russian.body.contains(&link), "{}", russian.body);
    let english = of("outside@example.kz");
    assert_eq!(
        outbox::recipients_of(english).unwrap(),
        vec![
            "never.chose@example.kz".to_owned(),
            "outside@example.kz".to_owned()
        ]
    );
    assert!(
        english.subject.starts_with("[Adal] A high finding"),
        "{}",
        english.subject
    );
    assert!(english.body.contains("150,000.00"), "{}", english.body);
    assert!(!english.body.contains("stored English"), "{}", english.body);
}

/// Test 2: Alerts: one outbox row per finding at or above the threshold, none
/// below it or without recipients; failures back off, sent rows stop.
async fn alerts_go_to_the_outbox_once_and_back_off(store: Store) {
    let t = tenant(&store, "Alerts JSC").await;
    let v = version(&store, t).await;
    let rules = infos(&[
        ("crit", "gifts"),
        ("high", "gifts"),
        ("med", "gifts"),
        ("low", "gifts"),
    ]);
    let s = submit(&store, t, None, None).await;
    let rec = evaluation::record(
        &store,
        t,
        &s,
        v,
        &[
            finding("crit", Severity::Critical, 5, 5),
            finding("high", Severity::High, 4, 4),
            finding("med", Severity::Medium, 3, 3),
            finding("low", Severity::Low, 1, 1),
        ],
        &rules,
        &policy(Severity::High, &["a@example.kz", "b@example.kz"]),
    )
    .await
    .unwrap();
    assert_eq!(rec.new_findings, 4);
    assert_eq!(rec.alerts_queued, 2);

    // Severe, but nobody to tell: no outbox row.
    let quiet = submit(&store, t, None, None).await;
    let rec = evaluation::record(
        &store,
        t,
        &quiet,
        v,
        &[finding("crit", Severity::Critical, 5, 5)],
        &rules,
        &policy(Severity::Low, &[]),
    )
    .await
    .unwrap();
    assert_eq!(rec.new_findings, 1);
    assert_eq!(rec.alerts_queued, 0);

    let rows = outbox::list(&store, t, 100).await.unwrap();
    assert_eq!(rows.len(), 2);
    let mut subjects: Vec<_> = rows.iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    assert_eq!(
        subjects,
        vec![
            "[Adal] A critical finding: Title of crit".to_owned(),
            "[Adal] A high finding: Title of high".to_owned(),
        ]
    );
    for m in &rows {
        assert_eq!(
            outbox::recipients_of(m).unwrap(),
            vec!["a@example.kz".to_owned(), "b@example.kz".to_owned()]
        );
        assert_eq!(m.status, outbox::PENDING);
        assert_eq!(m.attempts, 0);
        assert!(m.body.contains(" fired"), "{}", m.body);
    }

    let ids = |ms: &[outbox::OutboxMessage]| ms.iter().map(|m| m.id).collect::<HashSet<_>>();
    let all: HashSet<Uuid> = ids(&rows);
    let due = outbox::due_across_tenants(&store, 100).await.unwrap();
    assert_eq!(ids(&due), all);
    let row = |id: Uuid| {
        let store = store.clone();
        async move {
            outbox::list(&store, t, 100)
                .await
                .unwrap()
                .into_iter()
                .find(|m| m.id == id)
                .unwrap()
        }
    };

    // Two mailers claiming at once never get the same message (issue 12,
    // problem 1: two workers sent 435 of 2,165 alerts twice).
    let lease = chrono::Duration::minutes(5);
    let (a, b) = tokio::join!(
        outbox::claim_due_across_tenants(&store, 100, lease),
        outbox::claim_due_across_tenants(&store, 100, lease)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_ne!(a.token, b.token);
    let (got_a, got_b) = (ids(&a.messages), ids(&b.messages));
    assert!(got_a.is_disjoint(&got_b), "{got_a:?} and {got_b:?}");
    assert_eq!(&got_a | &got_b, all);
    // Claimed rows are not due, and a third claim gets nothing.
    assert!(
        outbox::due_across_tenants(&store, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        outbox::claim_due_across_tenants(&store, 100, lease)
            .await
            .unwrap()
            .messages
            .is_empty()
    );
    let claim_of = |id: Uuid| if got_a.contains(&id) { &a } else { &b };
    let (failing, sending) = (rows[0].id, rows[1].id);
    let failing_claim = claim_of(failing);
    let failing_msg = failing_claim
        .messages
        .iter()
        .find(|m| m.id == failing)
        .unwrap()
        .clone();
    assert_eq!(failing_msg.attempts, 1);
    assert_eq!(failing_msg.status, outbox::SENDING);

    // A claim cannot release what it does not hold.
    let stranger = Uuid::new_v4();
    assert_eq!(
        outbox::mark_sent_across_tenants(&store, stranger, &[sending])
            .await
            .unwrap(),
        0
    );
    let policy3 = outbox::RetryPolicy {
        max_attempts: 3,
        ..outbox::RetryPolicy::default()
    };
    assert_eq!(
        outbox::mark_failed_with(&store, stranger, &failing_msg, "x", policy3)
            .await
            .unwrap(),
        outbox::Failed::NotHeld
    );

    let before = chrono::Utc::now();
    assert_eq!(
        outbox::mark_failed_with(
            &store,
            failing_claim.token,
            &failing_msg,
            "SMTP 451 try later",
            policy3
        )
        .await
        .unwrap(),
        outbox::Failed::Retry
    );
    let failed = row(failing).await;
    assert_eq!(failed.attempts, 1);
    assert_eq!(failed.status, outbox::PENDING);
    assert!(
        failed.next_attempt_at > before + chrono::Duration::seconds(4),
        "next attempt {} should be about 5 s after {before}",
        failed.next_attempt_at
    );
    assert_eq!(failed.last_error.as_deref(), Some("SMTP 451 try later"));
    // Not due before its backoff ends.
    assert!(
        outbox::due_across_tenants(&store, 100)
            .await
            .unwrap()
            .is_empty()
    );

    let sending_claim = claim_of(sending);
    assert_eq!(
        outbox::mark_sent_across_tenants(&store, sending_claim.token, &[sending])
            .await
            .unwrap(),
        1
    );
    let sent = row(sending).await;
    assert_eq!(sent.status, outbox::SENT);
    assert!(sent.sent_at.is_some());
    assert_eq!(sent.claim_token, None);
    // Sent once: marking it again under the same claim changes nothing.
    assert_eq!(
        outbox::mark_sent_across_tenants(&store, sending_claim.token, &[sending])
            .await
            .unwrap(),
        0
    );

    // A lease that ran out (the mailer died mid-send) makes the row due
    // again; the dead claim can then no longer mark it.
    let short = chrono::Duration::milliseconds(-1);
    // The failed first attempt (1), then one claim whose lease runs out
    // (2); the claim after it is the third attempt.
    let mut attempts = 1;
    let mut last_claim = None;
    while attempts < 2 {
        // Wait out the backoff by claiming with an expired lease.
        outbox_due_now(&store, failing).await;
        let c = outbox::claim_due_across_tenants(&store, 100, short)
            .await
            .unwrap();
        assert_eq!(ids(&c.messages), HashSet::from([failing]));
        attempts += 1;
        assert_eq!(c.messages[0].attempts, attempts);
        last_claim = Some(c);
    }
    let stale = last_claim.unwrap();
    let c = outbox::claim_due_across_tenants(&store, 100, lease)
        .await
        .unwrap();
    assert_eq!(
        ids(&c.messages),
        HashSet::from([failing]),
        "expired lease is due again"
    );
    assert_eq!(
        outbox::mark_sent_across_tenants(&store, stale.token, &[failing])
            .await
            .unwrap(),
        0,
        "the claim whose lease ran out no longer holds the row"
    );
    // The third attempt of three fails: the row is dead, with the reason.
    let m = c.messages[0].clone();
    assert_eq!(m.attempts, 3);
    assert_eq!(
        outbox::mark_failed_with(&store, c.token, &m, "550 mailbox unavailable", policy3)
            .await
            .unwrap(),
        outbox::Failed::Dead
    );
    let dead = row(failing).await;
    assert_eq!(dead.status, outbox::DEAD);
    assert_eq!(dead.last_error.as_deref(), Some("550 mailbox unavailable"));
    outbox_due_now(&store, failing).await;
    assert!(
        outbox::due_across_tenants(&store, 100)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Test 3: Nothing of tenant A is visible through tenant B.
async fn tenants_never_see_each_other(store: Store) {
    let a = tenant(&store, "Tenant A").await;
    let b = tenant(&store, "Tenant B").await;
    let d = org::create_department(&store, a, "admin", "Procurement".to_owned(), None)
        .await
        .unwrap();
    let s = submit(&store, a, Some(d.id), None).await;
    let v = version(&store, a).await;
    let rules = infos(&[("r1", "gifts")]);
    let alerts = policy(Severity::High, &["a@example.kz"]);
    evaluation::record(
        &store,
        a,
        &s,
        v,
        &[finding("r1", Severity::High, 3, 3), rule_error("r2")],
        &rules,
        &alerts,
    )
    .await
    .unwrap();
    let (fa, total_a) = all_findings(&store, a).await;
    assert_eq!(total_a, 1, "positive control: A sees its own finding");

    assert!(matches!(
        submissions::get(&store, b, s.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        evaluation::get_finding(&store, b, fa[0].id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        rules::get_version_by_id(&store, b, v).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        org::get_department(&store, b, d.id).await,
        Err(StoreError::NotFound)
    ));
    // B cannot hang its own department under A's, nor record into A's
    // submission.
    assert!(matches!(
        org::create_department(&store, b, "admin", "X".to_owned(), Some(d.id)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        evaluation::record(
            &store,
            b,
            &s,
            v,
            &[finding("r9", Severity::Critical, 5, 5)],
            &rules,
            &alerts
        )
        .await,
        Err(StoreError::NotFound)
    ));

    let (subs, n) = submissions::list(
        &store,
        b,
        &adal_store::submissions::ReadScope::WholeTenant,
        &SubmissionFilter::default(),
        0,
        100,
    )
    .await
    .unwrap();
    assert!(subs.is_empty());
    assert_eq!(n, 0);
    let (fb, total_b) = all_findings(&store, b).await;
    assert!(fb.is_empty());
    assert_eq!(total_b, 0);
    assert!(
        evaluation::rule_errors_for(&store, b, s.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(outbox::list(&store, b, 100).await.unwrap().is_empty());
    assert!(rules::list_versions(&store, b).await.unwrap().is_empty());
    assert!(org::list_departments(&store, b).await.unwrap().is_empty());
    let map_b = evaluation::risk_map(&store, b).await.unwrap();
    assert_eq!(map_b.open_findings, 0);
    assert!(map_b.cells.is_empty());
    assert!(map_b.by_department_area.is_empty());
    assert!(map_b.positions.is_empty());
    // A's map is not empty, so B's emptiness is not an accident.
    assert_eq!(
        evaluation::risk_map(&store, a).await.unwrap().open_findings,
        1
    );
}

/// Test 4: The risk map places open findings by likelihood x impact, per
/// department and area, and ranks positions by summed score.
async fn risk_map_counts_and_ranks(store: Store) {
    let t = tenant(&store, "Risky JSC").await;
    let d1 = org::create_department(&store, t, "admin", "Procurement".to_owned(), None)
        .await
        .unwrap();
    let d2 = org::create_department(&store, t, "admin", "HR".to_owned(), None)
        .await
        .unwrap();
    let p1 = org::create_position(
        &store,
        t,
        "admin",
        org::NewPosition {
            department_id: Some(d1.id),
            title: "A buyer".to_owned(),
            risk_level: 3,
            high_risk: true,
        },
    )
    .await
    .unwrap();
    let p2 = org::create_position(
        &store,
        t,
        "admin",
        org::NewPosition {
            department_id: Some(d2.id),
            title: "B recruiter".to_owned(),
            risk_level: 1,
            high_risk: false,
        },
    )
    .await
    .unwrap();
    let v = version(&store, t).await;
    let rules = infos(&[
        ("coi", "conflict_of_interest"),
        ("gift", "gifts"),
        ("minor", "gifts"),
        ("coi2", "conflict_of_interest"),
    ]);
    let alerts = policy(Severity::Critical, &[]);

    // Position 1 (department 1): 4x5 + 2x3 = 26 over two submissions, +1x1.
    let s1 = submit(&store, t, Some(d1.id), Some(p1.id)).await;
    evaluation::record(
        &store,
        t,
        &s1,
        v,
        &[
            finding("coi", Severity::High, 4, 5),
            finding("gift", Severity::Medium, 2, 3),
        ],
        &rules,
        &alerts,
    )
    .await
    .unwrap();
    let s3 = submit(&store, t, Some(d1.id), Some(p1.id)).await;
    evaluation::record(
        &store,
        t,
        &s3,
        v,
        &[finding("minor", Severity::Low, 1, 1)],
        &rules,
        &alerts,
    )
    .await
    .unwrap();
    // Position 2 (department 2): 4x5 + 5x5 = 45, ranks first despite its
    // title and creation order.
    let s2 = submit(&store, t, Some(d2.id), Some(p2.id)).await;
    evaluation::record(
        &store,
        t,
        &s2,
        v,
        &[
            finding("coi", Severity::High, 4, 5),
            finding("coi2", Severity::Critical, 5, 5),
        ],
        &rules,
        &alerts,
    )
    .await
    .unwrap();
    // No department, no position: counted in the cells only.
    let s4 = submit(&store, t, None, None).await;
    evaluation::record(
        &store,
        t,
        &s4,
        v,
        &[finding("gift", Severity::Medium, 2, 3)],
        &rules,
        &alerts,
    )
    .await
    .unwrap();

    let map = evaluation::risk_map(&store, t).await.unwrap();
    assert_eq!(map.open_findings, 6);
    assert!(map.computed_at.is_some());
    let cells: BTreeMap<(i16, i16), u64> = map
        .cells
        .iter()
        .map(|c| ((c.likelihood, c.impact), c.count))
        .collect();
    assert_eq!(
        cells,
        BTreeMap::from([((1, 1), 1), ((2, 3), 2), ((4, 5), 2), ((5, 5), 1)])
    );
    assert_eq!(map.cells.len(), 4, "one cell per (likelihood, impact)");

    let by_dept: HashMap<DeptCellKey, u64> = map
        .by_department_area
        .iter()
        .map(|c| {
            (
                (
                    c.department_id,
                    c.department.clone(),
                    c.area.clone(),
                    c.likelihood,
                    c.impact,
                ),
                c.count,
            )
        })
        .collect();
    let proc_ = Some("Procurement".to_owned());
    let hr = Some("HR".to_owned());
    let coi = "conflict_of_interest".to_owned();
    let gifts = "gifts".to_owned();
    assert_eq!(
        by_dept,
        HashMap::from([
            ((Some(d1.id), proc_.clone(), coi.clone(), 4, 5), 1),
            ((Some(d1.id), proc_.clone(), gifts.clone(), 2, 3), 1),
            ((Some(d1.id), proc_, gifts.clone(), 1, 1), 1),
            ((Some(d2.id), hr.clone(), coi.clone(), 4, 5), 1),
            ((Some(d2.id), hr, coi, 5, 5), 1),
            ((None, None, gifts, 2, 3), 1),
        ])
    );
    assert_eq!(map.by_department_area.len(), 6);

    let ranked: Vec<_> = map
        .positions
        .iter()
        .map(|p| {
            (
                p.position_id,
                p.title.as_str(),
                p.high_risk,
                p.open_findings,
                p.score,
            )
        })
        .collect();
    assert_eq!(
        ranked,
        vec![
            (p2.id, "B recruiter", false, 2, 45),
            (p1.id, "A buyer", true, 3, 27),
        ]
    );

    // The counters kept finding by finding are what a recount from the
    // findings gives.
    evaluation::rebuild_risk_counts(&store, t).await.unwrap();
    let recounted = evaluation::risk_map(&store, t).await.unwrap();
    assert_eq!(
        evaluation::RiskMap {
            computed_at: None,
            ..recounted
        },
        evaluation::RiskMap {
            computed_at: None,
            ..map.clone()
        }
    );

    // The migration that introduced the counters fills them from the
    // findings open then: roll it (and any later one) back and run it
    // again.
    let store = migrate_again_from(store, "m20261205_000050_risk_counts").await;
    let migrated = evaluation::risk_map(&store, t).await.unwrap();
    assert_eq!(
        evaluation::RiskMap {
            computed_at: None,
            ..migrated
        },
        evaluation::RiskMap {
            computed_at: None,
            ..map
        }
    );
}

/// (department id, department name, area, likelihood, impact)
type DeptCellKey = (Option<Uuid>, Option<String>, String, i16, i16);

/// Makes outbox row `id` due now, as if its backoff or lease had passed.
async fn outbox_due_now(store: &Store, id: Uuid) {
    use adal_store::entities::outbox as row;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let r = row::Entity::update_many()
        .col_expr(
            row::Column::NextAttemptAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(row::Column::Id.eq(id))
        .exec(&store.connection())
        .await
        .unwrap();
    assert_eq!(r.rows_affected, 1);
}

/// Entries, the first entry that does not match, the first checkpoint that
/// does not.
fn brief(v: audit::Verification) -> (u64, Option<i64>, Option<u64>) {
    (v.entries, v.broken_at, v.checkpoint_failed)
}

async fn tamper(store: &Store, tenant: TenantId, seq: i64) {
    let sql = match store.backend() {
        DatabaseBackend::Postgres => {
            "UPDATE audit_log SET detail = $1 WHERE seq = $2 AND tenant_id = $3"
        }
        _ => "UPDATE audit_log SET detail = ? WHERE seq = ? AND tenant_id = ?",
    };
    let r = store
        .connection()
        .execute_raw(Statement::from_sql_and_values(
            store.backend(),
            sql,
            [
                r#"{"name":"someone else"}"#.into(),
                seq.into(),
                tenant.uuid().into(),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(r.rows_affected(), 1, "the tampering must hit one row");
}

/// Test 5: The audit log verifies, and changing one entry breaks it there.
async fn audit_chain_detects_tampering(store: Store) {
    let a = tenant(&store, "Audited JSC").await; // seq 1: tenant.create
    let b = tenant(&store, "Bystander JSC").await;
    org::create_department(&store, a, "admin", "Finance".to_owned(), None) // 2
        .await
        .unwrap();
    let s = submit(&store, a, None, None).await; // 3
    let v = rules::create_version(&store, a, Uuid::new_v4(), &[rule_def("r1")]) // 4
        .await
        .unwrap();
    rules::activate(&store, a, "admin", v.version)
        .await
        .unwrap(); // 5
    evaluation::record(
        // 6
        &store,
        a,
        &s,
        v.id,
        &[finding("r1", Severity::Low, 1, 1)],
        &infos(&[("r1", "gifts")]),
        &policy(Severity::High, &[]),
    )
    .await
    .unwrap();
    submit(&store, b, None, None).await;

    let ok = brief(audit::verify(&store, a).await.unwrap());
    assert_eq!(ok, (6, None, None));
    assert_eq!(
        brief(audit::verify(&store, b).await.unwrap()),
        (2, None, None)
    );
    // Both tenant creations are also on the platform's chain.
    assert_eq!(
        brief(audit::verify(&store, audit::PLATFORM).await.unwrap()),
        (2, None, None)
    );

    tamper(&store, a, 2).await;
    assert_eq!(
        brief(audit::verify(&store, a).await.unwrap()),
        (6, Some(2), None)
    );
    // The other tenant's chain is unaffected.
    assert_eq!(audit::verify(&store, b).await.unwrap().broken_at, None);

    // Deleting an entry is caught too (at the first entry after the gap).
    let sql = match store.backend() {
        DatabaseBackend::Postgres => "DELETE FROM audit_log WHERE seq = 1 AND tenant_id = $1",
        _ => "DELETE FROM audit_log WHERE seq = 1 AND tenant_id = ?",
    };
    store
        .connection()
        .execute_raw(Statement::from_sql_and_values(
            store.backend(),
            sql,
            [b.uuid().into()],
        ))
        .await
        .unwrap();
    assert_eq!(
        brief(audit::verify(&store, b).await.unwrap()),
        (1, Some(2), None)
    );
}

/// Test 6: Versions are numbered per tenant; activation retires the previous
/// active version, and a retired one cannot come back.
async fn rule_set_versions_activate_linearly(store: Store) {
    let a = tenant(&store, "Versions A").await;
    let b = tenant(&store, "Versions B").await;
    let actor = Uuid::new_v4();
    let v1 = rules::create_version(&store, a, actor, &[rule_def("r1")])
        .await
        .unwrap();
    let v2 = rules::create_version(&store, a, actor, &[rule_def("r1"), rule_def("r2")])
        .await
        .unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_eq!(v1.status, rules::DRAFT);
    assert_ne!(v1.content_hash, v2.content_hash);
    assert_eq!(
        rules::rules_of(&v2)
            .unwrap()
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>(),
        ["r1", "r2"]
    );
    assert!(rules::active_version(&store, a).await.unwrap().is_none());

    let act1 = rules::activate(&store, a, "admin", 1).await.unwrap();
    assert_eq!(act1.status, rules::ACTIVE);
    assert!(act1.activated_at.is_some());
    assert_eq!(
        rules::active_version(&store, a).await.unwrap().unwrap().id,
        v1.id
    );

    rules::activate(&store, a, "admin", 2).await.unwrap();
    assert_eq!(
        rules::get_version(&store, a, 1).await.unwrap().status,
        rules::RETIRED
    );
    assert_eq!(
        rules::get_version(&store, a, 2).await.unwrap().status,
        rules::ACTIVE
    );
    let active = rules::active_version(&store, a).await.unwrap().unwrap();
    assert_eq!(active.id, v2.id);

    assert!(matches!(
        rules::activate(&store, a, "admin", 1).await,
        Err(StoreError::Conflict(_))
    ));
    // Activating the active version again is a no-op, not a retirement.
    assert_eq!(
        rules::activate(&store, a, "admin", 2).await.unwrap().status,
        rules::ACTIVE
    );
    assert!(matches!(
        rules::activate(&store, a, "admin", 99).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        rules::active_version(&store, a).await.unwrap().unwrap().id,
        v2.id
    );
    let statuses: Vec<_> = rules::list_versions(&store, a)
        .await
        .unwrap()
        .into_iter()
        .map(|v| (v.version, v.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (2, rules::ACTIVE.to_owned()),
            (1, rules::RETIRED.to_owned())
        ]
    );

    // Tenant B numbers from 1 and activating its version 1 leaves A's alone.
    let b1 = rules::create_version(&store, b, actor, &[rule_def("r1")])
        .await
        .unwrap();
    assert_eq!(b1.version, 1);
    rules::activate(&store, b, "admin", 1).await.unwrap();
    assert_eq!(
        rules::active_version(&store, a).await.unwrap().unwrap().id,
        v2.id
    );
    assert_eq!(
        rules::active_version(&store, b).await.unwrap().unwrap().id,
        b1.id
    );
    assert!(matches!(
        rules::get_version(&store, b, 2).await,
        Err(StoreError::NotFound)
    ));
}

/// Test 7: The sweeper's read, and giving up after repeated failures.
async fn stale_submissions_and_failures(store: Store) {
    let a = tenant(&store, "Stale A").await;
    let b = tenant(&store, "Stale B").await;
    let before = chrono::Utc::now() - chrono::Duration::milliseconds(1);
    let sa = submit(&store, a, None, None).await;
    let sb = submit(&store, b, None, None).await;
    let done = submit(&store, a, None, None).await;
    submissions::mark_without_rules(&store, a, done.id)
        .await
        .unwrap();
    let after = chrono::Utc::now() + chrono::Duration::seconds(1);

    assert!(
        submissions::stale_received_across_tenants(&store, before, 100)
            .await
            .unwrap()
            .is_empty(),
        "nothing was received before the cutoff"
    );
    let stale = submissions::stale_received_across_tenants(&store, after, 100)
        .await
        .unwrap();
    assert_eq!(stale, vec![(a, sa.id), (b, sb.id)], "oldest first");
    let one = submissions::stale_received_across_tenants(&store, after, 1)
        .await
        .unwrap();
    assert_eq!(one, vec![(a, sa.id)]);

    for attempt in 1..submissions::MAX_ATTEMPTS {
        assert!(
            !submissions::record_failure(&store, b, sb.id, "sandbox crashed")
                .await
                .unwrap()
        );
        let s = submissions::get(&store, b, sb.id).await.unwrap();
        assert_eq!(s.status, submissions::RECEIVED);
        assert_eq!(s.attempts, attempt);
    }
    assert!(
        submissions::record_failure(&store, b, sb.id, "sandbox crashed")
            .await
            .unwrap(),
        "the fifth failure gives up"
    );
    let s = submissions::get(&store, b, sb.id).await.unwrap();
    assert_eq!(s.status, submissions::FAILED);
    assert_eq!(s.attempts, submissions::MAX_ATTEMPTS);
    // Further failures change nothing.
    assert!(
        !submissions::record_failure(&store, b, sb.id, "again")
            .await
            .unwrap()
    );
    assert_eq!(
        submissions::get(&store, b, sb.id).await.unwrap().attempts,
        submissions::MAX_ATTEMPTS
    );
    // A tenant cannot count failures on another tenant's submission.
    assert!(matches!(
        submissions::record_failure(&store, b, sa.id, "x").await,
        Err(StoreError::NotFound)
    ));

    let stale = submissions::stale_received_across_tenants(&store, after, 100)
        .await
        .unwrap();
    assert_eq!(stale, vec![(a, sa.id)], "failed ones are not swept");
    // The failures are audited: 1 creation + 1 submission + 5 failures.
    assert_eq!(
        brief(audit::verify(&store, b).await.unwrap()),
        (7, None, None)
    );
}

/// Test 8: Concurrent writers for one tenant all succeed and keep the audit
/// chain and the risk map whole (PostgreSQL: the advisory lock; SQLite:
/// IMMEDIATE transactions and the busy timeout).
async fn concurrent_writers_keep_the_chain(store: Store) {
    const TASKS: usize = 8;
    const PER_TASK: usize = 5;
    let t = tenant(&store, "Busy JSC").await;
    let v = version(&store, t).await;

    let mut handles = Vec::new();
    for _ in 0..TASKS {
        let store = store.clone();
        handles.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for _ in 0..PER_TASK {
                ids.push(submit(&store, t, None, None).await);
            }
            ids
        }));
    }
    // Sequencers race the writers and each other: no entry may get two
    // positions, no position two entries.
    let mut sequencers = Vec::new();
    for _ in 0..3 {
        let store = store.clone();
        sequencers.push(tokio::spawn(async move {
            for _ in 0..10 {
                audit::integrate(&store, t).await.unwrap();
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut subs = Vec::new();
    for h in handles {
        subs.extend(h.await.expect("inserting task panicked"));
    }
    for h in sequencers {
        h.await.expect("sequencer panicked");
    }
    assert_eq!(subs.len(), TASKS * PER_TASK);
    let (_, total) = submissions::list(
        &store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &SubmissionFilter::default(),
        0,
        1,
    )
    .await
    .unwrap();
    assert_eq!(total, (TASKS * PER_TASK) as u64);
    // 1 tenant creation + 1 version + one entry per submission.
    assert_eq!(
        brief(audit::verify(&store, t).await.unwrap()),
        ((2 + TASKS * PER_TASK) as u64, None, None)
    );

    // Concurrent evaluations: every finding must end up in the risk map
    // (each evaluation recomputes it; none may overwrite another's view).
    let rules = infos(&[("r1", "gifts")]);
    let mut handles = Vec::new();
    for s in subs.into_iter().take(TASKS) {
        let store = store.clone();
        let rules = rules.clone();
        handles.push(tokio::spawn(async move {
            evaluation::record(
                &store,
                t,
                &s,
                v,
                &[finding("r1", Severity::Medium, 2, 2)],
                &rules,
                &policy(Severity::High, &["x@example.kz"]),
            )
            .await
            .unwrap()
        }));
    }
    for h in handles {
        assert_eq!(h.await.expect("evaluating task panicked").new_findings, 1);
    }
    let map = evaluation::risk_map(&store, t).await.unwrap();
    assert_eq!(map.open_findings, TASKS as u64);
    assert_eq!(map.cells.len(), 1);
    assert_eq!(map.cells[0].count, TASKS as u64);
    assert_eq!(
        brief(audit::verify(&store, t).await.unwrap()),
        ((2 + TASKS * PER_TASK + TASKS) as u64, None, None)
    );
}

/// Test 9: A version adopted from the library keeps the library version and
/// what the tenant chose (overrides, disabled rules with reasons, own
/// rules), with each rule's declarations and fixtures, and shows them to
/// its own tenant only; findings of submissions are read per tenant; a dry
/// run leaves one audit entry and nothing else.
async fn adopted_versions_keep_the_tenants_choices(store: Store) {
    use adal_sandbox_protocol::params::{ParamSpec, ParamType};
    use adal_sandbox_protocol::{Expect, Fixture, FixtureSubmission};
    use adal_store::entities::audit_entry;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

    let a = tenant(&store, "Adopt A").await;
    let b = tenant(&store, "Adopt B").await;
    let mut limit = rule_def("limit");
    limit.declared.insert(
        "limit_mci".into(),
        ParamSpec {
            ty: ParamType::Integer,
            default: serde_json::json!(2),
            unit: Some("MCI".into()),
            description: None,
            min: Some(serde_json::json!(1)),
            max: None,
        },
    );
    limit
        .params
        .insert("limit_mci".into(), serde_json::json!(10));
    limit.fixtures.push(Fixture {
        name: "over".into(),
        submission: FixtureSubmission {
            kind: "gift".into(),
            payload: serde_json::json!({"value_kzt": "9000.00"}),
            context: serde_json::Value::Null,
        },
        expect: Expect::Finding,
        expect_severity: None,
        params: BTreeMap::new(),
    });
    let adoption = rules::Adoption {
        overrides: [(
            "limit".to_owned(),
            [("limit_mci".to_owned(), serde_json::json!(10))].into(),
        )]
        .into(),
        disabled: [("other".to_owned(), "not relevant to us".to_owned())].into(),
        own_rules: vec!["mine".into()],
    };
    let v = rules::create_version_from(
        &store,
        a,
        Uuid::new_v4(),
        &[limit.clone(), rule_def("mine")],
        Some(("2026.11.0", &adoption)),
    )
    .await
    .unwrap();
    let read = rules::get_version(&store, a, v.version).await.unwrap();
    assert_eq!(read.library_version.as_deref(), Some("2026.11.0"));
    assert_eq!(rules::adoption_of(&read).unwrap(), Some(adoption));
    let defs = rules::rules_of(&read).unwrap();
    assert_eq!(defs[0], limit);
    // Fixtures run with the declared default, the rule with the override.
    let under_test = defs[0].under_test();
    assert_eq!(under_test.rule.params["limit_mci"], serde_json::json!(2));
    assert_eq!(
        defs[0].to_source().params["limit_mci"],
        serde_json::json!(10)
    );
    assert_eq!(under_test.fixtures.len(), 1);
    // A version uploaded whole records no adoption.
    let plain = rules::create_version(&store, a, Uuid::new_v4(), &[rule_def("r1")])
        .await
        .unwrap();
    assert_eq!(plain.library_version, None);
    assert_eq!(rules::adoption_of(&plain).unwrap(), None);
    assert!(matches!(
        rules::get_version(&store, b, v.version).await,
        Err(StoreError::NotFound)
    ));

    // Findings of submissions: A's only, whatever ids are asked for.
    let s = submit(&store, a, None, None).await;
    let sb = submit(&store, b, None, None).await;
    evaluation::record(
        &store,
        a,
        &s,
        v.id,
        &[finding("limit", Severity::High, 3, 4)],
        &infos(&[("limit", "conflict_of_interest")]),
        &policy(Severity::Critical, &[]),
    )
    .await
    .unwrap();
    let vb = version(&store, b).await;
    evaluation::record(
        &store,
        b,
        &sb,
        vb,
        &[finding("r1", Severity::High, 3, 4)],
        &infos(&[("r1", "conflict_of_interest")]),
        &policy(Severity::Critical, &[]),
    )
    .await
    .unwrap();
    let found = evaluation::findings_of_submissions(&store, a, &[s.id, sb.id])
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].submission_id, found[0].rule_id.as_str()),
        (s.id, "limit")
    );

    let findings_before = all_findings(&store, a).await.1;
    rules::audit_dry_run(
        &store,
        a,
        "officer",
        v.version,
        serde_json::json!({"submissions": 1}),
    )
    .await
    .unwrap();
    assert_eq!(all_findings(&store, a).await.1, findings_before);
    let last = audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(a.uuid()))
        .order_by_desc(audit_entry::Column::At)
        .order_by_desc(audit_entry::Column::Id)
        .one(&store.connection())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(last.action, "rule_set.dry_run");
    assert_eq!(last.object, format!("rule_set_version/{}", v.version));
    assert_eq!(audit::verify(&store, a).await.unwrap().broken_at, None);
}

/// A finding tells about its submission: listed only to whoever may read
/// the submission (an asset declaration's finding to its filer and the
/// kinds' readers, not to a role that reads every other kind).
async fn findings_follow_the_visibility_of_their_submission(store: Store) {
    let t = tenant(&store, "Visibility JSC").await;
    let gift = submit(&store, t, None, None).await;
    let declarant = Uuid::new_v4();
    let declaration = submissions::insert(
        &store,
        t,
        NewSubmission {
            kind: "asset_declaration".to_owned(),
            schema_version: 1,
            submitted_by: declarant,
            department_id: None,
            position_id: None,
            payload: serde_json::json!({"year": 2025}),
            reference: Some("2025:850505400018".to_owned()),
            subject_iin: Some("850505400018".to_owned()),
            supersedes: None,
        },
    )
    .await
    .unwrap();
    let v = version(&store, t).await;
    let rules = infos(&[("r1", "gifts")]);
    let alerts = policy(Severity::Critical, &[]);
    for s in [&gift, &declaration] {
        evaluation::record(
            &store,
            t,
            s,
            v,
            &[finding("r1", Severity::Low, 1, 1)],
            &rules,
            &alerts,
        )
        .await
        .unwrap();
    }
    let listed = |visible: submissions::Visibility| {
        let store = store.clone();
        async move {
            let scope = submissions::ReadScope::Reader {
                visible,
                only_own: false,
            };
            let filter = FindingFilter::default();
            let (rows, total) = evaluation::list_findings(&store, t, &scope, &filter, 0, 100)
                .await
                .unwrap();
            assert_eq!(total as usize, rows.len());
            let mut ids: Vec<Uuid> = rows.into_iter().map(|f| f.submission_id).collect();
            ids.sort();
            ids
        }
    };
    // A tenant admin: every kind but asset declarations, own of those.
    let admin = listed(submissions::Visibility {
        all: vec!["gift".to_owned()],
        own: vec!["asset_declaration".to_owned()],
        me: Uuid::new_v4(),
    })
    .await;
    assert_eq!(admin, vec![gift.id]);
    // The declarant reads the finding on their own declaration.
    let own = listed(submissions::Visibility {
        all: vec![],
        own: vec!["gift".to_owned(), "asset_declaration".to_owned()],
        me: declarant,
    })
    .await;
    assert_eq!(own, vec![declaration.id]);
    // The compliance unit reads both.
    let mut both = vec![gift.id, declaration.id];
    both.sort();
    let all = listed(submissions::Visibility {
        all: vec!["gift".to_owned(), "asset_declaration".to_owned()],
        own: vec![],
        me: Uuid::new_v4(),
    })
    .await;
    assert_eq!(all, both);
    assert_eq!(all_findings(&store, t).await.1, 2);
}

/// One current version per natural key, held by the database: a second
/// first filing for the same key is a conflict even when the API's check
/// before it raced; a correction takes the key over; another tenant has
/// its own keys.
async fn one_current_record_per_reference(store: Store) {
    let t = tenant(&store, "Keys JSC").await;
    let other = tenant(&store, "Other Keys JSC").await;
    let declaration = |supersedes: Option<Uuid>| NewSubmission {
        kind: "asset_declaration".to_owned(),
        schema_version: 1,
        submitted_by: Uuid::new_v4(),
        department_id: None,
        position_id: None,
        payload: serde_json::json!({"year": 2025}),
        reference: Some("2025:850505400018".to_owned()),
        subject_iin: Some("850505400018".to_owned()),
        supersedes,
    };
    let first = submissions::insert(&store, t, declaration(None))
        .await
        .unwrap();
    let again = submissions::insert(&store, t, declaration(None)).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    let corrected = submissions::insert(&store, t, declaration(Some(first.id)))
        .await
        .unwrap();
    assert_eq!(corrected.supersedes, Some(first.id));
    // The failed insert left nothing behind: exactly two versions.
    let chain = submissions::versions(&store, t, corrected.id)
        .await
        .unwrap();
    assert_eq!(chain.len(), 2);
    submissions::insert(&store, other, declaration(None))
        .await
        .unwrap();
}

/// A user's own declaration for a year (their deadline on the dashboard)
/// and the times of a tenant's findings (the overview's trend): neither
/// reaches into another user's, year's or tenant's records.
async fn own_declarations_and_finding_times(store: Store) {
    use adal_store::declarations::{self, State};
    let t = tenant(&store, "Deadlines JSC").await;
    let other = tenant(&store, "Other Deadlines JSC").await;
    let me = Uuid::new_v4();
    let declaration = |reference: &str| NewSubmission {
        kind: "asset_declaration".to_owned(),
        schema_version: 1,
        submitted_by: me,
        department_id: None,
        position_id: None,
        payload: serde_json::json!({"year": 2025}),
        reference: Some(reference.to_owned()),
        subject_iin: Some("850505400018".to_owned()),
        supersedes: None,
    };
    let before = chrono::Utc::now() - chrono::Duration::seconds(1);
    let filed = submissions::insert(&store, t, declaration("2025:850505400018"))
        .await
        .unwrap();
    let first = declarations::first_filed_by(&store, t, me, 2025)
        .await
        .unwrap();
    assert_eq!(first, Some(filed.received_at));
    for (tenant, user, year) in [(t, me, 2024), (t, Uuid::new_v4(), 2025), (other, me, 2025)] {
        assert_eq!(
            declarations::first_filed_by(&store, tenant, user, year)
                .await
                .unwrap(),
            None
        );
    }
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    // Deadlines are judged by the date in Kazakhstan (UTC+5), which is a
    // day ahead of UTC from 19:00 UTC: the test must use it too.
    let today = adal_domain::kazakhstan_date(filed.received_at);
    assert_eq!(declarations::classify(first, today, today), State::OnTime);
    assert_eq!(
        declarations::classify(first, today.pred_opt().unwrap(), today),
        State::Late
    );
    assert_eq!(
        declarations::classify(None, day("2026-05-31"), day("2026-06-01")),
        State::Missing
    );
    assert_eq!(
        declarations::classify(None, day("2026-05-31"), day("2026-05-31")),
        State::NotYetDue
    );

    let s = submit(&store, t, None, None).await;
    let v = version(&store, t).await;
    evaluation::record(
        &store,
        t,
        &s,
        v,
        &[
            finding("r1", Severity::High, 4, 5),
            finding("r2", Severity::Low, 1, 1),
        ],
        &infos(&[("r1", "gifts"), ("r2", "gifts")]),
        &policy(Severity::Critical, &[]),
    )
    .await
    .unwrap();
    let times = evaluation::finding_times(&store, t, before).await.unwrap();
    let mut severities: Vec<_> = times.iter().map(|(_, s)| s.as_str()).collect();
    severities.sort_unstable();
    assert_eq!(severities, ["high", "low"]);
    assert!(times.iter().all(|(at, _)| *at >= before));
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    assert!(
        evaluation::finding_times(&store, t, later)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        evaluation::finding_times(&store, other, before)
            .await
            .unwrap()
            .is_empty()
    );
}

// ------------------------------------------------ the convicted registry

async fn convicted_registry_searches_screens_and_audits(store: Store) {
    use adal_domain::{ConvictedPerson, ConvictedPersonFields, Iin, with_check_digit};
    use adal_store::registry::{self, BirthDate, MatchReason, MatchedBy, Search};
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let iin = |first11: &str| Iin::parse(&with_check_digit(first11).unwrap()).unwrap();
    let marat_iin = iin("90011530001");
    let entry = |name: &str, iin: Option<&str>, born: Option<&str>| {
        ConvictedPerson::parse(
            ConvictedPersonFields {
                full_name: name,
                iin,
                date_of_birth: born,
                offence_article: "366 part 2",
                convicted_on: "2024-03-01",
                court: "Astana criminal court",
                applies_until: None,
                ..Default::default()
            },
            today,
        )
        .unwrap()
    };
    let auditor = Uuid::new_v4();
    let marat = entry(
        "Оспанов Марат Серикович",
        Some(marat_iin.as_str()),
        Some("1990-01-15"),
    );
    let marat = registry::create(&store, auditor, &marat).await.unwrap();
    let saule = entry("Ахметова Сауле Маратовна", None, None);
    let saule = registry::create(&store, auditor, &saule).await.unwrap();
    for (name, born) in [("Ospanov Bolat", None), ("Ким Сергей", Some("1980-01-01"))] {
        registry::create(&store, auditor, &entry(name, None, born))
            .await
            .unwrap();
    }

    // Public search: by any spelling of any parts of the name, by IIN, both.
    let names = |rows: Vec<registry::RegistryEntry>| {
        let mut n: Vec<String> = rows.into_iter().map(|r| r.full_name).collect();
        n.sort();
        n
    };
    let by = |name: &str| Search {
        name: Some(name.to_owned()),
        iin: None,
    };
    let (rows, total) = registry::search(&store, &by("OSPANOV"), 0, 50)
        .await
        .unwrap();
    assert_eq!(total, 2);
    assert_eq!(names(rows), ["Ospanov Bolat", "Оспанов Марат Серикович"]);
    let (rows, _) = registry::search(&store, &by("Марат Ospanov"), 0, 50)
        .await
        .unwrap();
    assert_eq!(names(rows), ["Оспанов Марат Серикович"]);
    let (rows, total) = registry::search(&store, &by("Ospanov"), 1, 1)
        .await
        .unwrap();
    assert_eq!((rows.len(), total), (1, 2));
    let by_iin = Search {
        name: None,
        iin: Some(marat_iin.clone()),
    };
    assert_eq!(registry::search(&store, &by_iin, 0, 50).await.unwrap().1, 1);
    let both = Search {
        name: Some("Bolat".to_owned()),
        iin: Some(marat_iin.clone()),
    };
    assert_eq!(registry::search(&store, &both, 0, 50).await.unwrap().1, 0);

    // Screening: the IIN first, whatever the name says.
    let m = registry::matches_for_person(&store, &marat_iin, "Someone Else")
        .await
        .unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].entry.id, m[0].matched_by()),
        (marat.id, MatchedBy::Iin)
    );
    assert_eq!(m[0].score(), 100);
    assert_eq!(m[0].reason.describe(), "the entry records the same IIN");
    // By name when no entry has the IIN, in another spelling.
    let other = iin("85050540001");
    let m = registry::matches_for_person(&store, &other, "Akhmetova Saule Maratkyzy")
        .await
        .unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0].entry.id, m[0].matched_by()),
        (saule.id, MatchedBy::Name)
    );
    // Akhmetova, Saule and the father's name Marat(kyzy/ovna): 3 of 3
    // parts; no date of birth in the entry.
    assert_eq!(
        m[0].reason,
        MatchReason::Name {
            agreeing: 3,
            parts: 3,
            birth_date: BirthDate::NotRecorded
        }
    );
    assert_eq!(m[0].score(), 70);
    // Two of the three parts say less: 30 + 40 × 2/3.
    let m = registry::matches_for_person(&store, &other, "Saule Akhmetova")
        .await
        .unwrap();
    assert_eq!(m[0].score(), 56);
    // An entry with another IIN, or another date of birth, is someone else.
    assert!(
        registry::matches_for_person(&store, &other, "Марат Оспанов")
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        registry::matches_for_person(&store, &other, "Kim Sergey")
            .await
            .unwrap()
            .is_empty()
    );
    let born_1980 = iin("80010130001");
    let m = registry::matches_for_person(&store, &born_1980, "Kim Sergey")
        .await
        .unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!(
        m[0].reason,
        MatchReason::Name {
            agreeing: 2,
            parts: 2,
            birth_date: BirthDate::Agrees
        }
    );
    assert_eq!(m[0].score(), 90);
    assert_eq!(
        m[0].reason.describe(),
        "the entry records no IIN; 2 of 2 name parts agree; its date of birth agrees with the IIN's"
    );

    // Removal hides the entry, with its reason; removing it again finds
    // nothing.
    let removed = registry::remove(&store, auditor, marat.id, registry::RemovalReason::Expunged)
        .await
        .unwrap();
    assert_eq!(removed.removal_reason.as_deref(), Some("expunged"));
    assert_eq!(registry::search(&store, &by_iin, 0, 50).await.unwrap().1, 0);
    assert!(matches!(
        registry::remove(
            &store,
            auditor,
            marat.id,
            registry::RemovalReason::Withdrawn
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        registry::get(&store, marat.id).await,
        Err(StoreError::NotFound)
    ));

    // An entry whose publication period is over leaves public view on
    // the next pass, and that is logged; a current one stays.
    let ended = ConvictedPerson::parse(
        ConvictedPersonFields {
            full_name: "Нурланов Ерлан",
            offence_article: "367",
            convicted_on: "2019-05-01",
            court: "Almaty court",
            applies_until: Some("2025-05-01"),
            workplace: Some("Akimat of Almaty"),
            punishment: Some("fine"),
            ..Default::default()
        },
        today,
    )
    .unwrap();
    let ended = registry::create(&store, auditor, &ended).await.unwrap();
    assert_eq!(ended.workplace.as_deref(), Some("Akimat of Almaty"));
    assert_eq!(ended.punishment.as_deref(), Some("fine"));
    assert!(registry::get(&store, ended.id).await.is_ok());
    assert_eq!(registry::expire(&store, today).await.unwrap(), 1);
    assert!(matches!(
        registry::get(&store, ended.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(registry::get(&store, saule.id).await.is_ok());
    assert_eq!(registry::expire(&store, today).await.unwrap(), 0, "once");
    let expired = audit::entries(&store, audit::PLATFORM, None, Some("registry.expire"), 5)
        .await
        .unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].object, format!("convicted_person/{}", ended.id));

    // Every write is in the platform's audit log, which verifies.
    let v = audit::verify(&store, audit::PLATFORM).await.unwrap();
    assert_eq!(v.broken_at, None);
    assert_eq!(v.entries, 7);
}

/// The HR officer's list: action type, part of the name, effective dates,
/// read from the payload by each database's JSON functions.
async fn submissions_filter_by_payload_fields(store: Store) {
    use submissions::{PayloadMatch, PayloadTest};
    let t = tenant(&store, "Payload filters").await;
    for (action, name, on) in [
        ("hiring", "Асель Нурланкызы", "2026-01-10"),
        ("dismissal", "Aruzhan 100%_Test", "2026-02-20"),
        ("hiring", "Bolat Aruzhanov", "2026-03-30"),
    ] {
        submissions::insert(
            &store,
            t,
            NewSubmission {
                kind: "hr_action".to_owned(),
                schema_version: 1,
                submitted_by: Uuid::new_v4(),
                department_id: None,
                position_id: None,
                payload: serde_json::json!({"action": action, "person": {"full_name": name}, "effective_on": on}),
                reference: None,
                subject_iin: None,
                supersedes: None,
            },
        )
        .await
        .unwrap();
    }
    const ACTION: &[&str] = &["action"];
    const NAME: &[&str] = &["person", "full_name"];
    const ON: &[&str] = &["effective_on"];
    let names = |ms: Vec<PayloadMatch>| {
        let store = store.clone();
        async move {
            let f = SubmissionFilter {
                kind: Some("hr_action".to_owned()),
                payload: ms,
                ..Default::default()
            };
            let (rows, total) = submissions::list(
                &store,
                t,
                &adal_store::submissions::ReadScope::WholeTenant,
                &f,
                0,
                10,
            )
            .await
            .unwrap();
            assert_eq!(total, rows.len() as u64);
            let mut n: Vec<String> = rows
                .iter()
                .map(|s| {
                    let p: serde_json::Value = serde_json::from_str(&s.payload).unwrap();
                    p["person"]["full_name"].as_str().unwrap().to_owned()
                })
                .collect();
            n.sort();
            n
        }
    };
    let m = |path, test| PayloadMatch { path, test };
    assert_eq!(
        names(vec![m(ACTION, PayloadTest::Equals("hiring".into()))]).await,
        ["Bolat Aruzhanov", "Асель Нурланкызы"]
    );
    // Any case, anywhere in the name; wildcards are taken literally.
    assert_eq!(
        names(vec![m(NAME, PayloadTest::Contains("aruzhan".into()))]).await,
        ["Aruzhan 100%_Test", "Bolat Aruzhanov"]
    );
    assert_eq!(
        names(vec![m(NAME, PayloadTest::Contains("0%_t".into()))]).await,
        ["Aruzhan 100%_Test"]
    );
    assert!(
        names(vec![m(NAME, PayloadTest::Contains("%".repeat(2) + "x"))])
            .await
            .is_empty()
    );
    assert_eq!(
        names(vec![m(NAME, PayloadTest::Contains("Нурлан".into()))]).await,
        ["Асель Нурланкызы"]
    );
    assert_eq!(
        names(vec![
            m(ON, PayloadTest::AtLeast("2026-02-20".into())),
            m(ON, PayloadTest::AtMost("2026-03-01".into())),
        ])
        .await,
        ["Aruzhan 100%_Test"]
    );
    // A path that is not a plain field path is refused, never run.
    let bad = SubmissionFilter {
        payload: vec![m(&["x') OR 1=1 --"], PayloadTest::Equals("y".into()))],
        ..Default::default()
    };
    assert!(matches!(
        submissions::list(
            &store,
            t,
            &adal_store::submissions::ReadScope::WholeTenant,
            &bad,
            0,
            10
        )
        .await,
        Err(StoreError::Corrupt(_))
    ));
}

/// PostgreSQL breaks a deadlock by rolling one transaction back; that
/// error is a transient conflict (the import runs its batch again), and
/// no other error is. SQLite has one writer and no deadlocks.
async fn a_deadlock_is_a_transient_conflict(store: Store) {
    use sea_orm::TransactionTrait;
    assert!(!StoreError::NotFound.is_transient_conflict());
    assert!(!StoreError::Conflict("x".into()).is_transient_conflict());
    let db = store.unscoped();
    if db.get_database_backend() != DatabaseBackend::Postgres {
        return;
    }
    db.execute_unprepared(
        "CREATE TABLE deadlock_probe (id int PRIMARY KEY, v int); \
         INSERT INTO deadlock_probe VALUES (1, 0), (2, 0)",
    )
    .await
    .unwrap();
    let (t1, t2) = (db.begin().await.unwrap(), db.begin().await.unwrap());
    t1.execute_unprepared("UPDATE deadlock_probe SET v = 1 WHERE id = 1")
        .await
        .unwrap();
    t2.execute_unprepared("UPDATE deadlock_probe SET v = 2 WHERE id = 2")
        .await
        .unwrap();
    // Each now waits for the row the other holds.
    let (a, b) = tokio::join!(
        t1.execute_unprepared("UPDATE deadlock_probe SET v = 1 WHERE id = 2"),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            t2.execute_unprepared("UPDATE deadlock_probe SET v = 2 WHERE id = 1")
                .await
        }
    );
    assert!(
        a.is_ok() != b.is_ok(),
        "expected exactly one side to be rolled back: {a:?} {b:?}"
    );
    let broken = a.err().or(b.err()).expect("one side rolled back");
    let e = StoreError::Db(broken);
    assert!(e.is_transient_conflict(), "{e}");
    assert!(!e.is_unavailable(), "{e}");
    let a_syntax_error = db.execute_unprepared("SELEC 1").await.unwrap_err();
    assert!(!StoreError::Db(a_syntax_error).is_transient_conflict());
}
