//! Files on cases over HTTP (docs/reporting.md "Files"): the reporter's
//! uploads and downloads with their token, the compliance unit's (audited),
//! the Agency's on its own channel and on what organisations shared, and
//! the removal a second officer approves.
//!
//! Uploads are the raw body with the name in the query (`?name=`); the
//! kind comes from the content. Downloads are always
//! `application/octet-stream` with `Content-Disposition: attachment`, so a
//! browser saves a file a reporter sent instead of rendering it in the
//! service's origin.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::{FileBody, JsonBody};
use crate::error::ApiResult;
use crate::reporting::{ReportLimits, ReportTags, ReporterAuth, refused};
use adal_authz::{act, obj};
use adal_service::TenantCtx;
use adal_service::reporting::{self as svc, AttachmentView, Download};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Object)]
pub struct AttachmentOut {
    pub id: Uuid,
    /// The name given, cleaned, ending in the extension of the kind found;
    /// `null` once removed.
    #[oai(nullable)]
    pub name: Option<String>,
    /// `pdf`, `docx`, `xlsx`, `txt`, `jpeg`, `png`, `webp`, `mp3`, `mp4`,
    /// `ogg`: found from the content.
    pub kind: String,
    pub size_bytes: i64,
    /// Sent by the reporter (else by a handler).
    pub from_reporter: bool,
    /// The handler who added it (never shown to the reporter).
    #[oai(nullable)]
    pub author_id: Option<Uuid>,
    /// Seen by the handlers only.
    pub internal: bool,
    /// The reporter's own files carry the day only.
    pub at: chrono::DateTime<chrono::Utc>,
    /// Set once removed with a second officer's approval.
    #[oai(nullable)]
    pub removed_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<AttachmentView> for AttachmentOut {
    fn from(a: AttachmentView) -> Self {
        Self {
            id: a.id,
            name: a.name,
            kind: a.kind.as_str().into(),
            size_bytes: a.size_bytes,
            from_reporter: a.from_reporter,
            author_id: a.author_id,
            internal: a.internal,
            at: a.at,
            removed_at: a.removed_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct ApprovalOut {
    pub id: Uuid,
    /// `remove_attachment`.
    pub action: String,
    pub attachment_id: Uuid,
    pub reason: String,
    pub requested_by: Uuid,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    #[oai(nullable)]
    pub decided_by: Option<Uuid>,
    #[oai(nullable)]
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    /// `null` while it waits for a second officer.
    #[oai(nullable)]
    pub approved: Option<bool>,
}

impl From<svc::ApprovalView> for ApprovalOut {
    fn from(a: svc::ApprovalView) -> Self {
        Self {
            id: a.id,
            action: adal_store::attachments::REMOVE_ATTACHMENT.into(),
            attachment_id: a.attachment_id,
            reason: a.reason,
            requested_by: a.requested_by,
            requested_at: a.requested_at,
            decided_by: a.decided_by,
            decided_at: a.decided_at,
            approved: a.approved,
        }
    }
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct RemovalIn {
    /// Why the file should go (1 to 1,000 characters); the second officer
    /// decides on it.
    #[oai(validator(max_length = 1000))]
    pub reason: String,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `true` removes the file for good; `false` keeps it.
    pub approve: bool,
}

#[derive(Debug, Object)]
pub struct ApprovalCreated {
    pub id: Uuid,
    /// `pending`: another compliance officer decides.
    pub status: String,
}

#[derive(ApiResponse)]
pub(crate) enum AttachedResponse {
    #[oai(status = 201)]
    Created(Json<AttachmentOut>),
}

#[derive(ApiResponse)]
pub(crate) enum ApprovalResponse {
    /// Asked; the file stays until a second officer approves.
    #[oai(status = 202)]
    Accepted(Json<ApprovalCreated>),
}

#[derive(ApiResponse)]
pub(crate) enum DecidedResponse {
    #[oai(status = 204)]
    Decided,
}

#[derive(ApiResponse)]
pub(crate) enum FileResponse {
    /// The file's bytes, to save (never to display in the page).
    #[oai(status = 200)]
    Ok(
        Binary<Vec<u8>>,
        /// `attachment` with the file's name (RFC 6266, UTF-8 in `filename*`).
        #[oai(header = "Content-Disposition")]
        String,
        /// The kind found from the content (`pdf`, `jpeg`, ...).
        #[oai(header = "X-File-Kind")]
        String,
        #[oai(header = "Cache-Control")] String,
    ),
}

fn file(d: Download) -> FileResponse {
    FileResponse::Ok(
        Binary(d.bytes),
        svc::disposition(&d.name),
        d.kind.as_str().to_owned(),
        "no-store".to_owned(),
    )
}

/// The reporter's files, with their token.
pub struct ReporterFilesApi;

#[OpenApi(tag = "ReportTags::Reporting")]
impl ReporterFilesApi {
    /// Attach a file to your report: the raw bytes as the body, the name
    /// in `?name=`. At most 10 MiB a file, 20 files and 50 MiB a case;
    /// PDF, Word, Excel, text, photos (JPEG, PNG, WebP) and recordings
    /// (MP3, MP4/M4A, Ogg), recognised by content. Photos lose their
    /// camera metadata (EXIF, GPS) before they are stored; documents keep
    /// theirs, which may name their author.
    #[oai(
        path = "/public/reports/mine/attachments",
        method = "post",
        operation_id = "attachToMyReport"
    )]
    async fn attach(
        &self,
        state: Data<&AppState>,
        limits: Data<&ReportLimits>,
        auth: ReporterAuth,
        /// The file's name (at most 120 characters are kept).
        #[oai(validator(max_length = 1000))]
        name: Query<Option<String>>,
        body: FileBody,
    ) -> ApiResult<AttachedResponse> {
        limits
            .check_reporter(&auth.0.token, true)
            .map_err(refused)?;
        let a = svc::reporter_attach(
            &state,
            &state.reporting,
            &auth.0.token,
            name.0.as_deref().unwrap_or(""),
            &body.0,
        )
        .await?;
        Ok(AttachedResponse::Created(Json(a.into())))
    }

    /// Download a file of your case (yours, or one the handlers sent you).
    #[oai(
        path = "/public/reports/mine/attachments/:attachment_id",
        method = "get",
        operation_id = "getMyReportAttachment"
    )]
    async fn download(
        &self,
        state: Data<&AppState>,
        limits: Data<&ReportLimits>,
        auth: ReporterAuth,
        attachment_id: Path<Uuid>,
    ) -> ApiResult<FileResponse> {
        limits
            .check_reporter(&auth.0.token, false)
            .map_err(refused)?;
        let d = svc::reporter_download(&state, &state.reporting, &auth.0.token, attachment_id.0)
            .await?;
        Ok(file(d))
    }
}

/// The compliance unit's and the Agency's files.
pub struct CaseFilesApi;

#[OpenApi(tag = "ReportTags::Cases")]
impl CaseFilesApi {
    /// Attach a file to a case: for the reporter to see, or with
    /// `?internal=true` for the handlers only. The same kinds and limits
    /// as the reporter's. Audited.
    #[oai(
        path = "/tenants/:tenant_id/cases/:id/attachments",
        method = "post",
        operation_id = "attachToCase"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn attach(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        #[oai(validator(max_length = 1000))] name: Query<Option<String>>,
        internal: Query<Option<bool>>,
        body: FileBody,
    ) -> ApiResult<AttachedResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::WRITE).await?;
        let a = svc::handler_attach(
            &state,
            &state.reporting,
            &ctx,
            id.0,
            name.0.as_deref().unwrap_or(""),
            &body.0,
            internal.0.unwrap_or(false),
        )
        .await?;
        Ok(AttachedResponse::Created(Json(a.into())))
    }

    /// Download a file of a case. Every download is written to the audit
    /// log (`case.attachment.read`) before the file is sent.
    #[oai(
        path = "/tenants/:tenant_id/cases/:id/attachments/:attachment_id",
        method = "get",
        operation_id = "getCaseAttachment"
    )]
    async fn download(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        attachment_id: Path<Uuid>,
    ) -> ApiResult<FileResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::READ).await?;
        let d =
            svc::handler_download(&state, &state.reporting, &ctx, id.0, attachment_id.0).await?;
        Ok(file(d))
    }

    /// Ask for a file's removal (it holds someone's personal data that
    /// has no place in the case, say). Removing is destructive: another
    /// compliance officer decides with `decideOnCaseApproval`; until then
    /// the file stays. Audited.
    #[oai(
        path = "/tenants/:tenant_id/cases/:id/attachments/:attachment_id/removal",
        method = "post",
        operation_id = "askToRemoveCaseAttachment"
    )]
    async fn ask_removal(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        attachment_id: Path<Uuid>,
        body: JsonBody<RemovalIn>,
    ) -> ApiResult<ApprovalResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::WRITE).await?;
        let approval = svc::request_removal(
            &state,
            &state.reporting,
            &ctx,
            id.0,
            attachment_id.0,
            &body.0.reason,
        )
        .await?;
        Ok(ApprovalResponse::Accepted(Json(ApprovalCreated {
            id: approval,
            status: "pending".into(),
        })))
    }

    /// Approve (`approve: true`: the file is removed for good, its row
    /// kept as a tombstone) or refuse a waiting removal. The officer who
    /// asked cannot decide (`409 approval.second_officer`). Audited.
    #[oai(
        path = "/tenants/:tenant_id/cases/:id/approvals/:approval_id",
        method = "post",
        operation_id = "decideOnCaseApproval"
    )]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        approval_id: Path<Uuid>,
        body: JsonBody<DecisionIn>,
    ) -> ApiResult<DecidedResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::WRITE).await?;
        svc::decide_removal(&state, &ctx, id.0, approval_id.0, body.0.approve).await?;
        Ok(DecidedResponse::Decided)
    }

    /// Attach a file to a case reported to the Agency directly (Agency
    /// auditors), for the reporter or (`?internal=true`) the Agency only.
    #[oai(
        path = "/agency/cases/:id/attachments",
        method = "post",
        operation_id = "attachToAgencyCase"
    )]
    async fn agency_attach(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        #[oai(validator(max_length = 1000))] name: Query<Option<String>>,
        internal: Query<Option<bool>>,
        body: FileBody,
    ) -> ApiResult<AttachedResponse> {
        let a = svc::agency_attach(
            &state,
            &state.reporting,
            &auth.0,
            id.0,
            name.0.as_deref().unwrap_or(""),
            &body.0,
            internal.0.unwrap_or(false),
        )
        .await?;
        Ok(AttachedResponse::Created(Json(a.into())))
    }

    /// Download a file the Agency may read: any file of a case reported
    /// to it directly; the reporter's files of a case an organisation
    /// escalated with its report. The read goes in the organisation's
    /// audit log.
    #[oai(
        path = "/agency/cases/:id/attachments/:attachment_id",
        method = "get",
        operation_id = "getAgencyCaseAttachment"
    )]
    async fn agency_download(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        attachment_id: Path<Uuid>,
    ) -> ApiResult<FileResponse> {
        let d =
            svc::agency_download(&state, &state.reporting, &auth.0, id.0, attachment_id.0).await?;
        Ok(file(d))
    }
}
