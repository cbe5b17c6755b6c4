//! A finding and the work on it (triage: assignment, comments, closing),
//! each reachable only where the finding itself is. A finding is as
//! visible as the record it is about: a finding on an asset declaration
//! is read only by those who may read that declaration, and its comments,
//! assignment and closing reason are part of it. Every operation here
//! starts from [`visible`], so a sub-resource cannot be more visible than
//! its finding.

use crate::filing::reader_visibility;
use crate::{AppState, ServiceError, ServiceResult, TenantCtx};
use adal_store::StoreError;
use adal_store::evaluation::{self, Finding};
use adal_store::submissions;
pub use adal_store::triage::{Comment, Note, NoteError, Outcome, Triage};
use uuid::Uuid;

/// The finding `id` if the caller may read the record it is about;
/// otherwise `NotFound`, the same answer as for an id that does not exist.
pub async fn visible(state: &AppState, ctx: &TenantCtx, id: Uuid) -> ServiceResult<Finding> {
    let f = evaluation::get_finding(&state.store, ctx.tenant(), id)
        .await
        .map_err(not_found)?;
    let s = submissions::get(&state.store, ctx.tenant(), f.submission_id)
        .await
        .map_err(not_found)?;
    if reader_visibility(state, ctx).await.allows(&s) {
        Ok(f)
    } else {
        Err(ServiceError::not_found("finding"))
    }
}

/// A finding's triage: its assignment and closing decision (if any) and
/// its comments, oldest first.
pub struct TriageView {
    pub finding: Finding,
    pub triage: Option<Triage>,
    pub comments: Vec<Comment>,
}

/// The triage of a finding the caller may read.
pub async fn triage(state: &AppState, ctx: &TenantCtx, id: Uuid) -> ServiceResult<TriageView> {
    let finding = visible(state, ctx, id).await?;
    let (triage, comments) = adal_store::triage::details(&state.store, ctx.tenant(), id).await?;
    Ok(TriageView {
        finding,
        triage,
        comments,
    })
}

/// Assigns a finding to a user of the tenant, or clears the assignment.
/// An unknown assignee is an error on `/assignee_id`.
pub async fn assign(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    assignee: Option<Uuid>,
) -> ServiceResult<()> {
    visible(state, ctx, id).await?;
    adal_store::triage::assign(
        &state.store,
        ctx.tenant(),
        ctx.caller().user_id,
        id,
        assignee,
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound => ServiceError::field(
            "/assignee_id",
            "user.unknown",
            "no such user in this tenant",
        ),
        other => other.into(),
    })?;
    Ok(())
}

/// Adds the caller's comment to a finding.
pub async fn comment(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    body: &Note,
) -> ServiceResult<Comment> {
    visible(state, ctx, id).await?;
    adal_store::triage::comment(&state.store, ctx.tenant(), ctx.caller().user_id, id, body)
        .await
        .map_err(not_found)
}

/// Closes an open finding with a reason. `Conflict` if it is closed
/// already.
pub async fn close(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    outcome: Outcome,
    reason: &Note,
) -> ServiceResult<Finding> {
    visible(state, ctx, id).await?;
    adal_store::triage::close(
        &state.store,
        ctx.tenant(),
        ctx.caller().user_id,
        id,
        outcome,
        reason,
    )
    .await
    .map_err(not_found)
}

/// A store's `NotFound` named as a finding; other errors as they are.
fn not_found(e: StoreError) -> ServiceError {
    match e {
        StoreError::NotFound => ServiceError::not_found("finding"),
        other => other.into(),
    }
}

/// One page of the findings `scope` lets the caller read, and how many
/// match in all.
pub async fn list(
    state: &AppState,
    ctx: &TenantCtx,
    scope: &submissions::ReadScope,
    filter: &evaluation::FindingFilter,
    offset: u64,
    limit: u64,
) -> ServiceResult<(Vec<Finding>, u64)> {
    Ok(evaluation::list_findings(&state.store, ctx.tenant(), scope, filter, offset, limit).await?)
}

/// The risk areas that have open findings in the tenant, sorted: the
/// choices of the list's area filter. Names only, no counts.
pub async fn open_areas(state: &AppState, ctx: &TenantCtx) -> ServiceResult<Vec<String>> {
    let mut areas: Vec<String> = adal_store::triage::open_counts(&state.store, ctx.tenant())
        .await?
        .into_iter()
        .map(|c| c.area)
        .collect();
    areas.sort();
    areas.dedup();
    Ok(areas)
}
