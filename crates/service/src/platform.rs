//! The platform operator's work (docs/platform.md): creating tenants with
//! their first administrator, suspending and reactivating them, reading
//! what each uses, and keeping the Agency's accounts. The API and the
//! dashboard both call these, so the checks are the same on both.

use crate::validate::{validate_email, validate_name, validate_password};
use crate::{AppState, Caller, ServiceError, ServiceResult, authorize_platform, hash_password};
use adal_authz::{act, obj};
use adal_domain::{Bin, FieldError, Region, Role, Sector};
use adal_store::{StoreError, TenantId, tenants, users};
use uuid::Uuid;

/// A new tenant and its first administrator, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewTenantInput {
    pub name: String,
    pub bin: String,
    pub sector: String,
    pub region: String,
    pub admin_email: String,
    pub admin_display_name: String,
    pub admin_password: String,
}

async fn hashed(password: &str) -> ServiceResult<String> {
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(ServiceError::internal)?
}

async fn email_free(state: &AppState, pointer: &str, email: &str) -> ServiceResult<()> {
    if users::find_by_email(&state.store, email).await?.is_some() {
        return Err(ServiceError::field(
            pointer,
            "email.taken",
            "a user with this email exists",
        ));
    }
    Ok(())
}

/// Creates an account with `role` in `tenant` (its fields and email
/// checked by the caller), and grants the role in `domain` in this
/// process's policy.
async fn account(
    state: &AppState,
    actor: &str,
    (tenant, domain): (Option<TenantId>, &str),
    role: Role,
    email: &str,
    display_name: &str,
    password: &str,
) -> ServiceResult<users::User> {
    let u = users::create(
        &state.store,
        tenant,
        actor,
        users::NewUser {
            email: email.to_owned(),
            display_name: display_name.trim().to_owned(),
            password_hash: hashed(password).await?,
            role: role.as_str().to_owned(),
            department_id: None,
            position_id: None,
            person_iin: None,
        },
    )
    .await?;
    state
        .authz
        .assign(&u.id.to_string(), role, domain)
        .await
        .map_err(ServiceError::internal)?;
    Ok(u)
}

/// Creates a tenant and its first tenant administrator (platform admins).
/// Every field error at once, by pointer (`/name`, `/bin`, `/sector`,
/// `/region`, `/admin/email`, `/admin/display_name`, `/admin/password`).
pub async fn create_tenant(
    state: &AppState,
    caller: &Caller,
    new: NewTenantInput,
) -> ServiceResult<(tenants::Tenant, users::User)> {
    authorize_platform(state, caller, obj::TENANTS, act::CREATE).await?;
    let mut errors = Vec::new();
    validate_name("/name", &new.name, 300, &mut errors);
    if let Err(e) = Bin::parse(&new.bin) {
        errors.push(FieldError::new("/bin", format!("invalid BIN: {e}")));
    }
    if let Err(e) = Sector::parse(&new.sector) {
        errors.push(FieldError::new("/sector", e.to_string()));
    }
    if let Err(e) = Region::parse(&new.region) {
        errors.push(FieldError::new("/region", e.to_string()));
    }
    validate_email("/admin/email", &new.admin_email, &mut errors);
    validate_name(
        "/admin/display_name",
        &new.admin_display_name,
        300,
        &mut errors,
    );
    validate_password("/admin/password", &new.admin_password, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    // Check the admin's email before creating anything, so a clash does
    // not leave a tenant without an admin.
    email_free(state, "/admin/email", &new.admin_email).await?;
    let actor = caller.user_id.to_string();
    let t = tenants::create(
        &state.store,
        &actor,
        tenants::NewTenant {
            name: new.name.trim().to_owned(),
            bin: new.bin.trim().to_owned(),
            sector: new.sector,
            region: new.region,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => {
            ServiceError::field("/bin", "tenant.bin_taken", "a tenant with this BIN exists")
        }
        other => other.into(),
    })?;
    let admin = account(
        state,
        &actor,
        (Some(TenantId::from_uuid(t.id)), &t.id.to_string()),
        Role::TenantAdmin,
        &new.admin_email,
        &new.admin_display_name,
        &new.admin_password,
    )
    .await?;
    Ok((t, admin))
}

/// Suspends a tenant with a reason (1 to 500 characters, at `/reason`):
/// its people are signed out and cannot sign in until it is reactivated.
/// `404` for an unknown tenant, `409` for one suspended already.
pub async fn suspend(
    state: &AppState,
    caller: &Caller,
    tenant: Uuid,
    reason: &str,
) -> ServiceResult<tenants::Tenant> {
    may_change(state, caller, tenant).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(ServiceError::field(
            "/reason",
            "text.empty",
            "must not be empty",
        ));
    }
    if reason.chars().count() > tenants::MAX_SUSPENSION_REASON {
        return Err(ServiceError::field(
            "/reason",
            "text.too_long",
            format!(
                "must be at most {} characters",
                tenants::MAX_SUSPENSION_REASON
            ),
        ));
    }
    tenants::suspend(
        &state.store,
        TenantId::from_uuid(tenant),
        &caller.user_id.to_string(),
        reason,
    )
    .await
    .map_err(crate::error::not_found_as("tenant"))
}

/// Lifts a suspension. `404` for an unknown tenant, `409` for one that is
/// not suspended.
pub async fn reactivate(
    state: &AppState,
    caller: &Caller,
    tenant: Uuid,
) -> ServiceResult<tenants::Tenant> {
    may_change(state, caller, tenant).await?;
    tenants::reactivate(
        &state.store,
        TenantId::from_uuid(tenant),
        &caller.user_id.to_string(),
    )
    .await
    .map_err(crate::error::not_found_as("tenant"))
}

/// May the caller suspend or reactivate `tenant`? A tenant's own people
/// are refused (403); another tenant's people learn nothing about it, as
/// for a tenant that does not exist (404).
async fn may_change(state: &AppState, caller: &Caller, tenant: Uuid) -> ServiceResult<()> {
    match caller.tenant_id {
        Some(own) if own == tenant => Err(ServiceError::forbidden()),
        Some(_) => Err(ServiceError::not_found("tenant")),
        None => authorize_platform(state, caller, obj::TENANTS, act::WRITE).await,
    }
}

/// Every tenant with what it uses, by name (platform admins).
pub async fn tenants_with_usage(
    state: &AppState,
    caller: &Caller,
) -> ServiceResult<Vec<(tenants::Tenant, tenants::Usage)>> {
    authorize_platform(state, caller, obj::TENANTS, act::WRITE).await?;
    let mut usage = tenants::usage_by_tenant(&state.store).await?;
    Ok(tenants::list_all_for_platform(&state.store)
        .await?
        .into_iter()
        .map(|t| {
            let u = usage.remove(&t.id).unwrap_or_default();
            (t, u)
        })
        .collect())
}

/// A new account for an Agency auditor, as typed.
#[derive(Debug, Clone, Default)]
pub struct NewAgencyAccount {
    pub email: String,
    pub display_name: String,
    pub password: String,
}

/// Creates an Agency auditor's account (platform admins). The role is
/// granted in this process's policy at once, so the auditor can work
/// without a restart. Errors at `/email`, `/display_name`, `/password`.
pub async fn create_agency_account(
    state: &AppState,
    caller: &Caller,
    new: NewAgencyAccount,
) -> ServiceResult<users::User> {
    authorize_platform(state, caller, obj::USERS, act::WRITE).await?;
    let mut errors = Vec::new();
    validate_email("/email", &new.email, &mut errors);
    validate_name("/display_name", &new.display_name, 300, &mut errors);
    validate_password("/password", &new.password, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    email_free(state, "/email", &new.email).await?;
    // The Agency's role holds in every tenant's domain, as `adal
    // create-admin --role agency_auditor` grants it.
    account(
        state,
        &caller.user_id.to_string(),
        (None, "*"),
        Role::AgencyAuditor,
        &new.email,
        &new.display_name,
        &new.password,
    )
    .await
}

/// The Agency's accounts, by email (platform admins).
pub async fn agency_accounts(state: &AppState, caller: &Caller) -> ServiceResult<Vec<users::User>> {
    authorize_platform(state, caller, obj::USERS, act::WRITE).await?;
    Ok(users::list_platform(&state.store, Role::AgencyAuditor.as_str()).await?)
}

/// Disables (signing it out everywhere) or re-enables an Agency account.
/// `404` for an id that is not an Agency account.
pub async fn set_agency_account_disabled(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    disabled: bool,
) -> ServiceResult<users::User> {
    authorize_platform(state, caller, obj::USERS, act::WRITE).await?;
    users::set_platform_disabled(
        &state.store,
        &caller.user_id.to_string(),
        Role::AgencyAuditor.as_str(),
        id,
        disabled,
    )
    .await
    .map_err(crate::error::not_found_as("account"))
}
