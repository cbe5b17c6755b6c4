//! The application layer's one error type. It says what went wrong in the
//! terms of the operation (not found, not allowed, invalid with the fields
//! named, in conflict with what is stored), never in the terms of a front
//! door: the API turns it into a status and a JSON body, the dashboard
//! into the form with its errors or an error page. Internal causes are
//! logged where they are met and never carried further.

use adal_domain::FieldError;

/// One thing wrong with the input: where (a JSON pointer), a stable
/// machine code, and an English message; for rule scripts and fixtures,
/// also the rule, the line and column, and what a fixture expected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detail {
    pub pointer: String,
    pub code: String,
    pub message: String,
    pub rule_id: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub fixture: Option<String>,
    pub expected: Option<String>,
    pub actual: Option<String>,
}

impl Detail {
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            pointer: pointer.into(),
            code: "invalid".to_owned(),
            message: message.into(),
            ..Self::default()
        }
    }
}

impl From<FieldError> for Detail {
    fn from(e: FieldError) -> Self {
        Self {
            pointer: e.pointer,
            code: e.code.into_owned(),
            message: e.message,
            ..Self::default()
        }
    }
}

impl Detail {
    /// The detail as a field error (pointer, code and message), for a
    /// front door that shows errors beside inputs.
    pub fn field_error(&self) -> FieldError {
        FieldError::coded(
            self.pointer.clone(),
            self.code.clone(),
            self.message.clone(),
        )
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ServiceError {
    /// No valid credentials.
    #[error("a valid sign-in is required")]
    Unauthorized,
    /// Inside the tenant, but the role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    /// Does not exist, or is not the caller's to see: never which.
    #[error("{0} not found")]
    NotFound(String),
    /// The input's shape is wrong (an unknown, missing or mistyped field).
    #[error("{}: {}", .0.pointer, .0.message)]
    Malformed(Box<Detail>),
    /// The request cannot be taken as it is, with no one field to blame.
    #[error("{0}")]
    BadRequest(String),
    /// Well-formed but invalid: every detail names its field.
    #[error("{message}")]
    Invalid {
        message: String,
        details: Vec<Detail>,
    },
    /// A rule set whose fixtures do not all pass: a detail per failure.
    #[error("{message}")]
    FixturesFailed {
        message: String,
        details: Vec<Detail>,
    },
    /// Conflicts with what is stored (a second record where one is
    /// allowed, a record changed meanwhile); the detail says which field.
    #[error("{}", .0.message)]
    Conflict(Box<Detail>),
    /// Too many attempts (failed sign-ins, say): refused without looking
    /// further until `retry_after_secs` have passed.
    #[error("too many attempts; retry in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// A public endpoint that takes work from its caller first (a proof
    /// of work) was called without it; the message says how to do it.
    #[error("{0}")]
    WorkRequired(String),
    /// A dependency (database, queue, sandbox) is down; retry later.
    #[error("a dependency is unavailable; retry later")]
    Unavailable,
    /// The caller's organisation requires a second factor of their role
    /// and they have not turned it on: only their own account is open.
    #[error("your organisation requires a second factor for your role; turn it on first")]
    SecondFactorRequired,
    /// A fault of ours; the cause has been logged.
    #[error("internal error; it has been logged")]
    Internal,
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl ServiceError {
    pub fn not_found(what: &str) -> Self {
        ServiceError::NotFound(what.to_owned())
    }

    pub fn forbidden() -> Self {
        ServiceError::Forbidden
    }

    pub fn unauthorized() -> Self {
        ServiceError::Unauthorized
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ServiceError::BadRequest(message.into())
    }

    /// A conflict with nothing stored; `message` says with what.
    pub fn conflict(message: impl Into<String>) -> Self {
        ServiceError::Conflict(Box::new(Detail {
            pointer: String::new(),
            code: "conflict".to_owned(),
            message: message.into(),
            ..Detail::default()
        }))
    }

    /// A conflict about one field (`record.duplicate` on `/year`, say).
    pub fn conflict_at(pointer: &str, code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Conflict(Box::new(Detail {
            pointer: pointer.to_owned(),
            code: code.to_owned(),
            message: message.into(),
            ..Detail::default()
        }))
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        ServiceError::Invalid {
            message: errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            details: errors.into_iter().map(Detail::from).collect(),
        }
    }

    /// A request whose shape is wrong at `pointer` (a query parameter out
    /// of its range, say): a bad request, not an invalid record.
    pub fn malformed(pointer: &str, code: &'static str, message: impl Into<String>) -> Self {
        ServiceError::Malformed(Box::new(Detail {
            pointer: pointer.to_owned(),
            code: code.to_owned(),
            message: message.into(),
            ..Detail::default()
        }))
    }

    pub fn field(pointer: &str, code: &'static str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::coded(pointer, code, message)])
    }

    /// A record that did not parse or check. A payload whose shape is
    /// wrong (unknown, missing or mistyped field) is malformed like any
    /// other bad body; well-formed values that break a rule are invalid.
    pub fn record(errors: Vec<FieldError>) -> Self {
        match errors.as_slice() {
            [e] if e.code.starts_with("shape.") || is_shape_message(&e.message) => {
                ServiceError::Malformed(Box::new(Detail::from(e.clone())))
            }
            _ => Self::invalid(errors),
        }
    }

    pub fn details(message: impl Into<String>, details: Vec<Detail>) -> Self {
        ServiceError::Invalid {
            message: message.into(),
            details,
        }
    }

    pub fn fixtures_failed(message: impl Into<String>, details: Vec<Detail>) -> Self {
        ServiceError::FixturesFailed {
            message: message.into(),
            details,
        }
    }

    /// Logs `cause` and answers "internal" without revealing it.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        ServiceError::Internal
    }

    /// Logs `cause` and answers "unavailable" without revealing it.
    pub fn unavailable(cause: impl std::fmt::Display) -> Self {
        tracing::error!(%cause, "dependency unavailable");
        ServiceError::Unavailable
    }

    /// Every detail of an invalid or conflicting input, for a form.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            ServiceError::Invalid { details, .. }
            | ServiceError::FixturesFailed { details, .. } => {
                details.iter().map(Detail::field_error).collect()
            }
            ServiceError::Malformed(d) | ServiceError::Conflict(d) => vec![d.field_error()],
            _ => Vec::new(),
        }
    }
}

/// serde's own openings for a document of the wrong shape, for the
/// failures that reach a record through a nested parser without a code.
fn is_shape_message(message: &str) -> bool {
    const SHAPE: [&str; 5] = [
        "unknown field",
        "missing field",
        "invalid type",
        "invalid length",
        "malformed JSON",
    ];
    SHAPE.iter().any(|p| message.starts_with(p))
}

impl From<adal_store::StoreError> for ServiceError {
    fn from(e: adal_store::StoreError) -> Self {
        match e {
            adal_store::StoreError::NotFound => ServiceError::not_found("resource"),
            adal_store::StoreError::Conflict(what) => ServiceError::conflict(what),
            other if other.is_unavailable() => ServiceError::unavailable(other),
            other => ServiceError::internal(other),
        }
    }
}

/// Maps the store's `NotFound` to the service's, naming `what`; other
/// store errors as usual.
pub(crate) fn not_found_as(what: &'static str) -> impl Fn(adal_store::StoreError) -> ServiceError {
    move |e| match e {
        adal_store::StoreError::NotFound => ServiceError::not_found(what),
        other => other.into(),
    }
}
