//! The append-only, tamper-evident audit log. Each entry's hash commits to
//! the previous entry's hash, so changing or deleting an entry breaks every
//! hash after it; [`verify`] walks a tenant's chain end to end.

use crate::entities::audit_entry;
use crate::{Result, StoreError, TenantId, new_id, now};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, prelude::*,
};
use sha2::{Digest, Sha256};

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The tenant of platform-level entries (tenant creation, platform admin
/// actions).
pub const PLATFORM: TenantId = TenantId::from_uuid(uuid::Uuid::nil());

fn entry_hash(
    prev: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    object: &str,
    detail: &str,
) -> String {
    let mut h = Sha256::new();
    // Length-prefix every field so that no two different entries can
    // serialise to the same bytes.
    for part in [prev, &seq.to_string(), at, actor, action, object, detail] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an entry. Call it inside the transaction that makes the change
/// it records, so that the change and its audit entry commit together.
pub async fn append<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    actor: &str,
    action: &str,
    object: &str,
    detail: serde_json::Value,
) -> Result<()> {
    if conn.get_database_backend() == DatabaseBackend::Postgres {
        // Serialise appenders per tenant so that two transactions cannot
        // both read the same tail; SQLite already has a single writer.
        conn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [tenant.uuid().to_string().into()],
        ))
        .await?;
    }
    let last = audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(tenant.uuid()))
        .order_by_desc(audit_entry::Column::Seq)
        .limit(1)
        .one(conn)
        .await?;
    let (seq, prev) = match last {
        Some(e) => (e.seq + 1, e.hash),
        None => (1, GENESIS.to_owned()),
    };
    // Stored timestamps keep microseconds (PostgreSQL's precision); hash what
    // will be read back.
    let at = chrono::SubsecRound::trunc_subsecs(now(), 6);
    let at_s = at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let detail = detail.to_string();
    let hash = entry_hash(&prev, seq, &at_s, actor, action, object, &detail);
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        id: Set(new_id()),
        tenant_id: Set(tenant.uuid()),
        seq: Set(seq),
        at: Set(at),
        actor: Set(actor.to_owned()),
        action: Set(action.to_owned()),
        object: Set(object.to_owned()),
        detail: Set(detail),
        prev_hash: Set(prev),
        hash: Set(hash),
    })
    .exec_without_returning(conn)
    .await
    .map_err(|e| StoreError::from_insert(e, "audit sequence"))?;
    Ok(())
}

/// Outcome of verifying a tenant's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries: u64,
    /// The first sequence number whose entry does not match, if any.
    pub broken_at: Option<i64>,
}

pub async fn verify(store: &crate::Store, tenant: TenantId) -> Result<Verification> {
    let conn = &store.scoped(tenant);
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(tenant.uuid()))
        .order_by_asc(audit_entry::Column::Seq)
        .all(conn)
        .await?;
    let mut prev = GENESIS.to_owned();
    for (expected_seq, e) in (1i64..).zip(entries.iter()) {
        let at_s = e.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let h = entry_hash(
            &prev, e.seq, &at_s, &e.actor, &e.action, &e.object, &e.detail,
        );
        if e.seq != expected_seq || e.prev_hash != prev || e.hash != h {
            return Ok(Verification {
                entries: entries.len() as u64,
                broken_at: Some(e.seq),
            });
        }
        prev = e.hash.clone();
    }
    Ok(Verification {
        entries: entries.len() as u64,
        broken_at: None,
    })
}
