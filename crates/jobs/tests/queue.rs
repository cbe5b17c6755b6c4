//! The evaluation queue, worker, sweeper and evaluator against real
//! services: apalis on an SQLite file and on Redis (127.0.0.1:6379), the
//! store on SQLite and PostgreSQL (127.0.0.1:5432), and the real
//! `adal-rules` sandbox. Unreachable services fail the tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use adal_config::QueueBackend;
use adal_jobs::{Enqueued, EvaluateSubmission, EvaluationError, Handled, Queue, sweep_once};
use adal_sandbox::SandboxError;
use adal_sandbox_protocol::Severity;
use adal_store::StoreError;
use adal_store::evaluation::{self, FindingFilter, Recorded};
use adal_store::submissions::{self, NewSubmission};
use common::*;
use std::time::Duration;
use uuid::Uuid;

// ---------------------------------------------------------------- queue

/// Enqueue, let a real worker evaluate in the real sandbox, see the finding.
async fn queue_roundtrip(backend: QueueBackend, db: Db) {
    // Build (or locate) the sandbox first, outside any deadline below.
    rules_binary();
    let dir = TempDir::new("roundtrip");
    let (store, pg) = store(db, &dir).await;
    let t = tenant(&store).await;
    activate_rule(&store, t, RULE).await;
    let big = gift(&store, t, "150000.00").await;
    let small = gift(&store, t, "50.00").await;

    let cfg = queue_config(backend, &dir);
    let queue = Queue::connect(&cfg).await.expect("connect the queue");
    for s in [&big, &small] {
        queue
            .enqueue(EvaluateSubmission {
                tenant_id: t.uuid(),
                submission_id: s.id,
            })
            .await
            .unwrap();
    }
    let worker = start_worker(&queue, evaluator(&store, &dir));

    let findings = eventually("the big gift's finding", Duration::from_secs(30), || {
        let store = store.clone();
        async move {
            let (rows, total) = evaluation::list_findings(
                &store,
                t,
                &adal_store::submissions::ReadScope::WholeTenant,
                &FindingFilter {
                    submission_id: Some(big.id),
                    ..Default::default()
                },
                0,
                10,
            )
            .await
            .unwrap();
            (total > 0).then_some(rows)
        }
    })
    .await;
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule_id, "big_gift");
    assert_eq!(findings[0].explanation, "big gift");
    assert_eq!(findings[0].area, "conflict_of_interest");
    assert_eq!(findings[0].severity, "high");
    assert_eq!((findings[0].likelihood, findings[0].impact), (3, 4));

    // The small gift is evaluated too, without a finding.
    eventually("the small gift evaluated", Duration::from_secs(30), || {
        let store = store.clone();
        async move {
            (status_of(&store, t, small.id).await == submissions::EVALUATED).then_some(())
        }
    })
    .await;
    assert_eq!(status_of(&store, t, big.id).await, submissions::EVALUATED);
    let (_, total) = evaluation::list_findings(
        &store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &FindingFilter::default(),
        0,
        10,
    )
    .await
    .unwrap();
    assert_eq!(total, 1, "only the big gift produces a finding");

    worker.stop().await;
    clear_redis(&cfg);
    drop_pg(store, pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queue_roundtrip_sqlite_queue_sqlite_store() {
    queue_roundtrip(QueueBackend::Sqlite, Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn queue_roundtrip_redis_queue_postgres_store() {
    queue_roundtrip(QueueBackend::Redis, Db::Postgres).await;
}

// ---------------------------------------------------------------- sweeper

/// A submission whose job was lost is found by the sweeper, re-enqueued and
/// evaluated; once evaluated it is no longer swept.
async fn sweeper_recovers_lost_jobs(backend: QueueBackend, db: Db) {
    rules_binary();
    let dir = TempDir::new("sweeper");
    let (store, pg) = store(db, &dir).await;
    let t = tenant(&store).await;
    activate_rule(&store, t, RULE).await;
    // Stored but never enqueued: a lost job.
    let lost = gift(&store, t, "250000.00").await;

    let cfg = queue_config(backend, &dir);
    let queue = Queue::connect(&cfg).await.expect("connect the queue");
    // With a generous staleness nothing is old enough yet.
    assert_eq!(
        sweep_once(&store, &queue, Duration::from_secs(3600))
            .await
            .unwrap(),
        0
    );
    let n = sweep_once(&store, &queue, Duration::ZERO).await.unwrap();
    assert!(n >= 1, "the sweeper must re-enqueue the lost submission");

    let worker = start_worker(&queue, evaluator(&store, &dir));
    eventually(
        "the lost submission's finding",
        Duration::from_secs(30),
        || {
            let store = store.clone();
            async move {
                let (_, total) = evaluation::list_findings(
                    &store,
                    t,
                    &adal_store::submissions::ReadScope::WholeTenant,
                    &FindingFilter {
                        submission_id: Some(lost.id),
                        ..Default::default()
                    },
                    0,
                    10,
                )
                .await
                .unwrap();
                (total == 1).then_some(())
            }
        },
    )
    .await;
    assert_eq!(status_of(&store, t, lost.id).await, submissions::EVALUATED);
    assert_eq!(
        sweep_once(&store, &queue, Duration::ZERO).await.unwrap(),
        0,
        "evaluated submissions are not swept again"
    );
    worker.stop().await;
    clear_redis(&cfg);
    drop_pg(store, pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sweeper_recovers_lost_jobs_sqlite() {
    sweeper_recovers_lost_jobs(QueueBackend::Sqlite, Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sweeper_recovers_lost_jobs_redis_postgres() {
    sweeper_recovers_lost_jobs(QueueBackend::Redis, Db::Postgres).await;
}

// ---------------------------------------------------------------- evaluator

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn evaluator_without_rules_and_twice() {
    let dir = TempDir::new("evaluator");
    let (store, pg) = store(Db::Sqlite, &dir).await;
    let ev = evaluator(&store, &dir);
    let t = tenant(&store).await;

    // No active rule set: evaluated, with nothing found.
    let s = gift(&store, t, "999999.00").await;
    let job = EvaluateSubmission {
        tenant_id: t.uuid(),
        submission_id: s.id,
    };
    assert_eq!(ev.handle(&job).await.unwrap(), Handled::NoActiveRuleSet);
    let row = submissions::get(&store, t, s.id).await.unwrap();
    assert_eq!(row.status, submissions::EVALUATED);
    assert!(row.evaluated_at.is_some());
    assert_eq!(row.rule_set_version_id, None);
    let (_, total) = evaluation::list_findings(
        &store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &FindingFilter::default(),
        0,
        10,
    )
    .await
    .unwrap();
    assert_eq!(total, 0);
    // A duplicate job finds the row advanced and does nothing.
    assert_eq!(ev.handle(&job).await.unwrap(), Handled::AlreadyDone);
    assert_eq!(
        submissions::get(&store, t, s.id).await.unwrap().attempts,
        row.attempts
    );
    drop_pg(store, pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_version_corrected_before_evaluation_adds_no_findings() {
    let dir = TempDir::new("superseded");
    let (store, pg) = store(Db::Sqlite, &dir).await;
    // One submission per job, so each step is seen on its own (in a batch
    // the correction would be evaluated by the outdated version's job).
    let ev = evaluator_with(&store, &dir, Duration::from_secs(20), 1);
    let t = tenant(&store).await;
    // A rule that finds every gift: any evaluation would leave a finding.
    activate_rule(&store, t, "true").await;
    let old = gift(&store, t, "999999.00").await;
    let new = submissions::insert(&store, t, gift_submission("5000.00", Some(old.id)))
        .await
        .unwrap();
    let job = |id| EvaluateSubmission {
        tenant_id: t.uuid(),
        submission_id: id,
    };
    assert_eq!(ev.handle(&job(old.id)).await.unwrap(), Handled::Superseded);
    let (_, total) = evaluation::list_findings(
        &store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &FindingFilter::default(),
        0,
        10,
    )
    .await
    .unwrap();
    assert_eq!(total, 0, "the outdated version was evaluated");
    assert_eq!(status_of(&store, t, old.id).await, submissions::EVALUATED);
    // The correction is evaluated as usual.
    assert!(matches!(
        ev.handle(&job(new.id)).await.unwrap(),
        Handled::Evaluated(_)
    ));
    let (found, _) = evaluation::list_findings(
        &store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &FindingFilter::default(),
        0,
        10,
    )
    .await
    .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].submission_id, new.id);
    drop_pg(store, pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn evaluator_records_once_in_the_sandbox() {
    rules_binary();
    let dir = TempDir::new("evaluator-sandbox");
    let (store, pg) = store(Db::Postgres, &dir).await;
    let ev = evaluator(&store, &dir);
    let t = tenant(&store).await;
    activate_rule(&store, t, RULE).await;
    let s = gift(&store, t, "150000.00").await;
    let job = EvaluateSubmission {
        tenant_id: t.uuid(),
        submission_id: s.id,
    };
    assert_eq!(
        ev.handle(&job).await.unwrap(),
        Handled::Evaluated(Recorded {
            new_findings: 1,
            new_rule_errors: 0,
            // The new tenant has no alert recipients.
            alerts_queued: 0,
            replaced_findings_closed: 0,
        })
    );
    assert_eq!(ev.handle(&job).await.unwrap(), Handled::AlreadyDone);
    let (_, total) = evaluation::list_findings(
        &store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &FindingFilter::default(),
        0,
        10,
    )
    .await
    .unwrap();
    assert_eq!(total, 1);

    // Another tenant's job for this submission: not found, and the row
    // (which is not that tenant's) is not touched.
    let other = tenant(&store).await;
    let s2 = gift(&store, t, "150000.00").await;
    let err = ev
        .handle(&EvaluateSubmission {
            tenant_id: other.uuid(),
            submission_id: s2.id,
        })
        .await
        .unwrap_err();
    assert!(matches!(err, EvaluationError::Store(StoreError::NotFound)));
    let row = submissions::get(&store, t, s2.id).await.unwrap();
    assert_eq!(
        (row.status.as_str(), row.attempts),
        (submissions::RECEIVED, 0)
    );
    drop_pg(store, pg).await;
}

/// A rule set the sandbox refuses counts failures on the row until the
/// submission is given up on, instead of looping forever.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn evaluator_gives_up_on_a_poison_rule_set() {
    rules_binary();
    let dir = TempDir::new("evaluator-poison");
    let (store, pg) = store(Db::Sqlite, &dir).await;
    let ev = evaluator(&store, &dir);
    let t = tenant(&store).await;
    activate_rule(&store, t, "let x = ;").await;
    let s = gift(&store, t, "150000.00").await;
    let job = EvaluateSubmission {
        tenant_id: t.uuid(),
        submission_id: s.id,
    };
    for attempt in 1..=submissions::MAX_ATTEMPTS {
        let err = ev.handle(&job).await.unwrap_err();
        assert!(
            matches!(
                err,
                EvaluationError::Sandbox(SandboxError::CompileFailed(_))
            ),
            "{err:?}"
        );
        assert_eq!(
            submissions::get(&store, t, s.id).await.unwrap().attempts,
            attempt
        );
    }
    assert_eq!(status_of(&store, t, s.id).await, submissions::FAILED);
    assert_eq!(ev.handle(&job).await.unwrap(), Handled::AlreadyDone);
    drop_pg(store, pg).await;
}

/// apalis-redis promotes every due job with one Lua `unpack`, which fails
/// past about 8,000 and wedges the worker for good; Adal stops pushing at
/// `REDIS_BACKLOG_LIMIT` and leaves the rest to the sweeper.
#[tokio::test]
async fn redis_backlog_is_bounded_below_the_unpack_limit() {
    let dir = TempDir::new("backlog");
    let cfg = queue_config(QueueBackend::Redis, &dir);
    let queue = Queue::connect(&cfg).await.unwrap();
    assert_eq!(queue.backlog().await.unwrap(), Some(0));
    let job = || EvaluateSubmission {
        tenant_id: Uuid::now_v7(),
        submission_id: Uuid::now_v7(),
    };
    let mut pushed = 0;
    let mut deferred = 0;
    for _ in 0..adal_jobs::REDIS_BACKLOG_LIMIT + 25 {
        match queue.enqueue(job()).await.unwrap() {
            Enqueued::Pushed => pushed += 1,
            Enqueued::Deferred => deferred += 1,
        }
    }
    assert_eq!(pushed, adal_jobs::REDIS_BACKLOG_LIMIT);
    assert_eq!(deferred, 25);
    assert_eq!(
        queue.backlog().await.unwrap(),
        Some(adal_jobs::REDIS_BACKLOG_LIMIT)
    );
    const { assert!(adal_jobs::REDIS_BACKLOG_LIMIT < 8_000) };
    clear_redis(&cfg);
}

/// Submissions the queue refused are swept at once (no grace period), in
/// batches past the sweeper's page size, and only once: a second sweep
/// finds nothing, because the first recorded that it enqueued them.
#[tokio::test]
async fn refused_submissions_are_swept_at_once_and_only_once() {
    let dir = TempDir::new("refused");
    let (store, _) = store(Db::Sqlite, &dir).await;
    let tenant = tenant(&store).await;
    let queue = Queue::connect(&queue_config(QueueBackend::Sqlite, &dir))
        .await
        .unwrap();
    let mut refused = Vec::new();
    for _ in 0..620 {
        let s = gift(&store, tenant, "10.00").await;
        submissions::mark_not_enqueued(&store, tenant, s.id)
            .await
            .unwrap();
        refused.push(s.id);
    }
    // Enqueued just now and not refused: not the sweeper's business yet.
    let fresh = gift(&store, tenant, "10.00").await;
    let hour = Duration::from_secs(3600);
    assert_eq!(sweep_once(&store, &queue, hour).await.unwrap(), 620);
    assert_eq!(sweep_once(&store, &queue, hour).await.unwrap(), 0);
    let stale = submissions::stale_received_across_tenants(&store, chrono::Utc::now(), 10_000)
        .await
        .unwrap();
    assert_eq!(
        stale.len(),
        621,
        "after the grace period everything still received is stale"
    );
    assert!(stale.iter().any(|(_, id)| *id == fresh.id));
}

/// While jobs wait in Redis, a row enqueued long ago may just be waiting
/// its turn: the sweeper does not push it again (duplicates would queue
/// ahead of new work). Once the queue is empty, it is a lost job and is
/// re-enqueued.
#[tokio::test]
async fn lost_jobs_are_recovered_only_when_the_redis_queue_is_empty() {
    let dir = TempDir::new("lost-redis");
    let (store, _) = store(Db::Sqlite, &dir).await;
    let tenant = tenant(&store).await;
    let cfg = queue_config(QueueBackend::Redis, &dir);
    let queue = Queue::connect(&cfg).await.unwrap();
    let s = gift(&store, tenant, "10.00").await;
    queue
        .enqueue(EvaluateSubmission {
            tenant_id: tenant.uuid(),
            submission_id: Uuid::now_v7(),
        })
        .await
        .unwrap();
    assert_eq!(queue.backlog().await.unwrap(), Some(1));
    assert_eq!(sweep_once(&store, &queue, Duration::ZERO).await.unwrap(), 0);
    clear_redis(&cfg);
    assert_eq!(queue.backlog().await.unwrap(), Some(0));
    assert_eq!(sweep_once(&store, &queue, Duration::ZERO).await.unwrap(), 1);
    assert_eq!(status_of(&store, tenant, s.id).await, "received");
    clear_redis(&cfg);
}

/// Issue 13: the sweeper hands a backlog over one job per batch of a
/// tenant's rows, not one per row (a job's claim takes the batch), and the
/// workers still evaluate every row.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_sweeper_hands_out_one_job_per_batch() {
    rules_binary();
    let dir = TempDir::new("sweep-batches");
    let (store, _) = store(Db::Sqlite, &dir).await;
    let (a, b) = (tenant(&store).await, tenant(&store).await);
    activate_rule(&store, a, RULE).await;
    activate_rule(&store, b, RULE).await;
    let mut rows = Vec::new();
    for (t, n) in [(a, 45), (b, 3)] {
        for _ in 0..n {
            let g = gift(&store, t, "150000.00").await;
            submissions::mark_not_enqueued(&store, t, g.id)
                .await
                .unwrap();
            rows.push((t, g.id));
        }
    }
    let cfg = queue_config(QueueBackend::Redis, &dir);
    let queue = Queue::connect(&cfg).await.unwrap().with_rows_per_job(20);
    let hour = Duration::from_secs(3600);
    assert_eq!(sweep_once(&store, &queue, hour).await.unwrap(), 48);
    // Tenant a: 20 + 20 + 5 rows, three jobs; tenant b: one.
    assert_eq!(queue.backlog().await.unwrap(), Some(4));
    assert_eq!(sweep_once(&store, &queue, hour).await.unwrap(), 0);

    let worker = start_worker(
        &queue,
        evaluator_with(&store, &dir, Duration::from_secs(20), 20),
    );
    eventually("every swept row evaluated", Duration::from_secs(60), || {
        let (store, rows) = (store.clone(), rows.clone());
        async move {
            for (t, id) in rows {
                if status_of(&store, t, id).await != submissions::EVALUATED {
                    return None;
                }
            }
            Some(())
        }
    })
    .await;
    worker.stop().await;
    clear_redis(&cfg);
}

/// The library's registry rule, end to end: entries in the public registry
/// reach an HR action's context through the evaluator, and the rule (the
/// script shipped in `rules/`, run in the sandbox) turns them into
/// findings, by IIN and, for an entry without one, by name in another
/// script.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hiring_a_registry_matched_candidate_is_a_finding() {
    use adal_domain::{ConvictedPerson, ConvictedPersonFields, with_check_digit};
    use adal_store::registry;
    rules_binary();
    let dir = TempDir::new("registry-hiring");
    let (store, pg) = store(Db::Postgres, &dir).await;
    let ev = evaluator(&store, &dir);
    let t = tenant(&store).await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let marat_iin = with_check_digit("90011530001").unwrap();
    for (name, iin) in [
        ("Оспанов Марат Серикович", Some(marat_iin.as_str())),
        ("Ахметова Сауле Маратовна", None),
    ] {
        let entry = ConvictedPerson::parse(
            ConvictedPersonFields {
                full_name: name,
                iin,
                date_of_birth: None,
                offence_article: "366 part 2",
                convicted_on: "2024-03-01",
                court: "Astana criminal court",
                applies_until: None,
                ..Default::default()
            },
            today,
        )
        .unwrap();
        registry::create(&store, Uuid::new_v4(), &entry)
            .await
            .unwrap();
    }
    let script = include_str!("../../../rules/hr/candidate-in-convicted-registry.rhai");
    let rule = rule_definition(
        "candidate-in-convicted-registry",
        "hr_action",
        Severity::Critical,
        script,
    );
    activate(&store, t, rule).await;

    let hire = |iin: &str, name: &str| NewSubmission {
        kind: "hr_action".to_owned(),
        schema_version: 1,
        submitted_by: Uuid::new_v4(),
        department_id: None,
        position_id: None,
        payload: serde_json::json!({
            "action": "hiring",
            "person": {"iin": iin, "full_name": name},
            "position_id": Uuid::new_v4(),
            "effective_on": "2026-07-01",
            "decided_on": "2026-05-20",
            "decision_makers": [{"full_name": "Serik Abdiuly", "role": "director"}],
        }),
        reference: None,
        subject_iin: Some(iin.to_owned()),
        supersedes: None,
    };
    let saule_iin = with_check_digit("85050540001").unwrap();
    let other_iin = with_check_digit("80010130001").unwrap();
    let mut explanations = Vec::new();
    for (iin, name, findings) in [
        // The IIN decides, whatever the name on the action says.
        (marat_iin.as_str(), "Marat Ospanov", 1),
        // No entry has this IIN; the name matches one without an IIN.
        (saule_iin.as_str(), "Akhmetova Saule Maratkyzy", 1),
        // Same name as an entry with another IIN: someone else.
        (other_iin.as_str(), "Ospanov Marat", 0),
    ] {
        let s = submissions::insert(&store, t, hire(iin, name))
            .await
            .unwrap();
        let handled = ev
            .handle(&EvaluateSubmission {
                tenant_id: t.uuid(),
                submission_id: s.id,
            })
            .await
            .unwrap();
        let recorded = match handled {
            Handled::Evaluated(r) => r,
            other => unreachable!("not evaluated: {other:?}"),
        };
        assert_eq!(
            (recorded.new_findings, recorded.new_rule_errors),
            (findings, 0),
            "{name}"
        );
        let filter = FindingFilter {
            submission_id: Some(s.id),
            ..FindingFilter::default()
        };
        let (found, _) = evaluation::list_findings(
            &store,
            t,
            &adal_store::submissions::ReadScope::WholeTenant,
            &filter,
            0,
            10,
        )
        .await
        .unwrap();
        explanations.extend(found.into_iter().map(|f| (f.severity, f.explanation)));
    }
    assert_eq!(explanations.len(), 2);
    assert!(explanations.iter().all(|(s, _)| s == "critical"));
    assert!(
        explanations[0]
            .1
            .ends_with("match score 100/100: the entry records the same IIN"),
        "{explanations:?}"
    );
    assert!(
        explanations[1].1.contains("Ахметова Сауле Маратовна")
            && explanations[1]
                .1
                .contains("match score 70/100: the entry records no IIN; 3 of 3 name parts agree")
            && explanations[1].1.contains("matched by name only"),
        "{explanations:?}"
    );
    drop_pg(store, pg).await;
}

// ---------------------------------------------------------------- batches

/// Issue 13: one job evaluates a batch of the tenant's received
/// submissions (the named one first, then the oldest), in one sandbox
/// request and one transaction; the job of a row already done takes the
/// tenant's other waiting rows; a row another claim holds is left alone;
/// another tenant's rows are never part of the batch.
async fn one_job_evaluates_a_batch(db: Db) {
    rules_binary();
    let dir = TempDir::new("batch");
    let (store, pg) = store(db, &dir).await;
    let ev = evaluator_with(&store, &dir, Duration::from_secs(20), 4);
    let t = tenant(&store).await;
    let other = tenant(&store).await;
    activate_rule(&store, t, RULE).await;
    activate_rule(&store, other, RULE).await;
    let foreign = gift(&store, other, "150000.00").await;
    let mut gifts = Vec::new();
    for i in 0..6 {
        gifts.push(gift(&store, t, if i % 2 == 0 { "150000.00" } else { "50.00" }).await);
    }
    let job = |id| EvaluateSubmission {
        tenant_id: t.uuid(),
        submission_id: id,
    };
    // The job names the last gift: it and the three oldest are claimed.
    let handled = ev.handle(&job(gifts[5].id)).await.unwrap();
    assert_eq!(
        handled,
        Handled::Evaluated(Recorded::default()),
        "gift 5 is small"
    );
    let statuses = |ids: Vec<Uuid>| {
        let store = store.clone();
        async move {
            let mut out = Vec::new();
            for id in ids {
                out.push(status_of(&store, t, id).await);
            }
            out
        }
    };
    let ids: Vec<Uuid> = gifts.iter().map(|g| g.id).collect();
    assert_eq!(
        statuses(ids.clone()).await,
        [
            "evaluated",
            "evaluated",
            "evaluated",
            "received",
            "received",
            "evaluated"
        ]
    );
    assert_eq!(
        status_of(&store, other, foreign.id).await,
        submissions::RECEIVED,
        "another tenant's row is not part of the batch"
    );
    // A row another claim holds is left alone, by every job.
    let held = submissions::claim_batch(&store, t, gifts[3].id, 1, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    // Gift 1 is done; its job still takes what else waits of the tenant
    // (gift 4), but not the held gift 3.
    assert_eq!(
        ev.handle(&job(gifts[1].id)).await.unwrap(),
        Handled::AlreadyDone
    );
    assert_eq!(
        statuses(vec![gifts[3].id, gifts[4].id]).await,
        ["received", "evaluated"]
    );
    assert_eq!(
        ev.handle(&job(gifts[3].id)).await.unwrap(),
        Handled::InProgress
    );
    assert_eq!(
        status_of(&store, t, gifts[3].id).await,
        submissions::RECEIVED
    );
    assert_eq!(
        ev.handle(&job(gifts[4].id)).await.unwrap(),
        Handled::AlreadyDone
    );

    // One finding per big gift, each counted once on the risk map.
    let (found, total) = evaluation::list_findings(
        &store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &FindingFilter::default(),
        0,
        10,
    )
    .await
    .unwrap();
    assert_eq!(total, 3);
    let mut of: Vec<Uuid> = found.iter().map(|f| f.submission_id).collect();
    of.sort();
    let mut want = vec![gifts[0].id, gifts[2].id, gifts[4].id];
    want.sort();
    assert_eq!(of, want);
    assert_eq!(
        evaluation::risk_map(&store, t).await.unwrap().open_findings,
        3
    );
    drop_pg(store, pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_job_evaluates_a_batch_sqlite() {
    one_job_evaluates_a_batch(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_job_evaluates_a_batch_postgres() {
    one_job_evaluates_a_batch(Db::Postgres).await;
}

/// A rule that runs past the request's deadline on one gift only (its
/// loop stays within the operations limit; see the sandbox's pool tests):
/// the batch's request fails as a whole, is split until that gift is
/// alone, and only that gift is counted as a failed attempt; the others
/// are recorded.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_poison_submission_fails_alone() {
    rules_binary();
    let dir = TempDir::new("poison");
    let (store, pg) = store(Db::Postgres, &dir).await;
    let ev = evaluator_with(&store, &dir, Duration::from_millis(600), 200);
    let t = tenant(&store).await;
    activate_rule(
        &store,
        t,
        "if submission.value_kzt == \"666.00\" { let a = []; a.pad(10000, 0); loop { a.contains(-1); } }\n\
         if money(submission.value_kzt) > money(\"100\") { \"big gift\" }",
    )
    .await;
    let mut gifts = Vec::new();
    for value in ["150000.00", "50.00", "666.00", "150000.00", "50.00"] {
        gifts.push(gift(&store, t, value).await);
    }
    let r = ev
        .handle(&EvaluateSubmission {
            tenant_id: t.uuid(),
            submission_id: gifts[0].id,
        })
        .await
        .unwrap();
    assert_eq!(
        r,
        Handled::Evaluated(Recorded {
            new_findings: 1,
            ..Recorded::default()
        })
    );
    for (i, g) in gifts.iter().enumerate() {
        let row = submissions::get(&store, t, g.id).await.unwrap();
        if i == 2 {
            assert_eq!(row.status, submissions::RECEIVED, "retried later");
            assert_eq!(row.attempts, 1);
            assert_eq!(row.claimed_until, None, "free for the next attempt");
        } else {
            assert_eq!(row.status, submissions::EVALUATED, "gift {i}");
        }
    }
    let (_, total) = evaluation::list_findings(
        &store,
        t,
        &adal_store::submissions::ReadScope::WholeTenant,
        &FindingFilter::default(),
        0,
        10,
    )
    .await
    .unwrap();
    assert_eq!(total, 2);
    drop_pg(store, pg).await;
}
