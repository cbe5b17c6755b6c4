//! A tenant's own administration: settings, users, departments, positions,
//! procurements, and verification of its audit log.

use crate::accounts::{DepartmentPatch, PositionPatch, UserPatch};
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use crate::platform::{TenantInfo, UserInfo};
use crate::{AppState, page};
use adal_authz::{act, obj};
use adal_domain::Bin;
use adal_service::TenantCtx;
use adal_service::accounts::{self, NewDepartment, NewPosition, NewUserRequest};
use adal_service::settings::{Settings, check_settings};
use adal_store::{audit, org, outbox, procurement, submissions, tenants, users};
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags,
    param::{Path, Query},
    payload::Json,
};
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(Tags)]
pub enum ApiTags {
    /// A tenant's settings, people and organisation
    Tenant,
}

#[derive(Debug, Object)]
pub struct TenantDetails {
    pub tenant: TenantInfo,
    pub settings: SettingsOut,
}

#[derive(Debug, Object)]
pub struct SettingsOut {
    pub alert_threshold: String,
    pub alert_emails: Vec<String>,
    pub mci_by_year: BTreeMap<String, String>,
    pub declaration_due_by_year: BTreeMap<String, String>,
    pub feedback_answer_days: u32,
    /// Whether administrators and compliance officers must sign in with a
    /// second factor.
    pub require_second_factor: bool,
    /// Days a finding has before it is overdue, by severity.
    pub triage_days: adal_service::TriageDaysIn,
    /// `immediate` (one email per finding), `hourly` or `daily` (one
    /// digest per UTC hour or day).
    pub alert_digest: String,
}

impl From<tenants::TenantSettings> for SettingsOut {
    fn from(s: tenants::TenantSettings) -> Self {
        let feedback_answer_days = s.feedback_answer_days();
        let require_second_factor = s.require_second_factor.unwrap_or(false);
        let triage_days = s.triage_days().into();
        let alert_digest = s.alert_digest.unwrap_or_default().as_str().to_owned();
        Self {
            alert_threshold: s.alert_threshold,
            alert_emails: s.alert_emails,
            mci_by_year: s
                .mci_by_year
                .into_iter()
                .map(|(y, v)| (y.to_string(), v))
                .collect(),
            declaration_due_by_year: s
                .declaration_due_by_year
                .into_iter()
                .map(|(y, v)| (y.to_string(), v))
                .collect(),
            feedback_answer_days,
            require_second_factor,
            triage_days,
            alert_digest,
        }
    }
}

#[derive(ApiResponse)]
enum TenantResponse {
    #[oai(status = 200)]
    Ok(Json<TenantDetails>),
}

#[derive(ApiResponse)]
enum CreateUserResponse {
    #[oai(status = 201)]
    Created(Json<UserInfo>),
}

#[derive(ApiResponse)]
enum UpdateUserResponse {
    #[oai(status = 200)]
    Ok(Json<UserInfo>),
}

#[derive(ApiResponse)]
enum UpdateDepartmentResponse {
    #[oai(status = 200)]
    Ok(Json<Department>),
}

#[derive(ApiResponse)]
enum UpdatePositionResponse {
    #[oai(status = 200)]
    Ok(Json<Position>),
}

#[derive(ApiResponse)]
enum ListUsersResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<UserInfo>>),
}

#[derive(Debug, Object)]
pub struct Department {
    pub id: Uuid,
    pub name: String,
    #[oai(nullable)]
    pub parent_id: Option<Uuid>,
}

impl From<org::Department> for Department {
    fn from(d: org::Department) -> Self {
        Self {
            id: d.id,
            name: d.name,
            parent_id: d.parent_id,
        }
    }
}

#[derive(ApiResponse)]
enum CreateDepartmentResponse {
    #[oai(status = 201)]
    Created(Json<Department>),
}

#[derive(ApiResponse)]
enum ListDepartmentsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<Department>>),
}

#[derive(Debug, Object)]
pub struct Position {
    pub id: Uuid,
    pub title: String,
    #[oai(nullable)]
    pub department_id: Option<Uuid>,
    pub risk_level: i16,
    pub high_risk: bool,
}

impl From<org::Position> for Position {
    fn from(p: org::Position) -> Self {
        Self {
            id: p.id,
            title: p.title,
            department_id: p.department_id,
            risk_level: p.risk_level,
            high_risk: p.high_risk,
        }
    }
}

#[derive(ApiResponse)]
enum CreatePositionResponse {
    #[oai(status = 201)]
    Created(Json<Position>),
}

#[derive(ApiResponse)]
enum ListPositionsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<Position>>),
}

/// A contracting process as Adal indexes it; the whole compiled release
/// is the submission `submission_id`.
#[derive(Debug, Object)]
pub struct Procurement {
    pub ocid: String,
    pub submission_id: Uuid,
    #[oai(nullable)]
    pub title: Option<String>,
    #[oai(nullable)]
    pub buyer_id: Option<String>,
    #[oai(nullable)]
    pub buyer_name: Option<String>,
    /// The tender's status as published (`planning`, `active`, `complete`...).
    #[oai(nullable)]
    pub status: Option<String>,
    #[oai(nullable)]
    pub method: Option<String>,
    /// The tender's value as published (a decimal string).
    #[oai(nullable)]
    pub value_amount: Option<String>,
    #[oai(nullable)]
    pub currency: Option<String>,
    #[oai(nullable)]
    pub tender_end: Option<String>,
    /// BINs of tenderers and suppliers (parties with scheme `KZ-BIN`).
    pub counterparty_bins: Vec<String>,
    /// IINs of committee members and individual parties.
    pub person_iins: Vec<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// The procurement red flags that fire on the process, its buyer,
    /// procuring entity, tenderers and suppliers, as the last dataset run
    /// found them (docs/redflags.md). Only `getProcurement` fills it.
    #[oai(skip_serializing_if_is_none)]
    pub red_flags: Option<Vec<RedFlag>>,
}

/// A red flag the tenant's dataset run raised; its finding is about the
/// record `submission_id`.
#[derive(Debug, Object)]
pub struct RedFlag {
    /// The indicator (its rule id): `R003`, `R018`, ...
    pub indicator: String,
    pub title: String,
    /// What it is on: `process`, `buyer`, `procuring_entity` or `tenderer`.
    pub on: String,
    /// The process's ocid, or the organisation's id in the release.
    pub subject: String,
    /// The indicator's value (cardinal's), rounded to 4 decimals.
    #[oai(nullable)]
    pub value: Option<f64>,
    pub explanation: String,
    pub submission_id: Uuid,
}

impl RedFlag {
    fn from_record(submission_id: Uuid, p: &serde_json::Value) -> Self {
        let text = |k: &str| {
            p.get(k)
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        RedFlag {
            indicator: text("indicator"),
            title: text("title"),
            on: text("group"),
            subject: text("subject"),
            value: p.get("value").and_then(serde_json::Value::as_f64),
            explanation: text("explanation"),
            submission_id,
        }
    }
}

impl TryFrom<procurement::Procurement> for Procurement {
    type Error = ApiError;
    fn try_from(p: procurement::Procurement) -> Result<Self, ApiError> {
        Ok(Self {
            counterparty_bins: serde_json::from_str(&p.counterparty_bins)
                .map_err(ApiError::internal)?,
            person_iins: serde_json::from_str(&p.person_iins).map_err(ApiError::internal)?,
            ocid: p.ocid,
            submission_id: p.submission_id,
            title: p.title,
            buyer_id: p.buyer_id,
            buyer_name: p.buyer_name,
            status: p.status,
            method: p.method,
            value_amount: p.value_amount,
            currency: p.currency,
            tender_end: p.tender_end,
            updated_at: p.updated_at,
            red_flags: None,
        })
    }
}

#[derive(Debug, Object)]
pub struct ProcurementPage {
    pub items: Vec<Procurement>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
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

#[derive(ApiResponse)]
enum GetProcurementResponse {
    #[oai(status = 200)]
    Ok(Json<Procurement>),
}

#[derive(ApiResponse)]
enum ListProcurementsResponse {
    #[oai(status = 200)]
    Ok(Json<ProcurementPage>),
}

#[derive(Debug, Object)]
pub struct Alert {
    pub id: Uuid,
    pub subject: String,
    pub recipients: Vec<String>,
    /// `pending` (waiting for its next attempt), `sending` (claimed by a
    /// mailer now), `sent` (accepted by the SMTP server) or `dead` (given
    /// up after too many attempts).
    pub status: String,
    pub attempts: i32,
    /// Why the last attempt failed, while pending or dead.
    #[oai(nullable)]
    pub last_error: Option<String>,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[oai(nullable)]
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(ApiResponse)]
enum ListAlertsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<Alert>>),
}

#[derive(Debug, Object)]
pub struct AuditVerification {
    pub entries: u64,
    /// True when every entry matches its recorded hash, positions run
    /// without a gap, and every signed checkpoint matches the rebuilt tree.
    pub intact: bool,
    /// The first entry that does not match, if any.
    #[oai(nullable)]
    pub broken_at: Option<i64>,
    /// The first signed checkpoint (its tree size) whose signature or root
    /// does not match the entries, if any.
    #[oai(nullable)]
    pub checkpoint_failed: Option<u64>,
    /// The size of the log's tree, and base64 of its root hash as rebuilt
    /// from the entries' content.
    pub tree_size: u64,
    pub root: String,
    /// Signed checkpoints checked.
    pub checkpoints: u64,
}

#[derive(ApiResponse)]
enum AuditResponse {
    #[oai(status = 200)]
    Ok(Json<AuditVerification>),
}

pub struct TenantApi;

#[OpenApi]
impl TenantApi {
    /// The tenant and its compliance settings.
    #[oai(
        path = "/tenants/:tenant_id",
        method = "get",
        tag = "ApiTags::Tenant",
        operation_id = "getTenant"
    )]
    async fn get_tenant(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<TenantResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::READ).await?;
        let t = tenants::get(&state.store, ctx.tenant()).await?;
        let s = tenants::settings_of(&t)?;
        Ok(TenantResponse::Ok(Json(TenantDetails {
            tenant: t.into(),
            settings: s.into(),
        })))
    }

    /// Set the alert threshold and recipients, and the MCI by year.
    #[oai(
        path = "/tenants/:tenant_id/settings",
        method = "put",
        tag = "ApiTags::Tenant",
        operation_id = "updateSettings"
    )]
    async fn update_settings(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<Settings>,
    ) -> ApiResult<TenantResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::WRITE).await?;
        let settings = check_settings(&body.0).map_err(ApiError::invalid)?;
        let t =
            tenants::update_settings(&state.store, ctx.tenant(), &ctx.actor(), &settings).await?;
        let s = tenants::settings_of(&t)?;
        Ok(TenantResponse::Ok(Json(TenantDetails {
            tenant: t.into(),
            settings: s.into(),
        })))
    }

    /// Create a user with a role in this tenant.
    #[oai(
        path = "/tenants/:tenant_id/users",
        method = "post",
        tag = "ApiTags::Tenant",
        operation_id = "createUser"
    )]
    async fn create_user(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<NewUserRequest>,
    ) -> ApiResult<CreateUserResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::USERS, act::WRITE).await?;
        let u = accounts::create_user(&state, &ctx, body.0).await?;
        Ok(CreateUserResponse::Created(Json(u.into())))
    }

    /// The tenant's users.
    #[oai(
        path = "/tenants/:tenant_id/users",
        method = "get",
        tag = "ApiTags::Tenant",
        operation_id = "listUsers"
    )]
    async fn list_users(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<ListUsersResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::USERS, act::READ).await?;
        let all = users::list(&state.store, ctx.tenant()).await?;
        Ok(ListUsersResponse::Ok(Json(
            all.into_iter().map(Into::into).collect(),
        )))
    }

    /// Change an account: name, role, department, position, person,
    /// password, or disable it. An administrator cannot change their own
    /// role or disable themselves.
    #[oai(
        path = "/tenants/:tenant_id/users/:user_id",
        method = "patch",
        tag = "ApiTags::Tenant",
        operation_id = "updateUser"
    )]
    async fn update_user(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        user_id: Path<Uuid>,
        body: JsonBody<UserPatch>,
    ) -> ApiResult<UpdateUserResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::USERS, act::WRITE).await?;
        let u = accounts::update_user(&state, &ctx, user_id.0, body.0.into()).await?;
        Ok(UpdateUserResponse::Ok(Json(u.into())))
    }

    /// Create a department (optionally under a parent).
    #[oai(
        path = "/tenants/:tenant_id/departments",
        method = "post",
        tag = "ApiTags::Tenant",
        operation_id = "createDepartment"
    )]
    async fn create_department(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<NewDepartment>,
    ) -> ApiResult<CreateDepartmentResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::ORG, act::WRITE).await?;
        let d = accounts::create_department(&state, &ctx, body.0).await?;
        Ok(CreateDepartmentResponse::Created(Json(d.into())))
    }

    #[oai(
        path = "/tenants/:tenant_id/departments",
        method = "get",
        tag = "ApiTags::Tenant",
        operation_id = "listDepartments"
    )]
    async fn list_departments(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<ListDepartmentsResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::ORG, act::READ).await?;
        let all = org::list_departments(&state.store, ctx.tenant()).await?;
        Ok(ListDepartmentsResponse::Ok(Json(
            all.into_iter().map(Into::into).collect(),
        )))
    }

    /// Rename a department or move it under another (or to the top).
    #[oai(
        path = "/tenants/:tenant_id/departments/:department_id",
        method = "patch",
        tag = "ApiTags::Tenant",
        operation_id = "updateDepartment"
    )]
    async fn update_department(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        department_id: Path<Uuid>,
        body: JsonBody<DepartmentPatch>,
    ) -> ApiResult<UpdateDepartmentResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::ORG, act::WRITE).await?;
        let d = accounts::update_department(&state, &ctx, department_id.0, body.0.into()).await?;
        Ok(UpdateDepartmentResponse::Ok(Json(d.into())))
    }

    /// Create a position with its corruption-risk level.
    #[oai(
        path = "/tenants/:tenant_id/positions",
        method = "post",
        tag = "ApiTags::Tenant",
        operation_id = "createPosition"
    )]
    async fn create_position(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<NewPosition>,
    ) -> ApiResult<CreatePositionResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::ORG, act::WRITE).await?;
        let p = accounts::create_position(&state, &ctx, body.0).await?;
        Ok(CreatePositionResponse::Created(Json(p.into())))
    }

    #[oai(
        path = "/tenants/:tenant_id/positions",
        method = "get",
        tag = "ApiTags::Tenant",
        operation_id = "listPositions"
    )]
    async fn list_positions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<ListPositionsResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::ORG, act::READ).await?;
        let all = org::list_positions(&state.store, ctx.tenant()).await?;
        Ok(ListPositionsResponse::Ok(Json(
            all.into_iter().map(Into::into).collect(),
        )))
    }

    /// Change a position: title, department, risk level, or whether it is
    /// on the list of positions exposed to corruption risk.
    #[oai(
        path = "/tenants/:tenant_id/positions/:position_id",
        method = "patch",
        tag = "ApiTags::Tenant",
        operation_id = "updatePosition"
    )]
    async fn update_position(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        position_id: Path<Uuid>,
        body: JsonBody<PositionPatch>,
    ) -> ApiResult<UpdatePositionResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::ORG, act::WRITE).await?;
        let p = accounts::update_position(&state, &ctx, position_id.0, body.0.into()).await?;
        Ok(UpdatePositionResponse::Ok(Json(p.into())))
    }

    /// Create or update a contracting process from an OCDS compiled
    /// release (`GET /schemas/procurement`). Idempotent by `ocid` and
    /// content: a changed release becomes a new version, the same one
    /// changes nothing. For packages and JSON lines, use an import.
    #[oai(
        path = "/tenants/:tenant_id/procurements",
        method = "post",
        tag = "crate::submissions::ApiTags::Submissions",
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
        let filed = adal_service::filing::file_procurement(&state, &ctx, &body.0).await?;
        Ok(ProcurementFileResponse::Accepted(Json(
            ProcurementAccepted {
                submission_id: filed.submission_id,
                ocid: filed.ocid,
                outcome: filed.outcome.to_owned(),
            },
        )))
    }

    /// The tenant's contracting processes, by ocid, with filters.
    #[allow(clippy::too_many_arguments)]
    #[oai(
        path = "/tenants/:tenant_id/procurements",
        method = "get",
        tag = "ApiTags::Tenant",
        operation_id = "listProcurements"
    )]
    async fn list_procurements(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        status: Query<Option<String>>,
        buyer_id: Query<Option<String>>,
        counterparty_bin: Query<Option<String>>,
        q: Query<Option<String>>,
        offset: Query<Option<u64>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<ListProcurementsResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::PROCUREMENTS, act::READ)
            .await?;
        let (offset, limit) = page(offset.0, limit.0)?;
        if let Some(b) = &counterparty_bin.0
            && let Err(e) = Bin::parse(b)
        {
            return Err(ApiError::field(
                "/counterparty_bin",
                "bin.invalid",
                format!("invalid BIN: {e}"),
            ));
        }
        let filter = procurement::ProcurementFilter {
            status: status.0,
            buyer_id: buyer_id.0,
            counterparty_bin: counterparty_bin.0,
            text: q.0,
        };
        let (rows, total) =
            procurement::list(&state.store, ctx.tenant(), &filter, offset, limit).await?;
        let items: Result<Vec<Procurement>, ApiError> =
            rows.into_iter().map(TryInto::try_into).collect();
        Ok(ListProcurementsResponse::Ok(Json(ProcurementPage {
            items: items?,
            total,
            offset,
            limit,
        })))
    }

    /// One contracting process by ocid. Its compiled release is the
    /// submission `submission_id` (`GET /submissions/{id}`).
    #[oai(
        path = "/tenants/:tenant_id/procurements/:ocid",
        method = "get",
        tag = "ApiTags::Tenant",
        operation_id = "getProcurement"
    )]
    async fn get_procurement(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        ocid: Path<String>,
    ) -> ApiResult<GetProcurementResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::PROCUREMENTS, act::READ)
            .await?;
        let p = procurement::get_by_ocid(&state.store, ctx.tenant(), &ocid.0)
            .await
            .map_err(|_| ApiError::not_found("procurement"))?;
        let release = submissions::get(&state.store, ctx.tenant(), p.submission_id)
            .await
            .ok()
            .and_then(|s| serde_json::from_str::<serde_json::Value>(&s.payload).ok())
            .unwrap_or_default();
        let flags = adal_store::dataset::red_flags_on(
            &state.store,
            ctx.tenant(),
            &adal_store::dataset::red_flag_subjects(&release),
        )
        .await?;
        let mut out: Procurement = p.try_into()?;
        out.red_flags = Some(
            flags
                .iter()
                .map(|(id, payload)| RedFlag::from_record(*id, payload))
                .collect(),
        );
        Ok(GetProcurementResponse::Ok(Json(out)))
    }

    /// The compliance unit's alert emails, newest first (at most 200), with
    /// their delivery state.
    #[oai(
        path = "/tenants/:tenant_id/alerts",
        method = "get",
        tag = "ApiTags::Tenant",
        operation_id = "listAlerts"
    )]
    async fn list_alerts(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<ListAlertsResponse> {
        let ctx =
            TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::OUTBOX, act::READ).await?;
        let rows = outbox::list(&state.store, ctx.tenant(), 200).await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            out.push(Alert {
                recipients: outbox::recipients_of(&m)?,
                id: m.id,
                subject: m.subject,
                status: m.status,
                attempts: m.attempts,
                last_error: m.last_error,
                next_attempt_at: m.next_attempt_at,
                created_at: m.created_at,
                sent_at: m.sent_at,
            });
        }
        Ok(ListAlertsResponse::Ok(Json(out)))
    }

    /// Verify the tenant's tamper-evident audit log end to end.
    #[oai(
        path = "/tenants/:tenant_id/audit/verify",
        method = "get",
        tag = "ApiTags::Tenant",
        operation_id = "verifyAuditLog"
    )]
    async fn verify_audit(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<AuditResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::AUDIT, act::READ).await?;
        let v = audit::verify(&state.store, ctx.tenant()).await?;
        Ok(AuditResponse::Ok(Json(AuditVerification {
            entries: v.entries,
            intact: v.broken_at.is_none() && v.checkpoint_failed.is_none(),
            broken_at: v.broken_at,
            checkpoint_failed: v.checkpoint_failed,
            tree_size: v.tree_size,
            root: {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD.encode(v.root)
            },
            checkpoints: v.checkpoints as u64,
        })))
    }
}
