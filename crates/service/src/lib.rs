//! Adal's application layer. Every operation a front door performs (file
//! a record, adopt, dry-run and activate a rule set, manage accounts,
//! sign in) is one function here. Each takes a [`TenantCtx`], which only
//! authorisation can produce, and returns [`ServiceResult`]: the API maps
//! [`ServiceError`] to statuses and JSON, the dashboard to forms and error
//! pages, and neither repeats the other's checks.
//!
//! With the `openapi` feature the request and report types also derive
//! their OpenAPI schemas, for the API; the dashboard builds without it.

pub mod accounts;
pub mod annual;
pub mod auth;
pub mod bulk_triage;
pub mod cartogram;
pub mod conflicts;
mod error;
pub mod export;
pub mod filing;
pub mod findings;
pub mod heatmap;
pub mod lifecycle;
pub mod platform;
pub mod reporting;
pub mod rulesets;
pub mod screening;
pub mod second_factor;
pub mod settings;
pub mod tokens;
pub mod validate;

pub use auth::{
    Caller, Session, TenantCtx, authorize_platform, caller_of_session, caller_of_token,
    hash_password, new_token, sign_in, token_digest, verify_password,
};
pub use error::{Detail, ServiceError, ServiceResult};
pub use filing::{Filed, file_record, own_scope, reader_scope, reader_visibility};
pub use lifecycle::esc as pointer_segment;
pub use rulesets::{
    AREAS, DryRunChange, DryRunFinding, DryRunReport, DryRunRule, DryRunSubmission, KINDS,
    NewRuleSet, Rule, RuleFixture, activate_version, compile, create_version, dry_run_version,
    rule_to_api, run_fixtures, validate_rules,
};
pub use settings::{Settings, TriageDaysIn, check_settings};

use adal_authz::Authz;
use adal_jobs::Queue;
use adal_sandbox::SandboxPool;
use adal_store::Store;
use adal_telemetry::Metrics;
use std::sync::Arc;

/// Everything an operation needs; cloned into each request.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub authz: Authz,
    pub queue: Queue,
    /// Where filings enter: committed in groups under load.
    pub intake: adal_jobs::Intake,
    pub sandbox: Arc<SandboxPool>,
    pub metrics: Metrics,
    /// The standard library of rules tenants adopt.
    pub library: Arc<adal_store::rules::Library>,
    /// The feedback channel's keys (never in the database).
    pub reporting: Arc<reporting::ReportingKeys>,
    /// What each tenant may import.
    pub import_limits: adal_import::Limits,
    /// Whether platform administrators and Agency auditors must have a
    /// second factor on (configuration `require_second_factor_platform`).
    pub platform_second_factor: bool,
    /// The font PDF documents are set in; `None` when the machine has
    /// none (PDF exports then answer `503`).
    pub pdf_font: Option<adal_pdf::Font>,
}

/// How long a session token from signing in is valid.
pub const SESSION_HOURS: i64 = 12;

/// The most rows a list may skip. Paging deeper than ten million rows is
/// not browsing; the bound keeps every offset within the databases'
/// signed 64-bit range, where a larger one used to panic the handler.
pub const MAX_OFFSET: u64 = 10_000_000;

/// The most rows one page of a list holds.
pub const MAX_LIMIT: u64 = 500;

/// A list's `offset` and `limit` (default 0 and 50), checked: either out
/// of range is a bad request naming the parameter.
pub fn page(offset: Option<u64>, limit: Option<u64>) -> ServiceResult<(u64, u64)> {
    let offset = offset.unwrap_or(0);
    if offset > MAX_OFFSET {
        return Err(ServiceError::malformed(
            "/offset",
            "range.offset",
            format!("must be between 0 and {MAX_OFFSET}"),
        ));
    }
    let limit = limit.unwrap_or(50);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ServiceError::malformed(
            "/limit",
            "range.limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    Ok((offset, limit))
}

/// The largest file an import takes, in bytes.
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;

/// The permission an import of `kind` needs (`None`: no such kind).
pub fn import_permission(kind: &str) -> Option<(adal_authz::Obj, adal_authz::Act)> {
    use adal_authz::{act, obj};
    match adal_import::ImportKind::parse(kind)? {
        adal_import::ImportKind::Ocds => Some((obj::PROCUREMENTS, act::CREATE)),
        _ => Some((obj::PEOPLE, act::WRITE)),
    }
}
