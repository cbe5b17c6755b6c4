//! The feedback channel over HTTP (docs/reporting.md): the public
//! endpoints a reporter (or an integration) calls without an account, and
//! the compliance unit's case endpoints. The public ones read nothing
//! about the connection: no address, no agent; their floods are held back
//! by the proof of work and by per-tenant and global limits that key on no
//! one ([`ReportLimits`]).

use crate::AppState;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use adal_domain::{ReportChannel, ReportSource};
use adal_service::reporting::{self as svc, Involved, ReportInput};
use poem::web::Data;
use poem_openapi::param::{Header, Path};
use poem_openapi::{
    ApiResponse, Object, OpenApi, SecurityScheme, Tags, auth::Bearer, payload::Json,
};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Tags)]
pub(crate) enum ReportTags {
    /// Reporting corruption without an account, and following the report
    Reporting,
    /// The compliance unit's cases (reports and what became of them)
    Cases,
}

pub use svc::ReportLimits;

/// The `429` of a limit of the channel.
pub(crate) fn refused(r: svc::limits::Refused) -> ApiError {
    ApiError::TooManyRequests(
        crate::error::ErrorBody::new("too_many_requests", r.to_string()),
        svc::limits::RETRY_AFTER_SECS,
    )
}

/// A reporter's token from `POST /public/reports/access`.
#[derive(SecurityScheme)]
#[oai(ty = "bearer")]
pub struct ReporterAuth(pub(crate) Bearer);

#[derive(Debug, Object)]
pub struct ChallengeOut {
    /// Send back as `Proof-Of-Work: <challenge>:<nonce>`.
    pub challenge: String,
    /// Leading zero bits SHA-256 of `challenge + ":" + nonce` must have.
    pub bits: u8,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ReportedPersonIn {
    /// 1 to 200 characters.
    #[oai(validator(max_length = 200))]
    pub name: String,
    #[oai(validator(max_length = 200))]
    #[oai(nullable)]
    pub position: Option<String>,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewReport {
    /// What happened: 1 to 20,000 characters.
    #[oai(validator(max_length = 20000))]
    pub what: String,
    /// When, in your own words (at most 200 characters).
    #[oai(validator(max_length = 200))]
    #[oai(nullable)]
    pub when: Option<String>,
    /// Where (at most 200 characters).
    #[oai(rename = "where", validator(max_length = 200))]
    #[serde(rename = "where")]
    #[oai(nullable)]
    pub place: Option<String>,
    /// Who is involved: at most 20 people.
    #[oai(validator(max_items = 20))]
    #[oai(nullable)]
    pub involved: Option<Vec<ReportedPersonIn>>,
    /// How to reach you outside this channel; leave it out to stay
    /// anonymous (at most 200 characters).
    #[oai(validator(max_length = 200))]
    #[oai(nullable)]
    pub contact: Option<String>,
    /// `kk`, `ru` or `en`.
    #[oai(validator(max_length = 2))]
    #[oai(nullable)]
    pub language: Option<String>,
}

#[derive(Debug, Object)]
pub struct ReceiptOut {
    /// Shown once and never again: 40 digits in groups of four. Whoever
    /// holds it can read the case and write to its handlers; a lost
    /// receipt cannot be recovered.
    pub receipt: String,
    /// A reporter's token for this report, as `openReport` gives for the
    /// receipt: attach files with it at once, without a second proof of
    /// work.
    pub token: String,
    pub token_expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct AccessRequest {
    /// The receipt, with or without its spaces.
    #[oai(validator(max_length = 100))]
    pub receipt: String,
}

#[derive(Debug, Object)]
pub struct ReporterTokenOut {
    /// Send as `Authorization: Bearer <token>` to `/public/reports/mine`.
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    /// 1 to 10,000 characters.
    #[oai(validator(max_length = 10000))]
    pub body: String,
}

#[derive(Debug, Object)]
pub struct MessageOut {
    pub id: Uuid,
    /// `reporter`, `handler`, or (for handlers only) `note`.
    pub author: String,
    /// The handler who wrote it (never shown to the reporter).
    #[oai(nullable)]
    pub author_id: Option<Uuid>,
    pub body: String,
    /// The reporter's own messages carry the day only.
    pub at: chrono::DateTime<chrono::Utc>,
}

impl From<svc::MessageView> for MessageOut {
    fn from(m: svc::MessageView) -> Self {
        Self {
            id: m.id,
            author: m.author.as_str().into(),
            author_id: m.author_id,
            body: m.body,
            at: m.at,
        }
    }
}

#[derive(Debug, Object)]
pub struct ReportedPerson {
    pub name: String,
    #[oai(nullable)]
    pub position: Option<String>,
}

#[derive(Debug, Object)]
pub struct ReportOut {
    pub what: String,
    #[oai(nullable)]
    pub when: Option<String>,
    #[oai(rename = "where")]
    #[oai(nullable)]
    pub place: Option<String>,
    pub involved: Vec<ReportedPerson>,
    #[oai(nullable)]
    pub contact: Option<String>,
    #[oai(nullable)]
    pub language: Option<String>,
}

#[derive(Debug, Object)]
pub struct CaseOut {
    pub id: Uuid,
    /// `tenant` or `agency`.
    pub channel: String,
    /// `web`, `api`, `whatsapp` or `telegram`.
    pub source: String,
    /// `received`, `acknowledged`, `under_review`, `escalated`, `closed`.
    pub status: String,
    #[oai(nullable)]
    pub outcome: Option<String>,
    /// Never shown to the reporter.
    #[oai(nullable)]
    pub assignee_id: Option<Uuid>,
    pub received_on: chrono::NaiveDate,
    /// Acknowledge by this day.
    pub acknowledge_by: chrono::NaiveDate,
    /// Give the reporter feedback by this day.
    pub feedback_by: chrono::NaiveDate,
    #[oai(nullable)]
    pub acknowledged_at: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(nullable)]
    pub closed_at: Option<chrono::DateTime<chrono::Utc>>,
    pub overdue: bool,
    /// No contact was given.
    pub anonymous: bool,
    pub report: ReportOut,
    /// Oldest first; for handlers, their notes too.
    pub messages: Vec<MessageOut>,
    /// Compliance officers who may not handle the case: named in the
    /// report, or recused by their own choice (empty for the reporter).
    pub recused: Vec<RecusalOut>,
    /// Files, oldest first; removed ones stay as tombstones (no name).
    /// For handlers, their internal files too.
    pub attachments: Vec<crate::attachments::AttachmentOut>,
    /// Removals asked for, waiting and decided (empty for the reporter).
    pub approvals: Vec<crate::attachments::ApprovalOut>,
    /// The measures taken, given on closing.
    #[oai(nullable)]
    pub measures: Option<String>,
    /// The findings and people the case concerns (empty for the
    /// reporter).
    pub links: Vec<crate::case_links::CaseLinkOut>,
}

#[derive(Debug, Object)]
pub struct RecusalOut {
    pub user_id: Uuid,
    /// `named` (the report names them) or `self`.
    pub reason: String,
}

impl From<ReportInput> for ReportOut {
    fn from(r: ReportInput) -> Self {
        Self {
            what: r.what,
            when: r.when,
            place: r.place,
            involved: r
                .involved
                .into_iter()
                .map(|p| ReportedPerson {
                    name: p.name,
                    position: p.position,
                })
                .collect(),
            contact: r.contact,
            language: r.language,
        }
    }
}

impl From<svc::CaseView> for CaseOut {
    fn from(v: svc::CaseView) -> Self {
        let c = v.case;
        Self {
            id: c.id,
            channel: c.channel.as_str().into(),
            source: c.source.as_str().into(),
            status: c.status.as_str().into(),
            outcome: c.outcome.map(|o| o.as_str().into()),
            assignee_id: c.assignee_id,
            received_on: c.received_on,
            acknowledge_by: c.ack_due,
            feedback_by: c.feedback_due,
            acknowledged_at: v.acknowledged_at,
            closed_at: v.closed_at,
            overdue: c.overdue,
            anonymous: c.anonymous,
            report: v.report.into(),
            messages: v.messages.into_iter().map(MessageOut::from).collect(),
            recused: v
                .recused
                .into_iter()
                .map(|(user_id, reason)| RecusalOut { user_id, reason })
                .collect(),
            attachments: v.attachments.into_iter().map(Into::into).collect(),
            approvals: v.approvals.into_iter().map(Into::into).collect(),
            measures: v.measures,
            links: v.links.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Object)]
pub struct CaseSummaryOut {
    pub id: Uuid,
    pub channel: String,
    pub source: String,
    pub status: String,
    #[oai(nullable)]
    pub outcome: Option<String>,
    #[oai(nullable)]
    pub assignee_id: Option<Uuid>,
    pub received_on: chrono::NaiveDate,
    pub acknowledge_by: chrono::NaiveDate,
    pub feedback_by: chrono::NaiveDate,
    pub overdue: bool,
    pub anonymous: bool,
}

#[derive(Debug, Object)]
pub struct CaseList {
    pub items: Vec<CaseSummaryOut>,
    pub total: u64,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CaseMessageIn {
    /// 1 to 10,000 characters.
    #[oai(validator(max_length = 10000))]
    pub body: String,
    /// `true`: an internal note the reporter never sees.
    #[oai(nullable)]
    pub internal: Option<bool>,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct CasePatch {
    /// `received`, `acknowledged`, `under_review` or `closed`.
    #[oai(nullable)]
    pub status: Option<String>,
    /// A compliance officer of the organisation; `null` clears it.
    #[oai(nullable)]
    pub assignee_id: Option<Option<Uuid>>,
    /// With `status: closed`: `substantiated`, `not_substantiated`,
    /// `referred_to_law_enforcement`, `insufficient_information`,
    /// `out_of_scope`.
    #[oai(nullable)]
    pub outcome: Option<String>,
    /// With `status: closed`: the measures taken (at most 2,000
    /// characters). The reporter sees them: they are the feedback owed.
    #[oai(nullable, validator(max_length = 2000))]
    pub measures: Option<String>,
}

#[derive(Debug, Object)]
pub struct CreatedId {
    pub id: Uuid,
}

#[derive(ApiResponse)]
pub(crate) enum ChallengeResponse {
    #[oai(status = 200)]
    Ok(Json<ChallengeOut>),
}

#[derive(ApiResponse)]
pub(crate) enum FiledResponse {
    #[oai(status = 201)]
    Created(Json<ReceiptOut>),
}

#[derive(ApiResponse)]
pub(crate) enum AccessResponse {
    #[oai(status = 200)]
    Ok(Json<ReporterTokenOut>),
}

#[derive(ApiResponse)]
pub(crate) enum CaseResponse {
    #[oai(status = 200)]
    Ok(Json<CaseOut>),
}

#[derive(ApiResponse)]
pub(crate) enum CaseListResponse {
    #[oai(status = 200)]
    Ok(Json<CaseList>),
}

#[derive(ApiResponse)]
pub(crate) enum MessageResponse {
    #[oai(status = 201)]
    Created(Json<CreatedId>),
}

#[derive(Debug, Object)]
pub struct Count {
    /// A status, outcome or source.
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Object)]
pub struct CaseStatisticsOut {
    /// The period (by day received), as asked; `null`: open-ended.
    #[oai(nullable)]
    pub from: Option<chrono::NaiveDate>,
    #[oai(nullable)]
    pub to: Option<chrono::NaiveDate>,
    pub reports: u64,
    pub open: u64,
    pub overdue: u64,
    /// People on the register now; `null` when it is empty.
    #[oai(nullable)]
    pub staff: Option<u64>,
    #[oai(nullable)]
    pub reports_per_100_staff: Option<f64>,
    /// 0 to 1: reports without a contact.
    #[oai(nullable)]
    pub anonymous_share: Option<f64>,
    #[oai(nullable)]
    pub median_days_to_acknowledge: Option<f64>,
    #[oai(nullable)]
    pub median_days_to_close: Option<f64>,
    /// Every status, with zeros.
    pub by_status: Vec<Count>,
    /// Every outcome, with zeros.
    pub by_outcome: Vec<Count>,
    /// Every source, with zeros.
    pub by_source: Vec<Count>,
}

impl From<svc::CaseStatistics> for CaseStatisticsOut {
    fn from(s: svc::CaseStatistics) -> Self {
        fn counts<K: ToString>(v: &[(K, u64)]) -> Vec<Count> {
            v.iter()
                .map(|(k, c)| Count {
                    value: k.to_string(),
                    count: *c,
                })
                .collect()
        }
        Self {
            from: s.from,
            to: s.to,
            reports: s.reports,
            open: s.open,
            overdue: s.overdue,
            staff: s.staff,
            reports_per_100_staff: s.reports_per_100_staff,
            anonymous_share: s.anonymous_share,
            median_days_to_acknowledge: s.median_days_to_acknowledge,
            median_days_to_close: s.median_days_to_close,
            by_status: counts(&s.by_status),
            by_outcome: counts(&s.by_outcome),
            by_source: counts(&s.by_source),
        }
    }
}

/// One organisation in the Agency's figures.
#[derive(Debug, Object)]
pub struct TenantCaseStatisticsOut {
    pub tenant_id: Uuid,
    pub tenant_name: String,
    /// Reports about it made to the Agency directly, in the period.
    pub reported_to_agency: u64,
    /// Its own channel's figures.
    pub figures: CaseStatisticsOut,
}

/// Every organisation's channel in figures.
#[derive(Debug, Object)]
pub struct AgencyCaseStatisticsOut {
    pub tenants: Vec<TenantCaseStatisticsOut>,
    /// All organisations' own channels together.
    pub total: CaseStatisticsOut,
    /// Reports made to the Agency directly, about any organisation.
    pub reported_to_agency: u64,
}

#[derive(ApiResponse)]
pub(crate) enum AgencyStatisticsResponse {
    #[oai(status = 200)]
    Ok(Json<AgencyCaseStatisticsOut>),
}

#[derive(ApiResponse)]
pub(crate) enum StatisticsResponse {
    #[oai(status = 200)]
    Ok(Json<CaseStatisticsOut>),
}

#[derive(ApiResponse)]
pub(crate) enum StatisticsCsvResponse {
    /// A header line and one row.
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(poem_openapi::payload::PlainText<String>),
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct EscalateRequest {
    /// The organisation's account of the case for the Agency: 1 to 5,000
    /// characters.
    #[oai(validator(max_length = 5000))]
    pub summary: String,
    /// Whether the Agency may read the report itself (default false).
    #[oai(nullable)]
    pub include_report: Option<bool>,
}

#[derive(Debug, Object)]
pub struct EscalatedSummaryOut {
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// `tenant`: escalated by the organisation; `agency`: reported to the
    /// Agency directly.
    pub channel: String,
    pub status: String,
    pub received_on: chrono::NaiveDate,
    #[oai(nullable)]
    pub escalated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub overdue: bool,
}

#[derive(Debug, Object)]
pub struct EscalatedList {
    pub items: Vec<EscalatedSummaryOut>,
    pub total: u64,
}

#[derive(Debug, Object)]
pub struct EscalatedCaseOut {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub status: String,
    #[oai(nullable)]
    pub outcome: Option<String>,
    pub received_on: chrono::NaiveDate,
    pub acknowledge_by: chrono::NaiveDate,
    pub feedback_by: chrono::NaiveDate,
    #[oai(nullable)]
    pub escalated_at: Option<chrono::DateTime<chrono::Utc>>,
    pub overdue: bool,
    pub anonymous: bool,
    /// What the organisation wrote for the Agency.
    pub summary: String,
    /// The report, when the organisation shared it (always for the
    /// Agency's own channel); otherwise `null`.
    #[oai(nullable)]
    pub report: Option<ReportOut>,
    /// `tenant`: escalated by the organisation; `agency`: reported to the
    /// Agency directly, which handles it itself.
    pub channel: String,
    /// The conversation with the reporter and the Agency's notes: the
    /// Agency's own channel only (empty for an escalated case).
    pub messages: Vec<MessageOut>,
    /// The files the Agency may open: all of a case reported to it
    /// directly; the reporter's of an escalated case whose report was
    /// shared.
    pub attachments: Vec<crate::attachments::AttachmentOut>,
    /// The measures taken: a case of the Agency's own channel only.
    #[oai(nullable)]
    pub measures: Option<String>,
}

#[derive(ApiResponse)]
pub(crate) enum EscalatedListResponse {
    #[oai(status = 200)]
    Ok(Json<EscalatedList>),
}

#[derive(ApiResponse)]
pub(crate) enum EscalatedCaseResponse {
    #[oai(status = 200)]
    Ok(Json<EscalatedCaseOut>),
}

#[derive(ApiResponse)]
pub(crate) enum RecusedResponse {
    #[oai(status = 204)]
    Recused,
}

#[derive(ApiResponse)]
pub(crate) enum UpdatedResponse {
    #[oai(status = 200)]
    Ok(Json<CaseOut>),
}

pub(crate) fn parse_choice<T>(
    pointer: &str,
    v: Option<&str>,
    parse: impl Fn(&str) -> Result<T, adal_domain::UnknownValue>,
) -> Result<Option<T>, ApiError> {
    v.map(|s| {
        parse(s).map_err(|e| {
            ApiError::from(adal_service::ServiceError::Invalid {
                message: format!("{pointer}: {e}"),
                details: vec![adal_service::Detail {
                    pointer: pointer.into(),
                    code: e.code().into(),
                    message: e.to_string(),
                    ..Default::default()
                }],
            })
        })
    })
    .transpose()
}

/// Files a report about `tenant` to `channel`, as both public endpoints do.
async fn file_to(
    state: &AppState,
    limits: &ReportLimits,
    tenant: Uuid,
    channel: ReportChannel,
    proof: Option<&str>,
    b: NewReport,
) -> ApiResult<FiledResponse> {
    limits.check_report(tenant).map_err(refused)?;
    let input = ReportInput {
        what: b.what,
        when: b.when,
        place: b.place,
        involved: b
            .involved
            .unwrap_or_default()
            .into_iter()
            .map(|p| Involved {
                name: p.name,
                position: p.position,
            })
            .collect(),
        contact: b.contact,
        language: b.language,
    };
    let filed = svc::file_report(
        state,
        &state.reporting,
        tenant,
        channel,
        ReportSource::Api,
        proof,
        &input,
    )
    .await?;
    let token = svc::reporter_token(&state.reporting, tenant, filed.id)?;
    Ok(FiledResponse::Created(Json(ReceiptOut {
        receipt: filed.receipt.to_string(),
        token: token.token,
        token_expires_at: token.expires_at,
    })))
}

pub struct ReportingApi;

#[OpenApi(tag = "ReportTags::Reporting")]
impl ReportingApi {
    /// A proof-of-work challenge, single-use and short-lived. Find a
    /// decimal `nonce` such that SHA-256 of `challenge + ":" + nonce`
    /// starts with `bits` zero bits, and send `Proof-Of-Work:
    /// <challenge>:<nonce>` with the report or the receipt.
    #[oai(
        path = "/public/challenge",
        method = "get",
        operation_id = "getChallenge"
    )]
    async fn challenge(
        &self,
        state: Data<&AppState>,
        limits: Data<&ReportLimits>,
    ) -> ApiResult<ChallengeResponse> {
        limits.check_challenge().map_err(refused)?;
        let c = svc::challenge(&state.reporting)?;
        Ok(ChallengeResponse::Ok(Json(ChallengeOut {
            challenge: c.challenge,
            bits: c.bits,
        })))
    }

    /// Report corruption to an organisation, without an account. Needs a
    /// proof of work (`Proof-Of-Work` header; `429
    /// proof_of_work_required` without one). Answers the receipt, once.
    /// Nothing about the connection is stored or logged.
    #[oai(
        path = "/public/tenants/:tenant_id/reports",
        method = "post",
        operation_id = "fileReport"
    )]
    async fn file(
        &self,
        state: Data<&AppState>,
        limits: Data<&ReportLimits>,
        tenant_id: Path<Uuid>,
        #[oai(name = "Proof-Of-Work")] proof: Header<Option<String>>,
        body: JsonBody<NewReport>,
    ) -> ApiResult<FiledResponse> {
        file_to(
            &state,
            &limits,
            tenant_id.0,
            ReportChannel::Tenant,
            proof.0.as_deref(),
            body.0,
        )
        .await
    }

    /// Report corruption in an organisation to the Agency instead of the
    /// organisation's own compliance unit (when you do not trust it): the
    /// organisation never sees the report. The same body, proof of work,
    /// receipt and follow-up as `fileReport`.
    #[oai(
        path = "/public/agency/tenants/:tenant_id/reports",
        method = "post",
        operation_id = "fileReportToAgency"
    )]
    async fn file_to_agency(
        &self,
        state: Data<&AppState>,
        limits: Data<&ReportLimits>,
        tenant_id: Path<Uuid>,
        #[oai(name = "Proof-Of-Work")] proof: Header<Option<String>>,
        body: JsonBody<NewReport>,
    ) -> ApiResult<FiledResponse> {
        file_to(
            &state,
            &limits,
            tenant_id.0,
            ReportChannel::Agency,
            proof.0.as_deref(),
            body.0,
        )
        .await
    }

    /// Exchange a receipt for a reporter's token (30 minutes). Needs a
    /// proof of work, as filing does. A receipt that opens no report is a
    /// `404`.
    #[oai(
        path = "/public/reports/access",
        method = "post",
        operation_id = "openReport"
    )]
    async fn access(
        &self,
        state: Data<&AppState>,
        #[oai(name = "Proof-Of-Work")] proof: Header<Option<String>>,
        body: JsonBody<AccessRequest>,
    ) -> ApiResult<AccessResponse> {
        let t = svc::access(
            &state,
            &state.reporting,
            proof.0.as_deref(),
            &body.0.receipt,
        )
        .await?;
        Ok(AccessResponse::Ok(Json(ReporterTokenOut {
            token: t.token,
            expires_at: t.expires_at,
        })))
    }

    /// The reporter's case: status, deadlines, the report and the
    /// conversation with the handlers.
    #[oai(
        path = "/public/reports/mine",
        method = "get",
        operation_id = "getMyReport"
    )]
    async fn mine(
        &self,
        state: Data<&AppState>,
        limits: Data<&ReportLimits>,
        auth: ReporterAuth,
    ) -> ApiResult<CaseResponse> {
        limits
            .check_reporter(&auth.0.token, false)
            .map_err(refused)?;
        let v = svc::reporter_case(&state, &state.reporting, &auth.0.token).await?;
        Ok(CaseResponse::Ok(Json(v.into())))
    }

    /// Write to the case's handlers. A closed case takes no more messages.
    #[oai(
        path = "/public/reports/mine/messages",
        method = "post",
        operation_id = "writeToHandlers"
    )]
    async fn write(
        &self,
        state: Data<&AppState>,
        limits: Data<&ReportLimits>,
        auth: ReporterAuth,
        body: JsonBody<MessageIn>,
    ) -> ApiResult<MessageResponse> {
        limits
            .check_reporter(&auth.0.token, true)
            .map_err(refused)?;
        let id =
            svc::reporter_message(&state, &state.reporting, &auth.0.token, &body.0.body).await?;
        Ok(MessageResponse::Created(Json(CreatedId { id })))
    }
}
