//! The findings and people a case concerns. A finding a compliance officer
//! escalates becomes a case linked to it (one case per finding); any case
//! can be linked to more findings and to people records. The service
//! checks that what is linked is the tenant's and visible to the caller;
//! the store keeps the links and audits them.

use crate::entities::case_link;
use crate::reports::NewReport;
use crate::{Result, StoreError, TenantId, audit, now};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

/// What a link points at.
pub const FINDING: &str = "finding";
pub const PERSON: &str = "person";

/// A link as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseLink {
    pub id: Uuid,
    pub report_id: Uuid,
    /// [`FINDING`] or [`PERSON`].
    pub kind: String,
    pub target_id: Uuid,
    pub linked_by: Uuid,
    pub created_at: DateTime<Utc>,
}

impl From<case_link::Model> for CaseLink {
    fn from(m: case_link::Model) -> Self {
        Self {
            id: m.id,
            report_id: m.report_id,
            kind: m.kind,
            target_id: m.target_id,
            linked_by: m.linked_by,
            created_at: m.created_at,
        }
    }
}

/// A link to make.
#[derive(Debug, Clone, Copy)]
pub struct NewLink<'a> {
    pub kind: &'a str,
    pub target_id: Uuid,
    pub linked_by: Uuid,
}

async fn insert_link<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    actor: &str,
    report_id: Uuid,
    l: NewLink<'_>,
) -> Result<Uuid> {
    let id = crate::new_id();
    case_link::ActiveModel {
        id: Set(id),
        report_id: Set(report_id),
        tenant_id: Set(tenant.uuid()),
        kind: Set(l.kind.to_owned()),
        target_id: Set(l.target_id),
        linked_by: Set(l.linked_by),
        created_at: Set(now()),
    }
    .insert(conn)
    .await
    .map_err(|e| StoreError::from_insert(e, "case link"))?;
    audit::append(
        conn,
        tenant,
        actor,
        "case.link",
        &format!("report/{report_id}"),
        serde_json::json!({ "link_id": id, "kind": l.kind, "target_id": l.target_id }),
    )
    .await?;
    Ok(id)
}

/// Links a case to a finding or person. `NotFound` when the case is not
/// the tenant's; a `Conflict` when the link exists already.
pub async fn link(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    report_id: Uuid,
    l: NewLink<'_>,
) -> Result<Uuid> {
    let txn = store.begin_write_for(tenant).await?;
    crate::reports::touch(&*txn, tenant, report_id, now()).await?;
    let id = insert_link(&*txn, tenant, actor, report_id, l).await?;
    txn.commit().await?;
    Ok(id)
}

/// Removes a link; `NotFound` when the case has no such link.
pub async fn unlink(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    report_id: Uuid,
    id: Uuid,
) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    let gone = case_link::Entity::delete_many()
        .filter(case_link::Column::Id.eq(id))
        .filter(case_link::Column::ReportId.eq(report_id))
        .filter(case_link::Column::TenantId.eq(tenant.uuid()))
        .exec(&*txn)
        .await?;
    if gone.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(
        &*txn,
        tenant,
        actor,
        "case.unlink",
        &format!("report/{report_id}"),
        serde_json::json!({ "link_id": id }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A case's links, oldest first.
pub async fn links(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
) -> Result<Vec<CaseLink>> {
    Ok(case_link::Entity::find()
        .filter(case_link::Column::TenantId.eq(tenant.uuid()))
        .filter(case_link::Column::ReportId.eq(report_id))
        .order_by_asc(case_link::Column::CreatedAt)
        .order_by_asc(case_link::Column::Id)
        .all(&store.scoped(tenant))
        .await?
        .into_iter()
        .map(CaseLink::from)
        .collect())
}

/// How escalating a finding went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escalated {
    /// A new case, linked to the finding.
    Opened,
    /// The finding is in this case already: nothing was stored.
    Exists(Uuid),
}

/// Opens the case `r` (sealed by the service) for `finding_id`, linked to
/// it, in one transaction: a finding is escalated once.
pub async fn case_from_finding(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    r: NewReport,
    finding_id: Uuid,
    by: Uuid,
) -> Result<Escalated> {
    let txn = store.begin_write_for(tenant).await?;
    let existing = case_link::Entity::find()
        .filter(case_link::Column::TenantId.eq(tenant.uuid()))
        .filter(case_link::Column::Kind.eq(FINDING))
        .filter(case_link::Column::TargetId.eq(finding_id))
        .order_by_asc(case_link::Column::CreatedAt)
        .one(&*txn)
        .await?;
    if let Some(l) = existing {
        return Ok(Escalated::Exists(l.report_id));
    }
    let report_id = r.id;
    crate::reports::insert_in(&*txn, tenant, r).await?;
    insert_link(
        &*txn,
        tenant,
        actor,
        report_id,
        NewLink {
            kind: FINDING,
            target_id: finding_id,
            linked_by: by,
        },
    )
    .await?;
    audit::append(
        &*txn,
        tenant,
        actor,
        "case.from_finding",
        &format!("report/{report_id}"),
        serde_json::json!({ "finding_id": finding_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(Escalated::Opened)
}
