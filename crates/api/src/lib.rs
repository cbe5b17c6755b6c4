//! Adal's HTTP API: an adapter over the application layer
//! ([`adal_service`]). Handlers parse at the edge, obtain a tenant context
//! (the authorisation check), call the service or the store, and map
//! results to the response types defined here, so neither the database
//! schema nor the service's types are the wire format by accident.

mod accounts;
mod bearer;
mod body;
mod dataset;
mod error;
mod people;
mod platform;
mod records;
mod registry;
mod rulesets;
mod submissions;
mod tenant;
mod triage;

pub use adal_service::AppState;
pub use body::BodyLimit;
pub use error::{ApiError, ErrorBody};

use poem::{
    Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler, http::StatusCode, web::Data,
};
use poem_openapi::OpenApiService;

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
        return Err(ApiError::field(
            "/limit",
            "range.limit",
            "must be between 1 and 500",
        ));
    }
    Ok((offset.unwrap_or(0), limit))
}
