//! A person's API tokens: named, expiring, listed with their last use,
//! revocable one by one. Sessions from signing in are listed too (they
//! are tokens as well) so that a person can end one left open elsewhere.

use crate::auth::{Caller, new_token};
use crate::validate::validate_name;
use crate::{AppState, ServiceError, ServiceResult};
use adal_domain::FieldError;
use adal_store::users::{self, Token};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// An API token's life when its creator does not say.
pub const DEFAULT_DAYS: u32 = 90;
/// The longest life an API token may have: a token that never expires
/// outlives the integration and the person who made it.
pub const MAX_DAYS: u32 = 365;

/// A token just made: the secret (shown once) and when it stops working.
pub struct Created {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: users::User,
}

/// Makes an API token named `name` for the caller, valid for `days`
/// (default [`DEFAULT_DAYS`], 1 to [`MAX_DAYS`]).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    name: &str,
    days: Option<u32>,
) -> ServiceResult<Created> {
    let mut errors = Vec::new();
    validate_name("/name", name, 200, &mut errors);
    let days = days.unwrap_or(DEFAULT_DAYS);
    if !(1..=MAX_DAYS).contains(&days) {
        errors.push(FieldError::coded(
            "/expires_in_days",
            "range.expires_in_days",
            format!("must be between 1 and {MAX_DAYS}"),
        ));
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let (token, digest) = new_token();
    let expires_at = Utc::now() + chrono::Duration::days(i64::from(days));
    users::insert_token(
        &state.store,
        caller.user_id,
        digest,
        "api",
        name.trim(),
        Some(expires_at),
    )
    .await?;
    let user = users::find_by_email(&state.store, &caller.email)
        .await?
        .filter(|u| u.id == caller.user_id)
        .ok_or(ServiceError::Unauthorized)?;
    Ok(Created {
        token,
        expires_at,
        user,
    })
}

/// The caller's tokens that still work, newest first, and which one the
/// request itself was made with.
pub async fn list(state: &AppState, caller: &Caller) -> ServiceResult<Vec<(Token, bool)>> {
    let tokens = users::live_tokens(&state.store, caller.user_id).await?;
    Ok(tokens
        .into_iter()
        .map(|t| {
            let current = t.token_hash == caller.token_hash;
            (t, current)
        })
        .collect())
}

/// Revokes one of the caller's tokens; anyone else's is `NotFound`.
pub async fn revoke(state: &AppState, caller: &Caller, id: Uuid) -> ServiceResult<()> {
    users::revoke_own_token(&state.store, caller.user_id, id)
        .await
        .map_err(|e| match e {
            adal_store::StoreError::NotFound => ServiceError::not_found("token"),
            other => other.into(),
        })
}
