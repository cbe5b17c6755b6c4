//! The compliance unit's triage of findings: assign, comment, and close as
//! resolved or as a false positive, with a reason. Closing a finding takes
//! it off the risk map in the same transaction, and every change leaves an
//! audit entry.

use crate::entities::{finding, finding_comment, finding_triage, user};
use crate::evaluation::{Finding, OPEN, RiskDeltas, apply_risk_deltas};
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub use finding_comment::Model as Comment;
pub use finding_triage::Model as Triage;

pub const RESOLVED: &str = "resolved";
pub const FALSE_POSITIVE: &str = "false_positive";

/// Longest comment or reason, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;

/// A comment or a closing reason: trimmed, not empty, at most
/// [`MAX_NOTE_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most 2000 characters")]
    TooLong,
}

impl Note {
    pub fn parse(s: &str) -> std::result::Result<Self, NoteError> {
        let t = s.trim();
        if t.is_empty() {
            Err(NoteError::Empty)
        } else if t.chars().count() > MAX_NOTE_CHARS {
            Err(NoteError::TooLong)
        } else {
            Ok(Self(t.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a finding is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Resolved,
    FalsePositive,
}

impl Outcome {
    pub fn status(self) -> &'static str {
        match self {
            Outcome::Resolved => RESOLVED,
            Outcome::FalsePositive => FALSE_POSITIVE,
        }
    }
}

async fn finding_in<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    id: Uuid,
) -> Result<Finding> {
    finding::Entity::find_by_id(id)
        .filter(finding::Column::TenantId.eq(tenant.uuid()))
        .one(conn)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn upsert_triage<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    finding_id: Uuid,
    change: impl FnOnce(&mut finding_triage::ActiveModel),
) -> Result<Triage> {
    let existing = finding_triage::Entity::find_by_id(finding_id)
        .filter(finding_triage::Column::TenantId.eq(tenant.uuid()))
        .one(conn)
        .await?;
    let model = match existing {
        Some(row) => {
            let mut am: finding_triage::ActiveModel = row.into();
            change(&mut am);
            am.updated_at = Set(now());
            am.update(conn).await?
        }
        None => {
            let mut am = finding_triage::ActiveModel {
                finding_id: Set(finding_id),
                tenant_id: Set(tenant.uuid()),
                assigned_to: Set(None),
                reason: Set(None),
                decided_by: Set(None),
                decided_at: Set(None),
                updated_at: Set(now()),
            };
            change(&mut am);
            am.insert(conn).await?
        }
    };
    Ok(model)
}

/// Assigns the finding to `assignee` (a user of the same tenant), or clears
/// the assignment with `None`.
pub async fn assign(
    store: &crate::Store,
    tenant: TenantId,
    actor: Uuid,
    finding_id: Uuid,
    assignee: Option<Uuid>,
) -> Result<Triage> {
    let txn = store.begin_write_for(tenant).await?;
    finding_in(&txn, tenant, finding_id).await?;
    if let Some(a) = assignee {
        // A user of another tenant is as unknown here as one who does not
        // exist.
        user::Entity::find_by_id(a)
            .filter(user::Column::TenantId.eq(tenant.uuid()))
            .one(&txn)
            .await?
            .ok_or(StoreError::NotFound)?;
    }
    let t = upsert_triage(&txn, tenant, finding_id, |am| {
        am.assigned_to = Set(assignee);
    })
    .await?;
    audit::append(
        &txn,
        tenant,
        &actor.to_string(),
        "finding.assign",
        &format!("finding/{finding_id}"),
        serde_json::json!({"assigned_to": assignee}),
    )
    .await?;
    txn.commit().await?;
    Ok(t)
}

/// Adds `author`'s comment to a finding inside the caller's transaction:
/// a comment of its own, and the reason kept with a reopening or a new
/// due date.
async fn insert_comment_in(
    txn: &sea_orm::DatabaseTransaction,
    tenant: TenantId,
    finding_id: Uuid,
    author: Uuid,
    body: &Note,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<Comment> {
    Ok(finding_comment::ActiveModel {
        id: Set(new_id()),
        tenant_id: Set(tenant.uuid()),
        finding_id: Set(finding_id),
        author_id: Set(author),
        body: Set(body.as_str().to_owned()),
        created_at: Set(at),
    }
    .insert(txn)
    .await?)
}

pub async fn comment(
    store: &crate::Store,
    tenant: TenantId,
    author: Uuid,
    finding_id: Uuid,
    body: &Note,
) -> Result<Comment> {
    let txn = store.begin_write_for(tenant).await?;
    finding_in(&txn, tenant, finding_id).await?;
    let c = insert_comment_in(&txn, tenant, finding_id, author, body, now()).await?;
    audit::append(
        &txn,
        tenant,
        &author.to_string(),
        "finding.comment",
        &format!("finding/{finding_id}"),
        serde_json::json!({"comment": c.id}),
    )
    .await?;
    txn.commit().await?;
    Ok(c)
}

/// Closes an open finding. A finding already closed is a conflict: its
/// first reason stands.
pub async fn close(
    store: &crate::Store,
    tenant: TenantId,
    actor: Uuid,
    finding_id: Uuid,
    outcome: Outcome,
    reason: &Note,
) -> Result<Finding> {
    let txn = store.begin_write_for(tenant).await?;
    let f = finding_in(&txn, tenant, finding_id).await?;
    if f.status != OPEN {
        return Err(StoreError::Conflict(format!(
            "the finding is already {}",
            f.status
        )));
    }
    let at = now();
    let mut deltas = RiskDeltas::default();
    deltas.closed(&f);
    let mut am: finding::ActiveModel = f.into();
    am.status = Set(outcome.status().to_owned());
    let f = am.update(&txn).await?;
    upsert_triage(&txn, tenant, finding_id, |am| {
        am.reason = Set(Some(reason.as_str().to_owned()));
        am.decided_by = Set(Some(actor));
        am.decided_at = Set(Some(at));
    })
    .await?;
    audit::append(
        &txn,
        tenant,
        &actor.to_string(),
        "finding.close",
        &format!("finding/{finding_id}"),
        serde_json::json!({"status": outcome.status(), "reason": reason.as_str()}),
    )
    .await?;
    // Last: see `apply_risk_deltas`.
    apply_risk_deltas(&txn, tenant, &deltas).await?;
    txn.commit().await?;
    Ok(f)
}

/// Reopens a closed finding with a reason: it is open again, back on the
/// risk map in the same transaction, its closing decision cleared (the
/// audit log keeps it) and the reason kept as a comment, so whoever picks
/// it up sees why. A finding that is open already is a conflict.
pub async fn reopen(
    store: &crate::Store,
    tenant: TenantId,
    actor: Uuid,
    finding_id: Uuid,
    reason: &Note,
) -> Result<Finding> {
    let txn = store.begin_write_for(tenant).await?;
    let f = finding_in(&txn, tenant, finding_id).await?;
    if f.status == OPEN {
        return Err(StoreError::Conflict("the finding is open already".into()));
    }
    let was = f.status.clone();
    let at = now();
    // Reopened, it is due again as a new finding of its severity would be.
    let triage = crate::entities::tenant::Entity::find_by_id(tenant.uuid())
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)
        .and_then(|t| crate::tenants::settings_of(&t))?
        .triage_days();
    let due = adal_sandbox_protocol::Severity::parse(&f.severity).map(|s| triage.due(s, at));
    let mut am: finding::ActiveModel = f.into();
    am.status = Set(OPEN.to_owned());
    am.due_at = Set(due);
    let f = am.update(&txn).await?;
    let mut deltas = RiskDeltas::default();
    deltas.add(
        f.department_id,
        f.position_id,
        &f.area,
        f.likelihood,
        f.impact,
        1,
    );
    upsert_triage(&txn, tenant, finding_id, |am| {
        am.reason = Set(None);
        am.decided_by = Set(None);
        am.decided_at = Set(None);
    })
    .await?;
    insert_comment_in(&txn, tenant, finding_id, actor, reason, at).await?;
    audit::append(
        &txn,
        tenant,
        &actor.to_string(),
        "finding.reopen",
        &format!("finding/{finding_id}"),
        serde_json::json!({"was": was, "reason": reason.as_str()}),
    )
    .await?;
    // Last: see `apply_risk_deltas`.
    apply_risk_deltas(&txn, tenant, &deltas).await?;
    txn.commit().await?;
    Ok(f)
}

/// Closes, as resolved, the open findings about a version that a
/// correction replaced, once the correction has been evaluated: the facts
/// they were about no longer stand as filed. A finding the correction
/// still deserves is raised again on the new version by its own
/// evaluation. Returns how many were closed. No user decided this, so the
/// triage row names no one; the reason points at the new version.
pub(crate) async fn close_replaced_in(
    txn: &sea_orm::DatabaseTransaction,
    tenant: TenantId,
    replaced: Uuid,
    by: Uuid,
    deltas: &mut RiskDeltas,
) -> Result<usize> {
    use crate::entities::submission;
    // Every earlier version, not only the one just before: a version that
    // was itself corrected before it was evaluated has no findings, but
    // the one before it may.
    let mut closed = 0;
    let mut next = Some(replaced);
    while let Some(version) = next {
        let open = finding::Entity::find()
            .filter(finding::Column::TenantId.eq(tenant.uuid()))
            .filter(finding::Column::SubmissionId.eq(version))
            .filter(finding::Column::Status.eq(OPEN))
            .all(txn)
            .await?;
        let at = now();
        let reason = format!("the record was corrected: version {by} replaced version {version}");
        for f in &open {
            deltas.closed(f);
            let mut am: finding::ActiveModel = f.clone().into();
            am.status = Set(RESOLVED.to_owned());
            am.update(txn).await?;
            upsert_triage(txn, tenant, f.id, |am| {
                am.reason = Set(Some(reason.clone()));
                am.decided_at = Set(Some(at));
            })
            .await?;
        }
        closed += open.len();
        next = submission::Entity::find_by_id(version)
            .filter(submission::Column::TenantId.eq(tenant.uuid()))
            .one(txn)
            .await?
            .and_then(|s| s.supersedes);
    }
    Ok(closed)
}

/// The triage state of a finding (none until someone acted on it) and its
/// comments, oldest first.
pub async fn details(
    store: &crate::Store,
    tenant: TenantId,
    finding_id: Uuid,
) -> Result<(Option<Triage>, Vec<Comment>)> {
    let t = finding_triage::Entity::find_by_id(finding_id)
        .filter(finding_triage::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?;
    let comments = finding_comment::Entity::find()
        .filter(finding_comment::Column::TenantId.eq(tenant.uuid()))
        .filter(finding_comment::Column::FindingId.eq(finding_id))
        .order_by_asc(finding_comment::Column::CreatedAt)
        .order_by_asc(finding_comment::Column::Id)
        .all(&store.scoped(tenant))
        .await?;
    Ok((t, comments))
}

/// Open findings counted by severity and area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCount {
    pub severity: String,
    pub area: String,
    pub count: u64,
}

pub async fn open_counts(store: &crate::Store, tenant: TenantId) -> Result<Vec<OpenCount>> {
    let rows: Vec<(String, String, i64)> = finding::Entity::find()
        .select_only()
        .column(finding::Column::Severity)
        .column(finding::Column::Area)
        .column_as(finding::Column::Id.count(), "n")
        .filter(finding::Column::TenantId.eq(tenant.uuid()))
        .filter(finding::Column::Status.eq(OPEN))
        .group_by(finding::Column::Severity)
        .group_by(finding::Column::Area)
        .order_by_asc(finding::Column::Area)
        .order_by_asc(finding::Column::Severity)
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    Ok(rows
        .into_iter()
        .map(|(severity, area, n)| OpenCount {
            severity,
            area,
            count: u64::try_from(n).unwrap_or(0),
        })
        .collect())
}

/// Sets when an open finding is due, with the reason (kept as a comment
/// and in the audit log). `Conflict` if the finding is closed: a closed
/// finding is due no more.
pub async fn set_due(
    store: &crate::Store,
    tenant: TenantId,
    actor: Uuid,
    finding_id: Uuid,
    due: chrono::DateTime<chrono::Utc>,
    reason: &Note,
) -> Result<Finding> {
    let txn = store.begin_write_for(tenant).await?;
    let f = finding_in(&txn, tenant, finding_id).await?;
    if f.status != OPEN {
        return Err(StoreError::Conflict(
            "the finding is closed; reopen it first".into(),
        ));
    }
    let was = f.due_at;
    let at = now();
    let mut am: finding::ActiveModel = f.into();
    am.due_at = Set(Some(due));
    let f = am.update(&txn).await?;
    insert_comment_in(&txn, tenant, finding_id, actor, reason, at).await?;
    audit::append(
        &txn,
        tenant,
        &actor.to_string(),
        "finding.due",
        &format!("finding/{finding_id}"),
        serde_json::json!({"was": was, "due": due, "reason": reason.as_str()}),
    )
    .await?;
    txn.commit().await?;
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed_and_bounded() {
        assert_eq!(Note::parse("  ok "), Ok(Note("ok".into())));
        assert_eq!(Note::parse("   "), Err(NoteError::Empty));
        assert_eq!(
            Note::parse(&"x".repeat(MAX_NOTE_CHARS + 1)),
            Err(NoteError::TooLong)
        );
        assert!(Note::parse(&"ж".repeat(MAX_NOTE_CHARS)).is_ok());
    }
}
