//! Declarations overdue in a tenant, for the reporting year open now: the
//! overview and the Agency's view both show them, counted as the
//! cartogram counts them (`adal_store::declarations::overdue`).

use crate::kit::{Fail, allowed};
use adal_authz::{act, obj};
use adal_service::{AppState, Caller};
use adal_store::declarations::{self, Overdue};
use adal_store::{TenantId, tenants};

/// `None` for a reader without the declaration status (the same check as
/// `GET /declarations/status`), or a year with no possible deadline.
pub(crate) async fn overdue_declarations(
    state: &AppState,
    c: &Caller,
    tenant: TenantId,
    today: chrono::NaiveDate,
) -> Result<Option<Overdue>, Fail> {
    if !allowed(state, c, tenant.uuid(), obj::DECLARATION_STATUS, act::READ).await {
        return Ok(None);
    }
    let t = tenants::get(&state.store, tenant).await?;
    Ok(declarations::overdue(&state.store, &t, today).await?)
}
