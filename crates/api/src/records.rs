//! Filing every kind of record, correcting it as a new version, reading
//! its schema, and the compliance unit's workflow on what was filed.

use crate::auth::{BearerAuth, TenantCtx};
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::submissions::{Accepted, ApiTags, Submission, submission_out};
use crate::{AppState, page};
use adal_authz::{act, obj};
use adal_domain::records::{
    coi, culture, declaration::AssetDeclaration, hr, ocds::CompiledRelease, parse_value,
};
use adal_domain::{FieldError, GiftDeclaration, Kind, kazakhstan_today};
use adal_jobs::{Enqueued, EvaluateSubmission};
use adal_store::submissions::{self, NewSubmission, SubmissionFilter, Visibility};
use adal_store::{coi as coi_store, declarations, org, procurement, tenants, users};
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

#[derive(Debug, Object)]
pub struct ProcurementAccepted {
    pub submission_id: Uuid,
    pub ocid: String,
    /// `created`, `corrected` (a new version of a known ocid) or
    /// `unchanged` (the same content as the current version; nothing
    /// written).
    pub outcome: String,
}

#[derive(ApiResponse)]
enum ProcurementFileResponse {
    #[oai(status = 202)]
    Accepted(Json<ProcurementAccepted>),
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
    pub first_filed_at: Option<chrono::DateTime<chrono::Utc>>,
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

/// What the caller may read, kind by kind.
pub(crate) async fn visibility(state: &AppState, ctx: &TenantCtx) -> Visibility {
    let user = ctx.caller.user_id.to_string();
    let tenant = ctx.tenant.to_string();
    let mut v = Visibility {
        me: ctx.caller.user_id,
        ..Default::default()
    };
    for (kind, o) in obj::RECORDS {
        if state.authz.allowed(&user, &tenant, o, act::READ).await {
            v.all.push(kind.to_owned());
        } else if state.authz.allowed(&user, &tenant, o, act::READ_OWN).await {
            v.own.push(kind.to_owned());
        }
    }
    v
}

/// Where a record of each kind goes beyond its payload.
struct Placement {
    payload: serde_json::Value,
    reference: Option<String>,
    subject_iin: Option<String>,
}

/// Parses and checks a payload of `kind`, including the checks that need
/// the tenant's data (positions exist, high-risk hiring is screened).
async fn place(
    state: &AppState,
    ctx: &TenantCtx,
    kind: Kind,
    body: &serde_json::Value,
) -> ApiResult<Placement> {
    let today = kazakhstan_today();
    fn to_json<T: serde::Serialize>(v: &T) -> ApiResult<serde_json::Value> {
        serde_json::to_value(v).map_err(ApiError::internal)
    }
    Ok(match kind {
        Kind::Gift => {
            let g: GiftDeclaration = parse_value(body, today).map_err(ApiError::record)?;
            Placement {
                payload: to_json(&g)?,
                reference: None,
                subject_iin: None,
            }
        }
        Kind::ConflictOfInterest => {
            let d: coi::Disclosure = parse_value(body, today).map_err(ApiError::record)?;
            Placement {
                payload: to_json(&d)?,
                reference: None,
                subject_iin: None,
            }
        }
        Kind::AssetDeclaration => {
            let d: AssetDeclaration = parse_value(body, today).map_err(ApiError::record)?;
            let iin = d.person_iin.to_string();
            Placement {
                payload: to_json(&d)?,
                reference: Some(declarations::reference(d.year, &iin)),
                subject_iin: Some(iin),
            }
        }
        Kind::HrAction => {
            let a: hr::HrAction = parse_value(body, today).map_err(ApiError::record)?;
            let mut errors = Vec::new();
            let position = org::get_position(&state.store, ctx.tenant, a.position_id)
                .await
                .ok();
            if position.is_none() {
                errors.push(FieldError::new(
                    "/position_id",
                    "no such position in this tenant",
                ));
            }
            if let Some(prev) = a.previous_position_id
                && org::get_position(&state.store, ctx.tenant, prev)
                    .await
                    .is_err()
            {
                errors.push(FieldError::new(
                    "/previous_position_id",
                    "no such position in this tenant",
                ));
            }
            if a.action == hr::HrActionKind::Hiring
                && position.as_ref().is_some_and(|p| p.high_risk)
                && a.screening.is_none()
            {
                errors.push(FieldError::new(
                    "/screening",
                    "required: the position is on the tenant's list of high-risk positions",
                ));
            }
            if !errors.is_empty() {
                return Err(ApiError::invalid(errors));
            }
            let iin = a.person.iin.to_string();
            Placement {
                payload: to_json(&a)?,
                reference: None,
                subject_iin: Some(iin),
            }
        }
        Kind::Training => {
            let t: culture::Training = parse_value(body, today).map_err(ApiError::record)?;
            Placement {
                payload: to_json(&t)?,
                reference: Some(t.reference()),
                subject_iin: Some(t.person_iin.to_string()),
            }
        }
        Kind::FeedbackReport => {
            let r: culture::FeedbackReport = parse_value(body, today).map_err(ApiError::record)?;
            Placement {
                payload: to_json(&r)?,
                // The receipt code is how the reporter follows the report.
                reference: Some(r.receipt_code.to_string()),
                subject_iin: None,
            }
        }
        Kind::Governance => {
            let g: culture::GovernanceRecord =
                parse_value(body, today).map_err(ApiError::record)?;
            Placement {
                payload: to_json(&g)?,
                reference: Some(g.reference()),
                subject_iin: None,
            }
        }
        Kind::Procurement | Kind::Person => {
            return Err(ApiError::bad_request(format!(
                "{} records are filed through their own endpoint",
                kind.as_str()
            )));
        }
    })
}

/// Hands a committed submission to the queue; if the queue is full or
/// down, marks it so the sweeper enqueues it at its next pass.
pub(crate) async fn enqueue(state: &AppState, ctx: &TenantCtx, id: Uuid) {
    let queued = state
        .queue
        .enqueue(EvaluateSubmission {
            tenant_id: ctx.tenant.0,
            submission_id: id,
        })
        .await;
    if !matches!(queued, Ok(Enqueued::Pushed)) {
        if let Err(e) = &queued {
            tracing::warn!(submission_id = %id, error = %e, "enqueue failed; the sweeper will pick it up");
        }
        if let Err(e) = submissions::mark_not_enqueued(&state.store, ctx.tenant, id).await {
            tracing::warn!(submission_id = %id, error = %e, "could not mark the submission for the sweeper; it will be swept after the grace period");
        }
    }
}

/// Files a record of `kind` (or a correction of `supersedes`).
pub(crate) async fn file(
    state: &AppState,
    ctx: &TenantCtx,
    kind: Kind,
    body: &serde_json::Value,
    supersedes: Option<&submissions::Submission>,
) -> ApiResult<Accepted> {
    let mut placed = place(state, ctx, kind, body).await?;
    // The person on file the caller's account belongs to, if linked; read
    // only for the kinds whose filing depends on it.
    let me = if matches!(
        kind,
        Kind::Gift | Kind::ConflictOfInterest | Kind::AssetDeclaration | Kind::Training
    ) {
        adal_store::users::get(&state.store, ctx.tenant, ctx.caller.user_id)
            .await
            .ok()
            .and_then(|u| u.person_iin)
    } else {
        None
    };
    if matches!(kind, Kind::Gift | Kind::ConflictOfInterest) {
        // A gift or a disclosure is about whoever files it: with their
        // person, the rules see their relatives and interests. A
        // correction stays about the person the record was about.
        placed.subject_iin = match supersedes {
            Some(old) => old.subject_iin.clone(),
            None => me.clone(),
        };
    }
    // Someone whose account is a person on file declares for themselves;
    // filing for others takes the right to read everyone's records of the
    // kind (the compliance unit, HR for trainings).
    if matches!(kind, Kind::AssetDeclaration | Kind::Training)
        && let Some(mine) = &me
        && placed.subject_iin.as_ref() != Some(mine)
        && let Some(o) = obj::record(kind.as_str())
        && !state
            .authz
            .allowed(&ctx.actor(), &ctx.tenant.to_string(), o, act::READ)
            .await
    {
        return Err(ApiError::field(
            "/person_iin",
            "must be your own IIN: your account belongs to a person on file, and you may file only for yourself",
        ));
    }
    // A correction fixes a record; it cannot turn it into another one
    // (another person's declaration, another year, another subject).
    if let Some(old) = supersedes
        && (old.reference != placed.reference || old.subject_iin != placed.subject_iin)
    {
        // Name the member that moved the record, and what the kind's
        // identity is made of.
        let parts = |r: &Option<String>| -> Vec<String> {
            r.as_deref()
                .map(|r| r.split(':').map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let (was, now) = (parts(&old.reference), parts(&placed.reference));
        let differs = |i: usize| was.get(i) != now.get(i);
        let same_person = old.subject_iin == placed.subject_iin;
        let (pointer, identity) = match kind {
            Kind::AssetDeclaration if same_person => ("/year", "person and reporting year"),
            Kind::AssetDeclaration => ("/person_iin", "person and reporting year"),
            Kind::HrAction => ("/person/iin", "person"),
            Kind::Training if !same_person => ("/person_iin", "person, topic and day"),
            Kind::Training if differs(1) => ("/topic", "person, topic and day"),
            Kind::Training => ("/completed_on", "person, topic and day"),
            Kind::FeedbackReport => ("/receipt_code", "receipt code"),
            Kind::Governance if differs(0) => ("/event", "measure and day"),
            Kind::Governance => ("/on", "measure and day"),
            _ => ("", "subject"),
        };
        return Err(ApiError::field(
            pointer,
            format!("a correction must keep the record's {identity}; file a new record instead"),
        ));
    }
    // One current record per natural key: a new filing, or a correction
    // that moves a record onto another key (a declaration's year or
    // person), must not make a second one. The version being corrected
    // is the one allowed to hold the key.
    if let Some(reference) = &placed.reference {
        let filter = SubmissionFilter {
            kind: Some(kind.as_str().to_owned()),
            reference: Some(reference.clone()),
            ..Default::default()
        };
        let (existing, _) = submissions::list(&state.store, ctx.tenant, &filter, 0, 2).await?;
        if let Some(e) = existing
            .iter()
            .find(|e| Some(e.id) != supersedes.map(|o| o.id))
        {
            return Err(ApiError::conflict(format!(
                "a {} for {reference} exists ({}); file a correction of it instead",
                kind.as_str(),
                e.id
            )));
        }
    }
    let me = users::get(&state.store, ctx.tenant, ctx.caller.user_id).await?;
    let s = submissions::insert(
        &state.store,
        ctx.tenant,
        NewSubmission {
            kind: kind.as_str().to_owned(),
            schema_version: kind.schema_version(),
            submitted_by: me.id,
            department_id: me.department_id,
            position_id: me.position_id,
            payload: placed.payload,
            reference: placed.reference,
            subject_iin: placed.subject_iin,
            supersedes: supersedes.map(|o| o.id),
        },
    )
    .await?;
    // The row is committed: from here on nothing is lost.
    enqueue(state, ctx, s.id).await;
    Ok(Accepted {
        submission_id: s.id,
        status: s.status,
    })
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
        file(state, &ctx, kind, &body, None).await?,
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

    /// Create or update a contracting process from an OCDS compiled
    /// release (`GET /schemas/procurement`). Idempotent by `ocid` and
    /// content: a changed release becomes a new version, the same one
    /// changes nothing. For packages and JSON lines, use an import.
    #[oai(
        path = "/tenants/:tenant_id/procurements",
        method = "post",
        tag = "ApiTags::Submissions",
        operation_id = "putProcurement"
    )]
    async fn put_procurement(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<serde_json::Value>,
    ) -> ApiResult<ProcurementFileResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::PROCUREMENTS, act::CREATE)
                .await?;
        let release: CompiledRelease =
            parse_value(&body.0, kazakhstan_today()).map_err(ApiError::record)?;
        let up =
            procurement::upsert(&state.store, ctx.tenant, ctx.caller.user_id, &release).await?;
        let outcome = match up {
            procurement::Upserted::Created(id) => {
                enqueue(&state, &ctx, id).await;
                "created"
            }
            procurement::Upserted::Corrected(id) => {
                enqueue(&state, &ctx, id).await;
                "corrected"
            }
            procurement::Upserted::Unchanged(_) => "unchanged",
        };
        Ok(ProcurementFileResponse::Accepted(Json(
            ProcurementAccepted {
                submission_id: up.submission_id(),
                ocid: release.ocid.to_string(),
                outcome: outcome.to_owned(),
            },
        )))
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
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::READ).await?;
        let vis = visibility(&state, &ctx).await;
        let old = submissions::get(&state.store, ctx.tenant, id.0)
            .await
            .ok()
            .filter(|s| vis.allows(s))
            .ok_or_else(|| ApiError::not_found("submission"))?;
        if adal_domain::records::derived::DerivedKind::parse(&old.kind).is_ok() {
            return Err(ApiError::conflict(
                "derived records are kept by the service's dataset runs and cannot be corrected; correct the records they were derived from",
            ));
        }
        let kind = Kind::parse(&old.kind).map_err(|_| ApiError::internal("stored kind unknown"))?;
        if kind == Kind::Procurement {
            return Err(ApiError::bad_request(
                "procurements are corrected by filing the changed compiled release (POST /procurements)",
            ));
        }
        let o = obj::record(kind.as_str()).ok_or_else(|| invalid_kind(kind.as_str()))?;
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, o, act::CREATE).await?;
        let may_correct_any = state
            .authz
            .allowed(&ctx.actor(), &ctx.tenant.to_string(), o, act::READ)
            .await;
        if old.submitted_by != ctx.caller.user_id && !may_correct_any {
            return Err(ApiError::forbidden());
        }
        // Said before the natural-key check, which would otherwise report
        // the current version as a rival.
        if let Some(by) = old.superseded_by {
            return Err(ApiError::conflict(format!(
                "this version was already corrected by {by}; correct the latest version"
            )));
        }
        Ok(FileResponse::Accepted(Json(
            file(&state, &ctx, kind, &body.0, Some(&old)).await?,
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
        let vis = visibility(&state, &ctx).await;
        let chain = submissions::versions(&state.store, ctx.tenant, id.0)
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
        let mut errors = Vec::new();
        let decision = coi::Resolution::parse(&body.0.decision)
            .map_err(|e| errors.push(FieldError::new("/decision", e.to_string())))
            .ok();
        let note = adal_domain::Note::parse(&body.0.note)
            .map_err(|e| errors.push(FieldError::new("/note", e.to_string())))
            .ok();
        let (Some(decision), Some(note)) = (decision, note) else {
            return Err(ApiError::invalid(errors));
        };
        let d = coi_store::decide(
            &state.store,
            ctx.tenant,
            id.0,
            decision.as_str(),
            note.as_str(),
            ctx.caller.user_id,
        )
        .await
        .map_err(|e| match e {
            adal_store::StoreError::NotFound => ApiError::not_found("disclosure"),
            other => other.into(),
        })?;
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
        let vis = visibility(&state, &ctx).await;
        let s = submissions::get(&state.store, ctx.tenant, id.0)
            .await
            .ok()
            .filter(|s| s.kind == Kind::ConflictOfInterest.as_str() && vis.allows(s))
            .ok_or_else(|| ApiError::not_found("disclosure"))?;
        let ds = coi_store::decisions(&state.store, ctx.tenant, s.id).await?;
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
            return Err(ApiError::field("/year", "must be between 2000 and 2100"));
        }
        const STATES: [&str; 4] = ["on_time", "late", "missing", "not_yet_due"];
        if let Some(f) = &state_filter.0
            && !STATES.contains(&f.as_str())
        {
            return Err(ApiError::field(
                "/state_filter",
                format!(
                    "unknown state {f:?}; expected one of: {}",
                    STATES.join(", ")
                ),
            ));
        }
        let (offset, limit) = page(offset.0, limit.0)?;
        let settings = tenants::settings_of(&tenants::get(&state.store, ctx.tenant).await?)?;
        let due = settings
            .declaration_due(year.0)
            .ok_or_else(|| ApiError::field("/year", "no deadline can be set for this year"))?;
        let all =
            declarations::status(&state.store, ctx.tenant, year.0, due, kazakhstan_today()).await?;
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
