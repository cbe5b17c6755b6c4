//! Adal's HTTP API. Handlers validate at the edge, obtain a tenant context
//! (the authorisation check), call the store, and map records to the
//! response types defined here, so the database schema is not the API.

pub mod accounts;
mod auth;
mod body;
mod dataset;
mod error;
pub mod heatmap;
mod lifecycle;
mod people;
mod platform;
mod records;
mod registry;
mod rulesets;
mod submissions;
mod tenant;
mod triage;

pub use auth::{
    Caller, Session, TenantCtx, authorize_platform, hash_password, new_token, sign_in,
    token_digest, verify_password,
};
pub use body::{BodyLimit, MAX_UPLOAD};
pub use error::{ApiError, ErrorBody};
pub use lifecycle::esc as pointer_segment;
pub use people::import_permission;
pub use platform::SESSION_HOURS;
pub use rulesets::{
    AREAS, DryRunReport, KINDS, NewRuleSet, Rule, RuleFixture, activate_version, compile,
    create_version, dry_run_version, rule_to_api, run_fixtures, validate_rules,
};
pub use tenant::{Settings, check_settings};

use adal_authz::Authz;
use adal_jobs::Queue;
use adal_sandbox::SandboxPool;
use adal_store::Store;
use adal_telemetry::Metrics;
use poem::{
    Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler, http::StatusCode, web::Data,
};
use poem_openapi::OpenApiService;
use std::sync::Arc;

/// Everything a handler needs; cloned into each request.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub authz: Authz,
    pub queue: Queue,
    pub sandbox: Arc<SandboxPool>,
    pub metrics: Metrics,
    /// The standard library of rules tenants adopt.
    pub library: Arc<adal_store::rules::Library>,
}

pub const API_PREFIX: &str = "/api/v1";

type Apis = (
    platform::PlatformApi,
    tenant::TenantApi,
    rulesets::RuleSetApi,
    submissions::SubmissionApi,
    records::RecordApi,
    people::PeopleApi,
    triage::TriageApi,
    dataset::DatasetApi,
    registry::RegistryApi,
);

fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            platform::PlatformApi,
            tenant::TenantApi,
            rulesets::RuleSetApi,
            submissions::SubmissionApi,
            records::RecordApi,
            people::PeopleApi,
            triage::TriageApi,
            dataset::DatasetApi,
            registry::RegistryApi,
        ),
        "Adal",
        env!("CARGO_PKG_VERSION"),
    )
    .description(
        "Anti-corruption compliance as a service: tenants adopt a standard of rules, \
         their people file declarations, the rules run in a sandbox, findings feed a \
         corruption-risk map and alert the compliance unit.",
    )
    .server(API_PREFIX)
}

/// Files a record for the signed-in user exactly as the API does
/// (checked, stored with its audit entry, then queued): the dashboard's
/// forms use it, so there is one way in.
pub async fn file_record(
    state: &AppState,
    ctx: &auth::TenantCtx,
    kind: adal_domain::Kind,
    payload: &serde_json::Value,
) -> Result<(), ApiError> {
    records::file(state, ctx, kind, payload, None)
        .await
        .map(|_| ())
}

/// What `ctx`'s caller may read, kind by kind: the dashboard filters
/// submissions and findings with it exactly as the API does.
pub async fn reader_visibility(
    state: &AppState,
    ctx: &auth::TenantCtx,
) -> adal_store::submissions::Visibility {
    records::visibility(state, ctx).await
}

/// The OpenAPI document, as served at `/api/v1/openapi.json` and committed
/// in `docs/openapi.json`.
pub fn openapi_json() -> String {
    service().spec()
}

#[handler]
fn healthz() -> &'static str {
    "ok"
}

#[handler]
async fn readyz(state: Data<&AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready: database");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

#[handler]
fn metrics(state: Data<&AppState>) -> Response {
    Response::builder()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}

/// The whole HTTP application: the API, its documents and probes, and
/// `site` (the dashboard) at `/`.
pub fn app(state: AppState, body_limit: usize, site: impl Endpoint + 'static) -> impl Endpoint {
    let api = service();
    let docs = api.swagger_ui();
    let spec = api.spec_endpoint();
    let metrics_handle = state.metrics.clone();
    Route::new()
        .nest(API_PREFIX, api)
        .at(format!("{API_PREFIX}/openapi.json"), spec)
        .nest("/api/docs", docs)
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(metrics))
        .nest("/", site)
        .data(state)
        .data(BodyLimit(body_limit))
        .catch_all_error(|e| async move { error::error_response(e) })
        .around(move |ep, req| {
            let m = metrics_handle.clone();
            async move {
                let method = req.method().to_string();
                let resp = ep.get_response(req).await;
                let class = format!("{}xx", resp.status().as_u16() / 100);
                m.http_requests.with_label_values(&[&method, &class]).inc();
                Ok(resp)
            }
        })
}

/// Pagination shared by list endpoints.
pub(crate) fn page(offset: Option<u64>, limit: Option<u64>) -> Result<(u64, u64), ApiError> {
    let limit = limit.unwrap_or(50);
    if limit == 0 || limit > 500 {
        return Err(ApiError::field("/limit", "must be between 1 and 500"));
    }
    Ok((offset.unwrap_or(0), limit))
}
