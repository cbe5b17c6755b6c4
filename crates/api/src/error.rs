//! The one error type of the HTTP API. Every failure leaves as JSON:
//! `{"error": "<code>", "message": "...", "details": [{"pointer": "/field", "code": "...", "message": "..."}]}`.
//! Internal causes are logged, never returned. The application layer's
//! [`ServiceError`] maps onto it one to one.

use adal_domain::FieldError;
use adal_service::{Detail, ServiceError};
use poem::http::StatusCode;
use poem_openapi::{ApiResponse, Object, payload::Json};

#[derive(Debug, Clone, Default, Object)]
pub struct ErrorDetail {
    /// JSON pointer of the offending field, e.g. `/value_kzt`.
    pub pointer: String,
    /// Stable machine code of the failure, e.g. `shape.unknown_field`,
    /// `record.duplicate`, `text.empty` (docs/api.md lists them); clients
    /// translate by it, as the English message may be reworded.
    pub code: String,
    pub message: String,
    /// For rule scripts: the rule, and the line and column in its script.
    #[oai(skip_serializing_if_is_none)]
    pub rule_id: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub line: Option<u32>,
    #[oai(skip_serializing_if_is_none)]
    pub column: Option<u32>,
    /// For a failed fixture: its name, and what it expected and got.
    #[oai(skip_serializing_if_is_none)]
    pub fixture: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub expected: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub actual: Option<String>,
}

impl ErrorDetail {
    pub fn new(
        pointer: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            pointer: pointer.into(),
            code: code.into(),
            message: message.into(),
            ..Self::default()
        }
    }
}

impl From<Detail> for ErrorDetail {
    fn from(d: Detail) -> Self {
        Self {
            pointer: d.pointer,
            code: d.code,
            message: d.message,
            rule_id: d.rule_id,
            line: d.line,
            column: d.column,
            fixture: d.fixture,
            expected: d.expected,
            actual: d.actual,
        }
    }
}

impl From<FieldError> for ErrorDetail {
    fn from(e: FieldError) -> Self {
        Detail::from(e).into()
    }
}

#[derive(Debug, Clone, Object)]
pub struct ErrorBody {
    /// Machine-readable code: `bad_request`, `validation_failed`,
    /// `fixtures_failed`,
    /// `unauthorized`, `forbidden`, `not_found`, `conflict`,
    /// `payload_too_large`, `too_many_requests`, `unavailable`, `internal`.
    pub error: String,
    pub message: String,
    pub details: Vec<ErrorDetail>,
}

impl ErrorBody {
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Json<Self> {
        Json(Self {
            error: code.to_owned(),
            message: message.into(),
            details: Vec::new(),
        })
    }
}

#[derive(Debug, ApiResponse)]
#[oai(bad_request_handler = "from_request_error")]
pub enum ApiError {
    /// The request is malformed: bad JSON, unknown or missing fields,
    /// wrong types, bad parameters.
    #[oai(status = 400)]
    BadRequest(Json<ErrorBody>),
    #[oai(status = 401)]
    Unauthorized(Json<ErrorBody>),
    #[oai(status = 403)]
    Forbidden(Json<ErrorBody>),
    /// Not found, or not yours: the API never says which.
    #[oai(status = 404)]
    NotFound(Json<ErrorBody>),
    #[oai(status = 409)]
    Conflict(Json<ErrorBody>),
    #[oai(status = 413)]
    PayloadTooLarge(Json<ErrorBody>),
    /// Well-formed but invalid: each detail names a field.
    #[oai(status = 422)]
    Unprocessable(Json<ErrorBody>),
    /// Too many attempts: wait the `Retry-After` header's seconds.
    #[oai(status = 429)]
    TooManyRequests(Json<ErrorBody>, #[oai(header = "Retry-After")] u64),
    #[oai(status = 500)]
    Internal(Json<ErrorBody>),
    #[oai(status = 503)]
    Unavailable(Json<ErrorBody>),
}

/// A body that failed to parse, with where.
#[derive(Debug, thiserror::Error)]
#[error("{pointer}: {message}")]
pub struct BodyError {
    pub pointer: String,
    pub code: String,
    pub message: String,
    pub too_large: bool,
}

fn from_request_error(err: poem::Error) -> ApiError {
    if let Some(b) = err.downcast_ref::<BodyError>() {
        let body = Json(ErrorBody {
            error: if b.too_large {
                "payload_too_large"
            } else {
                "bad_request"
            }
            .to_owned(),
            message: b.to_string(),
            details: vec![ErrorDetail::new(
                b.pointer.clone(),
                b.code.clone(),
                b.message.clone(),
            )],
        });
        return if b.too_large {
            ApiError::PayloadTooLarge(body)
        } else {
            ApiError::BadRequest(body)
        };
    }
    match err.status() {
        StatusCode::UNAUTHORIZED => ApiError::unauthorized(),
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge(ErrorBody::new("payload_too_large", err.to_string()))
        }
        _ => ApiError::BadRequest(ErrorBody::new("bad_request", err.to_string())),
    }
}

impl ApiError {
    pub fn unauthorized() -> Self {
        ApiError::Unauthorized(ErrorBody::new(
            "unauthorized",
            "a valid bearer token is required",
        ))
    }

    pub fn forbidden() -> Self {
        ApiError::Forbidden(ErrorBody::new("forbidden", "your role does not allow this"))
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::NotFound(ErrorBody::new("not_found", format!("{what} not found")))
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::Conflict(ErrorBody::new("conflict", message))
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::BadRequest(ErrorBody::new("bad_request", message))
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        ApiError::Unprocessable(Json(ErrorBody {
            error: "validation_failed".to_owned(),
            message: errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            details: errors.into_iter().map(ErrorDetail::from).collect(),
        }))
    }

    /// A record that did not parse or check: a wrong shape is a 400, a
    /// value a rule refuses a 422 (the application layer decides which).
    pub fn record(errors: Vec<FieldError>) -> Self {
        ServiceError::record(errors).into()
    }

    pub fn details(message: impl Into<String>, details: Vec<ErrorDetail>) -> Self {
        ApiError::Unprocessable(Json(ErrorBody {
            error: "validation_failed".to_owned(),
            message: message.into(),
            details,
        }))
    }

    /// A rule set whose fixtures do not all pass: one detail per failure.
    pub fn fixtures_failed(message: impl Into<String>, details: Vec<ErrorDetail>) -> Self {
        ApiError::Unprocessable(Json(ErrorBody {
            error: "fixtures_failed".to_owned(),
            message: message.into(),
            details,
        }))
    }

    pub fn field(pointer: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::coded(pointer, code, message)])
    }

    /// Logs `cause` and answers 500 without revealing it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        ApiError::Internal(ErrorBody::new(
            "internal",
            "internal error; it has been logged",
        ))
    }

    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "dependency unavailable");
        ApiError::Unavailable(ErrorBody::new(
            "unavailable",
            "a dependency is unavailable; retry later",
        ))
    }
}

impl From<adal_import::QuotaRefusal> for ApiError {
    fn from(r: adal_import::QuotaRefusal) -> Self {
        let message = r.to_string();
        match r {
            adal_import::QuotaRefusal::TooLarge { .. } => {
                ApiError::PayloadTooLarge(Json(ErrorBody {
                    error: "payload_too_large".to_owned(),
                    message: message.clone(),
                    details: vec![ErrorDetail::new("", "import.too_large", message)],
                }))
            }
            adal_import::QuotaRefusal::RowsUsed {
                retry_after_secs, ..
            } => ApiError::TooManyRequests(
                Json(ErrorBody {
                    error: "too_many_requests".to_owned(),
                    message: message.clone(),
                    details: vec![ErrorDetail::new("", "import.quota_used", message)],
                }),
                retry_after_secs,
            ),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let body = |code: &str, message: String, details: Vec<Detail>| {
            Json(ErrorBody {
                error: code.to_owned(),
                message,
                details: details.into_iter().map(ErrorDetail::from).collect(),
            })
        };
        match e {
            ServiceError::Unauthorized => ApiError::unauthorized(),
            ServiceError::Forbidden => ApiError::forbidden(),
            ServiceError::NotFound(what) => ApiError::not_found(&what),
            ServiceError::Malformed(d) => ApiError::BadRequest(body(
                "bad_request",
                format!("{}: {}", d.pointer, d.message),
                vec![*d],
            )),
            ServiceError::BadRequest(m) => ApiError::bad_request(m),
            ServiceError::Invalid { message, details } => {
                ApiError::Unprocessable(body("validation_failed", message, details))
            }
            ServiceError::FixturesFailed { message, details } => {
                ApiError::Unprocessable(body("fixtures_failed", message, details))
            }
            ServiceError::Conflict(d) => {
                let message = d.message.clone();
                // A conflict with no field to name has no detail, as before.
                let details = if d.pointer.is_empty() && d.code == "conflict" {
                    Vec::new()
                } else {
                    vec![*d]
                };
                ApiError::Conflict(body("conflict", message, details))
            }
            // Already logged where it was met.
            ServiceError::TooManyRequests { retry_after_secs } => ApiError::TooManyRequests(
                ErrorBody::new(
                    "too_many_requests",
                    format!("too many attempts; retry in {retry_after_secs} s"),
                ),
                retry_after_secs,
            ),
            ServiceError::WorkRequired(m) => {
                ApiError::TooManyRequests(ErrorBody::new("proof_of_work_required", m), 1)
            }
            ServiceError::Unavailable => ApiError::Unavailable(ErrorBody::new(
                "unavailable",
                "a dependency is unavailable; retry later",
            )),
            ServiceError::SecondFactorRequired => ApiError::Forbidden(ErrorBody::new(
                "second_factor_required",
                "your organisation requires a second factor for your role: turn it on with \
                 POST /api/v1/auth/second-factor",
            )),
            ServiceError::Internal => ApiError::Internal(ErrorBody::new(
                "internal",
                "internal error; it has been logged",
            )),
        }
    }
}

impl From<adal_store::StoreError> for ApiError {
    fn from(e: adal_store::StoreError) -> Self {
        match e {
            adal_store::StoreError::NotFound => ApiError::not_found("resource"),
            adal_store::StoreError::Conflict(what) => ApiError::conflict(what),
            other if other.is_unavailable() => ApiError::unavailable(other),
            other => ApiError::internal(other),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The answer to a request whose handler panicked: the API's 500, never
/// the panic's text.
pub fn panic_response() -> poem::Response {
    use poem::IntoResponse;
    ApiError::Internal(ErrorBody::new(
        "internal",
        "internal error; it has been logged",
    ))
    .into_response()
}

/// Turns errors raised outside poem-openapi's handlers (unknown routes,
/// wrong methods) into the same JSON shape.
pub fn error_response(err: poem::Error) -> poem::Response {
    use poem::IntoResponse;
    // Body and parameter parse errors of endpoints whose success type has
    // no handler of its own arrive here: give them the same details.
    if err.downcast_ref::<BodyError>().is_some() {
        return from_request_error(err).into_response();
    }
    let message = err.to_string();
    let resp = err.into_response();
    // Our own error responses (ApiError turned into poem::Error by
    // poem-openapi) are JSON already: keep them.
    let is_json = resp
        .headers()
        .get(poem::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if is_json {
        return resp;
    }
    let status = resp.status();
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNAUTHORIZED => "unauthorized",
        s if s.is_client_error() => "bad_request",
        // The bearer check answers 503 when the token cannot be looked up
        // (the database is down): that is "unavailable", as docs/api.md
        // promises, not a fault of ours.
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        _ => "internal",
    };
    let message = if status == StatusCode::SERVICE_UNAVAILABLE {
        "a dependency is unavailable; retry later".to_owned()
    } else if status.is_server_error() {
        tracing::error!(error = %message, "unhandled error");
        "internal error; it has been logged".to_owned()
    } else {
        message
    };
    let body = serde_json::json!({"error": code, "message": message, "details": []});
    poem::Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(body.to_string())
}
