//! The audit log becomes a Merkle tree log (issue 15, docs/audit.md).
//!
//! - `audit_log` loses the hash chain (`prev_hash`, `hash`): a writer now
//!   inserts its entry with no position (`seq` NULL) and takes no lock; the
//!   sequencer later gives pending entries their positions and records each
//!   one's `leaf_hash`. Entries that already have a position keep it and
//!   are hashed into the tree on the sequencer's first pass.
//! - `audit_trees` holds each log's origin (its name in checkpoints, fixed
//!   when the log is first sequenced), size and frontier (the roots of its
//!   perfect subtrees), so extending the tree never rereads the log.
//! - `audit_checkpoints` holds the signed checkpoints, at most one per tree
//!   size, so the log cannot sign two different roots for one size.
//!
//! Changing a column from NOT NULL is not possible on SQLite without
//! rebuilding the table, so both backends rebuild it: new table, copy,
//! swap. PostgreSQL's row-level security policy goes with the old table and
//! is put back on the new one.

use crate::m20261207_000060_row_level_security::condition;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum AuditLogNext {
    Table,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    TenantId,
    Seq,
    At,
    Actor,
    Action,
    Object,
    Detail,
    LeafHash,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum AuditTrees {
    Table,
    TenantId,
    Origin,
    Size,
    Frontier,
    Root,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AuditCheckpoints {
    Table,
    Id,
    TenantId,
    Size,
    Root,
    Note,
    Key,
    At,
}

const COMMON: &str = "id, tenant_id, at, actor, action, object, detail";

/// Puts the tenant wall (m20261207_000060) on `tables`; later migrations'
/// new tables get it here too.
pub(crate) async fn secure(m: &SchemaManager<'_>, tables: &[&str]) -> Result<(), DbErr> {
    if m.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    for table in tables {
        m.get_connection()
            .execute_unprepared(&format!(
                "ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY; \
                 ALTER TABLE \"{table}\" FORCE ROW LEVEL SECURITY; \
                 CREATE POLICY tenant_wall ON \"{table}\" USING ({})",
                condition("tenant_id")
            ))
            .await?;
    }
    Ok(())
}

/// Replaces `audit_log` by the table `next` creates (as `audit_log_next`),
/// filled by `copy`, with the positions' unique index.
async fn rebuild(
    m: &SchemaManager<'_>,
    next: TableCreateStatement,
    copy: &str,
) -> Result<(), DbErr> {
    m.create_table(next).await?;
    m.get_connection().execute_unprepared(copy).await?;
    m.drop_table(Table::drop().table(AuditLog::Table).to_owned())
        .await?;
    m.rename_table(
        Table::rename()
            .table(AuditLogNext::Table, AuditLog::Table)
            .to_owned(),
    )
    .await?;
    m.create_index(seq_index()).await
}

fn seq_index() -> IndexCreateStatement {
    Index::create()
        .name("ux_audit_log_tenant_seq")
        .table(AuditLog::Table)
        .col(AuditLog::TenantId)
        .col(AuditLog::Seq)
        .unique()
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    /// On SQLite too (sea-orm-migration uses one only on PostgreSQL): the
    /// rebuild's statements must run on one connection, or the rename can
    /// meet a pooled connection that still sees the old table, and a
    /// failure must leave the old table in place.
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // A rolled-back log kept its pending entries at negative positions
        // (see `down`); they are pending again.
        rebuild(
            m,
            Table::create()
                .table(AuditLogNext::Table)
                .col(pk_uuid(AuditLog::Id))
                .col(uuid(AuditLog::TenantId))
                .col(big_integer_null(AuditLog::Seq))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(string_len(AuditLog::Actor, 100))
                .col(string_len(AuditLog::Action, 100))
                .col(string_len(AuditLog::Object, 200))
                .col(text(AuditLog::Detail))
                .col(string_len_null(AuditLog::LeafHash, 64))
                .to_owned(),
            &format!(
                "INSERT INTO audit_log_next ({COMMON}, seq) \
                 SELECT {COMMON}, CASE WHEN seq > 0 THEN seq END FROM audit_log"
            ),
        )
        .await?;
        let db = m.get_connection();
        // The sequencer's work list: partial, so it stays as small as the
        // backlog however long the log grows.
        db.execute_unprepared(
            "CREATE INDEX ix_audit_log_pending ON audit_log (tenant_id, at) WHERE seq IS NULL",
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditTrees::Table)
                .col(pk_uuid(AuditTrees::TenantId))
                .col(string_len(AuditTrees::Origin, 300))
                .col(big_integer(AuditTrees::Size))
                .col(text(AuditTrees::Frontier))
                .col(string_len(AuditTrees::Root, 64))
                .col(timestamp_with_time_zone(AuditTrees::UpdatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AuditCheckpoints::Table)
                .col(pk_uuid(AuditCheckpoints::Id))
                .col(uuid(AuditCheckpoints::TenantId))
                .col(big_integer(AuditCheckpoints::Size))
                .col(string_len(AuditCheckpoints::Root, 64))
                .col(text(AuditCheckpoints::Note))
                .col(text(AuditCheckpoints::Key))
                .col(timestamp_with_time_zone(AuditCheckpoints::At))
                .index(
                    Index::create()
                        .name("ux_audit_checkpoints_tenant_size")
                        .col(AuditCheckpoints::TenantId)
                        .col(AuditCheckpoints::Size)
                        .unique(),
                )
                .to_owned(),
        )
        .await?;
        secure(m, &["audit_log", "audit_trees", "audit_checkpoints"]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            AuditCheckpoints::Table.to_string(),
            AuditTrees::Table.to_string(),
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned())
                .await?;
        }
        // The chain cannot be recomputed in SQL: the old shape comes back
        // with empty chain hashes (an old build's check then reports the
        // log as broken, which is true: it is no longer a chain). Pending
        // entries take negative positions, which `up` turns back into
        // pending ones.
        rebuild(
            m,
            Table::create()
                .table(AuditLogNext::Table)
                .col(pk_uuid(AuditLog::Id))
                .col(uuid(AuditLog::TenantId))
                .col(big_integer(AuditLog::Seq))
                .col(timestamp_with_time_zone(AuditLog::At))
                .col(string_len(AuditLog::Actor, 100))
                .col(string_len(AuditLog::Action, 100))
                .col(string_len(AuditLog::Object, 200))
                .col(text(AuditLog::Detail))
                .col(string_len(AuditLog::PrevHash, 64))
                .col(string_len(AuditLog::Hash, 64))
                .to_owned(),
            &format!(
                "INSERT INTO audit_log_next ({COMMON}, seq, prev_hash, hash) \
                 SELECT {COMMON}, COALESCE(seq, -ROW_NUMBER() OVER \
                 (PARTITION BY tenant_id ORDER BY at, id)), '', '' FROM audit_log"
            ),
        )
        .await?;
        secure(m, &["audit_log"]).await
    }
}
