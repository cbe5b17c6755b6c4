//! Adal's HTTP API: an adapter over the application layer
//! ([`adal_service`]). Handlers parse at the edge, obtain a tenant context
//! (the authorisation check), call the service or the store, and map
//! results to the response types defined here, so neither the database
//! schema nor the service's types are the wire format by accident.

mod accounts;
mod annual;
mod attachments;
mod audit;
mod bearer;
mod body;
mod bots;
mod cartogram;
mod case_links;
mod cases;
mod dataset;
mod error;
mod exports;
mod limits;
mod operator;
mod people;
mod platform;
mod privacy;
mod records;
mod registry;
mod registry_import;
mod reporting;
mod rulesets;
mod second_factor;
mod submissions;
mod tenant;
mod tokens;
mod triage;

pub use adal_service::AppState;
pub use body::BodyLimit;
pub use error::{ApiError, ErrorBody};
pub use limits::PublicLimit;
pub use reporting::ReportLimits;

use poem::middleware::CatchPanic;
use poem::{
    Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler,
    http::{StatusCode, header},
    web::Data,
};
use poem_openapi::OpenApiService;

pub const API_PREFIX: &str = "/api/v1";

type Apis = (
    platform::PlatformApi,
    tokens::TokensApi,
    second_factor::SecondFactorApi,
    tenant::TenantApi,
    rulesets::RuleSetApi,
    submissions::SubmissionApi,
    records::RecordApi,
    // The exports follow the people and imports, where they began.
    (people::PeopleApi, exports::ExportsApi),
    privacy::PrivacyApi,
    triage::TriageApi,
    dataset::DatasetApi,
    registry::RegistryApi,
    reporting::ReportingApi,
    cases::CasesApi,
    cases::AgencyCasesApi,
    (
        audit::AuditApi,
        cartogram::CartogramApi,
        annual::AnnualApi,
        operator::OperatorApi,
        bots::BotsApi,
        attachments::ReporterFilesApi,
        attachments::CaseFilesApi,
        case_links::CaseLinksApi,
    ),
);

fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            platform::PlatformApi,
            tokens::TokensApi,
            second_factor::SecondFactorApi,
            tenant::TenantApi,
            rulesets::RuleSetApi,
            submissions::SubmissionApi,
            records::RecordApi,
            (people::PeopleApi, exports::ExportsApi),
            privacy::PrivacyApi,
            triage::TriageApi,
            dataset::DatasetApi,
            registry::RegistryApi,
            reporting::ReportingApi,
            cases::CasesApi,
            cases::AgencyCasesApi,
            (
                audit::AuditApi,
                cartogram::CartogramApi,
                annual::AnnualApi,
                operator::OperatorApi,
                bots::BotsApi,
                attachments::ReporterFilesApi,
                attachments::CaseFilesApi,
                case_links::CaseLinksApi,
            ),
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

/// The bearer token `/metrics` asks for, if the operator set one.
#[derive(Clone, Default)]
struct MetricsToken(Option<String>);

impl MetricsToken {
    fn allows(&self, req: &poem::Request) -> bool {
        let Some(expected) = &self.0 else {
            return true;
        };
        let given = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Digests are compared, so the time taken says nothing about how
        // much of the token was right.
        use sha2::{Digest, Sha256};
        Sha256::digest(given.as_bytes()) == Sha256::digest(expected.as_bytes())
    }
}

#[handler]
fn metrics(req: &poem::Request, state: Data<&AppState>, token: Data<&MetricsToken>) -> Response {
    if !token.allows(req) {
        return ApiError::Unauthorized(poem_openapi::payload::Json(ErrorBody {
            error: "unauthorized".into(),
            message: "/metrics needs the metrics token (Authorization: Bearer ...)".into(),
            details: Vec::new(),
        }))
        .into_response();
    }
    Response::builder()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render())
}

/// How the HTTP application guards itself.
#[derive(Clone)]
pub struct HttpOptions {
    /// Largest JSON request body, in bytes.
    pub body_limit: usize,
    /// Floods on the public endpoints.
    pub public_limit: PublicLimit,
    /// `/metrics` answers only requests bearing this token, when set.
    pub metrics_token: Option<String>,
    /// Reports the feedback channel takes per hour.
    pub report_limits: ReportLimits,
}

/// The probes and metrics alone, with the API's headers: what `adal
/// worker` serves on its own address, so its counters can be scraped and
/// its pod probed.
pub fn ops(state: AppState, metrics_token: Option<String>) -> impl Endpoint {
    Route::new()
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(metrics))
        .data(state)
        .data(MetricsToken(metrics_token))
        .catch_all_error(|e| async move { error::error_response(e) })
        .with(catch_panics())
        .around(|ep, req| async move {
            let mut resp = ep.get_response(req).await;
            add_security_headers(&mut resp, API_CSP);
            Ok(resp)
        })
}

/// How long a client should wait before retrying a 503: a database or
/// queue restart takes seconds.
const RETRY_AFTER_SECONDS: &str = "5";

/// JSON needs no sources at all; nothing of the API may be framed.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// The Swagger UI page runs its own inline script and styles and fetches
/// the document from this origin.
const DOCS_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/// The Content-Security-Policy of the answer to `path`, or `None` for the
/// dashboard, which sets its own headers.
fn api_csp(path: &str) -> Option<&'static str> {
    if path.starts_with("/api/docs") {
        Some(DOCS_CSP)
    } else if path.starts_with("/api/") || matches!(path, "/healthz" | "/readyz" | "/metrics") {
        Some(API_CSP)
    } else {
        None
    }
}

/// Adds the headers every API answer carries, errors included (which is
/// why this is not poem's `SetHeader`: that one skips error answers).
fn add_security_headers(resp: &mut Response, csp: &'static str) {
    let h = resp.headers_mut();
    for (name, value) in [
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cross-origin-resource-policy", "same-origin"),
        ("content-security-policy", csp),
    ] {
        h.insert(name, header::HeaderValue::from_static(value));
    }
}

/// A panic anywhere in a request answers 500 in the API's shape; the
/// panic hook (`adal_telemetry::install_panic_hook`) logs it without a
/// backtrace.
fn catch_panics() -> CatchPanic<fn(Box<dyn std::any::Any + Send>) -> Response> {
    CatchPanic::new().with_handler(|_| error::panic_response())
}

/// The whole HTTP application: the API, its documents and probes, and
/// `site` (the dashboard) at `/`; `limit` holds back floods on the public
/// endpoints.
pub fn app(state: AppState, options: HttpOptions, site: impl Endpoint + 'static) -> impl Endpoint {
    let HttpOptions {
        body_limit,
        public_limit: limit,
        metrics_token,
        report_limits,
    } = options;
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
        .data(MetricsToken(metrics_token))
        .data(report_limits)
        .catch_all_error(|e| async move { error::error_response(e) })
        .with(catch_panics())
        .around(move |ep, req| {
            let m = metrics_handle.clone();
            let limit = limit.clone();
            async move {
                let method = req.method().to_string();
                let csp = api_csp(req.uri().path());
                let started = std::time::Instant::now();
                let mut resp = match limit.refuse(&req) {
                    Some(refused) => refused,
                    None => ep.get_response(req).await,
                };
                m.http_duration
                    .with_label_values(&[&method])
                    .observe(started.elapsed().as_secs_f64());
                if let Some(csp) = csp {
                    add_security_headers(&mut resp, csp);
                }
                // "Unavailable" says when to come back, on every path.
                if resp.status() == StatusCode::SERVICE_UNAVAILABLE
                    && !resp.headers().contains_key(header::RETRY_AFTER)
                {
                    resp.headers_mut().insert(
                        header::RETRY_AFTER,
                        header::HeaderValue::from_static(RETRY_AFTER_SECONDS),
                    );
                }
                let class = format!("{}xx", resp.status().as_u16() / 100);
                m.http_requests.with_label_values(&[&method, &class]).inc();
                Ok(resp)
            }
        })
}

/// Pagination shared by list endpoints: the service's bounds.
pub(crate) fn page(offset: Option<u64>, limit: Option<u64>) -> Result<(u64, u64), ApiError> {
    Ok(adal_service::page(offset, limit)?)
}

#[cfg(test)]
mod tests {
    use poem::{EndpointExt, Route, handler, http::StatusCode, test::TestClient};

    #[handler]
    fn panics() -> &'static str {
        panic!("a bug in a handler")
    }

    /// Issue 12, problem 2's other half: a panicking handler still
    /// answers, with the API's 500 and without the panic's text.
    #[tokio::test]
    async fn a_panic_answers_500_json() {
        let app = Route::new().at("/", panics).with(super::catch_panics());
        let resp = TestClient::new(app).get("/").send().await;
        resp.assert_status(StatusCode::INTERNAL_SERVER_ERROR);
        let body = resp.0.into_body().into_string().await.unwrap();
        assert!(body.contains("\"error\":\"internal\""), "{body}");
        assert!(!body.contains("a bug"), "{body}");
    }
}
