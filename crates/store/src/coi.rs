//! The compliance unit's decisions on conflict-of-interest disclosures:
//! appended, never edited, the latest one current.

use crate::entities::{coi_decision, submission};
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use adal_domain::Kind;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub use coi_decision::Model as CoiDecision;

pub async fn decide(
    store: &crate::Store,
    tenant: TenantId,
    submission_id: Uuid,
    decision: &str,
    note: &str,
    actor: Uuid,
) -> Result<CoiDecision> {
    let txn = store.begin_write_for(tenant).await?;
    let s = submission::Entity::find_by_id(submission_id)
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Kind.eq(Kind::ConflictOfInterest.as_str()))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if let Some(by) = s.superseded_by {
        return Err(StoreError::Conflict(format!(
            "this disclosure was corrected by {by}; decide on the latest version"
        )));
    }
    let id = new_id();
    coi_decision::Entity::insert(coi_decision::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.uuid()),
        submission_id: Set(submission_id),
        decision: Set(decision.to_owned()),
        note: Set(note.to_owned()),
        decided_by: Set(actor),
        decided_at: Set(now()),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::append(
        &txn,
        tenant,
        &actor.to_string(),
        "conflict_of_interest.decide",
        &format!("submission/{submission_id}"),
        serde_json::json!({"decision": decision, "note": note}),
    )
    .await?;
    let d = coi_decision::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(d)
}

/// Every decision on a disclosure, oldest first.
pub async fn decisions(
    store: &crate::Store,
    tenant: TenantId,
    submission_id: Uuid,
) -> Result<Vec<CoiDecision>> {
    Ok(coi_decision::Entity::find()
        .filter(coi_decision::Column::TenantId.eq(tenant.uuid()))
        .filter(coi_decision::Column::SubmissionId.eq(submission_id))
        .order_by_asc(coi_decision::Column::DecidedAt)
        .all(&store.scoped(tenant))
        .await?)
}
