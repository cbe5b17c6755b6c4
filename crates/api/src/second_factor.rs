//! `/auth/second-factor`: the caller's own TOTP second factor: its
//! status, turning it on (a secret, then a code to confirm it, which
//! returns recovery codes once), new recovery codes, turning it off.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::platform::ApiTags;
use adal_service::second_factor as sf;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};
use serde::Deserialize;

#[derive(Debug, Object)]
pub struct SecondFactorStatus {
    pub enabled: bool,
    /// The caller's organisation requires it of their role; until it is
    /// on, every tenant endpoint answers `403 second_factor_required`.
    pub required: bool,
    pub recovery_codes_left: u64,
}

#[derive(Debug, Object)]
pub struct SecondFactorEnrolment {
    /// The secret in base32, to type into an authenticator app.
    pub secret: String,
    /// The same as an `otpauth://totp/` URI (for a QR code).
    pub otpauth_uri: String,
}

#[derive(Debug, Object)]
pub struct RecoveryCodes {
    /// Single-use codes that stand in for the app's code at sign-in;
    /// shown this once.
    pub recovery_codes: Vec<String>,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    /// The app's current 6-digit code (or, to change a second factor that
    /// is on, an unused recovery code).
    #[oai(validator(max_length = 64))]
    pub code: String,
}

#[derive(ApiResponse)]
enum StatusResponse {
    #[oai(status = 200)]
    Ok(Json<SecondFactorStatus>),
}

#[derive(ApiResponse)]
enum BeginResponse {
    #[oai(status = 201)]
    Created(Json<SecondFactorEnrolment>),
}

#[derive(ApiResponse)]
enum CodesResponse {
    #[oai(status = 200)]
    Ok(Json<RecoveryCodes>),
}

#[derive(ApiResponse)]
enum DisableResponse {
    #[oai(status = 204)]
    Disabled,
}

pub struct SecondFactorApi;

#[OpenApi]
impl SecondFactorApi {
    /// Whether the caller's second factor is on, and required.
    #[oai(
        path = "/auth/second-factor",
        method = "get",
        tag = "ApiTags::Auth",
        operation_id = "secondFactorStatus"
    )]
    async fn status(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<StatusResponse> {
        let s = sf::status(&state, &auth.0).await?;
        Ok(StatusResponse::Ok(Json(SecondFactorStatus {
            enabled: s.enabled,
            required: s.required,
            recovery_codes_left: s.recovery_codes_left,
        })))
    }

    /// Starts turning the second factor on: a new secret for the
    /// authenticator app. It works once confirmed with a code. `409
    /// second_factor.already_on` if it is on.
    #[oai(
        path = "/auth/second-factor",
        method = "post",
        tag = "ApiTags::Auth",
        operation_id = "beginSecondFactor"
    )]
    async fn begin(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<BeginResponse> {
        let e = sf::begin(&state, &auth.0).await?;
        Ok(BeginResponse::Created(Json(SecondFactorEnrolment {
            secret: e.secret,
            otpauth_uri: e.otpauth_uri,
        })))
    }

    /// Confirms the secret with the app's current code; the second factor
    /// is then on, and the answer holds the recovery codes.
    #[oai(
        path = "/auth/second-factor/confirm",
        method = "post",
        tag = "ApiTags::Auth",
        operation_id = "confirmSecondFactor"
    )]
    async fn confirm(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<CodeRequest>,
    ) -> ApiResult<CodesResponse> {
        let codes = sf::confirm(&state, &auth.0, &body.0.code).await?;
        Ok(CodesResponse::Ok(Json(RecoveryCodes {
            recovery_codes: codes,
        })))
    }

    /// New recovery codes (with a current code); the old ones stop
    /// working.
    #[oai(
        path = "/auth/second-factor/recovery-codes",
        method = "post",
        tag = "ApiTags::Auth",
        operation_id = "renewRecoveryCodes"
    )]
    async fn recovery_codes(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<CodeRequest>,
    ) -> ApiResult<CodesResponse> {
        let codes = sf::renew_recovery_codes(&state, &auth.0, &body.0.code).await?;
        Ok(CodesResponse::Ok(Json(RecoveryCodes {
            recovery_codes: codes,
        })))
    }

    /// Turns the second factor off (with a current code or a recovery
    /// code). `409 second_factor.required` while the organisation
    /// requires it.
    #[oai(
        path = "/auth/second-factor/disable",
        method = "post",
        tag = "ApiTags::Auth",
        operation_id = "disableSecondFactor"
    )]
    async fn disable(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<CodeRequest>,
    ) -> ApiResult<DisableResponse> {
        sf::disable(&state, &auth.0, &body.0.code).await?;
        Ok(DisableResponse::Disabled)
    }
}
