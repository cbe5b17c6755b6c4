//! The feedback channel (issue 14, docs/reporting.md): anyone files a
//! report to an organisation without an account, gets a receipt once, and
//! follows the case with it; the organisation's compliance unit handles
//! the case (status, assignment, messages to the reporter, internal notes,
//! outcome).
//!
//! Content is sealed here, under a key per report that is stored only
//! wrapped under the tenant's key (derived from the configured
//! key-encryption key): the store and its backups hold ciphertext. Nothing
//! about the reporter's connection reaches this module: the front doors
//! pass no address, and the reporter's own actions are stored with the
//! day only.

use crate::{AppState, ServiceError, ServiceResult, TenantCtx};
use adal_authz::{act, obj};
use adal_domain::{CaseOutcome, CaseStatus, MessageAuthor, ReportChannel, ReportSource, TenantId};
pub use adal_reporting::envelope::Kek;
use adal_reporting::envelope::{ReportKey, Sealed, WrappedKey};
use adal_reporting::pow::{Challenge, ChallengeIssuer, PowError};
use adal_reporting::receipt::{Receipt, ReceiptHash, ReceiptHashParams, ReceiptHasher};
use adal_store::StoreError;
use adal_store::reports::{self, CaseChange, CaseFilter, Writer};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Days, NaiveDate, Utc};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::time::Duration;
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// How long a reporter's token (from their receipt) is good for.
pub const REPORTER_TOKEN_MINUTES: i64 = 30;
/// Longest report text, in characters.
pub const MAX_TEXT: usize = 20_000;
/// Longest short field (when, where, a name, a position, a contact).
pub const MAX_SHORT: usize = 200;
/// Most people a report names.
pub const MAX_INVOLVED: usize = 20;
/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 10_000;

/// Why the channel's keys could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum KeysError {
    #[error("reporting.secret must be at least 32 characters (it is {0})")]
    ShortSecret(usize),
    #[error("reporting: {0}")]
    Setup(String),
}

/// The channel's keys and settings, built once at start.
pub struct ReportingKeys {
    kek: Kek,
    /// The key before a rotation, until `adal reporting-rekey` has moved
    /// every report key from it (docs/reporting.md).
    previous: Option<Kek>,
    hasher: ReceiptHasher,
    pow: ChallengeIssuer,
    token_key: [u8; 32],
    /// Keys the messaging bots' sender HMACs (docs/reporting.md,
    /// "Messaging bots").
    sender_key: [u8; 32],
    /// The messaging bots, where configured.
    bots: bots::BotSettings,
    /// Default days to acknowledge a report.
    pub acknowledge_days: u32,
    /// Default days to give the reporter feedback.
    pub feedback_days: u32,
}

/// The channel's settings (from `reporting.*`).
#[derive(Debug, Clone)]
pub struct ReportingSettings {
    pub pow_bits: u8,
    pub challenge_ttl: Duration,
    pub acknowledge_days: u32,
    pub feedback_days: u32,
    /// Argon2 parameters of receipt hashes (tests use cheap ones).
    pub receipt_hash: ReceiptHashParams,
}

impl Default for ReportingSettings {
    fn default() -> Self {
        Self {
            pow_bits: 18,
            challenge_ttl: Duration::from_secs(600),
            acknowledge_days: 7,
            feedback_days: 90,
            receipt_hash: ReceiptHashParams::default(),
        }
    }
}

/// HMAC-SHA256 of `label` under `secret`: one subkey per purpose, so a
/// token key cannot be used as a pepper.
fn subkey(secret: &[u8], label: &str) -> Result<[u8; 32], KeysError> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .map_err(|e| KeysError::Setup(e.to_string()))?;
    mac.update(label.as_bytes());
    Ok(mac.finalize().into_bytes().into())
}

impl ReportingKeys {
    /// `secret` signs challenges and tokens and peppers receipts.
    pub fn new(kek: Kek, secret: &[u8], s: &ReportingSettings) -> Result<Self, KeysError> {
        if secret.len() < 32 {
            return Err(KeysError::ShortSecret(secret.len()));
        }
        let pepper = subkey(secret, "adal/reporting/receipt-pepper")?;
        let hasher = ReceiptHasher::with_params(&pepper, s.receipt_hash)
            .map_err(|e| KeysError::Setup(e.to_string()))?;
        let pow = ChallengeIssuer::new(
            &subkey(secret, "adal/reporting/challenge")?,
            s.pow_bits,
            s.challenge_ttl,
        )
        .map_err(|e| KeysError::Setup(e.to_string()))?;
        Ok(Self {
            kek,
            previous: None,
            hasher,
            pow,
            token_key: subkey(secret, "adal/reporting/reporter-token")?,
            sender_key: subkey(secret, "adal/reporting/bot-sender")?,
            bots: bots::BotSettings::default(),
            acknowledge_days: s.acknowledge_days,
            feedback_days: s.feedback_days,
        })
    }

    /// Keys made up for this process alone (tests, and front doors built
    /// without a channel): nothing sealed under them outlives it.
    pub fn ephemeral(s: &ReportingSettings) -> Result<Self, KeysError> {
        let mut k = [0u8; 32];
        let mut secret = [0u8; 48];
        rand::fill(&mut k[..]);
        rand::fill(&mut secret[..]);
        let kek = Kek::from_bytes(k).map_err(|e| KeysError::Setup(e.to_string()))?;
        Self::new(kek, &secret, s)
    }

    /// Also reads report keys wrapped under `previous` (during a
    /// rotation).
    #[must_use]
    pub fn with_previous(mut self, previous: Kek) -> Self {
        self.previous = Some(previous);
        self
    }

    /// The keys personal data is sealed under: the same installation key
    /// (docs/privacy.md), rotated with it by `adal reporting-rekey`.
    pub fn data_keys(&self) -> adal_store::sealing::DataKeys {
        adal_store::sealing::DataKeys::new(self.kek.clone(), self.previous.clone())
    }

    /// The keys the audit logs' checkpoints are signed with: derived from
    /// the same installation key (docs/audit.md), plus the Agency's own.
    pub fn log_keys(
        &self,
        public_url: &str,
        agency_seed: Option<&[u8; 32]>,
    ) -> Result<adal_store::audit::LogKeys, adal_store::StoreError> {
        adal_store::audit::LogKeys::new(self.kek.clone(), public_url, agency_seed)
    }

    /// These keys with the messaging bots `bots`.
    #[must_use]
    /// The service's public address (configuration `public_url`), for
    /// links in notices; empty in tests that configure none.
    pub fn public_url(&self) -> &str {
        self.bots.public_url.trim_end_matches('/')
    }

    pub fn with_bots(mut self, bots: bots::BotSettings) -> Self {
        self.bots = bots;
        self
    }

    pub fn pow_bits(&self) -> u8 {
        self.pow.bits()
    }
}

/// A new challenge for the proof of work.
pub fn challenge(keys: &ReportingKeys) -> ServiceResult<Challenge> {
    keys.pow.issue(Utc::now().timestamp()).map_err(|e| {
        tracing::error!(error = %e, "no randomness for a challenge");
        ServiceError::Internal
    })
}

/// Checks the `Proof-Of-Work` header and spends its challenge.
async fn spend_work(
    state: &AppState,
    keys: &ReportingKeys,
    proof: Option<&str>,
) -> ServiceResult<()> {
    let now = Utc::now().timestamp();
    let id = match proof.map(|p| keys.pow.verify(p, now)) {
        None => Err(PowError::Missing),
        Some(r) => r,
    }
    .map_err(work_error)?;
    let expires =
        chrono::DateTime::from_timestamp(id.expires_at_unix(), 0).unwrap_or_else(Utc::now);
    if reports::spend_challenge(&state.store, &id.to_hex(), expires).await? {
        Ok(())
    } else {
        Err(work_error(PowError::Reused))
    }
}

fn work_error(e: PowError) -> ServiceError {
    match e {
        PowError::Missing => ServiceError::WorkRequired(
            "this endpoint needs a proof of work: GET /api/v1/public/challenge, find a nonce, \
             and send the header Proof-Of-Work: <challenge>:<nonce> (docs/reporting.md)"
                .into(),
        ),
        other => ServiceError::BadRequest(format!("Proof-Of-Work: {other}")),
    }
}

fn content_aad(tenant: Uuid, report: Uuid) -> Vec<u8> {
    format!("adal/report/{tenant}/{report}/content").into_bytes()
}
fn key_aad(tenant: Uuid, report: Uuid) -> Vec<u8> {
    format!("adal/report/{tenant}/{report}/key").into_bytes()
}
fn message_aad(tenant: Uuid, report: Uuid, message: Uuid) -> Vec<u8> {
    format!("adal/report/{tenant}/{report}/message/{message}").into_bytes()
}

fn internal(what: &str, e: impl std::fmt::Display) -> ServiceError {
    tracing::error!(error = %e, "{what}");
    ServiceError::Internal
}

fn tenant_kek(keys: &ReportingKeys, tenant: Uuid) -> Kek {
    keys.kek.for_tenant(tenant.as_bytes())
}

/// The configured key (current or previous) a report key was wrapped
/// under, by the id stored beside it.
fn kek_for<'a>(keys: &'a ReportingKeys, kek_id: &str) -> ServiceResult<&'a Kek> {
    [Some(&keys.kek), keys.previous.as_ref()]
        .into_iter()
        .flatten()
        .find(|k| k.id().to_string() == kek_id)
        .ok_or_else(|| {
            internal(
                "a report key",
                format!(
                    "wrapped under key {kek_id}, which is neither reporting.key nor \
                     reporting.previous_key (docs/reporting.md, rotation)"
                ),
            )
        })
}

fn report_key(keys: &ReportingKeys, r: &reports::Report) -> ServiceResult<ReportKey> {
    let wrapped =
        WrappedKey::from_bytes(&r.wrapped_key).map_err(|e| internal("a stored report key", e))?;
    kek_for(keys, &r.kek_id)?
        .for_tenant(r.tenant_id.as_bytes())
        .unwrap(&wrapped, &key_aad(r.tenant_id, r.id))
        .map_err(|e| internal("unwrapping a report key", e))
}

/// What a rotation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Rekeyed {
    /// Report keys now wrapped under `reporting.key`.
    pub rewrapped: u64,
}

/// Rewraps every report key not under `reporting.key` (wrapped under
/// `reporting.previous_key`) under it, in batches; safe to run again, and
/// while the service runs with both keys configured. A key under neither
/// stops it with an error naming the key id.
pub async fn rekey(store: &adal_store::Store, keys: &ReportingKeys) -> ServiceResult<Rekeyed> {
    let current = keys.kek.id().to_string();
    let mut done = Rekeyed::default();
    loop {
        let batch = reports::keys_not_under_across_tenants(store, &current, 500).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        for k in batch {
            let old = kek_for(keys, &k.kek_id)?;
            let wrapped = WrappedKey::from_bytes(&k.wrapped_key)
                .map_err(|e| internal("a stored report key", e))?;
            let aad = key_aad(k.tenant_id, k.id);
            let tenant = k.tenant_id.as_bytes();
            let new = adal_reporting::envelope::rewrap(
                &old.for_tenant(tenant),
                &keys.kek.for_tenant(tenant),
                &wrapped,
                &aad,
            )
            .map_err(|e| internal("rewrapping a report key", e))?;
            if reports::replace_wrapped_key(store, &k, &current, new.to_bytes().to_vec()).await? {
                done.rewrapped += 1;
            }
        }
    }
}

fn open_content(key: &ReportKey, r: &reports::Report) -> ServiceResult<ReportInput> {
    let sealed =
        Sealed::from_bytes(&r.content).map_err(|e| internal("stored report content", e))?;
    let plain = key
        .open(&sealed, &content_aad(r.tenant_id, r.id))
        .map_err(|e| internal("opening report content", e))?;
    serde_json::from_slice(&plain).map_err(|e| internal("report content", e))
}

/// What the reporter gets back, once.
#[derive(Debug)]
pub struct Filed {
    pub receipt: Receipt,
    /// The report's id (for the messaging bots, which answer on it).
    pub id: Uuid,
}

/// Files a report about `tenant` to its own channel or, with
/// `ReportChannel::Agency`, to the Agency's (which the organisation never
/// sees). The tenant must exist (a `NotFound` otherwise, as for any id);
/// the proof of work is spent.
pub async fn file_report(
    state: &AppState,
    keys: &ReportingKeys,
    tenant: Uuid,
    channel: ReportChannel,
    source: ReportSource,
    proof: Option<&str>,
    input: &ReportInput,
) -> ServiceResult<Filed> {
    let report = validate_report(input)?;
    let tenant_id = TenantId::from_uuid(tenant);
    adal_store::tenants::get(&state.store, tenant_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ServiceError::not_found("organisation"),
            other => other.into(),
        })?;
    spend_work(state, keys, proof).await?;
    file_sealed(state, keys, tenant_id, channel, source, &report).await
}

/// Seals and stores a checked report (the messaging bots come here after
/// their own checks).
pub async fn file_sealed(
    state: &AppState,
    keys: &ReportingKeys,
    tenant: TenantId,
    channel: ReportChannel,
    source: ReportSource,
    report: &ReportInput,
) -> ServiceResult<Filed> {
    let receipt = Receipt::generate().map_err(|e| internal("no randomness for a receipt", e))?;
    let id = Uuid::new_v4();
    file_sealed_as(state, keys, tenant, channel, source, report, id, &receipt).await?;
    Ok(Filed { receipt, id })
}

/// [`file_sealed`] under an id and receipt chosen before (the bots record
/// them first, so that filing again after a crash files nothing twice).
#[allow(clippy::too_many_arguments)]
async fn file_sealed_as(
    state: &AppState,
    keys: &ReportingKeys,
    tenant: TenantId,
    channel: ReportChannel,
    source: ReportSource,
    report: &ReportInput,
    id: Uuid,
    receipt: &Receipt,
) -> ServiceResult<()> {
    let hash = keys
        .hasher
        .hash(receipt)
        .map_err(|e| internal("hashing a receipt", e))?;
    let new = new_report(
        state,
        keys,
        tenant,
        channel,
        source,
        report,
        id,
        hash.to_hex(),
    )
    .await?;
    reports::insert(&state.store, tenant, new).await?;
    Ok(())
}

/// `report` sealed under a new report key, as stored: `receipt_hash` is
/// what opens it to a reporter.
#[allow(clippy::too_many_arguments)]
async fn new_report(
    state: &AppState,
    keys: &ReportingKeys,
    tenant: TenantId,
    channel: ReportChannel,
    source: ReportSource,
    report: &ReportInput,
    id: Uuid,
    receipt_hash: String,
) -> ServiceResult<reports::NewReport> {
    let key = ReportKey::generate().map_err(|e| internal("no randomness for a report key", e))?;
    let plain = serde_json::to_vec(report).map_err(|e| internal("report content", e))?;
    let content = key
        .seal(&plain, &content_aad(tenant.uuid(), id))
        .map_err(|e| internal("sealing a report", e))?;
    let kek = tenant_kek(keys, tenant.uuid());
    let wrapped = kek
        .wrap(&key, &key_aad(tenant.uuid(), id))
        .map_err(|e| internal("wrapping a report key", e))?;
    let today = Utc::now().date_naive();
    // The organisation's handlers never see a report made to the Agency.
    let named = match channel {
        ReportChannel::Tenant => named_handlers(state, tenant, report).await?,
        ReportChannel::Agency => Vec::new(),
    };
    Ok(reports::NewReport {
        id,
        channel,
        source,
        receipt_hash,
        kek_id: kek.id().to_string(),
        wrapped_key: wrapped.to_bytes().to_vec(),
        content: content.to_bytes(),
        has_contact: report.contact.is_some(),
        received_on: today,
        ack_due: add_days(today, keys.acknowledge_days),
        feedback_due: add_days(today, keys.feedback_days),
        named,
    })
}

/// The tenant's compliance officers the report names (by their account's
/// name or, when the account is linked to a person record, that record's
/// name; names compared as `adal_names` does, across scripts and
/// spellings): they are recused from the case before anyone opens it.
/// Deliberately generous: a namesake recused is a small cost, a named
/// officer reading the report about them is not.
async fn named_handlers(
    state: &AppState,
    tenant: TenantId,
    report: &ReportInput,
) -> ServiceResult<Vec<Uuid>> {
    if report.involved.is_empty() {
        return Ok(Vec::new());
    }
    let mut named = Vec::new();
    for u in adal_store::users::list(&state.store, tenant).await? {
        if u.role != adal_domain::Role::ComplianceOfficer.as_str() {
            continue;
        }
        let mut names = vec![u.display_name.clone()];
        if let Some(iin) = &u.person_iin
            && let Some(p) = adal_store::people::get_by_iin(&state.store, tenant, iin).await?
        {
            names.push(p.person.full_name.clone());
        }
        if report
            .involved
            .iter()
            .any(|i| names.iter().any(|n| adal_names::names_match(&i.name, n)))
        {
            named.push(u.id);
        }
    }
    Ok(named)
}

fn add_days(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_days(Days::new(u64::from(n))).unwrap_or(d)
}

/// A reporter's short-lived token, from their receipt.
#[derive(Debug)]
pub struct ReporterToken {
    pub token: String,
    pub expires_at: chrono::DateTime<Utc>,
}

/// Opens a report by its receipt: a token for the reporter's follow-up.
/// A receipt that opens nothing is `NotFound`, the same as one that is
/// malformed in a way a typo would not explain. Guesses are slowed by the
/// proof of work and the hash itself; a receipt has about 133 bits.
pub async fn access(
    state: &AppState,
    keys: &ReportingKeys,
    proof: Option<&str>,
    receipt: &str,
) -> ServiceResult<ReporterToken> {
    let receipt = Receipt::parse(receipt)
        .map_err(|e| ServiceError::malformed("/receipt", "receipt.format", e.to_string()))?;
    spend_work(state, keys, proof).await?;
    let hash = keys
        .hasher
        .hash(&receipt)
        .map_err(|e| internal("hashing a receipt", e))?;
    let found = reports::by_receipt_across_tenants(&state.store, &hash.to_hex()).await?;
    let Some(r) = found else {
        return Err(ServiceError::not_found("report"));
    };
    // The index found the row by equality; compare again in constant
    // time, so the answer's timing says nothing about near misses.
    let stored = ReceiptHash::from_hex(&r.receipt_hash).map_err(|e| internal("receipt hash", e))?;
    if stored != hash {
        return Err(ServiceError::not_found("report"));
    }
    reporter_token(keys, r.tenant_id, r.id)
}

/// A reporter's token for the report `report` of `tenant`: what
/// [`access`] answers for a receipt, and what filing answers with the
/// receipt, so the reporter can attach files at once.
pub fn reporter_token(
    keys: &ReportingKeys,
    tenant: Uuid,
    report: Uuid,
) -> ServiceResult<ReporterToken> {
    let expires_at = Utc::now() + chrono::Duration::minutes(REPORTER_TOKEN_MINUTES);
    let mut body = Vec::with_capacity(40);
    body.extend_from_slice(report.as_bytes());
    body.extend_from_slice(&tenant.as_bytes()[..]);
    body.extend_from_slice(&expires_at.timestamp().to_be_bytes());
    let tag = token_tag(keys, &body)?;
    Ok(ReporterToken {
        token: format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&body),
            URL_SAFE_NO_PAD.encode(tag)
        ),
        expires_at,
    })
}

fn token_tag(keys: &ReportingKeys, body: &[u8]) -> ServiceResult<[u8; 32]> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&keys.token_key)
        .map_err(|e| internal("token key", e))?;
    mac.update(b"adal/reporter-token/v1");
    mac.update(body);
    Ok(mac.finalize().into_bytes().into())
}

/// The report a reporter's token opens; `Unauthorized` for a token that
/// is forged, malformed or expired.
async fn reporter_report(
    state: &AppState,
    keys: &ReportingKeys,
    token: &str,
) -> ServiceResult<reports::Report> {
    let (body, tag) = token.split_once('.').ok_or(ServiceError::Unauthorized)?;
    let body = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| ServiceError::Unauthorized)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| ServiceError::Unauthorized)?;
    let want = token_tag(keys, &body)?;
    if body.len() != 40 || !bool::from(want.as_slice().ct_eq(&tag)) {
        return Err(ServiceError::Unauthorized);
    }
    let id = Uuid::from_slice(&body[..16]).map_err(|_| ServiceError::Unauthorized)?;
    let tenant = Uuid::from_slice(&body[16..32]).map_err(|_| ServiceError::Unauthorized)?;
    let mut exp = [0u8; 8];
    exp.copy_from_slice(&body[32..40]);
    if i64::from_be_bytes(exp) < Utc::now().timestamp() {
        return Err(ServiceError::Unauthorized);
    }
    reports::get(&state.store, TenantId::from_uuid(tenant), id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ServiceError::not_found("report"),
            other => other.into(),
        })
}

/// A message as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageView {
    pub id: Uuid,
    pub author: MessageAuthor,
    /// Set for handlers' messages and notes (the handler's user id).
    pub author_id: Option<Uuid>,
    pub body: String,
    pub at: chrono::DateTime<Utc>,
}

/// A case as its handler, or its reporter, sees it.
#[derive(Debug, Clone)]
pub struct CaseView {
    pub case: CaseSummary,
    /// Handlers who may not handle it, and why (`named`, `self`); empty
    /// in the reporter's view.
    pub recused: Vec<(Uuid, String)>,
    pub acknowledged_at: Option<chrono::DateTime<Utc>>,
    pub closed_at: Option<chrono::DateTime<Utc>>,
    pub report: ReportInput,
    pub messages: Vec<MessageView>,
    /// Files, the removed ones as tombstones; the handlers' internal
    /// files only in the handlers' view.
    pub attachments: Vec<AttachmentView>,
    /// Removals asked for and decided; empty in the reporter's view.
    pub approvals: Vec<ApprovalView>,
    /// The measures taken, given on closing (the reporter sees them: they
    /// are the feedback the channel owes).
    pub measures: Option<String>,
    /// The findings and people the case concerns; empty in the reporter's
    /// view.
    pub links: Vec<LinkView>,
}

async fn view(
    state: &AppState,
    keys: &ReportingKeys,
    r: reports::Report,
    with_notes: bool,
) -> ServiceResult<CaseView> {
    let key = report_key(keys, &r)?;
    let report = open_content(&key, &r)?;
    let stored = reports::messages(
        &state.store,
        TenantId::from_uuid(r.tenant_id),
        r.id,
        with_notes,
    )
    .await?;
    let mut messages = Vec::with_capacity(stored.len());
    for m in stored {
        let sealed = Sealed::from_bytes(&m.body).map_err(|e| internal("stored message", e))?;
        let plain = key
            .open(&sealed, &message_aad(r.tenant_id, r.id, m.id))
            .map_err(|e| internal("opening a message", e))?;
        messages.push(MessageView {
            id: m.id,
            author: m.author,
            author_id: m.author_id,
            body: String::from_utf8(plain).map_err(|e| internal("message text", e))?,
            at: m.created_at,
        });
    }
    let (recused, approvals, links) = if with_notes {
        (
            reports::recusals(&state.store, TenantId::from_uuid(r.tenant_id), r.id).await?,
            approval_views(state, &key, &r).await?,
            link_views(state, &r).await?,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let measures = open_measures(&key, &r)?;
    let attachments = attachment_views(state, &key, &r, with_notes).await?;
    Ok(CaseView {
        recused,
        case: CaseSummary::of(&r, Utc::now().date_naive()),
        acknowledged_at: r.acknowledged_at,
        closed_at: r.closed_at,
        report,
        messages,
        attachments,
        approvals,
        measures,
        links,
    })
}

/// The reporter's view of their case: status, deadlines and the
/// conversation (no internal notes, no assignee).
pub async fn reporter_case(
    state: &AppState,
    keys: &ReportingKeys,
    token: &str,
) -> ServiceResult<CaseView> {
    let r = reporter_report(state, keys, token).await?;
    let mut v = view(state, keys, r, false).await?;
    v.case.assignee_id = None;
    for m in &mut v.messages {
        m.author_id = None;
    }
    for a in &mut v.attachments {
        a.author_id = None;
    }
    Ok(v)
}

fn check_message(body: &str) -> ServiceResult<String> {
    let b = body.trim();
    if b.is_empty() {
        return Err(ServiceError::Invalid {
            message: "the message is empty".into(),
            details: vec![coded("/body", "text.empty", "write something")],
        });
    }
    if b.chars().count() > MAX_MESSAGE {
        return Err(ServiceError::Invalid {
            message: "the message is too long".into(),
            details: vec![coded(
                "/body",
                "text.too_long",
                format!("at most {MAX_MESSAGE} characters"),
            )],
        });
    }
    Ok(b.to_owned())
}

async fn add_message(
    state: &AppState,
    keys: &ReportingKeys,
    r: &reports::Report,
    author: MessageAuthor,
    writer: Writer<'_>,
    body: &str,
    relay: Option<adal_store::bots::NewOutgoing>,
) -> ServiceResult<Uuid> {
    let key = report_key(keys, r)?;
    let id = Uuid::new_v4();
    let sealed = key
        .seal(body.as_bytes(), &message_aad(r.tenant_id, r.id, id))
        .map_err(|e| internal("sealing a message", e))?;
    reports::add_message(
        &state.store,
        TenantId::from_uuid(r.tenant_id),
        r.id,
        reports::NewMessage {
            id,
            author,
            writer,
            body: sealed.to_bytes(),
            relay,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound => ServiceError::not_found("report"),
        other => other.into(),
    })?;
    Ok(id)
}

/// A handler's message to the reporter (`internal` false) or note on `r`,
/// by `user` (an organisation's officer or the Agency's auditor): checked,
/// sealed, and stored with its way to a reporter who wrote through a
/// messaging bot (built first, so a failure stores nothing).
pub(crate) async fn add_handler_message(
    state: &AppState,
    keys: &ReportingKeys,
    r: &reports::Report,
    user: Uuid,
    body: &str,
    internal: bool,
) -> ServiceResult<Uuid> {
    let body = check_message(body)?;
    let (author, relay) = if internal {
        (MessageAuthor::Note, None)
    } else {
        (
            MessageAuthor::Handler,
            bots::handler_relay(state, keys, r, &body).await?,
        )
    };
    let actor = user.to_string();
    add_message(
        state,
        keys,
        r,
        author,
        Writer::Handler {
            actor: &actor,
            user,
        },
        &body,
        relay,
    )
    .await
}

/// The reporter writes to the handlers. A closed case takes no more
/// messages (a new report can be filed).
pub async fn reporter_message(
    state: &AppState,
    keys: &ReportingKeys,
    token: &str,
    body: &str,
) -> ServiceResult<Uuid> {
    let r = reporter_report(state, keys, token).await?;
    add_reporter_message(state, keys, &r, body).await
}

/// The reporter's message on `r`, from the web or a messaging bot; a
/// closed case refuses it (`case.closed`).
async fn add_reporter_message(
    state: &AppState,
    keys: &ReportingKeys,
    r: &reports::Report,
    body: &str,
) -> ServiceResult<Uuid> {
    let body = check_message(body)?;
    if r.status == CaseStatus::Closed {
        return Err(ServiceError::conflict_at(
            "/body",
            "case.closed",
            "the case is closed; file a new report if there is more to tell",
        ));
    }
    add_message(
        state,
        keys,
        r,
        MessageAuthor::Reporter,
        Writer::Reporter {
            today: Utc::now().date_naive(),
        },
        &body,
        None,
    )
    .await
}

/// A line of the case list: no content (reading content is audited per
/// case).
#[derive(Debug, Clone)]
pub struct CaseSummary {
    pub id: Uuid,
    pub channel: ReportChannel,
    pub source: ReportSource,
    pub status: CaseStatus,
    pub outcome: Option<CaseOutcome>,
    pub assignee_id: Option<Uuid>,
    pub received_on: NaiveDate,
    pub ack_due: NaiveDate,
    pub feedback_due: NaiveDate,
    pub overdue: bool,
    pub anonymous: bool,
}

impl CaseSummary {
    /// `r` as listed on `today`: overdue when still unacknowledged after
    /// its first deadline, or open after its second.
    fn of(r: &reports::Report, today: NaiveDate) -> Self {
        Self {
            overdue: (r.status == CaseStatus::Received && today > r.ack_due)
                || (r.status.is_open() && today > r.feedback_due),
            id: r.id,
            channel: r.channel,
            source: r.source,
            status: r.status,
            outcome: r.outcome,
            assignee_id: r.assignee_id,
            received_on: r.received_on,
            ack_due: r.ack_due,
            feedback_due: r.feedback_due,
            anonymous: !r.has_contact,
        }
    }
}

pub mod account_secrets;
mod attachments;
pub mod bots;
mod cases;
mod escalation;
mod input;
pub mod limits;
mod links;
mod stats;
pub use attachments::*;
pub use cases::*;
pub use escalation::*;
pub use input::*;
pub use limits::ReportLimits;
pub use links::*;
pub use stats::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_even_and_empty_lists() {
        assert_eq!(stats::median(vec![]), None);
        assert_eq!(stats::median(vec![5, 1, 3]), Some(3.0));
        assert_eq!(stats::median(vec![4, 1, 3, 10]), Some(3.5));
    }

    #[test]
    fn a_report_is_checked_field_by_field() {
        let long = "x".repeat(MAX_SHORT + 1);
        let e = validate_report(&ReportInput {
            what: " ".into(),
            when: Some(long.clone()),
            involved: vec![Involved {
                name: " ".into(),
                position: None,
            }],
            language: Some("de".into()),
            ..ReportInput::default()
        })
        .unwrap_err();
        let ServiceError::Invalid { details, .. } = e else {
            panic!("{e:?}")
        };
        let pointers: Vec<&str> = details.iter().map(|d| d.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/what", "/when", "/involved/0/name", "/language"]
        );
        let ok = validate_report(&ReportInput {
            what: "  a bribe  ".into(),
            contact: Some("  ".into()),
            ..ReportInput::default()
        })
        .unwrap();
        assert_eq!(ok.what, "a bribe");
        assert_eq!(
            ok.contact, None,
            "a blank contact keeps the report anonymous"
        );
    }

    #[test]
    fn statistics_csv_has_a_stable_column_per_value() {
        let s = CaseStatistics {
            reports: 2,
            anonymous_share: Some(0.5),
            by_status: CaseStatus::ALL.iter().map(|s| (*s, 0)).collect(),
            ..CaseStatistics::default()
        };
        let csv = s.csv();
        let mut lines = csv.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<&str> = lines.next().unwrap().split(',').collect();
        assert_eq!(head.len(), row.len());
        assert!(head.contains(&"status_under_review"));
        let at = head.iter().position(|h| *h == "anonymous_share").unwrap();
        assert_eq!(row[at], "0.50");
    }
}
