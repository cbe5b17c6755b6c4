//! The compliance unit's triage of findings: assign, comment, resolve with a
//! reason, mark as a false positive. Closing a finding takes it off the
//! risk map.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::submissions::{ApiTags, Finding};
use adal_authz::{act, obj};
use adal_service::TenantCtx;
use adal_service::findings::{self, Note, Outcome};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// A user of the same tenant, or `null` to clear the assignment.
    #[oai(nullable)]
    pub assignee_id: Option<Uuid>,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// 1 to 2000 characters.
    pub body: String,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CloseRequest {
    /// Why: 1 to 2000 characters. Kept with the finding and in the audit log.
    pub reason: String,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct DueRequest {
    /// The day it is due (`YYYY-MM-DD`): from today to 365 days ahead, on
    /// Kazakhstan's calendar; due at the end of that day there.
    #[oai(validator(max_length = 10))]
    pub due_on: String,
    /// Why: 1 to 2000 characters. Kept as a comment and in the audit log.
    pub reason: String,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    /// 1 to 200 findings (an id given twice counts once).
    #[oai(validator(max_items = 400))]
    pub finding_ids: Vec<Uuid>,
    /// `assign`, `resolve`, `false_positive` or `comment`.
    pub action: String,
    /// For `assign`: a user of the tenant, or `null` (or absent) to clear
    /// the assignments.
    #[oai(default, nullable)]
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    /// For `resolve` and `false_positive`, the reason; for `comment`, the
    /// comment: 1 to 2000 characters.
    #[oai(default, nullable)]
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Object)]
pub struct BulkItemOut {
    pub finding_id: Uuid,
    /// `done`, `not_found` (no such finding, or not the caller's to
    /// see), `conflict` (closed already) or `refused` (see `code`).
    pub outcome: String,
    /// Why it was refused (`assignee.is_subject`, ...).
    #[oai(nullable)]
    pub code: Option<String>,
    #[oai(nullable)]
    pub message: Option<String>,
}

#[derive(Debug, Object)]
pub struct BulkOut {
    /// How many were done.
    pub done: u64,
    /// One per finding, in the order given.
    pub results: Vec<BulkItemOut>,
}

#[derive(ApiResponse)]
enum BulkResponse {
    #[oai(status = 200)]
    Ok(Json<BulkOut>),
}

#[derive(Debug, Object)]
pub struct CommentOut {
    pub id: Uuid,
    pub author_id: Uuid,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Object)]
pub struct TriageOut {
    pub finding_id: Uuid,
    /// `open`, `resolved` or `false_positive`.
    pub status: String,
    #[oai(nullable)]
    pub assigned_to: Option<Uuid>,
    /// The reason given when the finding was closed.
    #[oai(nullable)]
    pub reason: Option<String>,
    #[oai(nullable)]
    pub decided_by: Option<Uuid>,
    #[oai(nullable)]
    pub decided_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Oldest first.
    pub comments: Vec<CommentOut>,
}

#[derive(ApiResponse)]
enum TriageResponse {
    #[oai(status = 200)]
    Ok(Json<TriageOut>),
}

#[derive(ApiResponse)]
enum CommentResponse {
    #[oai(status = 201)]
    Created(Json<CommentOut>),
}

/// Someone a finding may be assigned to.
#[derive(Debug, Object)]
pub struct AssigneeOut {
    pub id: Uuid,
    pub display_name: String,
    pub role: String,
}

#[derive(ApiResponse)]
enum AssigneesResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<AssigneeOut>>),
}

#[derive(ApiResponse)]
enum CloseResponse {
    #[oai(status = 200)]
    Ok(Json<Finding>),
}

fn note(pointer: &str, s: &str) -> ApiResult<Note> {
    Note::parse(s).map_err(|e| ApiError::field(pointer, "text.invalid", e.to_string()))
}

async fn triage_out(state: &AppState, ctx: &TenantCtx, id: Uuid) -> ApiResult<TriageOut> {
    let v = findings::triage(state, ctx, id).await?;
    let t = v.triage;
    Ok(TriageOut {
        finding_id: v.finding.id,
        status: v.finding.status,
        assigned_to: t.as_ref().and_then(|t| t.assigned_to),
        reason: t.as_ref().and_then(|t| t.reason.clone()),
        decided_by: t.as_ref().and_then(|t| t.decided_by),
        decided_at: t.as_ref().and_then(|t| t.decided_at),
        comments: v.comments.into_iter().map(comment_out).collect(),
    })
}

fn comment_out(c: findings::Comment) -> CommentOut {
    CommentOut {
        id: c.id,
        author_id: c.author_id,
        body: c.body,
        created_at: c.created_at,
    }
}

async fn close(
    state: &AppState,
    auth: &BearerAuth,
    tenant_id: Uuid,
    id: Uuid,
    reason: &str,
    outcome: Outcome,
) -> ApiResult<CloseResponse> {
    let ctx =
        TenantCtx::authorize(state, &auth.0, tenant_id, obj::FINDINGS_ALL, act::WRITE).await?;
    let reason = note("/reason", reason)?;
    let f = findings::close(state, &ctx, id, outcome, &reason).await?;
    Ok(CloseResponse::Ok(Json(f.into())))
}

pub struct TriageApi;

#[OpenApi]
impl TriageApi {
    /// A finding's triage: assignment, closing reason and comments.
    #[oai(
        path = "/tenants/:tenant_id/findings/:id/triage",
        method = "get",
        tag = "ApiTags::Findings",
        operation_id = "getFindingTriage"
    )]
    async fn get_triage(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<TriageResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::FINDINGS_ALL, act::READ)
            .await?;
        Ok(TriageResponse::Ok(Json(
            triage_out(&state, &ctx, id.0).await?,
        )))
    }

    /// Assign a finding to a user of the tenant (or clear the assignment).
    /// Only someone who may work on it (see `listFindingAssignees`): another
    /// is `422` on `/assignee_id` with `assignee.cannot_read`,
    /// `assignee.is_subject` or `assignee.disabled`. The assignee is told
    /// by email.
    #[oai(
        path = "/tenants/:tenant_id/findings/:id/assign",
        method = "post",
        tag = "ApiTags::Findings",
        operation_id = "assignFinding"
    )]
    async fn assign(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<AssignRequest>,
    ) -> ApiResult<TriageResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::FINDINGS_ALL, act::WRITE)
            .await?;
        findings::assign(&state, &ctx, id.0, body.0.assignee_id).await?;
        Ok(TriageResponse::Ok(Json(
            triage_out(&state, &ctx, id.0).await?,
        )))
    }

    /// Comment on a finding.
    #[oai(
        path = "/tenants/:tenant_id/findings/:id/comments",
        method = "post",
        tag = "ApiTags::Findings",
        operation_id = "commentOnFinding"
    )]
    async fn comment(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<CommentRequest>,
    ) -> ApiResult<CommentResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::FINDINGS_ALL, act::WRITE)
            .await?;
        let text = note("/body", &body.0.body)?;
        let c = findings::comment(&state, &ctx, id.0, &text).await?;
        Ok(CommentResponse::Created(Json(comment_out(c))))
    }

    /// Close an open finding as resolved. `409` if it is already closed.
    #[oai(
        path = "/tenants/:tenant_id/findings/:id/resolve",
        method = "post",
        tag = "ApiTags::Findings",
        operation_id = "resolveFinding"
    )]
    async fn resolve(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<CloseRequest>,
    ) -> ApiResult<CloseResponse> {
        close(
            &state,
            &auth,
            tenant_id.0,
            id.0,
            &body.0.reason,
            Outcome::Resolved,
        )
        .await
    }

    /// Who a finding may be assigned to: users whose role may open and
    /// triage it, with active accounts, other than the person who filed it
    /// or whom it is about. By name.
    #[oai(
        path = "/tenants/:tenant_id/findings/:id/assignees",
        method = "get",
        tag = "ApiTags::Findings",
        operation_id = "listFindingAssignees"
    )]
    async fn assignees(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<AssigneesResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::FINDINGS_ALL, act::WRITE)
            .await?;
        let f = findings::visible(&state, &ctx, id.0).await?;
        let people = findings::assignees(&state, &ctx, &f).await?;
        Ok(AssigneesResponse::Ok(Json(
            people
                .into_iter()
                .map(|u| AssigneeOut {
                    id: u.id,
                    display_name: u.display_name,
                    role: u.role,
                })
                .collect(),
        )))
    }

    /// Reopen a closed finding, with the reason (kept as a comment and in
    /// the audit log): it is open again and back on the risk map. `409` if
    /// it is open.
    #[oai(
        path = "/tenants/:tenant_id/findings/:id/reopen",
        method = "post",
        tag = "ApiTags::Findings",
        operation_id = "reopenFinding"
    )]
    async fn reopen(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<CloseRequest>,
    ) -> ApiResult<CloseResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::FINDINGS_ALL, act::WRITE)
            .await?;
        let reason = note("/reason", &body.0.reason)?;
        let f = findings::reopen(&state, &ctx, id.0, &reason).await?;
        Ok(CloseResponse::Ok(Json(f.into())))
    }

    /// Set by hand when an open finding is due, with the reason: the
    /// queue's order and the "overdue" flag follow it. `422` at `/due_on`
    /// for a day before today or more than 365 days ahead, `409` if the
    /// finding is closed.
    #[oai(
        path = "/tenants/:tenant_id/findings/:id/due",
        method = "post",
        tag = "ApiTags::Findings",
        operation_id = "setFindingDue"
    )]
    async fn set_due(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<DueRequest>,
    ) -> ApiResult<CloseResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::FINDINGS_ALL, act::WRITE)
            .await?;
        let mut errors = Vec::new();
        let due_on = chrono::NaiveDate::parse_from_str(body.0.due_on.trim(), "%Y-%m-%d")
            .map_err(|_| {
                errors.push(adal_domain::FieldError::coded(
                    "/due_on",
                    "date.format",
                    "must be a date (YYYY-MM-DD)",
                ))
            })
            .ok();
        let reason = Note::parse(&body.0.reason)
            .map_err(|e| {
                errors.push(adal_domain::FieldError::coded(
                    "/reason",
                    "text.invalid",
                    e.to_string(),
                ))
            })
            .ok();
        let (Some(due_on), Some(reason)) = (due_on, reason) else {
            return Err(ApiError::invalid(errors));
        };
        let f = findings::set_due(&state, &ctx, id.0, due_on, &reason).await?;
        Ok(CloseResponse::Ok(Json(f.into())))
    }

    /// One triage action on up to 200 findings: each is assigned,
    /// commented on or closed as when triaged alone (same checks, same
    /// audit entry, its own transaction), and the answer says what became
    /// of each. A finding the caller cannot see is `not_found`, as one that
    /// does not exist.
    #[oai(
        path = "/tenants/:tenant_id/findings/bulk",
        method = "post",
        tag = "ApiTags::Findings",
        operation_id = "triageFindingsInBulk"
    )]
    async fn bulk(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<BulkRequest>,
    ) -> ApiResult<BulkResponse> {
        use adal_service::bulk_triage::{self, Action};
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::FINDINGS_ALL, act::WRITE)
            .await?;
        let b = body.0;
        let reason = || note("/reason", b.reason.as_deref().unwrap_or_default());
        let action = match b.action.as_str() {
            "assign" => Action::Assign(b.assignee_id),
            "resolve" => Action::Close(Outcome::Resolved, reason()?),
            "false_positive" => Action::Close(Outcome::FalsePositive, reason()?),
            "comment" => Action::Comment(reason()?),
            _ => {
                return Err(ApiError::field(
                    "/action",
                    "choice.unknown",
                    "must be one of: assign, resolve, false_positive, comment".to_owned(),
                ));
            }
        };
        let results = bulk_triage::apply(&state, &ctx, &b.finding_ids, &action).await?;
        Ok(BulkResponse::Ok(Json(BulkOut {
            done: results
                .iter()
                .filter(|(_, r)| *r == bulk_triage::Result::Done)
                .count() as u64,
            results: results
                .into_iter()
                .map(|(id, r)| {
                    let outcome = r.as_str().to_owned();
                    let (code, message) = match r {
                        bulk_triage::Result::Refused { code, message } => {
                            (Some(code), Some(message))
                        }
                        _ => (None, None),
                    };
                    BulkItemOut {
                        finding_id: id,
                        outcome,
                        code,
                        message,
                    }
                })
                .collect(),
        })))
    }

    /// Close an open finding as a false positive. `409` if it is already
    /// closed.
    #[oai(
        path = "/tenants/:tenant_id/findings/:id/false-positive",
        method = "post",
        tag = "ApiTags::Findings",
        operation_id = "markFindingFalsePositive"
    )]
    async fn false_positive(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<CloseRequest>,
    ) -> ApiResult<CloseResponse> {
        close(
            &state,
            &auth,
            tenant_id.0,
            id.0,
            &body.0.reason,
            Outcome::FalsePositive,
        )
        .await
    }
}
