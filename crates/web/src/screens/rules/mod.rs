//! The compliance officer's rule editor: the adopted standard (the active
//! version's rules by area, the versions with their status), a form that
//! makes a draft from the active version with new parameter values, and a
//! draft's page with its dry run and activation.
//!
//! Nothing here checks or runs a rule itself: the draft goes through
//! [`adal_service::create_version`], the dry run through
//! [`adal_service::dry_run_version`] and activation (with its fixture gate)
//! through [`adal_service::activate_version`], the functions behind the API's
//! `POST /rule-sets`, `/dry-run` and `/activate`. This module only turns
//! the form into the API's request and the API's pointers back into the
//! form's fields.
//!
//! The area's screens: [`standard`] (the adopted standard, leaving a
//! library rule out and enabling it again), [`parameters`], [`version`]
//! (a version, its dry run and activation) and [`authoring`] (a rule of the
//! tenant's own). They share the requests of [`drafts`] and the drawing
//! of [`view`], never each other; [`inputs`] draws and reads the typed
//! input of each parameter type, [`dry_report`] the dry run's findings
//! and [`confirm`] the question asked before a version is activated.

pub(crate) mod authoring;
mod confirm;
mod drafts;
mod dry_report;
mod inputs;
pub(crate) mod parameters;
pub(crate) mod standard;
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
pub(crate) mod version;
mod view;

use crate::kit::Fail;
use adal_service::{AppState, TenantCtx};
use adal_store::rules::{self, RuleSetVersion};
use uuid::Uuid;

/// The adopted standard's path.
fn base(tenant: Uuid) -> String {
    format!("/t/{tenant}/rules")
}

/// The version in force; without one there is nothing to change.
pub(crate) async fn active_of(state: &AppState, ctx: &TenantCtx) -> Result<RuleSetVersion, Fail> {
    rules::active_version(&state.store, ctx.tenant())
        .await?
        .ok_or(Fail::NotFound)
}
