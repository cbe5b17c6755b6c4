//! Filing a record on behalf of the signed-in user, shared by the API and
//! the dashboard: stored durably first, then handed to the queue, with the
//! sweeper as the safety net. It is the same sequence as `declareGift`.

use crate::AppState;
use crate::auth::TenantCtx;
use crate::error::ApiResult;
use adal_jobs::{Enqueued, EvaluateSubmission};
use adal_store::submissions::{self, NewSubmission};
use adal_store::users;

/// Stores a validated submission of the caller and hands it to the queue;
/// shared by the API and the dashboard so both file the same way.
pub async fn file_submission(
    state: &AppState,
    ctx: &TenantCtx,
    kind: &str,
    schema_version: i32,
    payload: serde_json::Value,
) -> ApiResult<submissions::Submission> {
    let me = users::get(&state.store, ctx.tenant, ctx.caller.user_id).await?;
    let s = submissions::insert(
        &state.store,
        ctx.tenant,
        NewSubmission {
            kind: kind.to_owned(),
            schema_version,
            submitted_by: me.id,
            department_id: me.department_id,
            position_id: me.position_id,
            payload,
        },
    )
    .await?;
    // The row is committed: from here on nothing is lost. If the queue
    // is full or down, the sweeper enqueues the submission later.
    let queued = state
        .queue
        .enqueue(EvaluateSubmission {
            tenant_id: ctx.tenant.0,
            submission_id: s.id,
        })
        .await;
    if !matches!(queued, Ok(Enqueued::Pushed)) {
        if let Err(e) = &queued {
            tracing::warn!(submission_id = %s.id, error = %e, "enqueue failed; the sweeper will pick it up");
        }
        if let Err(e) = submissions::mark_not_enqueued(&state.store, ctx.tenant, s.id).await {
            tracing::warn!(submission_id = %s.id, error = %e, "could not mark the submission for the sweeper; it will be swept after the grace period");
        }
    }
    Ok(s)
}
