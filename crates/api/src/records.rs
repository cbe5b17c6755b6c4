//! Filing every kind of record, correcting it as a new version, reading
//! its schema, and the compliance unit's workflow on what was filed.

use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::submissions::{Accepted, ApiTags, Submission, submission_out};
use crate::{AppState, page};
use adal_authz::{act, obj};
use adal_domain::{Kind, kazakhstan_today};
use adal_service::TenantCtx;
use adal_store::submissions::{self};
use adal_store::{coi as coi_store, declarations, tenants};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi,
    param::{Path, Query},
    payload::Json,
};
use uuid::Uuid;

#[derive(ApiResponse)]
pub(crate) enum FileResponse {
    /// Stored durably; rules will evaluate it shortly.
    #[oai(status = 202)]
    Accepted(Json<Accepted>),
}

#[derive(ApiResponse)]
enum SchemaResponse {
    /// The kind's JSON Schema (draft 2020-12).
    #[oai(status = 200)]
    Ok(Json<serde_json::Value>),
}

#[derive(ApiResponse)]
enum VersionsResponse {
    /// Every version, oldest first; the last is current.
    #[oai(status = 200)]
    Ok(Json<Vec<Submission>>),
}

#[derive(Debug, Object, serde::Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `recusal`, `transfer`, `divestment`, `end_activity` or `no_conflict`.
    pub decision: String,
    /// Why; shown to the declarant and kept in the audit log.
    pub note: String,
}

#[derive(Debug, Object)]
pub struct DecisionOut {
    pub id: Uuid,
    pub submission_id: Uuid,
    pub decision: String,
    pub note: String,
    pub decided_by: Uuid,
    pub decided_at: chrono::DateTime<chrono::Utc>,
}

#[derive(ApiResponse)]
enum DecideResponse {
    #[oai(status = 201)]
    Created(Json<DecisionOut>),
}

#[derive(ApiResponse)]
enum DecisionsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<DecisionOut>>),
}

#[derive(Debug, Object)]
pub struct DeclarationState {
    pub person_id: Uuid,
    pub iin: String,
    pub full_name: String,
    /// `on_time`, `late`, `missing` or `not_yet_due`.
    pub state: String,
    #[oai(nullable)]
    pub first_filed_at: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(nullable)]
    pub submission_id: Option<Uuid>,
}

#[derive(Debug, Object)]
pub struct DeclarationStatusPage {
    pub year: i32,
    pub due_on: chrono::NaiveDate,
    pub on_time: u64,
    pub late: u64,
    pub missing: u64,
    pub not_yet_due: u64,
    pub people: Vec<DeclarationState>,
}

#[derive(ApiResponse)]
enum DeclarationStatusResponse {
    #[oai(status = 200)]
    Ok(Json<DeclarationStatusPage>),
}

fn invalid_kind(kind: &str) -> ApiError {
    ApiError::field(
        "/kind",
        "choice.unknown",
        format!(
            "unknown kind {kind:?}; expected one of: {}",
            Kind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

pub(crate) async fn file_kind(
    state: &AppState,
    auth: &BearerAuth,
    tenant_id: Uuid,
    kind: Kind,
    body: serde_json::Value,
) -> ApiResult<FileResponse> {
    let o = obj::record(kind.as_str()).ok_or_else(|| invalid_kind(kind.as_str()))?;
    let ctx = TenantCtx::authorize(state, &auth.0, tenant_id, o, act::CREATE).await?;
    Ok(FileResponse::Accepted(Json(
        adal_service::filing::file(state, &ctx, kind, &body, None)
            .await?
            .into(),
    )))
}

pub struct RecordApi;

#[OpenApi]
impl RecordApi {
    /// The JSON Schema of a kind of record: `gift`, `conflict_of_interest`,
    /// `asset_declaration`, `hr_action`, `procurement` or `person`. The same
    /// for every tenant, so public, like the OpenAPI document.
    #[oai(
        path = "/schemas/:kind",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "getSchema"
    )]
    async fn schema(&self, kind: Path<String>) -> ApiResult<SchemaResponse> {
        let k = Kind::parse(&kind.0).map_err(|_| ApiError::not_found("schema"))?;
        Ok(SchemaResponse::Ok(Json(k.json_schema())))
    }

    /// Disclose a conflict of interest. The body follows
    /// `GET /schemas/conflict_of_interest`.
    #[oai(
        path = "/tenants/:tenant_id/conflicts-of-interest",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "discloseConflict"
    )]
    async fn disclose(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<FileResponse> {
        file_kind(&state, &auth, tenant_id.0, Kind::ConflictOfInterest, body.0).await
    }

    /// File an annual declaration of assets, liabilities, income and
    /// property (`GET /schemas/asset_declaration`). One per person and
    /// year: a second is refused with 409; correct the first instead.
    #[oai(
        path = "/tenants/:tenant_id/asset-declarations",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "fileAssetDeclaration"
    )]
    async fn declare_assets(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<FileResponse> {
        file_kind(&state, &auth, tenant_id.0, Kind::AssetDeclaration, body.0).await
    }

    /// Record a hiring, transfer, promotion or dismissal
    /// (`GET /schemas/hr_action`). Hiring into a high-risk position
    /// requires the screening done.
    #[oai(
        path = "/tenants/:tenant_id/hr-actions",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "recordHrAction"
    )]
    async fn record_hr_action(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<FileResponse> {
        file_kind(&state, &auth, tenant_id.0, Kind::HrAction, body.0).await
    }

    /// Record a training a person completed (`GET /schemas/training`).
    #[oai(
        path = "/tenants/:tenant_id/trainings",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "recordTraining"
    )]
    async fn record_training(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<FileResponse> {
        file_kind(&state, &auth, tenant_id.0, Kind::Training, body.0).await
    }

    /// Record a report received through a feedback channel
    /// (`GET /schemas/feedback_report`); its answer is a correction.
    #[oai(
        path = "/tenants/:tenant_id/feedback-reports",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "recordFeedbackReport"
    )]
    async fn record_feedback_report(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<FileResponse> {
        file_kind(&state, &auth, tenant_id.0, Kind::FeedbackReport, body.0).await
    }

    /// Record one of the organisation's anti-corruption measures: a policy
    /// adopted, the compliance unit set up, a risk assessment done
    /// (`GET /schemas/governance`).
    #[oai(
        path = "/tenants/:tenant_id/governance-records",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "recordGovernanceMeasure"
    )]
    async fn record_governance(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<FileResponse> {
        file_kind(&state, &auth, tenant_id.0, Kind::Governance, body.0).await
    }

    /// Correct a submission: the body is the whole corrected record, of
    /// the same kind. The original is kept, linked to the new version, and
    /// the new version is evaluated. Only the current version can be
    /// corrected; the filer corrects their own records, officers those of
    /// the kinds they file.
    #[oai(
        path = "/tenants/:tenant_id/submissions/:id/corrections",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "correctSubmission"
    )]
    async fn correct(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<FileResponse> {
        Ok(FileResponse::Accepted(Json(
            adal_service::filing::correct(&state, &auth.0, tenant_id.0, id.0, &body.0)
                .await?
                .into(),
        )))
    }

    /// Every version of a submission, oldest first.
    #[oai(
        path = "/tenants/:tenant_id/submissions/:id/versions",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "listSubmissionVersions"
    )]
    async fn versions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<VersionsResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::READ).await?;
        let vis = adal_service::reader_visibility(&state, &ctx).await;
        let chain = submissions::versions(&state.store, ctx.tenant(), id.0)
            .await
            .map_err(|_| ApiError::not_found("submission"))?;
        if !chain.iter().all(|s| vis.allows(s)) {
            return Err(ApiError::not_found("submission"));
        }
        let out: ApiResult<Vec<_>> = chain
            .into_iter()
            .map(|s| submission_out(s, Vec::new()))
            .collect();
        Ok(VersionsResponse::Ok(Json(out?)))
    }

    /// Record the compliance unit's decision on a disclosure. Decisions
    /// are appended; the latest is current.
    #[oai(
        path = "/tenants/:tenant_id/conflicts-of-interest/:id/decisions",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "decideConflict"
    )]
    async fn decide(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<DecisionRequest>,
    ) -> ApiResult<DecideResponse> {
        let ctx = TenantCtx::authorize(
            &state,
            &auth.0,
            tenant_id.0,
            obj::CONFLICT_DECISIONS,
            act::DECIDE,
        )
        .await?;
        let d = adal_service::conflicts::decide(&state, &ctx, id.0, &body.0.decision, &body.0.note)
            .await?;
        Ok(DecideResponse::Created(Json(decision_out(d))))
    }

    /// The decisions on a disclosure, oldest first. The declarant reads
    /// the decisions on their own disclosures.
    #[oai(
        path = "/tenants/:tenant_id/conflicts-of-interest/:id/decisions",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "listConflictDecisions"
    )]
    async fn decisions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<DecisionsResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::READ).await?;
        let vis = adal_service::reader_visibility(&state, &ctx).await;
        let s = submissions::get(&state.store, ctx.tenant(), id.0)
            .await
            .ok()
            .filter(|s| s.kind == Kind::ConflictOfInterest.as_str() && vis.allows(s))
            .ok_or_else(|| ApiError::not_found("disclosure"))?;
        let ds = coi_store::decisions(&state.store, ctx.tenant(), s.id).await?;
        Ok(DecisionsResponse::Ok(Json(
            ds.into_iter().map(decision_out).collect(),
        )))
    }

    /// Who filed their asset declaration for `year`, on time or late, and
    /// who has not; against the tenant's deadline for that year.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/tenants/:tenant_id/declarations/status",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "declarationStatus"
    )]
    async fn declaration_status(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        year: Query<i32>,
        state_filter: Query<Option<String>>,
        offset: Query<Option<u64>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<DeclarationStatusResponse> {
        let ctx = TenantCtx::authorize(
            &state,
            &auth.0,
            tenant_id.0,
            obj::DECLARATION_STATUS,
            act::READ,
        )
        .await?;
        if !(2000..=2100).contains(&year.0) {
            return Err(ApiError::field(
                "/year",
                "range.year",
                "must be between 2000 and 2100",
            ));
        }
        const STATES: [&str; 4] = ["on_time", "late", "missing", "not_yet_due"];
        if let Some(f) = &state_filter.0
            && !STATES.contains(&f.as_str())
        {
            return Err(ApiError::field(
                "/state_filter",
                "choice.unknown",
                format!(
                    "unknown state {f:?}; expected one of: {}",
                    STATES.join(", ")
                ),
            ));
        }
        let (offset, limit) = page(offset.0, limit.0)?;
        let settings = tenants::settings_of(&tenants::get(&state.store, ctx.tenant()).await?)?;
        let due = settings.declaration_due(year.0).ok_or_else(|| {
            ApiError::field(
                "/year",
                "range.year",
                "no deadline can be set for this year",
            )
        })?;
        let all = declarations::status(&state.store, ctx.tenant(), year.0, due, kazakhstan_today())
            .await?;
        let count = |s: declarations::State| all.iter().filter(|p| p.state == s).count() as u64;
        let (on_time, late, missing, not_yet_due) = (
            count(declarations::State::OnTime),
            count(declarations::State::Late),
            count(declarations::State::Missing),
            count(declarations::State::NotYetDue),
        );
        let people = all
            .into_iter()
            .filter(|p| {
                state_filter
                    .0
                    .as_deref()
                    .is_none_or(|f| f == p.state.as_str())
            })
            .skip(usize::try_from(offset).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|p| DeclarationState {
                person_id: p.person_id,
                iin: p.iin,
                full_name: p.full_name,
                state: p.state.as_str().to_owned(),
                first_filed_at: p.first_filed_at,
                submission_id: p.submission_id,
            })
            .collect();
        Ok(DeclarationStatusResponse::Ok(Json(DeclarationStatusPage {
            year: year.0,
            due_on: due,
            on_time,
            late,
            missing,
            not_yet_due,
            people,
        })))
    }
}

fn decision_out(d: coi_store::CoiDecision) -> DecisionOut {
    DecisionOut {
        id: d.id,
        submission_id: d.submission_id,
        decision: d.decision,
        note: d.note,
        decided_by: d.decided_by,
        decided_at: d.decided_at,
    }
}
