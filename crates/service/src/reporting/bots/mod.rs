//! The messaging bots (issue 14, docs/reporting.md "Messaging bots"): a
//! reporter writes to a tenant's WhatsApp number or Telegram bot, is led
//! through a short conversation, and the report is filed like the web
//! form's, with the same receipt, answered through the bot. The case
//! handlers' messages reach them the same way.
//!
//! The webhook only authenticates, reads and stores each message (sealed)
//! in the inbox, so it answers the platform at once; a redelivery of the
//! same message stores nothing. A worker then takes the inbox one message
//! at a time per sender ([`process_next`]), runs the conversation
//! ([`conversation`]) and queues the answers in the outbox, which
//! [`deliver_due`] sends with retries.
//!
//! What the database holds about a sender: an HMAC of their id under a key
//! derived from `reporting.secret` (to find their conversation), and the
//! id sealed (to answer them). Every sealed value here is its own
//! envelope: a fresh key wrapped under the tenant's key-encryption key,
//! bound to the row and column it belongs to.
//!
//! Filing and answering are several writes; the conversation records the
//! report's id and receipt before filing ([`conversation::Filing`]), so a
//! worker that takes the message over after a crash finishes that filing
//! and does not file a second report.

pub mod conversation;
pub mod texts;

use super::{ReportingKeys, internal, kek_for, tenant_kek};
use crate::{AppState, ServiceError, ServiceResult};
use adal_domain::{ReportChannel, ReportSource, TenantId};
use adal_reporting::envelope::{ReportKey, Sealed, WRAPPED_KEY_LEN, WrappedKey};
use adal_reporting::webhook::{self, Channel, InboundMessage, WebhookError};
use adal_store::StoreError;
use adal_store::bots as store;
use adal_store::reports;
use chrono::Utc;
use conversation::{Action, Conversation, Filing, Incoming};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::HashMap;
use std::fmt;
use std::time::Duration;
use texts::Lang;
use uuid::Uuid;

/// The installation's WhatsApp Business account.
#[derive(Clone, Default)]
pub struct WhatsAppBot {
    pub app_secret: String,
    pub verify_token: String,
    pub access_token: String,
    pub api_base: String,
    /// `phone_number_id` -> the tenant it serves.
    pub numbers: HashMap<String, TenantId>,
}

/// One tenant's Telegram bot.
#[derive(Clone, Default)]
pub struct TelegramBot {
    pub secret_token: String,
    pub bot_token: String,
    pub api_base: String,
}

/// The configured bots (`reporting.whatsapp`, `reporting.telegram`).
#[derive(Clone)]
pub struct BotSettings {
    pub whatsapp: Option<WhatsAppBot>,
    pub telegram: HashMap<TenantId, TelegramBot>,
    /// A conversation idle this long starts over.
    pub idle: Duration,
    /// The service's public address, for the web form's link.
    pub public_url: String,
}

impl Default for BotSettings {
    fn default() -> Self {
        Self {
            whatsapp: None,
            telegram: HashMap::new(),
            idle: Duration::from_secs(86_400),
            public_url: String::new(),
        }
    }
}

// Secrets stay out of logs: only what is configured is shown.
impl fmt::Debug for BotSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotSettings")
            .field(
                "whatsapp_numbers",
                &self.whatsapp.as_ref().map(|w| w.numbers.len()),
            )
            .field("telegram_bots", &self.telegram.len())
            .field("idle", &self.idle)
            .finish()
    }
}

impl BotSettings {
    /// The anonymous web form of `tenant` (docs/reporting.md).
    fn web_channel(&self, tenant: TenantId) -> String {
        format!("{}/report/{tenant}", self.public_url.trim_end_matches('/'))
    }

    fn source(channel: Channel) -> ReportSource {
        match channel {
            Channel::WhatsApp => ReportSource::WhatsApp,
            Channel::Telegram => ReportSource::Telegram,
        }
    }
}

/// Why a webhook delivery was not taken. The front door answers each with
/// its own status; none of them quotes the delivery.
#[derive(Debug, thiserror::Error)]
pub enum WebhookRefused {
    /// No bot is configured for this channel or tenant (404).
    #[error("{0}")]
    NotConfigured(&'static str),
    /// The signature or secret token is missing or wrong (401).
    #[error("{0}")]
    Unauthenticated(WebhookError),
    /// The handshake's mode or token is wrong (403).
    #[error("{0}")]
    Handshake(WebhookError),
    /// The authenticated body is not what the platform sends (400).
    #[error("{0}")]
    Malformed(WebhookError),
    /// The message is for a WhatsApp number no tenant has (404).
    #[error("the message is for a phone number no organisation here uses")]
    UnknownNumber,
    #[error(transparent)]
    Service(#[from] ServiceError),
}

impl From<StoreError> for WebhookRefused {
    fn from(e: StoreError) -> Self {
        WebhookRefused::Service(e.into())
    }
}

/// What a delivery stored.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Accepted {
    /// New messages stored.
    pub stored: usize,
    /// Messages already stored before (redeliveries).
    pub repeated: usize,
}

/// Whom to answer, and through which of our numbers; sealed as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Recipient {
    to: String,
    /// The WhatsApp `phone_number_id` the message came to.
    #[serde(default)]
    via: Option<String>,
}

fn whatsapp(keys: &ReportingKeys) -> Result<&WhatsAppBot, WebhookRefused> {
    keys.bots
        .whatsapp
        .as_ref()
        .ok_or(WebhookRefused::NotConfigured(
            "no WhatsApp bot is configured",
        ))
}

/// WhatsApp's verification request: the challenge to echo.
pub fn whatsapp_handshake<'a>(
    keys: &ReportingKeys,
    mode: Option<&str>,
    token: Option<&str>,
    challenge: Option<&'a str>,
) -> Result<&'a str, WebhookRefused> {
    let wa = whatsapp(keys)?;
    webhook::whatsapp_handshake(&wa.verify_token, mode, token, challenge).map_err(|e| match e {
        WebhookError::NoSecretConfigured => {
            WebhookRefused::NotConfigured("no WhatsApp verify token is configured")
        }
        other => WebhookRefused::Handshake(other),
    })
}

fn auth_error(e: WebhookError) -> WebhookRefused {
    match e {
        WebhookError::NoSecretConfigured => {
            WebhookRefused::NotConfigured("no webhook secret is configured for this bot")
        }
        other => WebhookRefused::Unauthenticated(other),
    }
}

/// A WhatsApp delivery: the signature over `raw_body` first, then every
/// message stored for its tenant (found by the number it was sent to).
pub async fn accept_whatsapp(
    state: &AppState,
    keys: &ReportingKeys,
    raw_body: &[u8],
    signature: Option<&str>,
) -> Result<Accepted, WebhookRefused> {
    let wa = whatsapp(keys)?;
    webhook::verify_whatsapp(wa.app_secret.as_bytes(), raw_body, signature).map_err(auth_error)?;
    let messages = webhook::parse_whatsapp(raw_body).map_err(WebhookRefused::Malformed)?;
    let mut done = Accepted::default();
    let mut unknown = 0;
    for m in messages {
        let tenant = m
            .recipient
            .as_ref()
            .and_then(|r| wa.numbers.get(r))
            .copied();
        let Some(tenant) = tenant else {
            unknown += 1;
            continue;
        };
        store_inbound(state, keys, tenant, m, &mut done).await?;
    }
    if unknown > 0 && done.stored + done.repeated == 0 {
        return Err(WebhookRefused::UnknownNumber);
    }
    Ok(done)
}

/// A Telegram update for `tenant`'s bot: the secret token first.
pub async fn accept_telegram(
    state: &AppState,
    keys: &ReportingKeys,
    tenant: Uuid,
    raw_body: &[u8],
    secret: Option<&str>,
) -> Result<Accepted, WebhookRefused> {
    let tenant = TenantId::from_uuid(tenant);
    let bot = keys
        .bots
        .telegram
        .get(&tenant)
        .ok_or(WebhookRefused::NotConfigured(
            "this organisation has no Telegram bot",
        ))?;
    webhook::verify_telegram(&bot.secret_token, secret).map_err(auth_error)?;
    let mut done = Accepted::default();
    if let Some(m) = webhook::parse_telegram(raw_body).map_err(WebhookRefused::Malformed)? {
        store_inbound(state, keys, tenant, m, &mut done).await?;
    }
    Ok(done)
}

fn aad(tenant: TenantId, what: &str, id: Uuid) -> Vec<u8> {
    format!("adal/bots/{tenant}/{what}/{id}").into_bytes()
}

/// Seals `plain` in an envelope of its own: a fresh key, wrapped under
/// the tenant's key, then the sealed bytes.
fn seal(
    keys: &ReportingKeys,
    tenant: TenantId,
    aad: &[u8],
    plain: &[u8],
) -> ServiceResult<Vec<u8>> {
    let key = ReportKey::generate().map_err(|e| internal("no randomness for a bot key", e))?;
    let sealed = key
        .seal(plain, aad)
        .map_err(|e| internal("sealing a bot message", e))?;
    let wrapped = tenant_kek(keys, tenant.uuid())
        .wrap(&key, aad)
        .map_err(|e| internal("wrapping a bot key", e))?;
    let mut out = wrapped.to_bytes().to_vec();
    out.extend_from_slice(&sealed.to_bytes());
    Ok(out)
}

fn open(
    keys: &ReportingKeys,
    tenant: TenantId,
    aad: &[u8],
    bytes: &[u8],
) -> ServiceResult<Vec<u8>> {
    let (wrapped, sealed) = bytes
        .split_at_checked(WRAPPED_KEY_LEN)
        .ok_or_else(|| internal("a sealed bot value", "shorter than its key"))?;
    let wrapped =
        WrappedKey::from_bytes(wrapped).map_err(|e| internal("a sealed bot value's key", e))?;
    let kek = kek_for(keys, &wrapped.kek_id().to_string())?.for_tenant(tenant.uuid().as_bytes());
    let key = kek
        .unwrap(&wrapped, aad)
        .map_err(|e| internal("unwrapping a bot key", e))?;
    let sealed = Sealed::from_bytes(sealed).map_err(|e| internal("a sealed bot value", e))?;
    key.open(&sealed, aad)
        .map_err(|e| internal("opening a bot value", e))
}

fn open_text(
    keys: &ReportingKeys,
    tenant: TenantId,
    aad: &[u8],
    bytes: &[u8],
) -> ServiceResult<String> {
    String::from_utf8(open(keys, tenant, aad, bytes)?).map_err(|e| internal("a bot text", e))
}

/// The HMAC a sender is found by: keyed, so the database alone cannot
/// tell whose number it is; per tenant and channel, so the same person's
/// conversations with two organisations cannot be linked.
fn sender_key(
    keys: &ReportingKeys,
    tenant: TenantId,
    channel: Channel,
    sender: &str,
) -> ServiceResult<String> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&keys.sender_key)
        .map_err(|e| internal("the bot sender key", e))?;
    mac.update(tenant.uuid().as_bytes());
    mac.update(channel.as_str().as_bytes());
    mac.update(&[0]);
    mac.update(sender.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

async fn store_inbound(
    state: &AppState,
    keys: &ReportingKeys,
    tenant: TenantId,
    m: InboundMessage,
    done: &mut Accepted,
) -> Result<(), WebhookRefused> {
    let id = Uuid::now_v7();
    let recipient = Recipient {
        to: m.sender.clone(),
        via: m.recipient.clone(),
    };
    let recipient = serde_json::to_vec(&recipient).map_err(|e| internal("a bot recipient", e))?;
    let stored = store::receive(
        &state.store,
        tenant,
        store::NewInbound {
            id,
            channel: m.channel.as_str(),
            message_id: m.message_id,
            sender_key: sender_key(keys, tenant, m.channel, &m.sender)?,
            sender: seal(keys, tenant, &aad(tenant, "inbox-sender", id), &recipient)?,
            body: match &m.text {
                Some(t) => Some(seal(
                    keys,
                    tenant,
                    &aad(tenant, "inbox-body", id),
                    t.as_bytes(),
                )?),
                None => None,
            },
        },
    )
    .await?;
    if stored {
        done.stored += 1;
    } else {
        done.repeated += 1;
    }
    Ok(())
}

/// Moves `bytes`' envelope key under `reporting.key` (from
/// `reporting.previous_key`); `None` when it is there already.
fn rewrapped(
    keys: &ReportingKeys,
    tenant: TenantId,
    aad: &[u8],
    bytes: &[u8],
) -> ServiceResult<Option<Vec<u8>>> {
    let (wrapped, sealed) = bytes
        .split_at_checked(WRAPPED_KEY_LEN)
        .ok_or_else(|| internal("a sealed bot value", "shorter than its key"))?;
    let wrapped =
        WrappedKey::from_bytes(wrapped).map_err(|e| internal("a sealed bot value's key", e))?;
    if wrapped.kek_id() == keys.kek.id() {
        return Ok(None);
    }
    let t = tenant.uuid();
    let old = kek_for(keys, &wrapped.kek_id().to_string())?.for_tenant(t.as_bytes());
    let new = adal_reporting::envelope::rewrap(&old, &tenant_kek(keys, t), &wrapped, aad)
        .map_err(|e| internal("rewrapping a bot key", e))?;
    let mut out = new.to_bytes().to_vec();
    out.extend_from_slice(sealed);
    Ok(Some(out))
}

/// The rotation's part for the bots (`adal reporting-rekey`): every report
/// link, conversation, and inbox and outbox message still waiting, not
/// under `reporting.key`, is rewrapped under it; returns how many rows
/// changed. (Processed messages and sent answers hold nothing sealed but
/// whom an answer went to, which is not kept either.)
pub async fn rekey(store: &adal_store::Store, keys: &ReportingKeys) -> ServiceResult<u64> {
    let done = rekey_lasting(store, keys).await?;
    Ok(done + rekey_waiting(store, keys).await?)
}

/// A message's two sealed values: whom (or from whom) and the text.
type SealedPair = (Vec<u8>, Option<Vec<u8>>);

/// Both envelopes of a message rewrapped (`None` when neither moved).
fn rewrapped_pair(
    keys: &ReportingKeys,
    tenant: TenantId,
    first: (&[u8], &[u8]),
    second: Option<(&[u8], &[u8])>,
) -> ServiceResult<Option<SealedPair>> {
    let a = rewrapped(keys, tenant, first.0, first.1)?;
    let b = match second {
        Some((aad, bytes)) => Some((rewrapped(keys, tenant, aad, bytes)?, bytes)),
        None => None,
    };
    if a.is_none() && !matches!(b, Some((Some(_), _))) {
        return Ok(None);
    }
    let first = a.unwrap_or_else(|| first.1.to_vec());
    let second = b.map(|(new, old)| new.unwrap_or_else(|| old.to_vec()));
    Ok(Some((first, second)))
}

/// The inbox and outbox messages still waiting.
async fn rekey_waiting(store: &adal_store::Store, keys: &ReportingKeys) -> ServiceResult<u64> {
    const PAGE: u64 = 500;
    let mut done = 0;
    let mut after = None;
    loop {
        let page = store::waiting_inbound_after(store, after, PAGE).await?;
        for m in &page {
            let tenant = TenantId::from_uuid(m.tenant_id);
            let body_aad = aad(tenant, "inbox-body", m.id);
            if let Some((sender, body)) = rewrapped_pair(
                keys,
                tenant,
                (&aad(tenant, "inbox-sender", m.id), &m.sender),
                m.body.as_deref().map(|b| (body_aad.as_slice(), b)),
            )? && store::replace_inbound_sealed(store, m, sender, body).await?
            {
                done += 1;
            }
        }
        match page.last() {
            Some(m) if page.len() as u64 == PAGE => after = Some(m.id),
            _ => break,
        }
    }
    let mut after = None;
    loop {
        let page = store::waiting_outgoing_after(store, after, PAGE).await?;
        for m in &page {
            let tenant = TenantId::from_uuid(m.tenant_id);
            let body_aad = aad(tenant, "outbox-body", m.id);
            if let Some((recipient, body)) = rewrapped_pair(
                keys,
                tenant,
                (&aad(tenant, "outbox-recipient", m.id), &m.recipient),
                m.body.as_deref().map(|b| (body_aad.as_slice(), b)),
            )? && store::replace_outgoing_sealed(store, m, recipient, body).await?
            {
                done += 1;
            }
        }
        match page.last() {
            Some(m) if page.len() as u64 == PAGE => after = Some(m.id),
            _ => break,
        }
    }
    Ok(done)
}

/// The report links and conversations.
async fn rekey_lasting(store: &adal_store::Store, keys: &ReportingKeys) -> ServiceResult<u64> {
    const PAGE: u64 = 500;
    let mut done = 0;
    let mut after = None;
    loop {
        let links = store::links_after(store, after, PAGE).await?;
        for l in &links {
            let tenant = TenantId::from_uuid(l.tenant_id);
            if let Some(new) = rewrapped(
                keys,
                tenant,
                &aad(tenant, "link", l.report_id),
                &l.recipient,
            )? && store::replace_link_recipient(store, l, new).await?
            {
                done += 1;
            }
        }
        match links.last() {
            Some(l) if links.len() as u64 == PAGE => after = Some(l.report_id),
            _ => break,
        }
    }
    let mut after = None;
    loop {
        let conversations = store::conversations_after(store, after, PAGE).await?;
        for c in &conversations {
            let tenant = TenantId::from_uuid(c.tenant_id);
            // A conversation a worker changed meanwhile is sealed under the
            // new key already.
            if let Some(new) =
                rewrapped(keys, tenant, &aad(tenant, "conversation", c.id), &c.state)?
                && store::replace_conversation_state(store, c, new).await?
            {
                done += 1;
            }
        }
        match conversations.last() {
            Some(c) if conversations.len() as u64 == PAGE => after = Some(c.id),
            _ => break,
        }
    }
    Ok(done)
}

/// How long a worker holds an inbox message it processes.
const INBOX_LEASE_SECS: i64 = 60;
/// Attempts before a message that keeps failing is set aside, so that the
/// sender's later messages are not held up behind it for ever.
const INBOX_MAX_ATTEMPTS: i32 = 5;

/// Processes the next inbox message, if any; `false` when there was none.
pub async fn process_next(state: &AppState, keys: &ReportingKeys) -> ServiceResult<bool> {
    let Some(m) =
        store::claim_inbound(&state.store, chrono::Duration::seconds(INBOX_LEASE_SECS)).await?
    else {
        return Ok(false);
    };
    let tenant = TenantId::from_uuid(m.tenant_id);
    match process(state, keys, tenant, &m).await {
        Ok(()) => store::processed(&state.store, tenant, m.id, None).await?,
        Err(e) if m.attempts >= INBOX_MAX_ATTEMPTS => {
            tracing::warn!(inbox_id = %m.id, error = %e, "a bot message failed too often; set aside");
            store::processed(&state.store, tenant, m.id, Some("failed too often")).await?;
        }
        Err(e) => {
            // Left claimed: processed again once its lease runs out.
            tracing::warn!(inbox_id = %m.id, attempts = m.attempts, error = %e, "a bot message could not be processed; will retry");
        }
    }
    Ok(true)
}

fn channel_of(s: &str) -> ServiceResult<Channel> {
    match s {
        "whatsapp" => Ok(Channel::WhatsApp),
        "telegram" => Ok(Channel::Telegram),
        other => Err(internal("a bot row's channel", other)),
    }
}

async fn process(
    state: &AppState,
    keys: &ReportingKeys,
    tenant: TenantId,
    m: &store::Inbound,
) -> ServiceResult<()> {
    let channel = channel_of(&m.channel)?;
    let recipient = open(keys, tenant, &aad(tenant, "inbox-sender", m.id), &m.sender)?;
    let text = match &m.body {
        Some(b) => Some(open_text(
            keys,
            tenant,
            &aad(tenant, "inbox-body", m.id),
            b,
        )?),
        None => None,
    };
    let stored = store::conversation(&state.store, tenant, channel.as_str(), &m.sender_key).await?;
    let idle = chrono::Duration::from_std(keys.bots.idle).unwrap_or(chrono::Duration::days(1));
    let conversation_id = stored.as_ref().map_or_else(Uuid::new_v4, |c| c.id);
    let state_aad = aad(tenant, "conversation", conversation_id);
    let current = match &stored {
        Some(c) if c.updated_at > Utc::now() - idle => {
            serde_json::from_slice(&open(keys, tenant, &state_aad, &c.state)?)
                .map_err(|e| internal("a bot conversation", e))?
        }
        // Expired (the sweep has not removed it yet) or new.
        _ => Conversation::default(),
    };
    // Sealed and stored under the conversation's row.
    let save = |conversation: Conversation| async move {
        let plain =
            serde_json::to_vec(&conversation).map_err(|e| internal("a bot conversation", e))?;
        store::save_conversation(
            &state.store,
            tenant,
            conversation_id,
            channel.as_str(),
            &m.sender_key,
            seal(
                keys,
                tenant,
                &aad(tenant, "conversation", conversation_id),
                &plain,
            )?,
        )
        .await?;
        ServiceResult::Ok(())
    };
    let (next, replies) = match current.filing.clone() {
        // An earlier attempt at this message recorded a filing and did not
        // finish (a crash, a lease run out): finish that filing; the
        // message itself was its confirmation.
        Some(filing) => {
            finish_filing(state, keys, tenant, channel, &recipient, current, filing).await?
        }
        None => {
            let web = keys.bots.web_channel(tenant);
            let input = match &text {
                Some(t) => Incoming::Text(t),
                None => Incoming::Media,
            };
            let turn = current.step(input, &web);
            let lang = turn.next.lang.unwrap_or_default();
            match turn.action {
                None => (turn.next, turn.replies),
                Some(Action::File) => {
                    super::validate_report(&turn.next.report_input())?;
                    let receipt = adal_reporting::receipt::Receipt::generate()
                        .map_err(|e| internal("no randomness for a receipt", e))?;
                    let filing = Filing {
                        report: Uuid::new_v4(),
                        receipt: receipt.to_string(),
                    };
                    let intent = Conversation {
                        filing: Some(filing.clone()),
                        ..turn.next
                    };
                    save(intent.clone()).await?;
                    finish_filing(state, keys, tenant, channel, &recipient, intent, filing).await?
                }
                Some(Action::Forward { report, text }) => {
                    let taken = forward(state, keys, tenant, report, &text).await?;
                    if taken {
                        (turn.next, turn.replies)
                    } else {
                        (turn.next, vec![texts::closed(lang)])
                    }
                }
            }
        }
    };
    for reply in replies {
        queue(state, keys, tenant, channel, &recipient, &reply).await?;
    }
    save(next).await
}

/// Files the conversation's draft under `filing` (unless a previous attempt
/// did), links the report to whom to answer, and answers the receipt.
async fn finish_filing(
    state: &AppState,
    keys: &ReportingKeys,
    tenant: TenantId,
    channel: Channel,
    recipient: &[u8],
    conversation: Conversation,
    filing: Filing,
) -> ServiceResult<(Conversation, Vec<String>)> {
    let receipt = adal_reporting::receipt::Receipt::parse(&filing.receipt)
        .map_err(|e| internal("a recorded receipt", e))?;
    let filed_before = match reports::get(&state.store, tenant, filing.report).await {
        Ok(_) => true,
        Err(StoreError::NotFound) => false,
        Err(e) => return Err(e.into()),
    };
    if !filed_before {
        let report = super::validate_report(&conversation.report_input())?;
        super::file_sealed_as(
            state,
            keys,
            tenant,
            ReportChannel::Tenant,
            BotSettings::source(channel),
            &report,
            filing.report,
            &receipt,
        )
        .await?;
    }
    store::link_report(
        &state.store,
        tenant,
        filing.report,
        channel.as_str(),
        seal(keys, tenant, &aad(tenant, "link", filing.report), recipient)?,
    )
    .await?;
    let lang = conversation.lang.unwrap_or_default();
    Ok((
        conversation.filed(filing.report),
        vec![texts::filed(lang, &receipt.to_string())],
    ))
}

/// Adds the reporter's `text` to the case of `report`; `false` when the
/// case is closed (or gone).
async fn forward(
    state: &AppState,
    keys: &ReportingKeys,
    tenant: TenantId,
    report: Uuid,
    text: &str,
) -> ServiceResult<bool> {
    let r = match reports::get(&state.store, tenant, report).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    match super::add_reporter_message(state, keys, &r, text).await {
        Ok(_) => Ok(true),
        Err(ServiceError::Conflict(d)) if d.code == "case.closed" => Ok(false),
        Err(e) => Err(e),
    }
}

/// Queues `text` to the (sealed, as JSON) `recipient`.
async fn queue(
    state: &AppState,
    keys: &ReportingKeys,
    tenant: TenantId,
    channel: Channel,
    recipient: &[u8],
    text: &str,
) -> ServiceResult<()> {
    let out = outgoing(keys, tenant, channel, recipient, text)?;
    store::enqueue(
        &state.store,
        tenant,
        out.id,
        &out.channel,
        out.recipient,
        out.body,
    )
    .await?;
    Ok(())
}

/// `text` to `recipient` through `channel`, sealed for the outbox.
fn outgoing(
    keys: &ReportingKeys,
    tenant: TenantId,
    channel: Channel,
    recipient: &[u8],
    text: &str,
) -> ServiceResult<store::NewOutgoing> {
    let id = Uuid::now_v7();
    Ok(store::NewOutgoing {
        id,
        channel: channel.as_str().to_owned(),
        recipient: seal(
            keys,
            tenant,
            &aad(tenant, "outbox-recipient", id),
            recipient,
        )?,
        body: seal(
            keys,
            tenant,
            &aad(tenant, "outbox-body", id),
            text.as_bytes(),
        )?,
    })
}

/// The way a handler's message reaches a reporter who wrote through a
/// bot: the outbox row to store with the message (`None` for reports from
/// elsewhere). Built before anything is stored, so a failure here stores
/// nothing and the handler may simply try again.
pub(crate) async fn handler_relay(
    state: &AppState,
    keys: &ReportingKeys,
    r: &reports::Report,
    body: &str,
) -> ServiceResult<Option<store::NewOutgoing>> {
    let channel = match r.source {
        ReportSource::WhatsApp => Channel::WhatsApp,
        ReportSource::Telegram => Channel::Telegram,
        ReportSource::Web | ReportSource::Api | ReportSource::Finding => return Ok(None),
    };
    let tenant = TenantId::from_uuid(r.tenant_id);
    let Some(link) = store::report_link(&state.store, tenant, r.id).await? else {
        return Ok(None);
    };
    let recipient = open(keys, tenant, &aad(tenant, "link", r.id), &link.recipient)?;
    let key = super::report_key(keys, r)?;
    let lang = Lang::from_code(super::open_content(&key, r)?.language.as_deref());
    outgoing(
        keys,
        tenant,
        channel,
        &recipient,
        &texts::from_handler(lang, body),
    )
    .map(Some)
}

/// What one delivery pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
    pub dead: usize,
}

/// How long processed messages (ids only, for deduplication) and sent
/// answers (no content) are kept: far longer than the platforms retry.
const KEEP_DONE: chrono::Duration = chrono::Duration::days(30);

/// Messages sent per claim.
const DELIVERY_BATCH: u64 = 20;

/// Sends due outbox messages through the platforms' APIs; failures are
/// retried under `policy` and end `dead` with the reason on the row.
pub async fn deliver_due(
    state: &AppState,
    keys: &ReportingKeys,
    client: &reqwest::Client,
    policy: adal_store::outbox::RetryPolicy,
) -> ServiceResult<Delivered> {
    let (claim, rows) =
        store::claim_outgoing(&state.store, DELIVERY_BATCH, chrono::Duration::seconds(120)).await?;
    let mut done = Delivered::default();
    for m in rows {
        let tenant = TenantId::from_uuid(m.tenant_id);
        match send(keys, client, tenant, &m).await {
            Ok(()) => {
                store::mark_sent(&state.store, claim, m.id).await?;
                done.sent += 1;
            }
            Err(reason) => {
                tracing::warn!(outbox_id = %m.id, channel = %m.channel, attempt = m.attempts, reason = %reason, "a bot message was not delivered");
                match store::mark_failed(&state.store, claim, &m, &reason, policy).await? {
                    adal_store::outbox::Failed::Dead => {
                        tracing::error!(outbox_id = %m.id, reason = %reason, "a bot message is given up after its last attempt");
                        done.dead += 1;
                    }
                    _ => done.failed += 1,
                }
            }
        }
    }
    Ok(done)
}

/// One message to its platform. The error is the reason to record: never
/// the text, the recipient or a URL (Telegram's holds the bot token).
async fn send(
    keys: &ReportingKeys,
    client: &reqwest::Client,
    tenant: TenantId,
    m: &store::Outgoing,
) -> Result<(), String> {
    let recipient: Recipient = open(
        keys,
        tenant,
        &aad(tenant, "outbox-recipient", m.id),
        &m.recipient,
    )
    .ok()
    .and_then(|r| serde_json::from_slice(&r).ok())
    .ok_or("the recipient does not open")?;
    let body = m
        .body
        .as_ref()
        .and_then(|b| open_text(keys, tenant, &aad(tenant, "outbox-body", m.id), b).ok())
        .ok_or("the text does not open")?;
    let request = match m.channel.as_str() {
        "whatsapp" => {
            let wa = keys
                .bots
                .whatsapp
                .as_ref()
                .ok_or("no WhatsApp bot is configured")?;
            let via = recipient
                .via
                .as_deref()
                .ok_or("no WhatsApp number to send from")?;
            client
                .post(format!(
                    "{}/{via}/messages",
                    wa.api_base.trim_end_matches('/')
                ))
                .bearer_auth(&wa.access_token)
                .json(&serde_json::json!({
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "to": recipient.to,
                    "type": "text",
                    "text": {"preview_url": false, "body": body},
                }))
        }
        "telegram" => {
            let bot = keys
                .bots
                .telegram
                .get(&tenant)
                .ok_or("this organisation has no Telegram bot configured")?;
            // The chat id is a number in Telegram's API.
            let chat: serde_json::Value = recipient
                .to
                .parse::<i64>()
                .map_or_else(|_| recipient.to.clone().into(), Into::into);
            client
                .post(format!(
                    "{}/bot{}/sendMessage",
                    bot.api_base.trim_end_matches('/'),
                    bot.bot_token
                ))
                .json(&serde_json::json!({"chat_id": chat, "text": body}))
        }
        _ => return Err("unknown channel".into()),
    };
    let response = request
        .send()
        .await
        .map_err(|e| format!("transport: {}", e.without_url()))?;
    let status = response.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the platform answered HTTP {}", status.as_u16()))
    }
}

/// The bots' worker until `shutdown` flips: processes the inbox, sends the
/// outbox, and now and then forgets idle conversations. A pass that found
/// work is followed by the next at once; otherwise it sleeps `interval`.
pub async fn run(
    state: AppState,
    interval: Duration,
    policy: adal_store::outbox::RetryPolicy,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut shutdown = shutdown;
    let keys = state.reporting.clone();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client for the bots; they will not answer");
            return;
        }
    };
    let mut last_expiry = std::time::Instant::now();
    loop {
        let mut busy = false;
        for _ in 0..50 {
            match process_next(&state, &keys).await {
                Ok(true) => busy = true,
                Ok(false) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "the bots' inbox could not be read; will retry");
                    break;
                }
            }
        }
        match deliver_due(&state, &keys, &client, policy).await {
            Ok(d) => busy |= d.sent + d.failed + d.dead > 0,
            Err(e) => tracing::warn!(error = %e, "the bots' outbox could not be read; will retry"),
        }
        if last_expiry.elapsed() > Duration::from_secs(60) {
            last_expiry = std::time::Instant::now();
            let idle =
                chrono::Duration::from_std(keys.bots.idle).unwrap_or(chrono::Duration::days(1));
            match store::expire_conversations(&state.store, Utc::now() - idle).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(expired = n, "idle bot conversations forgotten"),
                Err(e) => tracing::warn!(error = %e, "idle bot conversations could not be expired"),
            }
            match store::forget_done(&state.store, Utc::now() - KEEP_DONE).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "old bot inbox and outbox rows deleted"),
                Err(e) => tracing::warn!(error = %e, "old bot rows could not be deleted"),
            }
        }
        if busy && !*shutdown.borrow() {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}
