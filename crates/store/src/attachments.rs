//! Files attached to reports and cases, and the second officer's approval
//! that removing one needs. The store keeps names and contents sealed (the
//! service seals and opens them); kinds and sizes are plain, so the limits
//! per case are enforced here, in the transaction that adds the file.
//!
//! Removal is the one destructive action on a case (closing always needs
//! an outcome): one compliance officer asks, with a reason; another
//! decides. Approval empties the sealed name and content in the same
//! transaction and keeps the row as a tombstone; both steps are audited.

use crate::entities::{case_approval, report_attachment};
use crate::reports::{Writer, day_start};
use crate::{Result, StoreError, TenantId, audit, now};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// The only action that needs approval so far.
pub const REMOVE_ATTACHMENT: &str = "remove_attachment";

/// An attachment as listed (name still sealed, content not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: Uuid,
    pub report_id: Uuid,
    /// Whether the reporter sent it (else a handler).
    pub from_reporter: bool,
    pub author_id: Option<Uuid>,
    pub internal: bool,
    pub kind: String,
    pub size_bytes: i64,
    /// Sealed; `None` once removed.
    pub name: Option<Vec<u8>>,
    pub created_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

type Row = (
    Uuid,
    Uuid,
    String,
    Option<Uuid>,
    bool,
    String,
    i64,
    Option<Vec<u8>>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

fn of_row(r: Row) -> Attachment {
    let (id, report_id, author, author_id, internal, kind, size_bytes, name, created_at, removed) =
        r;
    Attachment {
        id,
        report_id,
        from_reporter: author == REPORTER,
        author_id,
        internal,
        kind,
        size_bytes,
        name,
        created_at,
        removed_at: removed,
    }
}

const REPORTER: &str = "reporter";
const HANDLER: &str = "handler";

/// A file to add, sealed by the caller under `id`.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub id: Uuid,
    pub writer: Writer<'a>,
    pub internal: bool,
    pub kind: &'a str,
    pub size_bytes: i64,
    pub name: Vec<u8>,
    pub content: Vec<u8>,
}

/// What a case holds at most (files not removed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseLimits {
    pub files: u64,
    pub bytes: i64,
}

/// Whether a file was added, or which limit it would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    Stored,
    TooManyFiles,
    TooManyBytes { held: i64 },
}

/// Adds a file to a report within the case's limits. `NotFound` when the
/// report is not the tenant's. A handler's file is audited; a reporter's
/// is not (see `reports`).
pub async fn add(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
    a: NewAttachment<'_>,
    limits: CaseLimits,
) -> Result<Added> {
    let txn = store.begin_write_for(tenant).await?;
    let at = match a.writer {
        Writer::Reporter { today } => day_start(today),
        Writer::Handler { .. } => now(),
    };
    // Two files arriving together cannot both fit under a limit only one
    // fits: the report's row lock orders them.
    crate::reports::touch(&*txn, tenant, report_id, at).await?;
    // Every file of the report, removed ones too (they keep their place
    // in the order but count against no limit): one read for both.
    let files: Vec<(i32, i64, Option<DateTime<Utc>>)> = report_attachment::Entity::find()
        .select_only()
        .columns([
            report_attachment::Column::Seq,
            report_attachment::Column::SizeBytes,
            report_attachment::Column::RemovedAt,
        ])
        .filter(report_attachment::Column::TenantId.eq(tenant.uuid()))
        .filter(report_attachment::Column::ReportId.eq(report_id))
        .into_tuple()
        .all(&txn)
        .await?;
    let held: Vec<i64> = files
        .iter()
        .filter(|(_, _, removed)| removed.is_none())
        .map(|(_, size, _)| *size)
        .collect();
    if held.len() as u64 >= limits.files {
        return Ok(Added::TooManyFiles);
    }
    let bytes: i64 = held.iter().sum();
    if bytes.saturating_add(a.size_bytes) > limits.bytes {
        return Ok(Added::TooManyBytes { held: bytes });
    }
    let last = files.iter().map(|(seq, _, _)| *seq).max();
    let (author, author_id) = match a.writer {
        Writer::Reporter { .. } => (REPORTER, None),
        Writer::Handler { user, .. } => (HANDLER, Some(user)),
    };
    report_attachment::ActiveModel {
        id: Set(a.id),
        report_id: Set(report_id),
        tenant_id: Set(tenant.uuid()),
        seq: Set(last.unwrap_or(0) + 1),
        author: Set(author.to_owned()),
        author_id: Set(author_id),
        internal: Set(a.internal),
        kind: Set(a.kind.to_owned()),
        size_bytes: Set(a.size_bytes),
        name: Set(Some(a.name)),
        content: Set(Some(a.content)),
        created_at: Set(at),
        removed_at: Set(None),
    }
    .insert(&txn)
    .await?;
    if let Writer::Handler { actor, .. } = a.writer {
        audit::append(
            &txn,
            tenant,
            actor,
            "case.attachment",
            &format!("report/{report_id}"),
            serde_json::json!({
                "attachment_id": a.id,
                "kind": a.kind,
                "size_bytes": a.size_bytes,
                "internal": a.internal,
            }),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(Added::Stored)
}

/// A report's attachments in the order they came, removed ones included
/// (as tombstones); `with_internal` false leaves the handlers' internal
/// files out (the reporter's view).
pub async fn list(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
    with_internal: bool,
) -> Result<Vec<Attachment>> {
    use report_attachment::Column as C;
    let mut q = report_attachment::Entity::find()
        .select_only()
        .columns([
            C::Id,
            C::ReportId,
            C::Author,
            C::AuthorId,
            C::Internal,
            C::Kind,
            C::SizeBytes,
            C::Name,
            C::CreatedAt,
            C::RemovedAt,
        ])
        .filter(C::TenantId.eq(tenant.uuid()))
        .filter(C::ReportId.eq(report_id));
    if !with_internal {
        q = q.filter(C::Internal.eq(false));
    }
    let rows: Vec<Row> = q
        .order_by_asc(C::Seq)
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    Ok(rows.into_iter().map(of_row).collect())
}

/// One attachment with its sealed content; `NotFound` when it is not the
/// report's, was removed, or is internal and `with_internal` is false.
pub async fn content(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
    id: Uuid,
    with_internal: bool,
) -> Result<(Attachment, Vec<u8>)> {
    let m = report_attachment::Entity::find_by_id(id)
        .filter(report_attachment::Column::TenantId.eq(tenant.uuid()))
        .filter(report_attachment::Column::ReportId.eq(report_id))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)?;
    if m.internal && !with_internal {
        return Err(StoreError::NotFound);
    }
    let Some(content) = m.content else {
        return Err(StoreError::NotFound);
    };
    let a = Attachment {
        id: m.id,
        report_id: m.report_id,
        from_reporter: m.author == REPORTER,
        author_id: m.author_id,
        internal: m.internal,
        kind: m.kind,
        size_bytes: m.size_bytes,
        name: m.name,
        created_at: m.created_at,
        removed_at: m.removed_at,
    };
    Ok((a, content))
}

/// Records that `actor` opened an attachment.
pub async fn record_read(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    report_id: Uuid,
    id: Uuid,
) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "case.attachment.read",
        &format!("report/{report_id}"),
        serde_json::json!({ "attachment_id": id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A request for a second officer's approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub id: Uuid,
    pub report_id: Uuid,
    pub action: String,
    pub target_id: Uuid,
    /// Sealed under the report's key.
    pub reason: Vec<u8>,
    pub requested_by: Uuid,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub approved: Option<bool>,
}

impl From<case_approval::Model> for Approval {
    fn from(m: case_approval::Model) -> Self {
        Self {
            id: m.id,
            report_id: m.report_id,
            action: m.action,
            target_id: m.target_id,
            reason: m.reason,
            requested_by: m.requested_by,
            requested_at: m.requested_at,
            decided_by: m.decided_by,
            decided_at: m.decided_at,
            approved: m.approved,
        }
    }
}

/// A removal asked for: the request's id (chosen by the caller, which
/// sealed `reason` under it), the file, who asks.
#[derive(Debug, Clone)]
pub struct Removal {
    pub approval_id: Uuid,
    pub attachment_id: Uuid,
    pub requested_by: Uuid,
    pub reason: Vec<u8>,
}

/// Asks for an attachment's removal. `NotFound` when the attachment is
/// not the report's or is already removed; a `Conflict` when a request for
/// it is already waiting.
pub async fn request_removal(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    report_id: Uuid,
    removal: Removal,
) -> Result<()> {
    let Removal {
        approval_id,
        attachment_id,
        requested_by,
        reason,
    } = removal;
    let txn = store.begin_write_for(tenant).await?;
    let live = report_attachment::Entity::find_by_id(attachment_id)
        .select_only()
        .column(report_attachment::Column::Id)
        .filter(report_attachment::Column::TenantId.eq(tenant.uuid()))
        .filter(report_attachment::Column::ReportId.eq(report_id))
        .filter(report_attachment::Column::RemovedAt.is_null())
        .into_tuple::<Uuid>()
        .one(&txn)
        .await?;
    if live.is_none() {
        return Err(StoreError::NotFound);
    }
    let waiting = case_approval::Entity::find()
        .filter(case_approval::Column::TenantId.eq(tenant.uuid()))
        .filter(case_approval::Column::TargetId.eq(attachment_id))
        .filter(case_approval::Column::DecidedAt.is_null())
        .one(&txn)
        .await?;
    if waiting.is_some() {
        return Err(StoreError::Conflict("approval.pending".into()));
    }
    let at = now();
    case_approval::ActiveModel {
        id: Set(approval_id),
        report_id: Set(report_id),
        tenant_id: Set(tenant.uuid()),
        action: Set(REMOVE_ATTACHMENT.to_owned()),
        target_id: Set(attachment_id),
        reason: Set(reason),
        requested_by: Set(requested_by),
        requested_at: Set(at),
        decided_by: Set(None),
        decided_at: Set(None),
        approved: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "case.approval.request",
        &format!("report/{report_id}"),
        serde_json::json!({
            "approval_id": approval_id,
            "action": REMOVE_ATTACHMENT,
            "attachment_id": attachment_id,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A report's approvals, the waiting ones and the decided, oldest first.
pub async fn approvals(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
) -> Result<Vec<Approval>> {
    Ok(case_approval::Entity::find()
        .filter(case_approval::Column::TenantId.eq(tenant.uuid()))
        .filter(case_approval::Column::ReportId.eq(report_id))
        .order_by_asc(case_approval::Column::RequestedAt)
        .order_by_asc(case_approval::Column::Id)
        .all(&store.scoped(tenant))
        .await?
        .into_iter()
        .map(Approval::from)
        .collect())
}

/// How a decision went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    Approved,
    Refused,
    /// The officer who asked cannot decide: nothing changed.
    SameOfficer,
}

/// A second officer approves (the file's name and content are emptied) or
/// refuses a waiting request. `NotFound` when no such request waits on
/// the report.
pub async fn decide(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    decider: Uuid,
    report_id: Uuid,
    approval_id: Uuid,
    approve: bool,
) -> Result<Decided> {
    let txn = store.begin_write_for(tenant).await?;
    let a = case_approval::Entity::find_by_id(approval_id)
        .filter(case_approval::Column::TenantId.eq(tenant.uuid()))
        .filter(case_approval::Column::ReportId.eq(report_id))
        .filter(case_approval::Column::DecidedAt.is_null())
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if a.requested_by == decider {
        return Ok(Decided::SameOfficer);
    }
    let at = now();
    // Only a still-waiting row is decided: of two officers deciding at
    // once, the second finds nothing to decide.
    let decided = case_approval::Entity::update_many()
        .col_expr(case_approval::Column::DecidedBy, Expr::value(decider))
        .col_expr(case_approval::Column::DecidedAt, Expr::value(at))
        .col_expr(case_approval::Column::Approved, Expr::value(approve))
        .filter(case_approval::Column::Id.eq(approval_id))
        .filter(case_approval::Column::DecidedAt.is_null())
        .exec(&txn)
        .await?;
    if decided.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(
        &txn,
        tenant,
        actor,
        "case.approval.decide",
        &format!("report/{report_id}"),
        serde_json::json!({ "approval_id": approval_id, "approved": approve }),
    )
    .await?;
    if approve && a.action == REMOVE_ATTACHMENT {
        report_attachment::Entity::update_many()
            .col_expr(
                report_attachment::Column::Name,
                Expr::value(None::<Vec<u8>>),
            )
            .col_expr(
                report_attachment::Column::Content,
                Expr::value(None::<Vec<u8>>),
            )
            .col_expr(report_attachment::Column::RemovedAt, Expr::value(at))
            .filter(report_attachment::Column::Id.eq(a.target_id))
            .filter(report_attachment::Column::TenantId.eq(tenant.uuid()))
            .exec(&txn)
            .await?;
        audit::append(
            &txn,
            tenant,
            actor,
            "case.attachment.remove",
            &format!("report/{report_id}"),
            serde_json::json!({ "attachment_id": a.target_id, "approval_id": approval_id }),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(if approve {
        Decided::Approved
    } else {
        Decided::Refused
    })
}
