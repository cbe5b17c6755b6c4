//! Dataset runs: the compliance unit asks for the whole data set to be
//! looked at now (missing declarations, repeated gifts) instead of waiting
//! for the schedule, and sees when it last was and what it filed.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::error::{ApiError, ApiResult};
use crate::submissions::ApiTags;
use adal_authz::{act, obj};
use adal_service::TenantCtx;
use adal_store::dataset;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, param::Path, payload::Json};
use uuid::Uuid;

#[derive(Debug, Object)]
pub struct DatasetRun {
    pub id: Uuid,
    /// `scheduled`, `manual`, `import` (an OCDS import finished) or
    /// `procurement` (a process filed or corrected).
    pub trigger: String,
    /// The user who asked, or `scheduler`.
    pub requested_by: String,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// Derived records filed for the first time.
    pub created: i64,
    /// Derived records whose fact changed (a new version).
    pub corrected: i64,
    /// Derived records that stayed as they were.
    pub unchanged: i64,
    #[oai(nullable)]
    pub error: Option<String>,
    /// What the run computed besides records. `red_flags`: the procurement
    /// processes read, the indicators run with their settings, the
    /// quartiles and fences taken from the tenant's own data (`meta`), the
    /// flags raised per indicator and the pass's notes (docs/redflags.md).
    /// Absent while the run is not done.
    #[oai(nullable)]
    pub computed: Option<serde_json::Value>,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    #[oai(nullable)]
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(nullable)]
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<dataset::DatasetRun> for DatasetRun {
    fn from(r: dataset::DatasetRun) -> Self {
        Self {
            id: r.id,
            trigger: r.trigger,
            requested_by: r.requested_by,
            status: r.status,
            created: r.created,
            corrected: r.corrected,
            unchanged: r.unchanged,
            error: r.error,
            computed: r
                .computed
                .as_deref()
                .and_then(|c| serde_json::from_str(c).ok()),
            requested_at: r.requested_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
        }
    }
}

#[derive(ApiResponse)]
enum RequestResponse {
    /// Queued (or the run already waiting).
    #[oai(status = 202)]
    Accepted(Json<DatasetRun>),
}

#[derive(ApiResponse)]
enum RunResponse {
    #[oai(status = 200)]
    Ok(Json<DatasetRun>),
}

#[derive(ApiResponse)]
enum RunsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<DatasetRun>>),
}

/// Runs listed, newest first.
const MAX_LISTED: u64 = 50;

pub struct DatasetApi;

#[OpenApi]
impl DatasetApi {
    /// Runs the tenant's dataset rules now. Answers with the queued run, or
    /// with the one already waiting. A run under way may have read the data
    /// before this request, so the new one waits behind it; a tenant never
    /// has two runs at once.
    #[oai(
        path = "/tenants/:tenant_id/dataset-runs",
        method = "post",
        tag = "ApiTags::Findings",
        operation_id = "requestDatasetRun"
    )]
    async fn request(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<RequestResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::DATASET_RUNS, act::WRITE)
            .await?;
        let run =
            dataset::request(&state.store, ctx.tenant(), dataset::MANUAL, &ctx.actor()).await?;
        Ok(RequestResponse::Accepted(Json(run.into())))
    }

    /// The tenant's most recent dataset runs, newest first.
    #[oai(
        path = "/tenants/:tenant_id/dataset-runs",
        method = "get",
        tag = "ApiTags::Findings",
        operation_id = "listDatasetRuns"
    )]
    async fn list(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<RunsResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::DATASET_RUNS, act::READ)
            .await?;
        let runs = dataset::list(&state.store, ctx.tenant(), MAX_LISTED).await?;
        Ok(RunsResponse::Ok(Json(
            runs.into_iter().map(DatasetRun::from).collect(),
        )))
    }

    /// One dataset run: its status and what it filed.
    #[oai(
        path = "/tenants/:tenant_id/dataset-runs/:id",
        method = "get",
        tag = "ApiTags::Findings",
        operation_id = "getDatasetRun"
    )]
    async fn get(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> ApiResult<RunResponse> {
        let ctx = TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::DATASET_RUNS, act::READ)
            .await?;
        let run = dataset::get(&state.store, ctx.tenant(), id.0)
            .await
            .map_err(|_| ApiError::not_found("dataset run"))?;
        Ok(RunResponse::Ok(Json(run.into())))
    }
}
