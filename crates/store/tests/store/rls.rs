//! Row-level security on PostgreSQL, the second wall: a statement that set
//! no tenant sees no tenant's rows and cannot write any; one that set a
//! tenant sees only that tenant's; every table holding a tenant's rows has
//! the policy, forced on its owner; and the tests run as a role that
//! security applies to (neither superuser nor `BYPASSRLS`).

use super::triage::tenant;
use adal_store::submissions::{self, NewSubmission};
use adal_store::{Store, TenantId};
use sea_orm::{ConnectionTrait, DatabaseBackend, Statement, TransactionTrait};
use serde_json::json;
use uuid::Uuid;

adal_testkit::on_both_backends!(a_query_without_the_tenant_set_sees_nothing);

/// Files a gift in tenant `t`; its id.
pub(crate) async fn file(store: &Store, t: TenantId) -> Uuid {
    submissions::insert(
        store,
        t,
        NewSubmission {
            kind: "gift".into(),
            schema_version: 2,
            submitted_by: Uuid::new_v4(),
            department_id: None,
            position_id: None,
            payload: json!({"description": "Watch"}),
            reference: None,
            subject_iin: None,
            supersedes: None,
        },
    )
    .await
    .unwrap()
    .id
}

async fn count<C: ConnectionTrait>(db: &C, sql: &str) -> i64 {
    db.query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap()
}

async fn a_query_without_the_tenant_set_sees_nothing(store: Store) {
    let a = tenant(&store).await;
    let b = tenant(&store).await;
    let mine = file(&store, a).await;
    file(&store, b).await;
    file(&store, b).await;
    // Through the store, each tenant reads its own.
    assert_eq!(submissions::get(&store, a, mine).await.unwrap().id, mine);
    let pool = store.unscoped();
    if store.backend() != DatabaseBackend::Postgres {
        // SQLite has no row-level security: the queries' own filters are
        // the only wall there, and the pool sees everything.
        assert_eq!(count(pool, "SELECT count(*) FROM submissions").await, 3);
        return;
    }
    let role = pool
        .query_one_raw(Statement::from_string(
            DatabaseBackend::Postgres,
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            role.try_get_by_index::<bool>(0).unwrap(),
            role.try_get_by_index::<bool>(1).unwrap()
        ),
        (false, false),
        "the tests must connect as a role row-level security applies to"
    );
    // No tenant set: nothing, in every tenant table.
    for table in ["submissions", "tenants", "audit_log", "users"] {
        assert_eq!(
            count(pool, &format!("SELECT count(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    // Nor can such a statement write a tenant's row.
    let err = pool
        .execute_unprepared(&format!(
            "INSERT INTO departments (id, tenant_id, name) \
             VALUES ('{}', '{}', 'Sneaky')",
            Uuid::new_v4(),
            a.uuid()
        ))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");
    // Tenant a set: a's rows only, even with no filter of the query's own.
    let txn = pool.begin().await.unwrap();
    txn.execute_unprepared(&format!(
        "SELECT set_config('adal.tenant', '{}', true)",
        a.uuid()
    ))
    .await
    .unwrap();
    assert_eq!(count(&txn, "SELECT count(*) FROM submissions").await, 1);
    assert_eq!(count(&txn, "SELECT count(*) FROM tenants").await, 1);
    txn.commit().await.unwrap();
    // The setting ended with its transaction: the pooled connection
    // carries nothing to the next statement.
    assert_eq!(count(pool, "SELECT count(*) FROM submissions").await, 0);
    // Every table that holds a tenant's rows has the policy, forced.
    let unprotected = count(
        pool,
        "SELECT count(*) FROM information_schema.columns c \
         JOIN pg_class k ON k.relname = c.table_name \
         JOIN pg_namespace n ON n.oid = k.relnamespace AND n.nspname = c.table_schema \
         WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id' \
         AND NOT (k.relrowsecurity AND k.relforcerowsecurity \
                  AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = k.oid))",
    )
    .await;
    assert_eq!(unprotected, 0, "a tenant table without row-level security");
}
