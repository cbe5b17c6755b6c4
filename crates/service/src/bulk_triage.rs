//! One triage action on many findings at once: assign them, comment on
//! them, or close them with one reason. Each finding goes through the same
//! function, checks and audit entry as when it is triaged alone, in its own
//! transaction: a finding the caller cannot see is `not_found` (as an id
//! that does not exist), one closed already is `conflict`, one the
//! assignee may not work on is `refused` with the reason, and the others
//! are done. What was done stays done if a later one fails.

use crate::findings::{self, Note, Outcome};
use crate::{AppState, ServiceError, ServiceResult, TenantCtx};
use adal_store::StoreError;
use uuid::Uuid;

/// At most this many findings in one action.
pub const MAX_FINDINGS: usize = 200;

/// What to do to each finding.
#[derive(Debug, Clone)]
pub enum Action {
    /// To this user, or to nobody.
    Assign(Option<Uuid>),
    Close(Outcome, Note),
    Comment(Note),
}

/// What became of one finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Result {
    Done,
    NotFound,
    /// Closed already (or, to close, closed meanwhile).
    Conflict,
    /// The action does not apply to it: the code and message say why
    /// (`assignee.is_subject`, ...).
    Refused {
        code: String,
        message: String,
    },
}

impl Result {
    pub fn as_str(&self) -> &'static str {
        match self {
            Result::Done => "done",
            Result::NotFound => "not_found",
            Result::Conflict => "conflict",
            Result::Refused { .. } => "refused",
        }
    }
}

/// The ids as given, each once, in their first order: 1 to
/// [`MAX_FINDINGS`] of them, else an error on `/finding_ids`.
pub fn distinct_ids(ids: &[Uuid]) -> ServiceResult<Vec<Uuid>> {
    let mut out: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) {
            out.push(*id);
        }
    }
    if out.is_empty() || out.len() > MAX_FINDINGS {
        return Err(ServiceError::field(
            "/finding_ids",
            "list.size",
            "give 1 to 200 findings",
        ));
    }
    Ok(out)
}

/// Does `action` to each finding of `ids` (checked with [`distinct_ids`])
/// and says what became of each, in the same order. An assignee who is
/// not a user of the tenant is refused before anything is done; an error
/// of the database stops the rest.
pub async fn apply(
    state: &AppState,
    ctx: &TenantCtx,
    ids: &[Uuid],
    action: &Action,
) -> ServiceResult<Vec<(Uuid, Result)>> {
    let ids = distinct_ids(ids)?;
    if let Action::Assign(Some(a)) = action {
        adal_store::users::get(&state.store, ctx.tenant(), *a)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => ServiceError::field(
                    "/assignee_id",
                    "user.unknown",
                    "no such user in this tenant",
                ),
                other => other.into(),
            })?;
    }
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let done = match action {
            Action::Assign(to) => findings::assign(state, ctx, id, *to).await,
            Action::Close(outcome, reason) => findings::close(state, ctx, id, *outcome, reason)
                .await
                .map(|_| ()),
            Action::Comment(body) => findings::comment(state, ctx, id, body).await.map(|_| ()),
        };
        let result = match done {
            Ok(()) => Result::Done,
            Err(ServiceError::NotFound(_)) => Result::NotFound,
            Err(ServiceError::Conflict(_)) => Result::Conflict,
            Err(ServiceError::Invalid { details, message }) => {
                let first = details.into_iter().next();
                Result::Refused {
                    code: first
                        .as_ref()
                        .map_or_else(|| "invalid".to_owned(), |d| d.code.clone()),
                    message: first.map_or(message, |d| d.message),
                }
            }
            Err(other) => return Err(other),
        };
        out.push((id, result));
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_taken_once_in_order_and_bounded() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        assert_eq!(distinct_ids(&[b, a, b]).unwrap(), vec![b, a]);
        assert!(distinct_ids(&[]).is_err());
        let many: Vec<Uuid> = (0..=MAX_FINDINGS).map(|_| Uuid::now_v7()).collect();
        match distinct_ids(&many) {
            Err(ServiceError::Invalid { details, .. }) => {
                assert_eq!(details[0].pointer, "/finding_ids");
                assert_eq!(details[0].code, "list.size");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            distinct_ids(&many[..MAX_FINDINGS]).unwrap().len(),
            MAX_FINDINGS
        );
    }
}
