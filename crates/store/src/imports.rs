//! Bulk imports: the uploaded file is stored with the import row before the
//! API answers, so an accepted upload is never lost; a worker claims the
//! row, applies it in batches, and records progress and a per-row report.
//!
//! The database is the queue here (a claim is an atomic status change, a
//! heartbeat marks it alive): imports are few, long and carry their file,
//! which a Redis job should not.

use crate::entities::{import, import_file};
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use import::Model as Import;

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// 1-based: the CSV line (the header is line 1), or the JSON line or
    /// release number for OCDS.
    pub row: u64,
    /// The CSV column, or the JSON pointer inside the release.
    pub column: String,
    pub reason: String,
}

pub async fn create(
    store: &crate::Store,
    tenant: TenantId,
    actor: Uuid,
    kind: &str,
    file_name: &str,
    file: String,
) -> Result<Import> {
    let txn = store.begin_write_for(tenant).await?;
    let id = new_id();
    let bytes = file.len();
    import::Entity::insert(import::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.uuid()),
        kind: Set(kind.to_owned()),
        file_name: Set(file_name.to_owned()),
        status: Set(QUEUED.to_owned()),
        total_rows: Set(0),
        processed_rows: Set(0),
        accepted: Set(0),
        unchanged: Set(0),
        rejected: Set(0),
        report: Set("[]".to_owned()),
        error: Set(None),
        created_by: Set(actor),
        created_at: Set(now()),
        started_at: Set(None),
        heartbeat_at: Set(None),
        finished_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    import_file::Entity::insert(import_file::ActiveModel {
        import_id: Set(id),
        file: Set(file),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::append(
        &txn,
        tenant,
        &actor.to_string(),
        "import.create",
        &format!("import/{id}"),
        serde_json::json!({"kind": kind, "file_name": file_name, "bytes": bytes}),
    )
    .await?;
    let i = import::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(i)
}

/// An import without its file, for listing and progress.
#[derive(Debug, Clone)]
pub struct ImportStatus {
    pub id: Uuid,
    pub kind: String,
    pub file_name: String,
    pub status: String,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub accepted: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub report: Vec<RowError>,
    pub error: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

fn status_of(i: Import) -> Result<ImportStatus> {
    let report = serde_json::from_str(&i.report)
        .map_err(|e| StoreError::Corrupt(format!("import {} report: {e}", i.id)))?;
    Ok(ImportStatus {
        id: i.id,
        kind: i.kind,
        file_name: i.file_name,
        status: i.status,
        total_rows: i.total_rows,
        processed_rows: i.processed_rows,
        accepted: i.accepted,
        unchanged: i.unchanged,
        rejected: i.rejected,
        report,
        error: i.error,
        created_by: i.created_by,
        created_at: i.created_at,
        started_at: i.started_at,
        finished_at: i.finished_at,
    })
}

pub async fn get(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<ImportStatus> {
    let i = import::Entity::find_by_id(id)
        .filter(import::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)?;
    status_of(i)
}

pub async fn list(
    store: &crate::Store,
    tenant: TenantId,
    kinds: &[&str],
    offset: u64,
    limit: u64,
) -> Result<(Vec<ImportStatus>, u64)> {
    let q = import::Entity::find()
        .filter(import::Column::TenantId.eq(tenant.uuid()))
        .filter(import::Column::Kind.is_in(kinds.iter().map(|k| (*k).to_owned())));
    let total = q.clone().count(&store.scoped(tenant)).await?;
    let rows = q
        .order_by_desc(import::Column::CreatedAt)
        .offset(offset)
        .limit(limit)
        .all(&store.scoped(tenant))
        .await?;
    Ok((
        rows.into_iter().map(status_of).collect::<Result<_>>()?,
        total,
    ))
}

/// Claims the oldest import that is queued, or running with a heartbeat
/// older than `stale_before` (its worker died), across tenants. The claim
/// is a conditional update, so two workers never take the same import.
pub async fn claim_next_across_tenants(
    store: &crate::Store,
    stale_before: DateTime<Utc>,
) -> Result<Option<Import>> {
    let candidates: Vec<(Uuid, String, Option<DateTime<Utc>>)> = import::Entity::find()
        .select_only()
        .column(import::Column::Id)
        .column(import::Column::Status)
        .column(import::Column::HeartbeatAt)
        .filter(
            Condition::any().add(import::Column::Status.eq(QUEUED)).add(
                Condition::all()
                    .add(import::Column::Status.eq(RUNNING))
                    .add(import::Column::HeartbeatAt.lt(stale_before)),
            ),
        )
        .order_by_asc(import::Column::CreatedAt)
        .limit(5)
        .into_tuple()
        .all(&store.across_tenants())
        .await?;
    for (id, status, heartbeat) in candidates {
        let at = now();
        let mut upd = import::Entity::update_many()
            .col_expr(import::Column::Status, Expr::value(RUNNING))
            .col_expr(import::Column::HeartbeatAt, Expr::value(Some(at)))
            .col_expr(import::Column::StartedAt, Expr::value(Some(at)))
            .filter(import::Column::Id.eq(id))
            .filter(import::Column::Status.eq(status));
        upd = match heartbeat {
            Some(h) => upd.filter(import::Column::HeartbeatAt.eq(h)),
            None => upd.filter(import::Column::HeartbeatAt.is_null()),
        };
        if upd.exec(&store.across_tenants()).await?.rows_affected == 1 {
            return Ok(import::Entity::find_by_id(id)
                .one(&store.across_tenants())
                .await?);
        }
    }
    Ok(None)
}

/// The file of an import, for the worker applying it.
pub async fn file(store: &crate::Store, id: Uuid) -> Result<String> {
    import_file::Entity::find_by_id(id)
        .one(&store.across_tenants())
        .await?
        .map(|f| f.file)
        .ok_or(StoreError::NotFound)
}

/// Counts so far, written as the import advances (and as its heartbeat).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub total_rows: i64,
    pub processed_rows: i64,
    pub accepted: i64,
    pub unchanged: i64,
    pub rejected: i64,
}

pub async fn progress(
    store: &crate::Store,
    id: Uuid,
    p: &Progress,
    report: &[RowError],
) -> Result<()> {
    let report = serde_json::to_string(report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    import::Entity::update_many()
        .col_expr(import::Column::TotalRows, Expr::value(p.total_rows))
        .col_expr(import::Column::ProcessedRows, Expr::value(p.processed_rows))
        .col_expr(import::Column::Accepted, Expr::value(p.accepted))
        .col_expr(import::Column::Unchanged, Expr::value(p.unchanged))
        .col_expr(import::Column::Rejected, Expr::value(p.rejected))
        .col_expr(import::Column::Report, Expr::value(report))
        .col_expr(import::Column::HeartbeatAt, Expr::value(Some(now())))
        .filter(import::Column::Id.eq(id))
        .exec(&store.across_tenants())
        .await?;
    Ok(())
}

/// Ends an import: `done` with its final counts, or `failed` with the
/// reason (the file could not be read at all). Rows already applied stay
/// applied: each row is all-or-nothing, the file as a whole is not.
pub async fn finish(
    store: &crate::Store,
    tenant: TenantId,
    id: Uuid,
    p: &Progress,
    report: &[RowError],
    error: Option<String>,
) -> Result<()> {
    progress(store, id, p, report).await?;
    let txn = store.begin_write_for(tenant).await?;
    let status = if error.is_some() { FAILED } else { DONE };
    import::Entity::update_many()
        .col_expr(import::Column::Status, Expr::value(status))
        .col_expr(import::Column::Error, Expr::value(error.clone()))
        .col_expr(import::Column::FinishedAt, Expr::value(Some(now())))
        .filter(import::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    // The uploaded file goes when the import ends: what was accepted is in
    // the records and the row report says what was not, while the file
    // would keep every row's personal data with no retention of its own.
    import_file::Entity::delete_by_id(id).exec(&txn).await?;
    audit::append(
        &txn,
        tenant,
        "worker",
        "import.finish",
        &format!("import/{id}"),
        serde_json::json!({"status": status, "accepted": p.accepted, "unchanged": p.unchanged, "rejected": p.rejected, "error": error}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Rows a tenant's imports processed that started at or after `since`
/// (leaving out `except`, the import asking), and when the first of them
/// started: the daily import quota counts these, and the first is when
/// room frees up again.
pub async fn rows_since(
    store: &crate::Store,
    tenant: TenantId,
    since: DateTime<Utc>,
    except: Option<Uuid>,
) -> Result<(i64, Option<DateTime<Utc>>)> {
    // Imports are few (a tenant's day holds a handful): summed here
    // rather than in SQL, where SUM of a bigint is numeric on PostgreSQL
    // and MIN of a timestamp is text on SQLite.
    let mut q = import::Entity::find()
        .select_only()
        .column(import::Column::ProcessedRows)
        .column(import::Column::StartedAt)
        .filter(import::Column::TenantId.eq(tenant.uuid()))
        .filter(import::Column::StartedAt.gte(since))
        .filter(import::Column::ProcessedRows.gt(0));
    if let Some(id) = except {
        q = q.filter(import::Column::Id.ne(id));
    }
    let rows: Vec<(i64, Option<DateTime<Utc>>)> = q.into_tuple().all(&store.scoped(tenant)).await?;
    let total = rows.iter().map(|(n, _)| *n).sum();
    let first = rows.iter().filter_map(|(_, at)| *at).min();
    Ok((total, first))
}
