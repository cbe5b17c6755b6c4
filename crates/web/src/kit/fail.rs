//! Why a page cannot be shown, and the error pages that say so.

use super::shell::{Frame, page, redirect, respond};
use crate::i18n::{Lang, Tr};
use crate::session::Visitor;
use maud::html;
use poem::Response;
use poem::http::StatusCode;

/// What a screen's work comes to: its answer, or why there is none.
pub(crate) type PageResult = Result<Response, Fail>;

/// Why a page cannot be shown.
#[derive(Debug)]
pub enum Fail {
    /// Not signed in: go to the sign-in page.
    SignIn,
    Forbidden,
    /// Does not exist, or belongs to another tenant: the same page.
    NotFound,
    /// A form without this session's CSRF token.
    Csrf,
    /// The operation refused the input (invalid, or in conflict with what
    /// is stored) where no form could show it beside its field: a page
    /// that says why, never an internal error.
    Refused {
        conflict: bool,
        errors: Vec<adal_domain::FieldError>,
    },
    /// A dependency is down; the cause was logged where it was met.
    Unavailable,
    /// The organisation requires a second factor the user has not turned
    /// on: to the account page, where they can.
    SecondFactor,
    /// Too many attempts; try again after this many seconds.
    TooMany(u64),
    Internal(String),
}

impl From<adal_service::ServiceError> for Fail {
    fn from(e: adal_service::ServiceError) -> Self {
        use adal_service::ServiceError as E;
        match e {
            E::Forbidden => Fail::Forbidden,
            E::NotFound(_) => Fail::NotFound,
            E::Unauthorized => Fail::SignIn,
            E::Unavailable => Fail::Unavailable,
            E::SecondFactorRequired => Fail::SecondFactor,
            E::TooManyRequests { retry_after_secs } => Fail::TooMany(retry_after_secs),
            E::WorkRequired(_) => Fail::TooMany(1),
            E::Internal => Fail::Internal("the service failed (logged above)".into()),
            E::Conflict(_) => Fail::Refused {
                conflict: true,
                errors: e.field_errors(),
            },
            E::BadRequest(ref m) => Fail::Refused {
                conflict: false,
                errors: vec![adal_domain::FieldError::new("", m.clone())],
            },
            E::Invalid { .. } | E::FixturesFailed { .. } | E::Malformed(_) => Fail::Refused {
                conflict: false,
                errors: e.field_errors(),
            },
        }
    }
}

impl From<adal_store::StoreError> for Fail {
    fn from(e: adal_store::StoreError) -> Self {
        match e {
            adal_store::StoreError::NotFound => Fail::NotFound,
            other if other.is_unavailable() => {
                tracing::error!(cause = %other, "dependency unavailable");
                Fail::Unavailable
            }
            other => Fail::Internal(other.to_string()),
        }
    }
}

pub fn fail_page(v: &Visitor, fail: Fail) -> Response {
    let tr = &v.tr;
    let retry_after = match fail {
        Fail::TooMany(secs) => Some(secs),
        _ => None,
    };
    let (status, title, body) = match fail {
        Fail::TooMany(_) => (
            StatusCode::TOO_MANY_REQUESTS,
            "error-429-title",
            "error-429-body",
        ),
        Fail::SignIn => return redirect(v, "/login"),
        Fail::SecondFactor => return redirect(v, "/second-factor"),
        Fail::Forbidden => (StatusCode::FORBIDDEN, "error-403-title", "error-403-body"),
        Fail::NotFound => (StatusCode::NOT_FOUND, "error-404-title", "error-404-body"),
        Fail::Csrf => (StatusCode::FORBIDDEN, "error-csrf-title", "error-csrf-body"),
        Fail::Unavailable => (
            StatusCode::SERVICE_UNAVAILABLE,
            "error-503-title",
            "error-503-body",
        ),
        Fail::Refused { conflict, errors } => {
            let status = if conflict {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let markup = page(
                v,
                &Frame::default(),
                &tr.t("error-refused-title"),
                html! {
                    p id="error" data-status=(status.as_u16()) { (tr.t("error-refused-body")) }
                    ul id="refusals" {
                        @for e in &errors { li { (crate::kit::error_text(tr, e)) } }
                    }
                    p { a href="/" { (tr.t("back-home")) } }
                },
            );
            return respond(v, status, markup);
        }
        Fail::Internal(cause) => {
            tracing::error!(%cause, "dashboard page failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "error-500-title",
                "error-500-body",
            )
        }
    };
    let markup = page(
        v,
        &Frame::default(),
        &tr.t(title),
        html! {
            p id="error" data-status=(status.as_u16()) { (tr.t(body)) }
            p { a href="/" { (tr.t("back-home")) } }
        },
    );
    let mut resp = respond(v, status, markup);
    if let Some(secs) = retry_after
        && let Ok(h) = poem::http::HeaderValue::from_str(&secs.to_string())
    {
        resp.headers_mut()
            .insert(poem::http::header::RETRY_AFTER, h);
    }
    resp
}

/// A screen's answer, or the error page of why there is none.
pub(crate) fn finish(v: &Visitor, r: PageResult) -> Response {
    r.unwrap_or_else(|f| fail_page(v, f))
}

/// Routing and parameter errors (an unknown path, a malformed id) as the
/// not-found page in the visitor's language.
pub(crate) fn error_page(lang: Lang, err: poem::Error) -> Response {
    let status = err.status();
    let v = Visitor {
        tr: Tr::new(lang),
        caller: None,
        csrf: String::new(),
        session_hash: None,
        set_cookies: Vec::new(),
        here: "/".into(),
    };
    if status.is_server_error() {
        fail_page(&v, Fail::Internal(err.to_string()))
    } else {
        fail_page(&v, Fail::NotFound)
    }
}
