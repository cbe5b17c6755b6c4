//! Declarations overdue in a tenant, for the reporting year open now: the
//! overview and the Agency's view both show them.

use crate::kit::{Fail, allowed};
use adal_authz::{act, obj};
use adal_service::{AppState, Caller};
use adal_store::{TenantId, declarations, tenants};
use chrono::Datelike;

/// Declarations overdue for the reporting year open now.
pub(crate) struct Overdue {
    pub year: i32,
    pub due: chrono::NaiveDate,
    pub missing: usize,
    pub late: usize,
}

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
    let year = today.year() - 1;
    let settings = tenants::settings_of(&tenants::get(&state.store, tenant).await?)?;
    let Some(due) = settings.declaration_due(year) else {
        return Ok(None);
    };
    let all = declarations::status(&state.store, tenant, year, due, today).await?;
    let count = |s| all.iter().filter(|p| p.state == s).count();
    Ok(Some(Overdue {
        year,
        due,
        missing: count(declarations::State::Missing),
        late: count(declarations::State::Late),
    }))
}
