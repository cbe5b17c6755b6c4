//! The compliance unit's cases over HTTP (docs/reporting.md), and the
//! Agency's view of the cases organisations escalated to it.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::reporting::*;
use adal_authz::{act, obj};
use adal_domain::{CaseOutcome, CaseStatus, ReportChannel};
use adal_service::TenantCtx;
use adal_service::reporting::{self as svc, CaseUpdate};
use adal_store::reports::CaseFilter;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{OpenApi, payload::Json};
use uuid::Uuid;

pub struct CasesApi;

#[OpenApi(tag = "ReportTags::Cases")]
impl CasesApi {
    /// The organisation's cases, the nearest deadline first (compliance
    /// officers only). No content: reading a case is audited one by one.
    #[oai(
        path = "/tenants/:tenant_id/cases",
        method = "get",
        operation_id = "listCases"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        /// `received`, `acknowledged`, `under_review`, `escalated`, `closed`.
        status: Query<Option<String>>,
        /// Only cases assigned to this user (`me` is not a value: use
        /// your id).
        assignee_id: Query<Option<Uuid>>,
        /// Only cases still open.
        open: Query<Option<bool>>,
        offset: Query<Option<u64>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<CaseListResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::READ).await?;
        let (offset, limit) = crate::page(offset.0, limit.0)?;
        let filter = CaseFilter {
            channel: Some(ReportChannel::Tenant),
            status: parse_choice("/status", status.0.as_deref(), CaseStatus::parse)?,
            assignee: assignee_id.0,
            open: open.0.unwrap_or(false),
            hidden_from: None,
        };
        let (rows, total) = svc::list_cases(&state, &ctx, &filter, offset, limit).await?;
        Ok(CaseListResponse::Ok(Json(CaseList {
            items: rows
                .into_iter()
                .map(|c| CaseSummaryOut {
                    id: c.id,
                    channel: c.channel.as_str().into(),
                    source: c.source.as_str().into(),
                    status: c.status.as_str().into(),
                    outcome: c.outcome.map(|o| o.as_str().into()),
                    assignee_id: c.assignee_id,
                    received_on: c.received_on,
                    acknowledge_by: c.ack_due,
                    feedback_by: c.feedback_due,
                    overdue: c.overdue,
                    anonymous: c.anonymous,
                })
                .collect(),
            total,
        })))
    }

    /// A case with the report, messages and internal notes. The read is
    /// recorded in the audit log.
    #[oai(
        path = "/tenants/:tenant_id/cases/:id",
        method = "get",
        operation_id = "getCase"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<CaseResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::READ).await?;
        let v = svc::case(&state, &state.reporting, &ctx, id.0).await?;
        Ok(CaseResponse::Ok(Json(v.into())))
    }

    /// Change a case's status, assignee or outcome (closing needs an
    /// outcome).
    #[oai(
        path = "/tenants/:tenant_id/cases/:id",
        method = "patch",
        operation_id = "updateCase"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<CasePatch>,
    ) -> ApiResult<UpdatedResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::WRITE).await?;
        let b = body.0;
        let update = CaseUpdate {
            status: parse_choice("/status", b.status.as_deref(), CaseStatus::parse)?,
            assignee: b.assignee_id,
            outcome: parse_choice("/outcome", b.outcome.as_deref(), CaseOutcome::parse)?,
            measures: b.measures,
        };
        svc::update_case(&state, &state.reporting, &ctx, id.0, update).await?;
        let v = svc::case(&state, &state.reporting, &ctx, id.0).await?;
        Ok(UpdatedResponse::Ok(Json(v.into())))
    }

    /// Write to the reporter, or (`internal: true`) add a note only
    /// handlers see.
    #[oai(
        path = "/tenants/:tenant_id/cases/:id/messages",
        method = "post",
        operation_id = "writeOnCase"
    )]
    async fn message(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<CaseMessageIn>,
    ) -> ApiResult<MessageResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::WRITE).await?;
        let b = body.0;
        let id = svc::handler_message(
            &state,
            &state.reporting,
            &ctx,
            id.0,
            &b.body,
            b.internal.unwrap_or(false),
        )
        .await?;
        Ok(MessageResponse::Created(Json(CreatedId { id })))
    }

    /// Step aside from a case (you know someone involved, say): you are
    /// unassigned, and from then on the case is hidden from you as one
    /// that names you is. Recorded in the audit log.
    #[oai(
        path = "/tenants/:tenant_id/cases/:id/recuse",
        method = "post",
        operation_id = "recuseFromCase"
    )]
    async fn recuse(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<RecusedResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::WRITE).await?;
        svc::recuse(&state, &ctx, id.0).await?;
        Ok(RecusedResponse::Recused)
    }

    /// The channel in figures over the cases received in a period:
    /// volume (also per 100 people on the register), share anonymous,
    /// median days to acknowledge and to close, counts by status,
    /// outcome and source.
    #[oai(
        path = "/tenants/:tenant_id/case-statistics",
        method = "get",
        operation_id = "caseStatistics"
    )]
    async fn statistics(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        /// First day (received on), inclusive.
        from: Query<Option<chrono::NaiveDate>>,
        /// Last day, inclusive.
        to: Query<Option<chrono::NaiveDate>>,
    ) -> ApiResult<StatisticsResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::READ).await?;
        let s = svc::statistics(&state, &ctx, from.0, to.0).await?;
        Ok(StatisticsResponse::Ok(Json(s.into())))
    }

    /// The same figures as CSV: a header line (every status, outcome and
    /// source a column) and one row, for a spreadsheet.
    #[oai(
        path = "/tenants/:tenant_id/case-statistics/csv",
        method = "get",
        operation_id = "caseStatisticsCsv"
    )]
    async fn statistics_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        /// First day (received on), inclusive.
        from: Query<Option<chrono::NaiveDate>>,
        /// Last day, inclusive.
        to: Query<Option<chrono::NaiveDate>>,
    ) -> ApiResult<StatisticsCsvResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::READ).await?;
        let s = svc::statistics(&state, &ctx, from.0, to.0).await?;
        Ok(StatisticsCsvResponse::Ok(poem_openapi::payload::PlainText(
            s.csv(),
        )))
    }

    /// Hand the case to the Agency with a summary (and, if chosen, the
    /// report itself). The case stays yours to work on; its status
    /// becomes `escalated`. Audited; a closed or already escalated case is
    /// a `409`.
    #[oai(
        path = "/tenants/:tenant_id/cases/:id/escalate",
        method = "post",
        operation_id = "escalateCase"
    )]
    async fn escalate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
        body: JsonBody<EscalateRequest>,
    ) -> ApiResult<UpdatedResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::CASES, act::WRITE).await?;
        let e = svc::Escalation {
            summary: body.0.summary,
            include_report: body.0.include_report.unwrap_or(false),
        };
        svc::escalate(&state, &state.reporting, &ctx, id.0, &e).await?;
        let v = svc::case(&state, &state.reporting, &ctx, id.0).await?;
        Ok(UpdatedResponse::Ok(Json(v.into())))
    }
}

pub struct AgencyCasesApi;

#[OpenApi(tag = "ReportTags::Cases")]
impl AgencyCasesApi {
    /// The Agency's cases: those organisations escalated to it and those
    /// reported to it directly (`channel`), the most recently received
    /// first (Agency auditors only). No content here.
    #[oai(
        path = "/agency/cases",
        method = "get",
        operation_id = "listEscalatedCases"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        offset: Query<Option<u64>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<EscalatedListResponse> {
        let (offset, limit) = crate::page(offset.0, limit.0)?;
        let (rows, total) = svc::agency_cases(&state, &auth.0, offset, limit).await?;
        Ok(EscalatedListResponse::Ok(Json(EscalatedList {
            items: rows
                .into_iter()
                .map(|(tenant_id, c, escalated_at)| EscalatedSummaryOut {
                    id: c.id,
                    tenant_id,
                    channel: c.channel.as_str().into(),
                    status: c.status.as_str().into(),
                    received_on: c.received_on,
                    escalated_at,
                    overdue: c.overdue,
                })
                .collect(),
            total,
        })))
    }

    /// Every organisation's channel in figures (Agency auditors and
    /// platform admins): per organisation, its own channel's figures (as
    /// `caseStatistics` gives them) and the reports about it made to the
    /// Agency; and all of them together (medians over every case, the rate
    /// over the summed staff). No content is opened.
    #[oai(
        path = "/agency/case-statistics",
        method = "get",
        operation_id = "agencyCaseStatistics"
    )]
    async fn statistics(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// First day (received on), inclusive.
        from: Query<Option<chrono::NaiveDate>>,
        /// Last day, inclusive.
        to: Query<Option<chrono::NaiveDate>>,
    ) -> ApiResult<AgencyStatisticsResponse> {
        let s = svc::agency_statistics(&state, &auth.0, from.0, to.0).await?;
        Ok(AgencyStatisticsResponse::Ok(Json(
            AgencyCaseStatisticsOut {
                reported_to_agency: s.reported_to_agency,
                total: s.total.into(),
                tenants: s
                    .tenants
                    .into_iter()
                    .map(|t| TenantCaseStatisticsOut {
                        tenant_id: t.tenant_id,
                        tenant_name: t.tenant_name,
                        reported_to_agency: t.reported_to_agency,
                        figures: t.figures.into(),
                    })
                    .collect(),
            },
        )))
    }

    /// The same as CSV: a row per organisation and a last row `all`.
    #[oai(
        path = "/agency/case-statistics/csv",
        method = "get",
        operation_id = "agencyCaseStatisticsCsv"
    )]
    async fn statistics_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        /// First day (received on), inclusive.
        from: Query<Option<chrono::NaiveDate>>,
        /// Last day, inclusive.
        to: Query<Option<chrono::NaiveDate>>,
    ) -> ApiResult<StatisticsCsvResponse> {
        let s = svc::agency_statistics(&state, &auth.0, from.0, to.0).await?;
        Ok(StatisticsCsvResponse::Ok(poem_openapi::payload::PlainText(
            s.csv(),
        )))
    }

    /// One of the Agency's cases: an escalated one with what its
    /// organisation shared, or one reported to the Agency directly with
    /// the whole conversation. The read goes in that organisation's audit
    /// log. Any other case is a `404`.
    #[oai(
        path = "/agency/cases/:id",
        method = "get",
        operation_id = "getEscalatedCase"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<EscalatedCaseResponse> {
        let e = svc::agency_case(&state, &state.reporting, &auth.0, id.0).await?;
        Ok(EscalatedCaseResponse::Ok(Json(escalated_out(e))))
    }

    /// Change the status or outcome of a case reported to the Agency
    /// directly (closing needs an outcome). An organisation's escalated
    /// case is the organisation's to change: a `404` here.
    #[oai(
        path = "/agency/cases/:id",
        method = "patch",
        operation_id = "updateAgencyCase"
    )]
    async fn update(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<CasePatch>,
    ) -> ApiResult<EscalatedCaseResponse> {
        let b = body.0;
        let update = CaseUpdate {
            status: parse_choice("/status", b.status.as_deref(), CaseStatus::parse)?,
            assignee: b.assignee_id,
            outcome: parse_choice("/outcome", b.outcome.as_deref(), CaseOutcome::parse)?,
            measures: b.measures,
        };
        svc::agency_update(&state, &state.reporting, &auth.0, id.0, update).await?;
        let e = svc::agency_case(&state, &state.reporting, &auth.0, id.0).await?;
        Ok(EscalatedCaseResponse::Ok(Json(escalated_out(e))))
    }

    /// Write to the reporter of a case reported to the Agency directly,
    /// or (`internal: true`) add a note only the Agency sees.
    #[oai(
        path = "/agency/cases/:id/messages",
        method = "post",
        operation_id = "writeOnAgencyCase"
    )]
    async fn message(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: JsonBody<CaseMessageIn>,
    ) -> ApiResult<MessageResponse> {
        let b = body.0;
        let id = svc::agency_message(
            &state,
            &state.reporting,
            &auth.0,
            id.0,
            &b.body,
            b.internal.unwrap_or(false),
        )
        .await?;
        Ok(MessageResponse::Created(Json(CreatedId { id })))
    }
}

fn escalated_out(e: svc::EscalatedCase) -> EscalatedCaseOut {
    let c = e.case;
    EscalatedCaseOut {
        id: c.id,
        tenant_id: e.tenant_id,
        tenant_name: e.tenant_name,
        status: c.status.as_str().into(),
        outcome: c.outcome.map(|o| o.as_str().into()),
        received_on: c.received_on,
        acknowledge_by: c.ack_due,
        feedback_by: c.feedback_due,
        escalated_at: e.escalated_at,
        overdue: c.overdue,
        anonymous: c.anonymous,
        summary: e.summary,
        report: e.report.map(ReportOut::from),
        channel: e.channel.as_str().into(),
        messages: e.messages.into_iter().map(MessageOut::from).collect(),
        attachments: e.attachments.into_iter().map(Into::into).collect(),
        measures: e.measures,
    }
}
