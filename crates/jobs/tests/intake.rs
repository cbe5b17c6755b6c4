//! The intake: filings committed in groups on PostgreSQL + Redis (and
//! SQLite), each stored with its audit entry, one bad filing failing alone,
//! and every filing evaluated by the worker.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use adal_config::QueueBackend;
use adal_jobs::{Intake, Queue};
use adal_store::submissions::{self, NewSubmission};
use adal_store::{StoreError, TenantId};
use common::*;
use std::time::Duration;
use uuid::Uuid;

/// A training record: its reference (person, topic, day) is unique among
/// current records, so two filings of it clash.
fn training(iin: &str, topic: &str) -> NewSubmission {
    NewSubmission {
        kind: "training".to_owned(),
        schema_version: 1,
        submitted_by: Uuid::new_v4(),
        department_id: None,
        position_id: None,
        payload: serde_json::json!({ "person_iin": iin, "topic": topic }),
        reference: Some(format!("{iin}:{topic}:2026-03-01")),
        subject_iin: Some(iin.to_owned()),
        supersedes: None,
    }
}

async fn audit_entries_of(store: &adal_store::Store, tenant: TenantId, id: Uuid) -> usize {
    let object = format!("submission/{id}");
    adal_store::audit::entries(store, tenant, None, Some("submission."), 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.object == object && e.action == "submission.receive")
        .count()
}

/// Many filings at once, from two tenants, one of them a duplicate of
/// another: each filer gets its own submission back (its own payload, its
/// tenant), stored once with its audit entry; the duplicate alone is
/// refused; the worker evaluates them all.
async fn filings_at_once(backend: QueueBackend, db: Db) {
    rules_binary();
    let dir = TempDir::new("intake");
    let (store, pg) = store(db, &dir).await;
    let (a, b) = (tenant(&store).await, tenant(&store).await);
    activate_rule(&store, a, RULE).await;
    activate_rule(&store, b, RULE).await;
    let cfg = queue_config(backend, &dir);
    let queue = Queue::connect(&cfg).await.unwrap();
    let intake = Intake::start(store.clone(), queue.clone());

    let mut filings = Vec::new();
    for i in 0..60u32 {
        let t = if i % 3 == 0 { b } else { a };
        let new = if i == 7 || i == 8 {
            // The same training twice in tenant a.
            training("900101300155", "ethics")
        } else {
            gift_submission(&format!("{}.00", 1000 + i), None)
        };
        let intake = intake.clone();
        filings.push(tokio::spawn(
            async move { (t, i, intake.submit(t, new).await) },
        ));
    }
    let mut stored = Vec::new();
    let mut clashes = 0;
    for f in filings {
        let (t, i, r) = f.await.unwrap();
        match r {
            Ok(s) => {
                assert_eq!(s.tenant_id, t.uuid(), "filing {i} stored in its own tenant");
                assert_eq!(s.status, submissions::RECEIVED);
                if i != 7 && i != 8 {
                    let payload: serde_json::Value = serde_json::from_str(&s.payload).unwrap();
                    assert_eq!(
                        payload["value_kzt"],
                        format!("{}.00", 1000 + i),
                        "filing {i} gets its own submission back"
                    );
                }
                stored.push((t, s.id));
            }
            Err(StoreError::Conflict(_)) => {
                assert!(i == 7 || i == 8, "filing {i} refused");
                clashes += 1;
            }
            Err(e) => unreachable!("filing {i}: {e}"),
        }
    }
    assert_eq!(clashes, 1, "one of the two identical trainings is refused");
    assert_eq!(stored.len(), 59);
    for (t, id) in &stored {
        assert_eq!(
            audit_entries_of(&store, *t, *id).await,
            1,
            "each filing has its audit entry"
        );
    }
    // Tenant b sees none of tenant a's filings.
    for (t, id) in &stored {
        let other = if *t == a { b } else { a };
        assert!(matches!(
            submissions::get(&store, other, *id).await,
            Err(StoreError::NotFound)
        ));
    }

    let worker = start_worker(&queue, evaluator(&store, &dir));
    eventually("every filing evaluated", Duration::from_secs(60), || {
        let (store, stored) = (store.clone(), stored.clone());
        async move {
            for (t, id) in stored {
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
    drop_pg(store, pg).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn filings_at_once_postgres_redis() {
    filings_at_once(QueueBackend::Redis, Db::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn filings_at_once_sqlite() {
    filings_at_once(QueueBackend::Sqlite, Db::Sqlite).await;
}
