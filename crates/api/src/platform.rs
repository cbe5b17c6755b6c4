//! Sign-in, tokens, and the platform operator's tenant management.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::body::JsonBody;
use crate::error::{ApiError, ApiResult};
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_service::{authorize_platform, platform, sign_in};
use adal_store::{TenantId, tenants, users};
use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags, param::Path, payload::Json};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Tags)]
pub enum ApiTags {
    /// Signing in and tokens
    Auth,
    /// Platform operators: tenants
    Platform,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// For an account with a second factor: the authenticator app's
    /// current code, or an unused recovery code. Without it such an
    /// account's sign-in answers `401 second_factor_required`. A member of
    /// a suspended organisation gets `403 tenant_suspended`.
    #[oai(validator(max_length = 64))]
    #[oai(nullable)]
    pub code: Option<String>,
}

#[derive(Debug, Object)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once; only a digest
    /// is stored.
    pub token: String,
    /// When it stops working: a session after 12 hours, an API token
    /// after the days asked for (90 by default, 365 at most).
    #[oai(nullable)]
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    pub user: UserInfo,
}

#[derive(Debug, Clone, Object)]
pub struct UserInfo {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    #[oai(nullable)]
    pub tenant_id: Option<Uuid>,
    #[oai(nullable)]
    pub department_id: Option<Uuid>,
    #[oai(nullable)]
    pub position_id: Option<Uuid>,
    /// The person on file this account belongs to.
    #[oai(nullable)]
    pub person_iin: Option<String>,
    /// A disabled account cannot sign in and its tokens do not work.
    pub disabled: bool,
}

impl From<users::User> for UserInfo {
    fn from(u: users::User) -> Self {
        Self {
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            role: u.role,
            tenant_id: u.tenant_id,
            department_id: u.department_id,
            position_id: u.position_id,
            person_iin: u.person_iin,
            disabled: u.disabled_at.is_some(),
        }
    }
}

#[derive(ApiResponse)]
enum LoginResponse {
    #[oai(status = 200)]
    Ok(Json<TokenResponse>),
}

#[derive(ApiResponse)]
enum LogoutResponse {
    #[oai(status = 204)]
    Done,
}

#[derive(ApiResponse)]
enum MeResponse {
    #[oai(status = 200)]
    Ok(Json<UserInfo>),
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewAdmin {
    pub email: String,
    pub display_name: String,
    /// At least 12 characters.
    pub password: String,
}

#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct NewTenantRequest {
    pub name: String,
    /// Business identification number: 12 digits with a valid check digit.
    pub bin: String,
    /// `public_body`, `quasi_public` or `private`.
    pub sector: String,
    /// One of the 17 regions or 3 cities of republican significance, e.g.
    /// `astana`, `almaty`, `shymkent`, `karaganda`.
    pub region: String,
    pub admin: NewAdmin,
}

#[derive(Debug, Object)]
pub struct TenantInfo {
    pub id: Uuid,
    pub name: String,
    pub bin: String,
    pub sector: String,
    pub region: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Since when the platform's operator has suspended the tenant; `null`
    /// while it is active.
    #[oai(nullable)]
    pub suspended_at: Option<chrono::DateTime<chrono::Utc>>,
    #[oai(nullable)]
    pub suspended_reason: Option<String>,
}

impl From<tenants::Tenant> for TenantInfo {
    fn from(t: tenants::Tenant) -> Self {
        Self {
            id: t.id,
            name: t.name,
            bin: t.bin,
            sector: t.sector,
            region: t.region,
            created_at: t.created_at,
            suspended_at: t.suspended_at,
            suspended_reason: t.suspended_reason,
        }
    }
}

#[derive(Debug, Object)]
pub struct CreatedTenant {
    pub tenant: TenantInfo,
    pub admin: UserInfo,
}

#[derive(ApiResponse)]
enum CreateTenantResponse {
    #[oai(status = 201)]
    Created(Json<CreatedTenant>),
}

#[derive(ApiResponse)]
enum ListTenantsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<TenantInfo>>),
}

/// A tenant's import quota: its own values (`null`: the installation's)
/// and the ones in force.
#[derive(Debug, Object)]
pub struct ImportQuotaOut {
    /// Rows its imports may process in any 24 hours (0: no limit).
    #[oai(nullable)]
    pub rows_per_day: Option<u64>,
    /// The largest import file, in bytes.
    #[oai(nullable)]
    pub max_file_bytes: Option<u64>,
    pub effective_rows_per_day: u64,
    pub effective_max_file_bytes: u64,
}

/// A tenant's own import quota; `null` (or left out) goes back to the
/// installation's setting.
#[derive(Debug, Object, Deserialize)]
#[oai(deny_unknown_fields)]
#[serde(deny_unknown_fields)]
pub struct ImportQuotaIn {
    /// 0 to 1,000,000,000 rows in any 24 hours; 0: no limit.
    #[serde(default)]
    #[oai(default, nullable)]
    pub rows_per_day: Option<u64>,
    /// 1 to 67,108,864 bytes (64 MiB, the upload limit).
    #[serde(default)]
    #[oai(default, nullable)]
    pub max_file_bytes: Option<u64>,
}

#[derive(ApiResponse)]
enum ImportQuotaResponse {
    #[oai(status = 200)]
    Ok(Json<ImportQuotaOut>),
}

fn quota_out(state: &AppState, q: tenants::ImportQuota) -> ImportQuotaOut {
    let effective = state.import_limits.for_tenant(q);
    ImportQuotaOut {
        rows_per_day: q.rows_per_day,
        max_file_bytes: q.max_file_bytes,
        effective_rows_per_day: effective.rows_per_day,
        effective_max_file_bytes: effective.max_file_bytes as u64,
    }
}

fn check_quota(q: &ImportQuotaIn) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if q.rows_per_day.is_some_and(|n| n > 1_000_000_000) {
        errors.push(FieldError::coded(
            "/rows_per_day",
            "number.range",
            "at most 1,000,000,000 rows a day (0: no limit)",
        ));
    }
    if q.max_file_bytes
        .is_some_and(|n| n == 0 || n > adal_import::MAX_FILE_BYTES as u64)
    {
        errors.push(FieldError::coded(
            "/max_file_bytes",
            "number.range",
            format!("from 1 to {} bytes", adal_import::MAX_FILE_BYTES),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

pub struct PlatformApi;

#[OpenApi]
impl PlatformApi {
    /// Sign in with email and password; returns a session token.
    #[oai(
        path = "/auth/login",
        method = "post",
        tag = "ApiTags::Auth",
        operation_id = "login"
    )]
    async fn login(
        &self,
        state: Data<&AppState>,
        remote: &poem::web::RemoteAddr,
        body: JsonBody<LoginRequest>,
    ) -> ApiResult<LoginResponse> {
        let req = body.0;
        let client = remote.as_socket_addr().map(|a| a.ip().to_string());
        let signed = sign_in(
            &state,
            &req.email,
            &req.password,
            req.code.as_deref(),
            "login",
            client.as_deref(),
        )
        .await;
        // The second factor's refusals are 401s that say which, with the
        // detail at `/code`.
        let signed = match signed {
            // A suspended organisation: the password was right; say why.
            Err(e @ adal_service::ServiceError::Invalid { .. })
                if e.field_errors()
                    .iter()
                    .any(|d| d.code == adal_service::auth::TENANT_SUSPENDED) =>
            {
                return Err(ApiError::Forbidden(crate::error::ErrorBody::new(
                    "tenant_suspended",
                    "your organisation's access to Adal is suspended; ask the platform's operator",
                )));
            }
            Err(e @ adal_service::ServiceError::Invalid { .. }) => {
                let details = e.field_errors();
                let wrong = details.iter().any(|d| d.code == "second_factor.invalid");
                return Err(ApiError::Unauthorized(Json(crate::ErrorBody {
                    error: if wrong {
                        "second_factor_invalid"
                    } else {
                        "second_factor_required"
                    }
                    .into(),
                    message: details
                        .first()
                        .map(|d| d.message.clone())
                        .unwrap_or_default(),
                    details: details
                        .into_iter()
                        .map(crate::error::ErrorDetail::from)
                        .collect(),
                })));
            }
            other => other?,
        };
        let Some(session) = signed else {
            return Err(ApiError::Unauthorized(Json(crate::ErrorBody {
                error: "unauthorized".into(),
                message: "wrong email or password".into(),
                details: vec![],
            })));
        };
        Ok(LoginResponse::Ok(Json(TokenResponse {
            token: session.token,
            expires_at: Some(session.expires_at),
            user: session.user.into(),
        })))
    }

    /// Revoke the token this request was made with.
    #[oai(
        path = "/auth/logout",
        method = "post",
        tag = "ApiTags::Auth",
        operation_id = "logout"
    )]
    async fn logout(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<LogoutResponse> {
        users::revoke_token(&state.store, &auth.0.token_hash).await?;
        Ok(LogoutResponse::Done)
    }

    /// Who am I.
    #[oai(
        path = "/me",
        method = "get",
        tag = "ApiTags::Auth",
        operation_id = "me"
    )]
    async fn me(&self, state: Data<&AppState>, auth: BearerAuth) -> ApiResult<MeResponse> {
        let u = match auth.0.tenant_id {
            Some(t) => users::get(&state.store, TenantId::from_uuid(t), auth.0.user_id).await?,
            None => users::find_by_email(&state.store, &auth.0.email)
                .await?
                .ok_or_else(|| ApiError::not_found("user"))?,
        };
        Ok(MeResponse::Ok(Json(u.into())))
    }

    /// Create a tenant and its first tenant admin (platform admins only).
    #[oai(
        path = "/tenants",
        method = "post",
        tag = "ApiTags::Platform",
        operation_id = "createTenant"
    )]
    async fn create_tenant(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        body: JsonBody<NewTenantRequest>,
    ) -> ApiResult<CreateTenantResponse> {
        let req = body.0;
        let (t, admin) = platform::create_tenant(
            &state,
            &auth.0,
            platform::NewTenantInput {
                name: req.name,
                bin: req.bin,
                sector: req.sector,
                region: req.region,
                admin_email: req.admin.email,
                admin_display_name: req.admin.display_name,
                admin_password: req.admin.password,
            },
        )
        .await?;
        Ok(CreateTenantResponse::Created(Json(CreatedTenant {
            tenant: t.into(),
            admin: admin.into(),
        })))
    }

    /// Every tenant (platform admins and Agency auditors).
    #[oai(
        path = "/tenants",
        method = "get",
        tag = "ApiTags::Platform",
        operation_id = "listTenants"
    )]
    async fn list_tenants(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
    ) -> ApiResult<ListTenantsResponse> {
        authorize_platform(&state, &auth.0, obj::TENANTS, act::READ).await?;
        let all = tenants::list_all_for_platform(&state.store).await?;
        Ok(ListTenantsResponse::Ok(Json(
            all.into_iter().map(Into::into).collect(),
        )))
    }

    /// A tenant's import quota: readable by its own people, the platform
    /// and the Agency (`docs/records.md`, "Imports").
    #[oai(
        path = "/tenants/:tenant_id/import-quota",
        method = "get",
        tag = "ApiTags::Platform",
        operation_id = "getImportQuota"
    )]
    async fn get_import_quota(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
    ) -> ApiResult<ImportQuotaResponse> {
        let tenant = if auth.0.tenant_id.is_none() {
            authorize_platform(&state, &auth.0, obj::TENANTS, act::READ).await?;
            TenantId::from_uuid(tenant_id.0)
        } else {
            adal_service::TenantCtx::authorize(&state, &auth.0, tenant_id.0, obj::TENANT, act::READ)
                .await?
                .tenant()
        };
        let q = tenants::import_quota(&state.store, tenant)
            .await
            .map_err(|_| ApiError::not_found("tenant"))?;
        Ok(ImportQuotaResponse::Ok(Json(quota_out(&state, q))))
    }

    /// Set a tenant's own import quota (platform admins only): rows a day
    /// and the largest file, each `null` for the installation's
    /// `[imports]` setting. Audited in the tenant's log.
    #[oai(
        path = "/tenants/:tenant_id/import-quota",
        method = "put",
        tag = "ApiTags::Platform",
        operation_id = "putImportQuota"
    )]
    async fn put_import_quota(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        tenant_id: Path<Uuid>,
        body: JsonBody<ImportQuotaIn>,
    ) -> ApiResult<ImportQuotaResponse> {
        // Someone of another tenant learns nothing about this one: 404, as
        // for a tenant that does not exist; its own people get 403.
        if auth.0.tenant_id.is_some_and(|own| own != tenant_id.0) {
            return Err(ApiError::not_found("tenant"));
        }
        authorize_platform(&state, &auth.0, obj::TENANTS, act::CREATE).await?;
        check_quota(&body.0).map_err(ApiError::invalid)?;
        let q = tenants::set_import_quota(
            &state.store,
            TenantId::from_uuid(tenant_id.0),
            &auth.0.user_id.to_string(),
            tenants::ImportQuota {
                rows_per_day: body.0.rows_per_day,
                max_file_bytes: body.0.max_file_bytes,
            },
        )
        .await
        .map_err(|e| match e {
            adal_store::StoreError::NotFound => ApiError::not_found("tenant"),
            e => e.into(),
        })?;
        Ok(ImportQuotaResponse::Ok(Json(quota_out(&state, q))))
    }
}
