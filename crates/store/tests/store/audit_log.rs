//! The Merkle audit log against tampering (issue 15): each way of rewriting
//! history in the database is caught by the offline verifier on an export
//! (`adal_verify`, as `adal-verify DIR --checkpoint FILE` runs it) and,
//! where the service can see it, by the service's own check. On both
//! backends.

use adal_reporting::envelope::Kek;
use adal_store::audit::{self, LogKeys};
use adal_store::{Store, StoreError, TenantId, org, tenants};
use adal_verify::Failure;
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, Value};
use uuid::Uuid;

adal_testkit::on_both_backends!(
    an_intact_log_verifies_offline_and_proves_what_it_holds,
    an_edited_entry_is_named,
    an_edit_with_its_hash_recomputed_fails_the_checkpoint_and_is_not_signed_over,
    deleted_moved_and_inserted_entries_are_caught,
    cutting_off_the_newest_entries_is_caught_by_the_kept_checkpoint,
    a_log_replaced_wholesale_is_caught_by_the_deposited_checkpoint,
    the_schedule_signs_the_logs_that_grew_and_only_those,
);

fn keyed(store: Store) -> Store {
    let kek = Kek::from_bytes([9; 32]).unwrap();
    store.with_log_keys(LogKeys::new(kek, "https://adal.test/", Some(&[5; 32])).unwrap())
}

/// A tenant whose log has 6 entries under a checkpoint the auditor kept,
/// then 4 more under a newer one. Returns the tenant and the kept note.
async fn logged(store: &Store) -> (TenantId, String) {
    let n = Uuid::new_v4().as_u128() % 1_000_000_000_000;
    let t = tenants::create(
        store,
        "platform-admin",
        tenants::NewTenant {
            name: "Logged JSC".to_owned(),
            bin: format!("{n:012}"),
            sector: "quasi_public".to_owned(),
            region: "Astana".to_owned(),
        },
    )
    .await
    .unwrap();
    let t = TenantId::from_uuid(t.id);
    for i in 0..5 {
        department(store, t, &format!("Department {i}")).await;
    }
    let kept = audit::checkpoint(store, t).await.unwrap();
    assert_eq!(kept.size, 6);
    for i in 5..9 {
        department(store, t, &format!("Department {i}")).await;
    }
    assert_eq!(audit::checkpoint(store, t).await.unwrap().size, 10);
    (t, kept.note)
}

async fn department(store: &Store, t: TenantId, name: &str) {
    org::create_department(store, t, "admin", name.to_owned(), None)
        .await
        .unwrap();
}

/// Runs `sql` (with `?` placeholders) as the attacker would: straight on
/// the database, around the service.
async fn sql(store: &Store, sql: &str, values: Vec<Value>) -> u64 {
    let sql = match store.backend() {
        DatabaseBackend::Postgres => {
            let mut out = String::new();
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_owned(),
    };
    store
        .connection()
        .execute_raw(Statement::from_sql_and_values(store.backend(), sql, values))
        .await
        .unwrap()
        .rows_affected()
}

async fn export_and_verify(store: &Store, t: TenantId, kept: &str) -> adal_verify::Report {
    let dir = tempfile::tempdir().unwrap();
    audit::export(store, t, dir.path()).await.unwrap();
    adal_verify::verify_dir(dir.path(), Some(kept)).unwrap()
}

fn has(report: &adal_verify::Report, wanted: impl Fn(&Failure) -> bool) -> bool {
    report.failures.iter().any(wanted)
}

async fn an_intact_log_verifies_offline_and_proves_what_it_holds(store: Store) {
    let store = keyed(store);
    let (t, kept) = logged(&store).await;
    let dir = tempfile::tempdir().unwrap();
    let done = audit::export(&store, t, dir.path()).await.unwrap();
    assert_eq!((done.entries, done.checkpoints), (10, 2));
    let report = adal_verify::verify_dir(dir.path(), Some(&kept)).unwrap();
    assert!(report.holds(), "{:?}", report.failures);
    assert_eq!(report.entries, 10);
    // The export's newest checkpoint is the one the service signed, byte
    // for byte.
    let newest = std::fs::read_to_string(dir.path().join("checkpoint")).unwrap();
    assert_eq!(newest, audit::checkpoints(&store, t).await.unwrap()[1].note);
    assert!(newest.starts_with(&format!("adal.test/audit/{}\n10\n", t.uuid())));

    // The service's check agrees.
    let v = audit::verify(&store, t).await.unwrap();
    assert_eq!(
        (v.entries, v.broken_at, v.checkpoint_failed, v.checkpoints),
        (10, None, None, 2)
    );

    // Every entry proves its inclusion in the checkpointed tree, and the
    // older tree its consistency with the newer.
    let root10 = audit::checkpoints(&store, t).await.unwrap()[1].root;
    for seq in 1..=10 {
        let p = audit::inclusion(&store, t, seq, Some(10)).await.unwrap();
        assert_eq!(p.root, root10);
        adal_tlog::verify_inclusion(&p.leaf_hash, seq - 1, 10, &p.hashes, &root10).unwrap();
    }
    let c = audit::consistency(&store, t, 6, Some(10)).await.unwrap();
    let root6 = audit::checkpoints(&store, t).await.unwrap()[0].root;
    adal_tlog::verify_consistency(6, 10, &root6, &root10, &c.hashes).unwrap();
    assert!(matches!(
        audit::inclusion(&store, t, 11, Some(10)).await,
        Err(StoreError::NotFound)
    ));

    // Each checkpoint was deposited in the platform's log, whose own
    // checkpoints the Agency's key cosigns.
    let platform = audit::checkpoints(&store, audit::PLATFORM).await.unwrap();
    let last = platform.last().unwrap();
    assert_eq!(last.keys.len(), 2, "operator and Agency: {:?}", last.keys);
    assert!(last.keys[1].starts_with("adal.test/agency+"));
    let deposits = audit::entries(&store, audit::PLATFORM, None, Some("audit.checkpoint"), 10)
        .await
        .unwrap();
    assert_eq!(deposits.len(), 2);
    assert!(
        deposits[0]
            .detail
            .contains(&format!("adal.test/audit/{}", t.uuid()))
    );

    // Signing again without growth gives the same checkpoint back.
    let again = audit::checkpoint(&store, t).await.unwrap();
    assert_eq!(again.size, 10);
    assert_eq!(audit::checkpoints(&store, t).await.unwrap().len(), 2);
}

async fn an_edited_entry_is_named(store: Store) {
    let store = keyed(store);
    let (t, kept) = logged(&store).await;
    let n = sql(
        &store,
        "UPDATE audit_log SET detail = ? WHERE tenant_id = ? AND seq = 3",
        vec![r#"{"name":"Nobody"}"#.into(), t.uuid().into()],
    )
    .await;
    assert_eq!(n, 1);
    let report = export_and_verify(&store, t, &kept).await;
    assert!(
        has(&report, |f| matches!(
            f,
            Failure::EntryChanged { seq: 3, .. }
        )),
        "{:?}",
        report.failures
    );
    assert!(has(&report, |f| matches!(
        f,
        Failure::KeptRootMismatch { size: 6 }
    )));
    let v = audit::verify(&store, t).await.unwrap();
    assert_eq!((v.broken_at, v.checkpoint_failed), (Some(3), Some(6)));
}

async fn an_edit_with_its_hash_recomputed_fails_the_checkpoint_and_is_not_signed_over(
    store: Store,
) {
    let store = keyed(store);
    let (t, kept) = logged(&store).await;
    // The attacker also rewrites the recorded leaf hash, so the entry
    // matches it: only the signed roots remain to catch the change.
    let e = audit::entries(&store, t, Some(5), None, 1)
        .await
        .unwrap()
        .remove(0);
    assert_eq!(e.seq, Some(4));
    let forged = adal_store::entities::audit_entry::Model {
        detail: r#"{"name":"Nobody"}"#.to_owned(),
        ..e
    };
    let leaf = hex::encode(audit::entry_leaf_hash(&forged));
    sql(
        &store,
        "UPDATE audit_log SET detail = ?, leaf_hash = ? WHERE tenant_id = ? AND seq = 4",
        vec![forged.detail.clone().into(), leaf.into(), t.uuid().into()],
    )
    .await;
    let report = export_and_verify(&store, t, &kept).await;
    assert!(
        has(&report, |f| matches!(
            f,
            Failure::RootMismatch { size: 6, from: 1 }
        )),
        "{:?}",
        report.failures
    );
    assert!(!has(&report, |f| matches!(f, Failure::EntryChanged { .. })));
    assert_eq!(
        audit::verify(&store, t).await.unwrap().checkpoint_failed,
        Some(6)
    );

    // The log grows, but the service will not sign a root that does not
    // extend the one it signed before.
    department(&store, t, "After the forgery").await;
    let refused = audit::checkpoint(&store, t).await;
    assert!(
        matches!(&refused, Err(StoreError::Corrupt(m)) if m.contains("no longer extends")),
        "{refused:?}"
    );
}

async fn deleted_moved_and_inserted_entries_are_caught(store: Store) {
    let store = keyed(store);

    // Deleted.
    let (t, kept) = logged(&store).await;
    sql(
        &store,
        "DELETE FROM audit_log WHERE tenant_id = ? AND seq = 4",
        vec![t.uuid().into()],
    )
    .await;
    let report = export_and_verify(&store, t, &kept).await;
    assert!(
        has(&report, |f| matches!(f, Failure::Missing { seq: 4 })),
        "{:?}",
        report.failures
    );
    assert_eq!(audit::verify(&store, t).await.unwrap().broken_at, Some(5));

    // Two entries swap places (with their recorded hashes).
    let (t, kept) = logged(&store).await;
    for (from, to) in [(2, 1000), (3, 2), (1000, 3)] {
        sql(
            &store,
            "UPDATE audit_log SET seq = ? WHERE tenant_id = ? AND seq = ?",
            vec![
                i64::from(to).into(),
                t.uuid().into(),
                i64::from(from).into(),
            ],
        )
        .await;
    }
    let report = export_and_verify(&store, t, &kept).await;
    assert!(
        has(&report, |f| matches!(
            f,
            Failure::RootMismatch { size: 6, from: 1 }
        )),
        "{:?}",
        report.failures
    );
    assert!(has(&report, |f| matches!(
        f,
        Failure::KeptRootMismatch { size: 6 }
    )));

    // One entry slipped in at position 5, the later ones moved up.
    let (t, kept) = logged(&store).await;
    sql(
        &store,
        "UPDATE audit_log SET seq = seq + 1000 WHERE tenant_id = ? AND seq >= 5",
        vec![t.uuid().into()],
    )
    .await;
    sql(
        &store,
        "UPDATE audit_log SET seq = seq - 999 WHERE tenant_id = ? AND seq > 1000",
        vec![t.uuid().into()],
    )
    .await;
    let e = audit::entries(&store, t, Some(4), None, 1)
        .await
        .unwrap()
        .remove(0);
    let slipped = adal_store::entities::audit_entry::Model {
        id: Uuid::new_v4(),
        seq: Some(5),
        action: "rule_set.activate".to_owned(),
        ..e
    };
    let leaf = hex::encode(audit::entry_leaf_hash(&slipped));
    sql(
        &store,
        "INSERT INTO audit_log (id, tenant_id, seq, at, actor, action, object, detail, leaf_hash) \
         VALUES (?, ?, 5, ?, ?, ?, ?, ?, ?)",
        vec![
            slipped.id.into(),
            t.uuid().into(),
            slipped.at.into(),
            slipped.actor.clone().into(),
            slipped.action.clone().into(),
            slipped.object.clone().into(),
            slipped.detail.clone().into(),
            leaf.into(),
        ],
    )
    .await;
    let report = export_and_verify(&store, t, &kept).await;
    assert!(
        has(&report, |f| matches!(
            f,
            Failure::RootMismatch { size: 6, from: 1 }
        )),
        "{:?}",
        report.failures
    );
}

async fn cutting_off_the_newest_entries_is_caught_by_the_kept_checkpoint(store: Store) {
    let store = keyed(store);
    let (t, _) = logged(&store).await;
    // The auditor kept the newest checkpoint (size 10); the attacker cuts
    // the log back to 6 and removes every trace of the later state.
    let kept = audit::checkpoints(&store, t).await.unwrap()[1].note.clone();
    sql(
        &store,
        "DELETE FROM audit_log WHERE tenant_id = ? AND seq > 6",
        vec![t.uuid().into()],
    )
    .await;
    sql(
        &store,
        "DELETE FROM audit_checkpoints WHERE tenant_id = ? AND size > 6",
        vec![t.uuid().into()],
    )
    .await;
    sql(
        &store,
        "DELETE FROM audit_trees WHERE tenant_id = ?",
        vec![t.uuid().into()],
    )
    .await;
    let report = export_and_verify(&store, t, &kept).await;
    assert!(
        has(&report, |f| matches!(
            f,
            Failure::KeptTruncated {
                size: 10,
                entries: 6
            }
        )),
        "{:?}",
        report.failures
    );
    // What is left is consistent in itself: only the kept checkpoint
    // shows the cut.
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
}

async fn a_log_replaced_wholesale_is_caught_by_the_deposited_checkpoint(store: Store) {
    let store = keyed(store);
    let (t, _) = logged(&store).await;
    // What the Agency holds: the checkpoint deposited in the platform log.
    let deposits = audit::entries(&store, audit::PLATFORM, None, Some("audit.checkpoint"), 1)
        .await
        .unwrap();
    let deposited: serde_json::Value = serde_json::from_str(&deposits[0].detail).unwrap();
    let kept = deposited["note"].as_str().unwrap().to_owned();
    assert!(kept.contains("\n10\n"));

    // The operator, who holds the log's key, rewrites every entry with
    // recomputed hashes, drops the tree and the checkpoints, and lets the
    // service sign the new history.
    sql(
        &store,
        "UPDATE audit_log SET detail = ? WHERE tenant_id = ?",
        vec!["{}".into(), t.uuid().into()],
    )
    .await;
    for e in audit::entries(&store, t, None, None, 100).await.unwrap() {
        sql(
            &store,
            "UPDATE audit_log SET leaf_hash = ? WHERE id = ?",
            vec![hex::encode(audit::entry_leaf_hash(&e)).into(), e.id.into()],
        )
        .await;
    }
    sql(
        &store,
        "DELETE FROM audit_checkpoints WHERE tenant_id = ?",
        vec![t.uuid().into()],
    )
    .await;
    sql(
        &store,
        "DELETE FROM audit_trees WHERE tenant_id = ?",
        vec![t.uuid().into()],
    )
    .await;
    let report = export_and_verify(&store, t, &kept).await;
    // The new history holds on its own terms ...
    assert!(!has(&report, |f| matches!(
        f,
        Failure::RootMismatch { .. } | Failure::EntryChanged { .. }
    )));
    // ... but not against what the Agency was given.
    assert!(
        has(&report, |f| matches!(
            f,
            Failure::KeptRootMismatch { size: 10 }
        )),
        "{:?}",
        report.failures
    );
}

async fn the_schedule_signs_the_logs_that_grew_and_only_those(store: Store) {
    let store = keyed(store);
    let (a, _) = logged(&store).await;
    let (b, _) = logged(&store).await;
    // Both are signed at their size already: nothing to do.
    assert_eq!(audit::checkpoint_grown(&store).await.unwrap(), 0);
    department(&store, a, "Grown").await;
    assert_eq!(audit::checkpoint_grown(&store).await.unwrap(), 1);
    assert_eq!(
        audit::checkpoints(&store, a)
            .await
            .unwrap()
            .last()
            .unwrap()
            .size,
        11
    );
    assert_eq!(
        audit::checkpoints(&store, b)
            .await
            .unwrap()
            .last()
            .unwrap()
            .size,
        10
    );
    assert_eq!(audit::checkpoint_grown(&store).await.unwrap(), 0, "once");
}
