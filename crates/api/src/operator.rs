//! The platform operator's screens over the API (docs/platform.md):
//! every tenant with what it uses, suspending and reactivating a tenant,
//! and the Agency's accounts. Platform administrators only; everyone
//! else gets `403`.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::ApiResult;
use crate::platform::{TenantInfo, UserInfo};
use adal_service::platform;
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, param::Path, payload::Json};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// Platform operators: tenants' status and usage, the Agency's accounts
    Operator,
}

/// A tenant with what it uses of the service.
#[derive(Debug, Object)]
pub struct TenantUsageOut {
    pub tenant: TenantInfo,
    pub accounts: u64,
    pub active_accounts: u64,
    /// People on file (employees with their relatives and interests).
    pub people: u64,
    pub submissions: u64,
    pub submissions_last_30_days: u64,
    pub open_findings: u64,
    /// When it last filed anything; `null` if never.
    #[oai(nullable)]
    pub last_filed_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(ApiResponse)]
enum UsageResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<TenantUsageOut>>),
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Why, for the record (1 to 500 characters); the audit logs of the
    /// platform and of the tenant keep it.
    pub reason: String,
}

#[derive(ApiResponse)]
enum TenantResponse {
    #[oai(status = 200)]
    Ok(Json<TenantInfo>),
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewAgencyAccountRequest {
    pub email: String,
    pub display_name: String,
    /// 12 to 200 characters.
    pub password: String,
}

#[derive(ApiResponse)]
enum AccountsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<UserInfo>>),
}

#[derive(ApiResponse)]
enum AccountResponse {
    #[oai(status = 200)]
    Ok(Json<UserInfo>),
    #[oai(status = 201)]
    Created(Json<UserInfo>),
}

pub struct OperatorApi;

#[OpenApi]
impl OperatorApi {
    /// Every tenant with its status and what it uses: accounts, people on
    /// file, filings (all and in the last 30 days), open findings, when it
    /// last filed.
    #[oai(
        path = "/platform/tenants",
        method = "get",
        tag = "ApiTags::Operator",
        operation_id = "listTenantsWithUsage"
    )]
    async fn tenants(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<UsageResponse> {
        let all = platform::tenants_with_usage(&state, &auth.0).await?;
        Ok(UsageResponse::Ok(Json(
            all.into_iter()
                .map(|(t, u)| TenantUsageOut {
                    tenant: t.into(),
                    accounts: u.accounts,
                    active_accounts: u.active_accounts,
                    people: u.people,
                    submissions: u.submissions,
                    submissions_last_30_days: u.submissions_last_30_days,
                    open_findings: u.open_findings,
                    last_filed_at: u.last_filed_at,
                })
                .collect(),
        )))
    }

    /// Suspend a tenant: its people are signed out at once (every session
    /// and API token revoked) and cannot sign in until it is reactivated;
    /// its data stays, the Agency still reads it, its feedback channel
    /// still takes reports. `409` if it is suspended already.
    #[oai(
        path = "/tenants/:tenant_id/suspend",
        method = "post",
        tag = "ApiTags::Operator",
        operation_id = "suspendTenant"
    )]
    async fn suspend(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<SuspendRequest>,
    ) -> ApiResult<TenantResponse> {
        let t = platform::suspend(&state, &auth.0, tenant_id.0, &body.0.reason).await?;
        Ok(TenantResponse::Ok(Json(t.into())))
    }

    /// Lift a tenant's suspension; its people sign in again. `409` if it
    /// is not suspended.
    #[oai(
        path = "/tenants/:tenant_id/reactivate",
        method = "post",
        tag = "ApiTags::Operator",
        operation_id = "reactivateTenant"
    )]
    async fn reactivate(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<TenantResponse> {
        let t = platform::reactivate(&state, &auth.0, tenant_id.0).await?;
        Ok(TenantResponse::Ok(Json(t.into())))
    }

    /// The Agency's accounts.
    #[oai(
        path = "/platform/agency-accounts",
        method = "get",
        tag = "ApiTags::Operator",
        operation_id = "listAgencyAccounts"
    )]
    async fn accounts(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> ApiResult<AccountsResponse> {
        let all = platform::agency_accounts(&state, &auth.0).await?;
        Ok(AccountsResponse::Ok(Json(
            all.into_iter().map(Into::into).collect(),
        )))
    }

    /// Create an account for an Agency auditor. It works at once, in every
    /// process of the installation that loads the policy.
    #[oai(
        path = "/platform/agency-accounts",
        method = "post",
        tag = "ApiTags::Operator",
        operation_id = "createAgencyAccount"
    )]
    async fn create_account(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewAgencyAccountRequest>,
    ) -> ApiResult<AccountResponse> {
        let b = body.0;
        let u = platform::create_agency_account(
            &state,
            &auth.0,
            platform::NewAgencyAccount {
                email: b.email,
                display_name: b.display_name,
                password: b.password,
            },
        )
        .await?;
        Ok(AccountResponse::Created(Json(u.into())))
    }

    /// Disable an Agency account: signed out everywhere, no sign-in.
    #[oai(
        path = "/platform/agency-accounts/:id/disable",
        method = "post",
        tag = "ApiTags::Operator",
        operation_id = "disableAgencyAccount"
    )]
    async fn disable(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<AccountResponse> {
        let u = platform::set_agency_account_disabled(&state, &auth.0, id.0, true).await?;
        Ok(AccountResponse::Ok(Json(u.into())))
    }

    /// Enable a disabled Agency account again.
    #[oai(
        path = "/platform/agency-accounts/:id/enable",
        method = "post",
        tag = "ApiTags::Operator",
        operation_id = "enableAgencyAccount"
    )]
    async fn enable(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> ApiResult<AccountResponse> {
        let u = platform::set_agency_account_disabled(&state, &auth.0, id.0, false).await?;
        Ok(AccountResponse::Ok(Json(u.into())))
    }
}
