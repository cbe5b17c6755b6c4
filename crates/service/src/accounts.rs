//! The tenant admin's work on accounts, departments and positions: the
//! checks and writes behind `POST`/`PATCH /users`, `/departments` and
//! `/positions`. The dashboard's admin forms call these same functions,
//! so a form can do nothing the API would refuse.

use crate::AppState;
use crate::auth::{TenantCtx, hash_password};
use crate::error::{ServiceError, ServiceResult};
use crate::validate::{validate_email, validate_name, validate_password};
use adal_domain::{FieldError, Role};
use adal_store::{StoreError, org, users};
use serde::Deserialize;
use uuid::Uuid;

/// Why an administrator may not change their own role or disable their
/// own account: a tenant could lose its last administrator in one click,
/// and only the platform could give it back.
pub const NOT_YOURSELF: &str = "you cannot change your own role or disable your own account";
pub const NO_DEPARTMENT: &str = "no such department";
pub const NO_POSITION: &str = "no such position";
pub const PERSON_TAKEN: &str = "another account of this tenant belongs to this person";
pub const EMAIL_TAKEN: &str = "a user with this email exists";
pub const NOT_A_TENANT_ROLE: &str = "this role cannot be granted by a tenant";

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
pub struct NewUserRequest {
    pub email: String,
    pub display_name: String,
    pub password: String,
    /// `tenant_admin`, `compliance_officer`, `hr_officer`,
    /// `procurement_officer` or `employee`.
    pub role: String,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub department_id: Option<Uuid>,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub position_id: Option<Uuid>,
    /// The IIN of the person on file this account belongs to: what they
    /// file about themselves reaches the rules with their relatives and
    /// interests, and their own declarations and trainings must be theirs.
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub person_iin: Option<String>,
}

/// A change to an account. Leave a member out to keep its value; send
/// `null` to clear an optional one (department, position, person).
#[derive(Debug, Default)]
pub struct UserPatch {
    pub display_name: Option<String>,
    /// A tenant role, as for `POST /users`. Not your own.
    pub role: Option<String>,
    pub department_id: Patch<Uuid>,
    pub position_id: Patch<Uuid>,
    pub person_iin: Patch<String>,
    /// A new password (12 to 200 characters). Every session of the
    /// account is signed out.
    pub password: Option<String>,
    /// `true` disables the account: it cannot sign in and all its tokens
    /// stop working at once. `false` enables it again. Not your own.
    pub disabled: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
pub struct NewDepartment {
    pub name: String,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub parent_id: Option<Uuid>,
}

/// A department's new name or place; `parent_id: null` moves it to the
/// top level.
#[derive(Debug, Default)]
pub struct DepartmentPatch {
    pub name: Option<String>,
    pub parent_id: Patch<Uuid>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(poem_openapi::Object))]
#[cfg_attr(feature = "openapi", oai(deny_unknown_fields))]
#[serde(deny_unknown_fields)]
pub struct NewPosition {
    pub title: String,
    #[cfg_attr(feature = "openapi", oai(nullable))]
    pub department_id: Option<Uuid>,
    /// Corruption-risk level, 1 (low) to 5 (very high).
    pub risk_level: i16,
    /// On the tenant's list of positions exposed to corruption risk.
    pub high_risk: bool,
}

/// A position's new values; leave a member out to keep it.
#[derive(Debug, Default)]
pub struct PositionPatch {
    pub title: Option<String>,
    pub department_id: Patch<Uuid>,
    pub risk_level: Option<i16>,
    pub high_risk: Option<bool>,
}

/// A member of a change: kept as it is, cleared, or set. (A front door's
/// wire format tells "absent" from "null"; the operation needs only this.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Keep,
    Clear,
    Set(T),
}

impl<T> Patch<T> {
    /// `None` to keep, `Some(None)` to clear, `Some(Some(v))` to set.
    pub fn from_option(v: Option<Option<T>>) -> Self {
        match v {
            None => Patch::Keep,
            Some(None) => Patch::Clear,
            Some(Some(v)) => Patch::Set(v),
        }
    }
}

fn maybe<T: Clone>(m: &Patch<T>) -> Option<Option<T>> {
    match m {
        Patch::Keep => None,
        Patch::Clear => Some(None),
        Patch::Set(v) => Some(Some(v.clone())),
    }
}

fn check_role(role: &str, errors: &mut Vec<FieldError>) {
    match Role::parse(role) {
        Ok(r) if r.is_tenant_role() => {}
        Ok(_) => errors.push(FieldError::coded(
            "/role",
            "role.not_tenant",
            NOT_A_TENANT_ROLE,
        )),
        Err(e) => errors.push(FieldError::coded("/role", "choice.unknown", e.to_string())),
    }
}

async fn check_placement(
    state: &AppState,
    ctx: &TenantCtx,
    department: Option<Uuid>,
    position: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> ServiceResult<()> {
    if let Some(d) = department {
        match org::get_department(&state.store, ctx.tenant(), d).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                errors.push(FieldError::coded(
                    "/department_id",
                    "department.unknown",
                    NO_DEPARTMENT,
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(p) = position {
        match org::get_position(&state.store, ctx.tenant(), p).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => errors.push(FieldError::coded(
                "/position_id",
                "position.unknown",
                NO_POSITION,
            )),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The IIN in its canonical form, or an error at `/person_iin` when it is
/// malformed or already another account's.
async fn check_person(
    state: &AppState,
    ctx: &TenantCtx,
    iin: &str,
    this: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> ServiceResult<Option<String>> {
    let iin = match adal_domain::Iin::parse(iin) {
        Ok(i) => i.to_string(),
        Err(e) => {
            errors.push(FieldError::new("/person_iin", e.to_string()));
            return Ok(None);
        }
    };
    if let Some(other) = users::find_by_person(&state.store, ctx.tenant(), &iin).await?
        && Some(other.id) != this
    {
        errors.push(FieldError::coded(
            "/person_iin",
            "person.taken",
            PERSON_TAKEN,
        ));
    }
    Ok(Some(iin))
}

async fn hash(password: &str) -> ServiceResult<String> {
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(ServiceError::internal)?
}

/// Creates an account with its role in the tenant.
pub async fn create_user(
    state: &AppState,
    ctx: &TenantCtx,
    req: NewUserRequest,
) -> ServiceResult<users::User> {
    let mut errors = Vec::new();
    validate_email("/email", &req.email, &mut errors);
    validate_name("/display_name", &req.display_name, 300, &mut errors);
    validate_password("/password", &req.password, &mut errors);
    check_role(&req.role, &mut errors);
    check_placement(state, ctx, req.department_id, req.position_id, &mut errors).await?;
    let person_iin = match req.person_iin.as_deref() {
        Some(i) => check_person(state, ctx, i, None, &mut errors).await?,
        None => None,
    };
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let password_hash = hash(&req.password).await?;
    let u = users::create(
        &state.store,
        Some(ctx.tenant()),
        &ctx.actor(),
        users::NewUser {
            email: req.email,
            display_name: req.display_name.trim().to_owned(),
            password_hash,
            role: req.role.clone(),
            department_id: req.department_id,
            position_id: req.position_id,
            person_iin,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::Conflict(_) => ServiceError::field("/email", "email.taken", EMAIL_TAKEN),
        other => other.into(),
    })?;
    // Checked above, so it parses.
    let role = Role::parse(&req.role).map_err(ServiceError::internal)?;
    state
        .authz
        .assign(&u.id.to_string(), role, &ctx.tenant().to_string())
        .await
        .map_err(ServiceError::internal)?;
    Ok(u)
}

/// Changes an account of the tenant. Every problem is reported at once,
/// by JSON pointer; nothing is written unless all of it is acceptable.
pub async fn update_user(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    patch: UserPatch,
) -> ServiceResult<users::User> {
    let before = match users::get(&state.store, ctx.tenant(), id).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(ServiceError::not_found("user")),
        Err(e) => return Err(e.into()),
    };
    let mut errors = Vec::new();
    if let Some(n) = &patch.display_name {
        validate_name("/display_name", n, 300, &mut errors);
    }
    let role_change = patch.role.as_ref().filter(|r| **r != before.role);
    if let Some(r) = role_change {
        check_role(r, &mut errors);
    }
    let yourself = id == ctx.caller().user_id;
    if yourself && role_change.is_some() {
        errors.push(FieldError::coded(
            "/role",
            "account.not_yourself",
            NOT_YOURSELF,
        ));
    }
    if yourself && patch.disabled == Some(true) {
        errors.push(FieldError::coded(
            "/disabled",
            "account.not_yourself",
            NOT_YOURSELF,
        ));
    }
    if let Some(p) = &patch.password {
        validate_password("/password", p, &mut errors);
    }
    let department_id = maybe(&patch.department_id);
    let position_id = maybe(&patch.position_id);
    check_placement(
        state,
        ctx,
        department_id.flatten(),
        position_id.flatten(),
        &mut errors,
    )
    .await?;
    let person_iin = match maybe(&patch.person_iin) {
        None => None,
        Some(None) => Some(None),
        Some(Some(i)) => Some(check_person(state, ctx, &i, Some(id), &mut errors).await?),
    };
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let password_hash = match &patch.password {
        Some(p) => Some(hash(p).await?),
        None => None,
    };
    let (user, domain) = (id.to_string(), ctx.tenant().to_string());
    // The role lives in two places: the account row (what sessions report)
    // and casbin's grouping (what decides). Change casbin first and put it
    // back if the row cannot be written, so a failure leaves the old role
    // in both.
    if let Some(r) = role_change {
        // Checked above, so it parses.
        let r = Role::parse(r).map_err(ServiceError::internal)?;
        state
            .authz
            .set_role(&user, r, &domain)
            .await
            .map_err(ServiceError::internal)?;
    }
    let change = users::UserChange {
        display_name: patch.display_name.map(|n| n.trim().to_owned()),
        role: role_change.cloned(),
        department_id,
        position_id,
        person_iin,
        password_hash,
        disabled: patch.disabled,
    };
    let updated = match users::update(&state.store, ctx.tenant(), &ctx.actor(), id, change).await {
        Ok(u) => u,
        Err(e) => {
            if role_change.is_some()
                && let Ok(old) = Role::parse(&before.role)
                && let Err(back) = state.authz.set_role(&user, old, &domain).await
            {
                tracing::error!(%back, user, "could not restore the role after a failed update");
            }
            return Err(match e {
                StoreError::Conflict(_) => {
                    ServiceError::field("/person_iin", "person.taken", PERSON_TAKEN)
                }
                other => other.into(),
            });
        }
    };
    Ok(updated)
}

pub async fn create_department(
    state: &AppState,
    ctx: &TenantCtx,
    req: NewDepartment,
) -> ServiceResult<org::Department> {
    let mut errors = Vec::new();
    validate_name("/name", &req.name, 300, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    org::create_department(
        &state.store,
        ctx.tenant(),
        &ctx.actor(),
        req.name.trim().to_owned(),
        req.parent_id,
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound => {
            ServiceError::field("/parent_id", "department.unknown", NO_DEPARTMENT)
        }
        other => other.into(),
    })
}

pub async fn update_department(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    patch: DepartmentPatch,
) -> ServiceResult<org::Department> {
    match org::get_department(&state.store, ctx.tenant(), id).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => return Err(ServiceError::not_found("department")),
        Err(e) => return Err(e.into()),
    }
    let mut errors = Vec::new();
    if let Some(n) = &patch.name {
        validate_name("/name", n, 300, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let change = org::DepartmentChange {
        name: patch.name.map(|n| n.trim().to_owned()),
        parent_id: maybe(&patch.parent_id),
    };
    org::update_department(&state.store, ctx.tenant(), &ctx.actor(), id, change)
        .await
        .map_err(|e| match e {
            // The department itself was found above; what is missing now
            // is the parent.
            StoreError::NotFound => {
                ServiceError::field("/parent_id", "department.unknown", NO_DEPARTMENT)
            }
            StoreError::Conflict(m) => ServiceError::field("/parent_id", "department.cycle", m),
            other => other.into(),
        })
}

fn check_risk_level(level: i16, errors: &mut Vec<FieldError>) {
    if !(1..=5).contains(&level) {
        errors.push(FieldError::coded(
            "/risk_level",
            "range.risk_level",
            "must be 1 to 5",
        ));
    }
}

pub async fn create_position(
    state: &AppState,
    ctx: &TenantCtx,
    req: NewPosition,
) -> ServiceResult<org::Position> {
    let mut errors = Vec::new();
    validate_name("/title", &req.title, 300, &mut errors);
    check_risk_level(req.risk_level, &mut errors);
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    org::create_position(
        &state.store,
        ctx.tenant(),
        &ctx.actor(),
        org::NewPosition {
            department_id: req.department_id,
            title: req.title.trim().to_owned(),
            risk_level: req.risk_level,
            high_risk: req.high_risk,
        },
    )
    .await
    .map_err(|e| match e {
        StoreError::NotFound => {
            ServiceError::field("/department_id", "department.unknown", NO_DEPARTMENT)
        }
        other => other.into(),
    })
}

pub async fn update_position(
    state: &AppState,
    ctx: &TenantCtx,
    id: Uuid,
    patch: PositionPatch,
) -> ServiceResult<org::Position> {
    match org::get_position(&state.store, ctx.tenant(), id).await {
        Ok(_) => {}
        Err(StoreError::NotFound) => return Err(ServiceError::not_found("position")),
        Err(e) => return Err(e.into()),
    }
    let mut errors = Vec::new();
    if let Some(t) = &patch.title {
        validate_name("/title", t, 300, &mut errors);
    }
    if let Some(l) = patch.risk_level {
        check_risk_level(l, &mut errors);
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let change = org::PositionChange {
        department_id: maybe(&patch.department_id),
        title: patch.title.map(|t| t.trim().to_owned()),
        risk_level: patch.risk_level,
        high_risk: patch.high_risk,
    };
    org::update_position(&state.store, ctx.tenant(), &ctx.actor(), id, change)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                ServiceError::field("/department_id", "department.unknown", NO_DEPARTMENT)
            }
            other => other.into(),
        })
}
