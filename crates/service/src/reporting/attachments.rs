//! Files on a case: the reporter's evidence and the handlers' own, sealed
//! under the report's key like its text; downloads (a handler's audited);
//! and the one destructive action, removing a file, which a second
//! compliance officer approves.

use super::*;
use crate::error::not_found_as;
use adal_reporting::attachment::{self, AttachmentError};
use adal_store::attachments::{self as files, Added, CaseLimits, Decided};

/// Files a case holds at most (removed ones do not count).
pub const MAX_FILES_PER_CASE: u64 = 20;
/// Bytes a case's files hold at most together (50 MiB).
pub const MAX_BYTES_PER_CASE: i64 = 50 * 1024 * 1024;
/// Longest reason for a removal, in characters.
pub const MAX_REASON: usize = 1_000;
pub use adal_reporting::attachment::{FileKind, MAX_ATTACHMENT_BYTES, disposition};

const LIMITS: CaseLimits = CaseLimits {
    files: MAX_FILES_PER_CASE,
    bytes: MAX_BYTES_PER_CASE,
};

/// Binds a sealed part of an attachment to its tenant, report, row and
/// part, so a name cannot be swapped for a content or moved to another
/// row.
fn aad(tenant: Uuid, report: Uuid, id: Uuid, part: &str) -> Vec<u8> {
    let mut a = Vec::with_capacity(64);
    a.extend_from_slice(tenant.as_bytes());
    a.extend_from_slice(report.as_bytes());
    a.extend_from_slice(id.as_bytes());
    a.extend_from_slice(b"attachment-");
    a.extend_from_slice(part.as_bytes());
    a
}

fn approval_aad(tenant: Uuid, report: Uuid, id: Uuid) -> Vec<u8> {
    aad(tenant, report, id, "approval-reason")
}

/// An attachment as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentView {
    pub id: Uuid,
    /// `None` once removed.
    pub name: Option<String>,
    pub kind: FileKind,
    pub size_bytes: i64,
    pub from_reporter: bool,
    /// The handler who added it; hidden from the reporter.
    pub author_id: Option<Uuid>,
    pub internal: bool,
    pub at: chrono::DateTime<Utc>,
    pub removed_at: Option<chrono::DateTime<Utc>>,
}

/// A file to hand to whoever may read it.
#[derive(Debug, Clone)]
pub struct Download {
    pub name: String,
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// A removal asked for, waiting or decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalView {
    pub id: Uuid,
    pub attachment_id: Uuid,
    pub reason: String,
    pub requested_by: Uuid,
    pub requested_at: chrono::DateTime<Utc>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<chrono::DateTime<Utc>>,
    /// `None` while waiting.
    pub approved: Option<bool>,
}

fn file_error(e: AttachmentError) -> ServiceError {
    let code = match e {
        AttachmentError::Empty => "file.empty",
        AttachmentError::TooLarge { .. } => "file.too_large",
        AttachmentError::Unsupported | AttachmentError::UnknownKind => "file.kind",
        AttachmentError::Damaged(..) => "file.damaged",
    };
    ServiceError::Invalid {
        message: "the file is not taken".into(),
        details: vec![coded("/file", code, e.to_string())],
    }
}

pub(super) async fn attachment_views(
    state: &AppState,
    key: &ReportKey,
    r: &reports::Report,
    with_internal: bool,
) -> ServiceResult<Vec<AttachmentView>> {
    let stored = files::list(
        &state.store,
        TenantId::from_uuid(r.tenant_id),
        r.id,
        with_internal,
    )
    .await?;
    stored
        .into_iter()
        .map(|a| {
            let name = a
                .name
                .as_deref()
                .map(|n| open_text(key, n, &aad(r.tenant_id, r.id, a.id, "name")))
                .transpose()?;
            Ok(AttachmentView {
                id: a.id,
                name,
                kind: FileKind::parse(&a.kind).map_err(|e| internal("attachment kind", e))?,
                size_bytes: a.size_bytes,
                from_reporter: a.from_reporter,
                author_id: a.author_id,
                internal: a.internal,
                at: a.created_at,
                removed_at: a.removed_at,
            })
        })
        .collect()
}

pub(super) async fn approval_views(
    state: &AppState,
    key: &ReportKey,
    r: &reports::Report,
) -> ServiceResult<Vec<ApprovalView>> {
    files::approvals(&state.store, TenantId::from_uuid(r.tenant_id), r.id)
        .await?
        .into_iter()
        .map(|a| {
            Ok(ApprovalView {
                reason: open_text(key, &a.reason, &approval_aad(r.tenant_id, r.id, a.id))?,
                id: a.id,
                attachment_id: a.target_id,
                requested_by: a.requested_by,
                requested_at: a.requested_at,
                decided_by: a.decided_by,
                decided_at: a.decided_at,
                approved: a.approved,
            })
        })
        .collect()
}

fn open_bytes(key: &ReportKey, sealed: &[u8], aad: &[u8]) -> ServiceResult<Vec<u8>> {
    let sealed = Sealed::from_bytes(sealed).map_err(|e| internal("stored attachment", e))?;
    key.open(&sealed, aad)
        .map_err(|e| internal("opening an attachment", e))
}

fn open_text(key: &ReportKey, sealed: &[u8], aad: &[u8]) -> ServiceResult<String> {
    String::from_utf8(open_bytes(key, sealed, aad)?).map_err(|e| internal("attachment text", e))
}

fn seal(key: &ReportKey, plain: &[u8], aad: &[u8]) -> ServiceResult<Vec<u8>> {
    Ok(key
        .seal(plain, aad)
        .map_err(|e| internal("sealing an attachment", e))?
        .to_bytes())
}

/// Checks, cleans, seals and stores a file on `r`.
async fn attach(
    state: &AppState,
    keys: &ReportingKeys,
    r: &reports::Report,
    writer: Writer<'_>,
    internal_only: bool,
    name: &str,
    bytes: &[u8],
) -> ServiceResult<AttachmentView> {
    let checked = attachment::check(bytes).map_err(file_error)?;
    let name = attachment::clean_name(name, checked.kind);
    let key = report_key(keys, r)?;
    let id = Uuid::new_v4();
    let size = i64::try_from(checked.bytes.len()).unwrap_or(i64::MAX);
    let added = files::add(
        &state.store,
        TenantId::from_uuid(r.tenant_id),
        r.id,
        files::NewAttachment {
            id,
            writer,
            internal: internal_only,
            kind: checked.kind.as_str(),
            size_bytes: size,
            name: seal(&key, name.as_bytes(), &aad(r.tenant_id, r.id, id, "name"))?,
            content: seal(&key, &checked.bytes, &aad(r.tenant_id, r.id, id, "content"))?,
        },
        LIMITS,
    )
    .await
    .map_err(not_found_as("report"))?;
    match added {
        Added::Stored => {}
        Added::TooManyFiles => {
            return Err(ServiceError::conflict_at(
                "/file",
                "case.files",
                format!("a case holds at most {MAX_FILES_PER_CASE} files"),
            ));
        }
        Added::TooManyBytes { held } => {
            return Err(ServiceError::conflict_at(
                "/file",
                "case.file_bytes",
                format!(
                    "a case's files hold at most {MAX_BYTES_PER_CASE} bytes together; \
                     {held} are held and this file is {size}"
                ),
            ));
        }
    }
    // As the store keeps it: the reporter's own times to the day only.
    let (from_reporter, author_id, at) = match writer {
        Writer::Reporter { today } => (true, None, adal_store::reports::day_start(today)),
        Writer::Handler { user, .. } => (false, Some(user), Utc::now()),
    };
    Ok(AttachmentView {
        id,
        name: Some(name),
        kind: checked.kind,
        size_bytes: size,
        from_reporter,
        author_id,
        internal: internal_only,
        at,
        removed_at: None,
    })
}

/// The reporter adds a file to their report (a closed case takes none).
pub async fn reporter_attach(
    state: &AppState,
    keys: &ReportingKeys,
    token: &str,
    name: &str,
    bytes: &[u8],
) -> ServiceResult<AttachmentView> {
    let r = reporter_report(state, keys, token).await?;
    if r.status == CaseStatus::Closed {
        return Err(ServiceError::conflict_at(
            "/file",
            "case.closed",
            "the case is closed; file a new report if there is more to show",
        ));
    }
    attach(
        state,
        keys,
        &r,
        Writer::Reporter {
            today: Utc::now().date_naive(),
        },
        false,
        name,
        bytes,
    )
    .await
}

/// A handler adds a file to a case: for the reporter to see too, or
/// (`internal`) for the handlers only. Audited.
pub async fn handler_attach(
    state: &AppState,
    keys: &ReportingKeys,
    ctx: &TenantCtx,
    id: Uuid,
    name: &str,
    bytes: &[u8],
    internal_only: bool,
) -> ServiceResult<AttachmentView> {
    ctx.require(state, obj::CASES, act::WRITE).await?;
    let r = super::cases::handled(state, ctx, id).await?;
    let actor = ctx.actor();
    attach(
        state,
        keys,
        &r,
        Writer::Handler {
            actor: &actor,
            user: ctx.caller().user_id,
        },
        internal_only,
        name,
        bytes,
    )
    .await
}

/// The Agency adds a file to a case of its own channel. Audited in the
/// organisation's log, like the Agency's messages.
pub async fn agency_attach(
    state: &AppState,
    keys: &ReportingKeys,
    caller: &crate::Caller,
    id: Uuid,
    name: &str,
    bytes: &[u8],
    internal_only: bool,
) -> ServiceResult<AttachmentView> {
    let r = super::escalation::agency_handled(state, caller, id).await?;
    let actor = caller.user_id.to_string();
    attach(
        state,
        keys,
        &r,
        Writer::Handler {
            actor: &actor,
            user: caller.user_id,
        },
        internal_only,
        name,
        bytes,
    )
    .await
}

/// Which of a case's files a reader may open.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Readable {
    /// Every file: the handlers'.
    All,
    /// All but the handlers' internal files: the reporter's.
    NotInternal,
    /// The reporter's own files: the Agency's, of an escalated case whose
    /// report was shared.
    FromReporter,
}

async fn download(
    state: &AppState,
    key: &ReportKey,
    r: &reports::Report,
    id: Uuid,
    readable: Readable,
) -> ServiceResult<Download> {
    let (a, sealed) = files::content(
        &state.store,
        TenantId::from_uuid(r.tenant_id),
        r.id,
        id,
        readable == Readable::All,
    )
    .await
    .map_err(not_found_as("attachment"))?;
    let name = match &a.name {
        Some(n) if readable != Readable::FromReporter || a.from_reporter => {
            open_text(key, n, &aad(r.tenant_id, r.id, a.id, "name"))?
        }
        _ => return Err(ServiceError::not_found("attachment")),
    };
    Ok(Download {
        name,
        kind: FileKind::parse(&a.kind).map_err(|e| internal("attachment kind", e))?,
        bytes: open_bytes(key, &sealed, &aad(r.tenant_id, r.id, a.id, "content"))?,
    })
}

/// The reporter downloads a file of their case (not the handlers'
/// internal ones).
pub async fn reporter_download(
    state: &AppState,
    keys: &ReportingKeys,
    token: &str,
    id: Uuid,
) -> ServiceResult<Download> {
    let r = reporter_report(state, keys, token).await?;
    download(state, &report_key(keys, &r)?, &r, id, Readable::NotInternal).await
}

/// A handler downloads a file of a case; the read is audited before the
/// file is handed over.
pub async fn handler_download(
    state: &AppState,
    keys: &ReportingKeys,
    ctx: &TenantCtx,
    case_id: Uuid,
    id: Uuid,
) -> ServiceResult<Download> {
    ctx.require(state, obj::CASES, act::READ).await?;
    let r = super::cases::handled(state, ctx, case_id).await?;
    let d = download(state, &report_key(keys, &r)?, &r, id, Readable::All).await?;
    files::record_read(&state.store, ctx.tenant(), &ctx.actor(), case_id, id).await?;
    Ok(d)
}

/// The Agency downloads a file: any file of a case of its own channel;
/// of a case an organisation escalated, the reporter's files, and only
/// when the organisation shared the report. Audited in the organisation's
/// log.
pub async fn agency_download(
    state: &AppState,
    keys: &ReportingKeys,
    caller: &crate::Caller,
    case_id: Uuid,
    id: Uuid,
) -> ServiceResult<Download> {
    crate::authorize_platform(state, caller, obj::ESCALATIONS, act::READ).await?;
    let r = reports::escalated_across_tenants_get(&state.store, case_id)
        .await
        .map_err(not_found_as("case"))?;
    let key = report_key(keys, &r)?;
    let readable = if r.channel == ReportChannel::Agency {
        Readable::All
    } else if super::escalation::shared_report(&key, &r)? {
        Readable::FromReporter
    } else {
        return Err(ServiceError::not_found("attachment"));
    };
    let d = download(state, &key, &r, id, readable).await?;
    files::record_read(
        &state.store,
        TenantId::from_uuid(r.tenant_id),
        &caller.user_id.to_string(),
        case_id,
        id,
    )
    .await?;
    Ok(d)
}

/// A compliance officer asks for a file's removal, with a reason; it
/// waits for another officer's decision. The file stays until then.
pub async fn request_removal(
    state: &AppState,
    keys: &ReportingKeys,
    ctx: &TenantCtx,
    case_id: Uuid,
    attachment_id: Uuid,
    reason: &str,
) -> ServiceResult<Uuid> {
    ctx.require(state, obj::CASES, act::WRITE).await?;
    let r = super::cases::handled(state, ctx, case_id).await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(ServiceError::Invalid {
            message: "say why the file should go".into(),
            details: vec![coded(
                "/reason",
                if reason.is_empty() {
                    "text.empty"
                } else {
                    "text.too_long"
                },
                format!("1 to {MAX_REASON} characters: the second officer decides on it"),
            )],
        });
    }
    let key = report_key(keys, &r)?;
    let id = Uuid::new_v4();
    let sealed = seal(
        &key,
        reason.as_bytes(),
        &approval_aad(r.tenant_id, r.id, id),
    )?;
    files::request_removal(
        &state.store,
        ctx.tenant(),
        &ctx.actor(),
        r.id,
        files::Removal {
            approval_id: id,
            attachment_id,
            requested_by: ctx.caller().user_id,
            reason: sealed,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound => ServiceError::not_found("attachment"),
        StoreError::Conflict(_) => ServiceError::conflict_at(
            "/attachment_id",
            "approval.pending",
            "a removal of this file already waits for a decision",
        ),
        other => other.into(),
    })?;
    Ok(id)
}

/// Another compliance officer approves (the file is removed for good) or
/// refuses a waiting removal. The officer who asked cannot decide.
pub async fn decide_removal(
    state: &AppState,
    ctx: &TenantCtx,
    case_id: Uuid,
    approval_id: Uuid,
    approve: bool,
) -> ServiceResult<()> {
    ctx.require(state, obj::CASES, act::WRITE).await?;
    let r = super::cases::handled(state, ctx, case_id).await?;
    let decided = files::decide(
        &state.store,
        ctx.tenant(),
        &ctx.actor(),
        ctx.caller().user_id,
        r.id,
        approval_id,
        approve,
    )
    .await
    .map_err(not_found_as("approval"))?;
    match decided {
        Decided::Approved | Decided::Refused => Ok(()),
        Decided::SameOfficer => Err(ServiceError::conflict_at(
            "/approve",
            "approval.second_officer",
            "another compliance officer must decide on a removal you asked for",
        )),
    }
}

/// Whether a file would be taken (its kind, size and shape), without
/// storing anything: the reporter's page checks every file before it
/// files the report they came with.
pub fn check_file(bytes: &[u8]) -> ServiceResult<()> {
    attachment::check(bytes).map(|_| ()).map_err(file_error)
}
