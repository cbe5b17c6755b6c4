//! Filing a record on behalf of the signed-in user, shared by the API and
//! the dashboard: stored durably first, then handed to the queue, with the
//! sweeper as the safety net. It is the same sequence as `declareGift`.

use crate::AppState;
use crate::auth::TenantCtx;
use crate::error::ApiResult;
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
            reference: None,
            subject_iin: None,
            supersedes: None,
        },
    )
    .await?;
    // The row is committed: from here on nothing is lost.
    crate::records::enqueue(state, ctx, s.id).await;
    Ok(s)
}
