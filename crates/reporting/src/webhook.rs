//! Messaging webhooks: authenticate a delivery, then read it into
//! [`InboundMessage`]s.
//!
//! - **WhatsApp Cloud API** signs each POST with
//!   `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>` under the
//!   app secret. The HMAC is over the body's *raw bytes*: Meta escapes
//!   non-ASCII as `\uXXXX` (and `/` as `\/`), so JSON parsed and serialised
//!   again hashes differently, and Kazakh or Russian text would fail. Verify
//!   before parsing, with the bytes as received.
//! - **Telegram Bot API** sends back the `secret_token` set with
//!   `setWebhook` in `X-Telegram-Bot-Api-Secret-Token`; no HMAC.
//!
//! Both platforms deliver at least once (they retry until answered 2xx), so
//! [`InboundMessage::message_id`] is the key to deduplicate on: the `wamid`
//! for WhatsApp, the `update_id` for Telegram.
//!
//! Only the text of a message is read; photos, voice notes and other media
//! arrive as messages without text (`text: None`), so the bot can answer
//! that it takes text and point to the web form for files.

use std::fmt;

use hmac::Mac;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::hmac_sha256;

/// Why a webhook delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The server has no secret for this channel: refuse everything rather
    /// than accept deliveries anyone could forge. A configuration error
    /// (500), not the sender's.
    #[error("no webhook secret is configured for this channel")]
    NoSecretConfigured,
    /// The signature or secret-token header is absent.
    #[error("the webhook signature header is missing")]
    MissingSignature,
    /// The header is there but not in the platform's format.
    #[error("the webhook signature header is malformed: {0}")]
    MalformedSignature(&'static str),
    /// The signature or token does not match.
    #[error("the webhook signature does not match")]
    SignatureMismatch,
    /// A WhatsApp verification request with the wrong mode or token, or no
    /// challenge.
    #[error("the webhook verification request was refused: {0}")]
    HandshakeRejected(&'static str),
    /// The (authenticated) body is not the JSON expected. The position is
    /// given, not serde's message, because that may quote the reporter's
    /// text, which must not reach a log.
    #[error("the webhook payload is {problem} (line {line}, column {column})")]
    MalformedPayload {
        /// "not valid JSON", "JSON of an unexpected shape" or "truncated".
        problem: &'static str,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
    },
}

impl From<serde_json::Error> for WebhookError {
    fn from(err: serde_json::Error) -> Self {
        use serde_json::error::Category;
        WebhookError::MalformedPayload {
            problem: match err.classify() {
                Category::Syntax | Category::Io => "not valid JSON",
                Category::Data => "JSON of an unexpected shape",
                Category::Eof => "truncated",
            },
            line: err.line(),
            column: err.column(),
        }
    }
}

/// The messaging platform a message came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// WhatsApp Cloud API.
    #[serde(rename = "whatsapp")]
    WhatsApp,
    /// Telegram Bot API.
    Telegram,
}

impl Channel {
    /// `whatsapp` or `telegram`, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::WhatsApp => "whatsapp",
            Channel::Telegram => "telegram",
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One message from a reporter, the same shape for both platforms, ready to
/// queue (it serialises with serde).
///
/// `Debug` is derived and shows the text and sender: do not log it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMessage {
    /// The platform.
    pub channel: Channel,
    /// Unique per delivery within the channel, to deduplicate redeliveries:
    /// the WhatsApp `wamid`, or the Telegram `update_id` in decimal.
    pub message_id: String,
    /// Whom to answer: the WhatsApp `wa_id` (the phone number) or the
    /// Telegram chat id in decimal.
    pub sender: String,
    /// Which of our accounts it was sent to, to find the tenant: the
    /// WhatsApp `phone_number_id` from the change's metadata. `None` for
    /// Telegram, where each bot has its own webhook URL.
    pub recipient: Option<String>,
    /// The message text; `None` for media and other kinds of message.
    pub text: Option<String>,
    /// When the sender sent it (unix seconds), if the platform said.
    pub sent_at_unix: Option<i64>,
}

/// Checks WhatsApp's `X-Hub-Signature-256` header (`sha256=<64 hex>`)
/// against the HMAC-SHA256 of `raw_body`, in constant time. Pass the body's
/// bytes exactly as received, before any parsing.
pub fn verify_whatsapp(
    app_secret: &[u8],
    raw_body: &[u8],
    header: Option<&str>,
) -> Result<(), WebhookError> {
    if app_secret.is_empty() {
        return Err(WebhookError::NoSecretConfigured);
    }
    let header = header.map(str::trim).unwrap_or_default();
    if header.is_empty() {
        return Err(WebhookError::MissingSignature);
    }
    let hex_digest = header
        .strip_prefix("sha256=")
        .ok_or(WebhookError::MalformedSignature("expected `sha256=<hex>`"))?;
    let mut claimed = [0u8; 32];
    hex::decode_to_slice(hex_digest, &mut claimed).map_err(|_| {
        WebhookError::MalformedSignature("expected 64 hex characters after `sha256=`")
    })?;
    let mut mac = hmac_sha256(app_secret);
    mac.update(raw_body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&claimed)
        .map_err(|_| WebhookError::SignatureMismatch)
}

/// Checks Telegram's `X-Telegram-Bot-Api-Secret-Token` header against the
/// `secret_token` given to `setWebhook`, in constant time. (The comparison
/// does reveal whether the lengths differ; the length of a secret is not a
/// secret worth keeping.)
pub fn verify_telegram(secret: &str, header: Option<&str>) -> Result<(), WebhookError> {
    if secret.is_empty() {
        return Err(WebhookError::NoSecretConfigured);
    }
    let header = header.unwrap_or_default();
    if header.is_empty() {
        return Err(WebhookError::MissingSignature);
    }
    if bool::from(header.as_bytes().ct_eq(secret.as_bytes())) {
        Ok(())
    } else {
        Err(WebhookError::SignatureMismatch)
    }
}

/// Answers WhatsApp's verification request (`GET` with `hub.mode`,
/// `hub.verify_token` and `hub.challenge` query parameters): returns the
/// challenge to echo as the plain-text body if the mode is `subscribe` and
/// the token matches ours (in constant time).
pub fn whatsapp_handshake<'a>(
    verify_token: &str,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&'a str>,
) -> Result<&'a str, WebhookError> {
    if verify_token.is_empty() {
        return Err(WebhookError::NoSecretConfigured);
    }
    if mode != Some("subscribe") {
        return Err(WebhookError::HandshakeRejected(
            "hub.mode is not `subscribe`",
        ));
    }
    let token = token.unwrap_or_default();
    if !bool::from(token.as_bytes().ct_eq(verify_token.as_bytes())) {
        return Err(WebhookError::HandshakeRejected(
            "hub.verify_token does not match",
        ));
    }
    challenge
        .filter(|c| !c.is_empty())
        .ok_or(WebhookError::HandshakeRejected("hub.challenge is missing"))
}

/// Reads a WhatsApp Cloud API webhook body: every message under
/// `entry[].changes[].value.messages[]` of the `messages` field, in order.
/// Status updates (`statuses`: sent, delivered, read) and other fields are
/// not messages and are skipped, so a body may give none.
pub fn parse_whatsapp(raw_body: &[u8]) -> Result<Vec<InboundMessage>, WebhookError> {
    let payload: WaPayload = serde_json::from_slice(raw_body)?;
    let mut out = Vec::new();
    for change in payload.entry.into_iter().flat_map(|e| e.changes) {
        if change.field.as_deref() != Some("messages") {
            continue;
        }
        let recipient = change.value.metadata.and_then(|m| m.phone_number_id);
        for message in change.value.messages {
            out.push(InboundMessage {
                channel: Channel::WhatsApp,
                message_id: message.id,
                sender: message.from,
                recipient: recipient.clone(),
                text: match message.kind.as_deref() {
                    Some("text") => message.text.map(|t| t.body),
                    _ => None,
                },
                sent_at_unix: message.timestamp.and_then(|t| t.parse().ok()),
            });
        }
    }
    Ok(out)
}

/// Reads a Telegram `Update`. Only new messages (`message`) are taken;
/// edits, channel posts, button presses and the rest give `None`, to be
/// acknowledged and dropped.
pub fn parse_telegram(raw_body: &[u8]) -> Result<Option<InboundMessage>, WebhookError> {
    let update: TgUpdate = serde_json::from_slice(raw_body)?;
    Ok(update.message.map(|message| InboundMessage {
        channel: Channel::Telegram,
        message_id: update.update_id.to_string(),
        sender: message.chat.id.to_string(),
        recipient: None,
        text: message.text,
        sent_at_unix: Some(message.date),
    }))
}

// The platforms' shapes, only as far as read. Unknown fields are ignored
// (both APIs add fields over time); what is read is required only where a
// message makes no sense without it.

#[derive(Deserialize)]
struct WaPayload {
    #[serde(default)]
    entry: Vec<WaEntry>,
}

#[derive(Deserialize)]
struct WaEntry {
    #[serde(default)]
    changes: Vec<WaChange>,
}

#[derive(Deserialize)]
struct WaChange {
    #[serde(default)]
    field: Option<String>,
    #[serde(default)]
    value: WaValue,
}

#[derive(Deserialize, Default)]
struct WaValue {
    #[serde(default)]
    metadata: Option<WaMetadata>,
    #[serde(default)]
    messages: Vec<WaMessage>,
}

#[derive(Deserialize)]
struct WaMetadata {
    #[serde(default)]
    phone_number_id: Option<String>,
}

#[derive(Deserialize)]
struct WaMessage {
    id: String,
    from: String,
    /// Unix seconds as a decimal string.
    #[serde(default)]
    timestamp: Option<String>,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    text: Option<WaText>,
}

#[derive(Deserialize)]
struct WaText {
    body: String,
}

#[derive(Deserialize)]
struct TgUpdate {
    update_id: i64,
    #[serde(default)]
    message: Option<TgMessage>,
}

#[derive(Deserialize)]
struct TgMessage {
    chat: TgChat,
    date: i64,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct TgChat {
    id: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    // Payloads written from the shapes in Meta's and Telegram's public
    // documentation. The WhatsApp body is compact JSON with non-ASCII as
    // `\uXXXX` and `/` as `\/`, as Meta sends it.
    const WA_MESSAGES: &[u8] = include_bytes!("../testdata/whatsapp_messages.json");
    const WA_STATUS_ONLY: &[u8] = include_bytes!("../testdata/whatsapp_status_only.json");
    const TG_MESSAGE: &[u8] = include_bytes!("../testdata/telegram_message.json");
    const TG_EDITED: &[u8] = include_bytes!("../testdata/telegram_edited.json");
    const TG_PHOTO: &[u8] = include_bytes!("../testdata/telegram_photo.json");

    const WA_SECRET: &[u8] = b"whatsapp-app-secret-for-tests";
    /// Computed outside this crate over the file's bytes:
    /// `python3 -c "import hmac,hashlib; print(hmac.new(b'whatsapp-app-secret-for-tests',
    /// open('testdata/whatsapp_messages.json','rb').read(), hashlib.sha256).hexdigest())"`
    const WA_SIGNATURE: &str =
        "sha256=1b977b3c7157fddb410d07d58959dc6f65de290c81f5c3fd83f79c4ae7ac8e1c";

    #[test]
    fn a_whatsapp_signature_over_the_raw_body_verifies() {
        assert_eq!(
            verify_whatsapp(WA_SECRET, WA_MESSAGES, Some(WA_SIGNATURE)),
            Ok(())
        );
        let upper = format!("sha256={}", WA_SIGNATURE[7..].to_uppercase());
        assert_eq!(
            verify_whatsapp(WA_SECRET, WA_MESSAGES, Some(&upper)),
            Ok(())
        );
    }

    #[test]
    fn re_serialised_json_does_not_verify() {
        // The common bug: hash the parsed-and-serialised body. The text is
        // the same, the bytes are not (raw UTF-8 instead of `\u` escapes).
        let value: serde_json::Value = serde_json::from_slice(WA_MESSAGES).unwrap();
        let reserialised = serde_json::to_vec(&value).unwrap();
        assert_ne!(reserialised, WA_MESSAGES);
        assert_eq!(
            verify_whatsapp(WA_SECRET, &reserialised, Some(WA_SIGNATURE)),
            Err(WebhookError::SignatureMismatch)
        );
        assert_eq!(
            parse_whatsapp(&reserialised).unwrap(),
            parse_whatsapp(WA_MESSAGES).unwrap()
        );
    }

    #[test]
    fn whatsapp_signature_failures_are_told_apart() {
        let body = WA_MESSAGES;
        assert_eq!(
            verify_whatsapp(WA_SECRET, body, None),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify_whatsapp(WA_SECRET, body, Some("  ")),
            Err(WebhookError::MissingSignature)
        );
        for malformed in [
            &WA_SIGNATURE[7..], // no prefix
            "sha1=1b977b3c7157fddb410d07d58959dc6f65de290c",
            "sha256=1b977b", // short
            "sha256=zz977b3c7157fddb410d07d58959dc6f65de290c81f5c3fd83f79c4ae7ac8e1c",
        ] {
            assert!(
                matches!(
                    verify_whatsapp(WA_SECRET, body, Some(malformed)),
                    Err(WebhookError::MalformedSignature(_))
                ),
                "{malformed}"
            );
        }
        assert_eq!(
            verify_whatsapp(b"another secret", body, Some(WA_SIGNATURE)),
            Err(WebhookError::SignatureMismatch)
        );
        let mut tampered = body.to_vec();
        tampered[10] ^= 0x01;
        assert_eq!(
            verify_whatsapp(WA_SECRET, &tampered, Some(WA_SIGNATURE)),
            Err(WebhookError::SignatureMismatch)
        );
        assert_eq!(
            verify_whatsapp(b"", body, Some(WA_SIGNATURE)),
            Err(WebhookError::NoSecretConfigured)
        );
    }

    #[test]
    fn whatsapp_messages_are_read_and_statuses_skipped() {
        let messages = parse_whatsapp(WA_MESSAGES).unwrap();
        assert_eq!(messages.len(), 3, "{messages:#?}");

        let kazakh = &messages[0];
        assert_eq!(kazakh.channel, Channel::WhatsApp);
        assert_eq!(
            kazakh.message_id,
            "wamid.HBgLNzcwMTEyMzQ1NjcVAgASGBQzQTRBRkY1QjI5RjQ4MEUxQjU2MwA="
        );
        assert_eq!(kazakh.sender, "77011234567");
        assert_eq!(kazakh.recipient.as_deref(), Some("106540352242922"));
        assert_eq!(
            kazakh.text.as_deref(),
            Some("Сәлеметсіз бе! Әкімдікте тендер кезінде пара сұрады / взятку просили.")
        );
        assert_eq!(kazakh.sent_at_unix, Some(1_764_840_000));

        let image = &messages[1];
        assert_eq!(image.text, None);
        assert_eq!(image.sent_at_unix, Some(1_764_840_030));

        let russian = &messages[2];
        assert_eq!(russian.sender, "77027654321");
        assert_eq!(
            russian.text.as_deref(),
            Some("Добрый день. Начальник отдела требует «откат» 10% — что делать?")
        );

        assert_eq!(parse_whatsapp(WA_STATUS_ONLY).unwrap(), vec![]);
    }

    #[test]
    fn a_whatsapp_redelivery_gives_the_same_message_ids() {
        let first: Vec<String> = parse_whatsapp(WA_MESSAGES)
            .unwrap()
            .into_iter()
            .map(|m| m.message_id)
            .collect();
        let again: Vec<String> = parse_whatsapp(WA_MESSAGES)
            .unwrap()
            .into_iter()
            .map(|m| m.message_id)
            .collect();
        assert_eq!(first, again);
        let mut unique = first.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), first.len());
    }

    #[test]
    fn other_whatsapp_fields_and_odd_shapes_are_tolerated() {
        let account_update = br#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"account_update","value":{"phone_number":"77010000000","event":"VERIFIED_ACCOUNT"}}]}]}"#;
        assert_eq!(parse_whatsapp(account_update).unwrap(), vec![]);
        assert_eq!(parse_whatsapp(b"{}").unwrap(), vec![]);
        let bad_timestamp = br#"{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"wamid.X","from":"7701","timestamp":"soon","type":"text","text":{"body":"hi"}}]}}]}]}"#;
        let parsed = parse_whatsapp(bad_timestamp).unwrap();
        assert_eq!(parsed[0].sent_at_unix, None);
        assert_eq!(parsed[0].recipient, None);
    }

    #[test]
    fn malformed_payload_errors_do_not_quote_the_content() {
        let err = parse_whatsapp(br#"{"entry":[{"changes":[{"field":"messages","value":{"messages":[{"id":"wamid.X","from":7701,"text":{"body":"SECRET-TEXT"}}]}}]}]}"#)
            .unwrap_err();
        assert!(matches!(
            err,
            WebhookError::MalformedPayload {
                problem: "JSON of an unexpected shape",
                ..
            }
        ));
        let err =
            parse_telegram("{\"update_id\": 1, \"message\": {\"text\": \"СЕКРЕТ\"".as_bytes())
                .unwrap_err();
        assert!(matches!(
            err,
            WebhookError::MalformedPayload {
                problem: "truncated",
                ..
            }
        ));
        assert!(!err.to_string().contains("СЕКРЕТ"));
        let err = parse_telegram(b"SECRET not json").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the webhook payload is not valid JSON"),
            "{err}"
        );
        assert!(!err.to_string().contains("SECRET"));
    }

    #[test]
    fn telegram_secret_token_is_compared_exactly() {
        let secret = "tg_Secret-token_123";
        assert_eq!(verify_telegram(secret, Some(secret)), Ok(()));
        assert_eq!(
            verify_telegram(secret, None),
            Err(WebhookError::MissingSignature)
        );
        assert_eq!(
            verify_telegram(secret, Some("")),
            Err(WebhookError::MissingSignature)
        );
        for wrong in [
            "tg_Secret-token_12",
            "tg_Secret-token_1234",
            "TG_SECRET-TOKEN_123",
        ] {
            assert_eq!(
                verify_telegram(secret, Some(wrong)),
                Err(WebhookError::SignatureMismatch),
                "{wrong}"
            );
        }
        assert_eq!(
            verify_telegram("", Some("")),
            Err(WebhookError::NoSecretConfigured)
        );
    }

    #[test]
    fn telegram_messages_are_read_with_non_ascii_text() {
        let message = parse_telegram(TG_MESSAGE).unwrap().unwrap();
        assert_eq!(
            message,
            InboundMessage {
                channel: Channel::Telegram,
                message_id: "733421901".into(),
                sender: "412345678".into(),
                recipient: None,
                text: Some(
                    "Сәлем! Хочу сообщить о коррупции в акимате: бастық ақша талап етті.".into()
                ),
                sent_at_unix: Some(1_764_840_500),
            }
        );
        // A redelivery is the same update id.
        assert_eq!(
            parse_telegram(TG_MESSAGE).unwrap().unwrap().message_id,
            message.message_id
        );
    }

    #[test]
    fn telegram_updates_that_are_not_new_messages_give_none() {
        assert_eq!(parse_telegram(TG_EDITED).unwrap(), None);
        assert_eq!(
            parse_telegram(br#"{"update_id":5,"callback_query":{"id":"1","data":"kk"}}"#).unwrap(),
            None
        );
        let photo = parse_telegram(TG_PHOTO).unwrap().unwrap();
        assert_eq!(photo.text, None);
        assert_eq!(photo.message_id, "733421903");
        assert!(matches!(
            parse_telegram(br#"{"message":{"chat":{"id":1},"date":1}}"#),
            Err(WebhookError::MalformedPayload { .. })
        ));
    }

    #[test]
    fn the_whatsapp_handshake_echoes_the_challenge_only_to_the_right_token() {
        let ours = "verify-me";
        assert_eq!(
            whatsapp_handshake(ours, Some("subscribe"), Some(ours), Some("1158201444")),
            Ok("1158201444")
        );
        for (mode, token, challenge) in [
            (Some("unsubscribe"), Some(ours), Some("1")),
            (None, Some(ours), Some("1")),
            (Some("subscribe"), Some("verify-you"), Some("1")),
            (Some("subscribe"), None, Some("1")),
            (Some("subscribe"), Some(ours), None),
            (Some("subscribe"), Some(ours), Some("")),
        ] {
            assert!(matches!(
                whatsapp_handshake(ours, mode, token, challenge),
                Err(WebhookError::HandshakeRejected(_))
            ));
        }
        assert_eq!(
            whatsapp_handshake("", Some("subscribe"), Some(""), Some("1")),
            Err(WebhookError::NoSecretConfigured)
        );
    }

    #[test]
    fn inbound_messages_serialise_for_the_queue() {
        let message = parse_telegram(TG_MESSAGE).unwrap().unwrap();
        let json = serde_json::to_string(&message).unwrap();
        assert!(json.contains("\"channel\":\"telegram\""), "{json}");
        let back: InboundMessage = serde_json::from_str(&json).unwrap();
        assert_eq!(back, message);
        let wa = serde_json::to_value(Channel::WhatsApp).unwrap();
        assert_eq!(wa, "whatsapp");
        assert_eq!(Channel::WhatsApp.to_string(), "whatsapp");
    }
}
