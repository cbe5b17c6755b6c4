//! The compliance unit's decisions on conflict-of-interest disclosures,
//! one function behind the API's `POST .../conflicts-of-interest/{id}/decisions`
//! and the dashboard's decision form, so both check the same things.

use crate::error::not_found_as;
use crate::{ServiceError, ServiceResult, TenantCtx};
use adal_domain::records::coi::Resolution;
use adal_domain::{FieldError, Note};
use adal_store::coi::{self, CoiDecision};
use uuid::Uuid;

/// Records `decision` on the disclosure `submission_id` with its `note`
/// (why: the declarant reads it). Both are checked before anything is
/// stored, each error at its pointer (`/decision`, `/note`). A disclosure
/// that is not the tenant's, or not a disclosure, is not found; one
/// replaced by a correction is a conflict (decide on the latest version).
/// No one decides on their own disclosure (one they filed, or one about
/// them): that is a `Conflict` (`decision.own_disclosure`), and another
/// member of the compliance unit decides. The caller's permission
/// (`conflict_decisions`/`decide`) is checked by whoever built `ctx`.
pub async fn decide(
    state: &crate::AppState,
    ctx: &TenantCtx,
    submission_id: Uuid,
    decision: &str,
    note: &str,
) -> ServiceResult<CoiDecision> {
    let mut errors = Vec::new();
    let decision = Resolution::parse(decision.trim())
        .map_err(|e| {
            errors.push(FieldError::coded(
                "/decision",
                "choice.unknown",
                e.to_string(),
            ))
        })
        .ok();
    let note = Note::parse(note)
        .map_err(|e| errors.push(FieldError::new("/note", e.to_string())))
        .ok();
    let (Some(decision), Some(note)) = (decision, note) else {
        return Err(ServiceError::invalid(errors));
    };
    if let Ok(s) = adal_store::submissions::get(&state.store, ctx.tenant(), submission_id).await {
        let me = ctx.caller();
        let about_me = me.person_iin.is_some() && s.subject_iin == me.person_iin;
        if s.submitted_by == me.user_id || about_me {
            return Err(ServiceError::conflict_at(
                "",
                "decision.own_disclosure",
                "no one decides on their own disclosure; another member of the compliance unit decides",
            ));
        }
    }
    coi::decide(
        &state.store,
        ctx.tenant(),
        submission_id,
        decision.as_str(),
        note.as_str(),
        ctx.caller().user_id,
    )
    .await
    .map_err(not_found_as("disclosure"))
}
