//! Who may see a screen: the signed-in caller, and the tenant obtained
//! through the API's own authorisation check ([`TenantCtx::authorize`]).

use super::Fields;
use super::fail::Fail;
use crate::session::Visitor;
use adal_authz::{Act, Obj};
use adal_service::{AppState, Caller, TenantCtx};
use uuid::Uuid;

pub(crate) fn caller(v: &Visitor) -> Result<&Caller, Fail> {
    v.caller.as_ref().ok_or(Fail::SignIn)
}

pub(crate) async fn authorize(
    state: &AppState,
    v: &Visitor,
    tenant: Uuid,
    o: Obj,
    a: Act,
) -> Result<TenantCtx, Fail> {
    Ok(TenantCtx::authorize(state, caller(v)?, tenant, o, a).await?)
}

/// For a form's POST: signed in, the session's CSRF token, then the
/// API's permission check.
pub(crate) async fn authorize_form(
    state: &AppState,
    v: &Visitor,
    form: &Fields,
    tenant: Uuid,
    o: Obj,
    a: Act,
) -> Result<TenantCtx, Fail> {
    caller(v)?;
    if !v.csrf_ok(form.get("csrf").map(String::as_str)) {
        return Err(Fail::Csrf);
    }
    authorize(state, v, tenant, o, a).await
}

pub(crate) async fn allowed(state: &AppState, c: &Caller, tenant: Uuid, o: Obj, a: Act) -> bool {
    TenantCtx::authorize(state, c, tenant, o, a).await.is_ok()
}
