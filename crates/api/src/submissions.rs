//! Gift declarations in; submissions, findings and the risk map out.

use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::{AppState, page, records};
use adal_authz::{act, obj};
use adal_service::TenantCtx;
use adal_store::evaluation::{self, FindingFilter, FindingOrder};
use adal_store::submissions::{self, SubmissionFilter};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Header, Path, Query},
    payload::{Json, PlainText},
};
use uuid::Uuid;

#[derive(Tags)]
pub enum ApiTags {
    /// What people file
    Submissions,
    /// What the rules found, and the risk map
    Findings,
}

#[derive(Debug, Object)]
pub struct Accepted {
    pub submission_id: Uuid,
    /// Always `received`: stored durably, evaluation pending.
    pub status: String,
}

impl From<adal_service::Filed> for Accepted {
    fn from(f: adal_service::Filed) -> Self {
        Self {
            submission_id: f.submission_id,
            status: f.status,
        }
    }
}

#[derive(Debug, Object)]
pub struct Submission {
    pub id: Uuid,
    pub kind: String,
    pub schema_version: i32,
    pub submitted_by: Uuid,
    #[oai(nullable)]
    pub department_id: Option<Uuid>,
    #[oai(nullable)]
    pub position_id: Option<Uuid>,
    pub payload: serde_json::Value,
    /// `received`, `evaluated` or `failed`.
    pub status: String,
    /// Natural key within the kind (a procurement's ocid; a declaration's
    /// `year:iin`).
    #[oai(nullable)]
    pub reference: Option<String>,
    /// The person the record is about, when not the filer.
    #[oai(nullable)]
    pub subject_iin: Option<String>,
    /// The version this one corrects.
    #[oai(nullable)]
    pub supersedes: Option<Uuid>,
    /// The correction that replaced this version; `null` when current.
    #[oai(nullable)]
    pub superseded_by: Option<Uuid>,
    #[oai(nullable)]
    pub rule_set_version_id: Option<Uuid>,
    pub received_at: chrono::DateTime<chrono::Utc>,
    #[oai(nullable)]
    pub evaluated_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Rules that failed on this submission (their other rules still ran).
    pub rule_errors: Vec<RuleErrorOut>,
}

#[derive(Debug, Object)]
pub struct RuleErrorOut {
    pub rule_id: String,
    /// `runtime`, `limit` or `bad_result`.
    pub kind: String,
    pub message: String,
    #[oai(nullable)]
    pub line: Option<i32>,
    #[oai(nullable)]
    pub column: Option<i32>,
}

pub(crate) fn submission_out(
    s: submissions::Submission,
    errors: Vec<evaluation::RuleError>,
) -> ApiResult<Submission> {
    Ok(Submission {
        payload: serde_json::from_str(&s.payload).map_err(ApiError::internal)?,
        id: s.id,
        kind: s.kind,
        schema_version: s.schema_version,
        submitted_by: s.submitted_by,
        department_id: s.department_id,
        position_id: s.position_id,
        status: s.status,
        reference: s.reference,
        subject_iin: s.subject_iin,
        supersedes: s.supersedes,
        superseded_by: s.superseded_by,
        rule_set_version_id: s.rule_set_version_id,
        received_at: s.received_at,
        evaluated_at: s.evaluated_at,
        rule_errors: errors
            .into_iter()
            .map(|e| RuleErrorOut {
                rule_id: e.rule_id,
                kind: e.kind,
                message: e.message,
                line: e.line,
                column: e.col,
            })
            .collect(),
    })
}

#[derive(Debug, Object)]
pub struct SubmissionPage {
    pub items: Vec<Submission>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

#[derive(ApiResponse)]
enum ListSubmissionsResponse {
    #[oai(status = 200)]
    Ok(Json<SubmissionPage>),
}

#[derive(ApiResponse)]
enum GetSubmissionResponse {
    #[oai(status = 200)]
    Ok(Json<Submission>),
}

#[derive(Debug, Object)]
pub struct Finding {
    pub id: Uuid,
    pub submission_id: Uuid,
    pub rule_set_version_id: Uuid,
    pub rule_id: String,
    /// The rule's title in the language `Accept-Language` asks for (`kk`,
    /// `ru`, `en`; English when none matches): a library rule's from the
    /// library's texts, a tenant's own rule's id.
    pub rule_title: String,
    pub area: String,
    pub severity: String,
    pub likelihood: i16,
    pub impact: i16,
    /// What the finding is about, in the language `Accept-Language` asks
    /// for: a library rule's finding written from the facts it stored, a
    /// tenant's own rule's in the words its script returned.
    pub explanation: String,
    #[oai(nullable)]
    pub department_id: Option<Uuid>,
    #[oai(nullable)]
    pub position_id: Option<Uuid>,
    pub status: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it should be decided: found (or reopened) plus the tenant's
    /// days for its severity (`triage_days` in the settings).
    #[oai(nullable)]
    pub due_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Open and past its due date.
    pub overdue: bool,
}

impl From<evaluation::Finding> for Finding {
    fn from(f: evaluation::Finding) -> Self {
        Finding::in_language(f, "en")
    }
}

impl Finding {
    /// The finding with its rule titled and its explanation written in
    /// `lang` (`kk`, `ru`, `en`).
    pub fn in_language(f: evaluation::Finding, lang: &str) -> Self {
        let explanation =
            adal_texts::finding_explanation(lang, &f.rule_id, f.facts.as_deref(), &f.explanation);
        let overdue = evaluation::is_overdue(&f, chrono::Utc::now());
        Self {
            id: f.id,
            submission_id: f.submission_id,
            rule_set_version_id: f.rule_set_version_id,
            rule_title: adal_texts::rule_text(lang, &f.rule_id, "title")
                .unwrap_or_else(|| f.rule_id.clone()),
            rule_id: f.rule_id,
            area: f.area,
            severity: f.severity,
            likelihood: f.likelihood,
            impact: f.impact,
            explanation,
            department_id: f.department_id,
            position_id: f.position_id,
            overdue,
            status: f.status,
            created_at: f.created_at,
            due_at: f.due_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct FindingPage {
    pub items: Vec<Finding>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

#[derive(ApiResponse)]
enum ListFindingsResponse {
    #[oai(status = 200)]
    Ok(Json<FindingPage>),
}

#[derive(ApiResponse)]
enum GetFindingResponse {
    #[oai(status = 200)]
    Ok(Json<Finding>),
}

#[derive(Debug, Object)]
pub struct RiskCell {
    pub likelihood: i16,
    pub impact: i16,
    pub count: u64,
}

#[derive(Debug, Object)]
pub struct DepartmentAreaCell {
    #[oai(nullable)]
    pub department_id: Option<Uuid>,
    #[oai(nullable)]
    pub department: Option<String>,
    pub area: String,
    pub likelihood: i16,
    pub impact: i16,
    pub count: u64,
}

#[derive(Debug, Object)]
pub struct PositionRisk {
    pub position_id: Uuid,
    pub title: String,
    pub high_risk: bool,
    pub open_findings: u64,
    /// Sum of likelihood x impact over the position's open findings.
    pub score: i64,
}

#[derive(Debug, Object)]
pub struct RiskMap {
    #[oai(nullable)]
    pub computed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub open_findings: u64,
    /// Likelihood x impact cells with at least one open finding.
    pub cells: Vec<RiskCell>,
    pub by_department_area: Vec<DepartmentAreaCell>,
    /// Positions ranked by risk, highest first.
    pub positions: Vec<PositionRisk>,
}

impl From<evaluation::RiskMap> for RiskMap {
    fn from(m: evaluation::RiskMap) -> Self {
        Self {
            computed_at: m.computed_at,
            open_findings: m.open_findings,
            cells: m
                .cells
                .into_iter()
                .map(|c| RiskCell {
                    likelihood: c.likelihood,
                    impact: c.impact,
                    count: c.count,
                })
                .collect(),
            by_department_area: m
                .by_department_area
                .into_iter()
                .map(|c| DepartmentAreaCell {
                    department_id: c.department_id,
                    department: c.department,
                    area: c.area,
                    likelihood: c.likelihood,
                    impact: c.impact,
                    count: c.count,
                })
                .collect(),
            positions: m
                .positions
                .into_iter()
                .map(|p| PositionRisk {
                    position_id: p.position_id,
                    title: p.title,
                    high_risk: p.high_risk,
                    open_findings: p.open_findings,
                    score: p.score,
                })
                .collect(),
        }
    }
}

#[derive(ApiResponse)]
enum RiskMapResponse {
    #[oai(status = 200)]
    Ok(Json<RiskMap>),
}

#[derive(ApiResponse)]
enum RiskMapSvgResponse {
    /// A likelihood x impact heat map, readable without JavaScript.
    #[oai(status = 200, content_type = "image/svg+xml")]
    Ok(PlainText<String>),
}

pub struct SubmissionApi;

#[OpenApi]
impl SubmissionApi {
    /// Declare a gift or hospitality (`GET /schemas/gift`). Answers `202`
    /// once the declaration is durably stored; the rules evaluate it in the
    /// background.
    #[oai(
        path = "/tenants/:tenant_id/gifts",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "declareGift"
    )]
    async fn declare_gift(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<records::FileResponse> {
        records::file_kind(&state, &auth, tenant_id.0, adal_domain::Kind::Gift, body.0).await
    }

    /// Submissions, newest first. Employees see only their own.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/tenants/:tenant_id/submissions",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "listSubmissions"
    )]
    async fn list_submissions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        kind: Query<Option<String>>,
        status: Query<Option<String>>,
        subject_iin: Query<Option<String>>,
        reference: Query<Option<String>>,
        include_superseded: Query<Option<bool>>,
        offset: Query<Option<u64>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<ListSubmissionsResponse> {
        let (ctx, scope) = TenantCtx::authorize_read(
            &state,
            &auth.0,
            tenant_id.0,
            obj::SUBMISSIONS_ALL,
            obj::SUBMISSIONS_OWN,
        )
        .await?;
        let (offset, limit) = page(offset.0, limit.0)?;
        // Filed kinds and the kinds dataset runs derive (red flags, missing
        // declarations, ...): both are listed, under the same scope.
        if let Some(k) = &kind.0
            && adal_domain::Kind::parse(k).is_err()
            && adal_domain::records::derived::DerivedKind::parse(k).is_err()
        {
            return Err(ApiError::field(
                "/kind",
                "choice.unknown",
                format!("unknown kind {k:?}"),
            ));
        }
        let filter = SubmissionFilter {
            kind: kind.0,
            status: status.0,
            subject_iin: subject_iin.0,
            reference: reference.0,
            include_superseded: include_superseded.0.unwrap_or(false),
            ..Default::default()
        };
        let (rows, total) =
            submissions::list(&state.store, ctx.tenant(), &scope, &filter, offset, limit).await?;
        let items: ApiResult<Vec<_>> = rows
            .into_iter()
            .map(|s| submission_out(s, Vec::new()))
            .collect();
        Ok(ListSubmissionsResponse::Ok(Json(SubmissionPage {
            items: items?,
            total,
            offset,
            limit,
        })))
    }

    /// One submission with any rule errors from its evaluation.
    #[oai(
        path = "/tenants/:tenant_id/submissions/:id",
        method = "get",
        tag = "ApiTags::Submissions",
        operation_id = "getSubmission"
    )]
    async fn get_submission(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<GetSubmissionResponse> {
        let (ctx, scope) = TenantCtx::authorize_read(
            &state,
            &auth.0,
            tenant_id.0,
            obj::SUBMISSIONS_ALL,
            obj::SUBMISSIONS_OWN,
        )
        .await?;
        let s = submissions::get(&state.store, ctx.tenant(), id.0)
            .await
            .ok()
            .filter(|s| scope.allows(s))
            .ok_or_else(|| ApiError::not_found("submission"))?;
        let errors = evaluation::rule_errors_for(&state.store, ctx.tenant(), s.id).await?;
        Ok(GetSubmissionResponse::Ok(Json(submission_out(s, errors)?)))
    }

    /// Findings, newest first (or, with `sort=due`, the open ones first
    /// by due date, the most overdue first), with filters. Employees see
    /// only findings about their own submissions.
    #[oai(
        path = "/tenants/:tenant_id/findings",
        method = "get",
        tag = "ApiTags::Findings",
        operation_id = "listFindings"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list_findings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        severity: Query<Option<String>>,
        status: Query<Option<String>>,
        area: Query<Option<String>>,
        submission_id: Query<Option<Uuid>>,
        department_id: Query<Option<Uuid>>,
        likelihood: Query<Option<i16>>,
        impact: Query<Option<i16>>,
        /// `me` (the caller) or a user's id: only findings assigned to them.
        assigned_to: Query<Option<String>>,
        /// `true`: only open findings past their due date.
        overdue: Query<Option<bool>>,
        /// `newest` (the default) or `due`.
        sort: Query<Option<String>>,
        offset: Query<Option<u64>>,
        limit: Query<Option<u64>>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<ListFindingsResponse> {
        let lang = adal_texts::from_accept_language(accept_language.0.as_deref());
        let (ctx, scope) = TenantCtx::authorize_read(
            &state,
            &auth.0,
            tenant_id.0,
            obj::FINDINGS_ALL,
            obj::FINDINGS_OWN,
        )
        .await?;
        let (offset, limit) = page(offset.0, limit.0)?;
        let assigned_to = match assigned_to.0.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("me") => Some(ctx.caller().user_id),
            Some(other) => Some(other.parse::<Uuid>().map_err(|_| {
                ApiError::field(
                    "/assigned_to",
                    "query.invalid",
                    "`me` or a user's id".to_owned(),
                )
            })?),
        };
        let filter = FindingFilter {
            submission_id: submission_id.0,
            severity: severity.0,
            status: status.0,
            area: area.0,
            department_id: department_id.0,
            likelihood: likelihood.0,
            impact: impact.0,
            assigned_to,
            overdue_at: overdue.0.unwrap_or(false).then(chrono::Utc::now),
            order: match sort.0.as_deref().map(str::trim) {
                None | Some("") | Some("newest") => FindingOrder::Newest,
                Some("due") => FindingOrder::Due,
                Some(_) => {
                    return Err(ApiError::field(
                        "/sort",
                        "choice.unknown",
                        "must be one of: newest, due".to_owned(),
                    ));
                }
            },
        };
        let (rows, total) =
            evaluation::list_findings(&state.store, ctx.tenant(), &scope, &filter, offset, limit)
                .await?;
        Ok(ListFindingsResponse::Ok(Json(FindingPage {
            items: rows
                .into_iter()
                .map(|f| Finding::in_language(f, lang))
                .collect(),
            total,
            offset,
            limit,
        })))
    }

    #[oai(
        path = "/tenants/:tenant_id/findings/:id",
        method = "get",
        tag = "ApiTags::Findings",
        operation_id = "getFinding"
    )]
    async fn get_finding(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        #[oai(name = "Accept-Language")] accept_language: Header<Option<String>>,
    ) -> ApiResult<GetFindingResponse> {
        let (ctx, scope) = TenantCtx::authorize_read(
            &state,
            &auth.0,
            tenant_id.0,
            obj::FINDINGS_ALL,
            obj::FINDINGS_OWN,
        )
        .await?;
        let f = evaluation::get_finding(&state.store, ctx.tenant(), id.0)
            .await
            .map_err(|_| ApiError::not_found("finding"))?;
        let s = submissions::get(&state.store, ctx.tenant(), f.submission_id).await?;
        if !scope.allows(&s) {
            return Err(ApiError::not_found("finding"));
        }
        let lang = adal_texts::from_accept_language(accept_language.0.as_deref());
        Ok(GetFindingResponse::Ok(Json(Finding::in_language(f, lang))))
    }

    /// The corruption-risk map as data.
    #[oai(
        path = "/tenants/:tenant_id/risk-map",
        method = "get",
        tag = "ApiTags::Findings",
        operation_id = "getRiskMap"
    )]
    async fn risk_map(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<RiskMapResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::RISK_MAP, act::READ).await?;
        let m = evaluation::risk_map(&state.store, ctx.tenant()).await?;
        Ok(RiskMapResponse::Ok(Json(m.into())))
    }

    /// The corruption-risk map as an SVG heat map.
    #[oai(
        path = "/tenants/:tenant_id/risk-map.svg",
        method = "get",
        tag = "ApiTags::Findings",
        operation_id = "getRiskMapSvg"
    )]
    async fn risk_map_svg(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<RiskMapSvgResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::RISK_MAP, act::READ).await?;
        let m = evaluation::risk_map(&state.store, ctx.tenant()).await?;
        Ok(RiskMapSvgResponse::Ok(PlainText(
            adal_service::heatmap::render(&m),
        )))
    }
}
