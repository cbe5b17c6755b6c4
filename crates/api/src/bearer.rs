//! The API's security scheme: a bearer token (a session from
//! `POST /auth/login` or an API token), resolved to a [`Caller`] by the
//! application layer. The checker fails closed.

use crate::AppState;
use adal_service::Caller;
use poem::Request;
use poem_openapi::{SecurityScheme, auth::Bearer};

/// Bearer token: a session token from `POST /auth/login` or an API token.
#[derive(SecurityScheme)]
#[oai(ty = "bearer", checker = "check_bearer")]
pub struct BearerAuth(pub Caller);

async fn check_bearer(req: &Request, bearer: Bearer) -> poem::Result<Caller> {
    let unauthorized = || poem::Error::from_status(poem::http::StatusCode::UNAUTHORIZED);
    let state = req.data::<AppState>().ok_or_else(unauthorized)?;
    match adal_service::caller_of_token(state, &bearer.token).await {
        Ok(Some(caller)) => Ok(caller),
        Ok(None) => Err(unauthorized()),
        Err(_) => Err(poem::Error::from_status(
            poem::http::StatusCode::SERVICE_UNAVAILABLE,
        )),
    }
}
