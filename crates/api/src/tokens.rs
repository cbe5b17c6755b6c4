//! `/auth/tokens`: a person's API tokens (for integrations) and open
//! sessions: create with a name and a life, list with their last use,
//! revoke one by one. Only ever the caller's own.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::platform::{ApiTags, TokenResponse};
use adal_service::tokens;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewApiToken {
    /// What the token is for, e.g. "HR system import" (1 to 200
    /// characters).
    pub name: String,
    /// Days until it stops working: 1 to 365, 90 if left out.
    #[oai(nullable)]
    pub expires_in_days: Option<u32>,
}

#[derive(Debug, Object)]
pub struct TokenInfo {
    pub id: Uuid,
    /// `api` (made with `POST /auth/tokens`) or `session` (from signing
    /// in, on the API or the dashboard).
    pub kind: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[oai(nullable)]
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The last request made with it, to the minute; `null` if never used.
    #[oai(nullable)]
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether this request was made with it.
    pub current: bool,
}

#[derive(ApiResponse)]
enum CreateTokenResponse {
    #[oai(status = 201)]
    Created(Json<TokenResponse>),
}

#[derive(ApiResponse)]
enum ListTokensResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<TokenInfo>>),
}

#[derive(ApiResponse)]
enum RevokeTokenResponse {
    #[oai(status = 204)]
    Revoked,
}

pub struct TokensApi;

#[OpenApi]
impl TokensApi {
    /// Create an API token for the calling user (for integrations). It
    /// expires after `expires_in_days` (90 by default, 365 at most).
    #[oai(
        path = "/auth/tokens",
        method = "post",
        tag = "ApiTags::Auth",
        operation_id = "createApiToken"
    )]
    async fn create(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewApiToken>,
    ) -> ApiResult<CreateTokenResponse> {
        let c = tokens::create(&state, &auth.0, &body.0.name, body.0.expires_in_days).await?;
        Ok(CreateTokenResponse::Created(Json(TokenResponse {
            token: c.token,
            expires_at: Some(c.expires_at),
            user: c.user.into(),
        })))
    }

    /// The caller's tokens that still work (API tokens and sessions),
    /// newest first. The secrets themselves are never shown again.
    #[oai(
        path = "/auth/tokens",
        method = "get",
        tag = "ApiTags::Auth",
        operation_id = "listTokens"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> ApiResult<ListTokensResponse> {
        let rows = tokens::list(&state, &auth.0).await?;
        Ok(ListTokensResponse::Ok(Json(
            rows.into_iter()
                .map(|(t, current)| TokenInfo {
                    id: t.id,
                    kind: t.kind,
                    name: t.name,
                    created_at: t.created_at,
                    expires_at: t.expires_at,
                    last_used_at: t.last_used_at,
                    current,
                })
                .collect(),
        )))
    }

    /// Revoke one of the caller's tokens at once. `404` for an id that is
    /// not one of the caller's working tokens.
    #[oai(
        path = "/auth/tokens/:id",
        method = "delete",
        tag = "ApiTags::Auth",
        operation_id = "revokeToken"
    )]
    async fn revoke(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<RevokeTokenResponse> {
        tokens::revoke(&state, &auth.0, id.0).await?;
        Ok(RevokeTokenResponse::Revoked)
    }
}
