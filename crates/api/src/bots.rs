//! The messaging bots' webhooks (docs/reporting.md, "Messaging bots"):
//! WhatsApp Cloud API and Telegram Bot API deliver reporters' messages
//! here. A delivery is authenticated over the bytes as received, stored
//! sealed, and answered at once; a worker holds the conversation. Like the
//! other reporting routes, these read nothing about the connection and log
//! neither the sender nor the text.

use crate::AppState;
use crate::body::RawJson;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::reporting::ReportTags;
use adal_service::reporting::bots::{self as svc, Accepted, WebhookRefused};
use poem::web::Data;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

#[derive(Debug, Object)]
pub struct WebhookAck {
    /// New messages taken.
    pub stored: u32,
    /// Messages taken before (a redelivery): nothing stored again.
    pub repeated: u32,
}

#[derive(ApiResponse)]
pub(crate) enum AckResponse {
    /// Taken; the reporter is answered through the bot shortly.
    #[oai(status = 200)]
    Ok(Json<WebhookAck>),
}

#[derive(ApiResponse)]
pub(crate) enum HandshakeResponse {
    /// The `hub.challenge`, echoed.
    #[oai(status = 200)]
    Ok(PlainText<String>),
}

fn ack(a: Accepted) -> AckResponse {
    AckResponse::Ok(Json(WebhookAck {
        stored: u32::try_from(a.stored).unwrap_or(u32::MAX),
        repeated: u32::try_from(a.repeated).unwrap_or(u32::MAX),
    }))
}

impl From<WebhookRefused> for ApiError {
    fn from(e: WebhookRefused) -> Self {
        match e {
            WebhookRefused::NotConfigured(m) => ApiError::NotFound(ErrorBody::new("not_found", m)),
            WebhookRefused::UnknownNumber => {
                ApiError::NotFound(ErrorBody::new("not_found", e.to_string()))
            }
            WebhookRefused::Unauthenticated(w) => {
                ApiError::Unauthorized(ErrorBody::new("unauthorized", w.to_string()))
            }
            WebhookRefused::Handshake(w) => {
                ApiError::Forbidden(ErrorBody::new("forbidden", w.to_string()))
            }
            WebhookRefused::Malformed(w) => ApiError::bad_request(w.to_string()),
            WebhookRefused::Service(s) => s.into(),
        }
    }
}

pub struct BotsApi;

#[OpenApi(tag = "ReportTags::Reporting")]
impl BotsApi {
    /// WhatsApp's webhook verification: with `hub.mode=subscribe` and the
    /// configured `hub.verify_token`, answers `hub.challenge` as plain
    /// text; `403` otherwise, `404` when no WhatsApp bot is configured.
    #[oai(
        path = "/webhooks/whatsapp",
        method = "get",
        operation_id = "verifyWhatsAppWebhook"
    )]
    async fn whatsapp_verify(
        &self,
        state: Data<&AppState>,
        #[oai(name = "hub.mode")] mode: Query<Option<String>>,
        #[oai(name = "hub.verify_token")] token: Query<Option<String>>,
        #[oai(name = "hub.challenge")] challenge: Query<Option<String>>,
    ) -> ApiResult<HandshakeResponse> {
        let echoed = svc::whatsapp_handshake(
            &state.reporting,
            mode.0.as_deref(),
            token.0.as_deref(),
            challenge.0.as_deref(),
        )?;
        Ok(HandshakeResponse::Ok(PlainText(echoed.to_owned())))
    }

    /// A WhatsApp Cloud API delivery. `X-Hub-Signature-256` must be the
    /// HMAC-SHA256 of the raw body under the app secret (`401` otherwise,
    /// nothing stored). Messages are for the tenant whose
    /// `phone_number_id` they were sent to (`404` for a number no tenant
    /// has). A redelivery stores nothing and answers `200`.
    #[oai(
        path = "/webhooks/whatsapp",
        method = "post",
        operation_id = "whatsAppWebhook"
    )]
    async fn whatsapp(
        &self,
        state: Data<&AppState>,
        #[oai(name = "X-Hub-Signature-256")] signature: Header<Option<String>>,
        body: RawJson,
    ) -> ApiResult<AckResponse> {
        let accepted =
            svc::accept_whatsapp(&state, &state.reporting, &body.0, signature.0.as_deref()).await?;
        Ok(ack(accepted))
    }

    /// A Telegram Bot API update for the tenant's bot.
    /// `X-Telegram-Bot-Api-Secret-Token` must be the secret token the bot's
    /// webhook was set with (`401` otherwise, nothing stored); `404` when
    /// the tenant has no bot. A redelivery stores nothing and answers
    /// `200`.
    #[oai(
        path = "/webhooks/telegram/:tenant_id",
        method = "post",
        operation_id = "telegramWebhook"
    )]
    async fn telegram(
        &self,
        state: Data<&AppState>,
        tenant_id: Path<Uuid>,
        #[oai(name = "X-Telegram-Bot-Api-Secret-Token")] secret: Header<Option<String>>,
        body: RawJson,
    ) -> ApiResult<AckResponse> {
        let accepted = svc::accept_telegram(
            &state,
            &state.reporting,
            tenant_id.0,
            &body.0,
            secret.0.as_deref(),
        )
        .await?;
        Ok(ack(accepted))
    }
}
