//! Users and their tokens. Passwords arrive here already hashed (argon2id);
//! tokens arrive as SHA-256 digests of the random secret, so a database
//! dump yields no usable credential.

use crate::entities::{token, user};
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

pub use token::Model as Token;
pub use user::Model as User;

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    /// The account's person on file, by IIN (already checked).
    pub person_iin: Option<String>,
}

/// Creates a user. `tenant` is `None` only for platform-level users
/// (platform admins, Agency auditors).
pub async fn create(
    store: &crate::Store,
    tenant: Option<TenantId>,
    actor: &str,
    new: NewUser,
) -> Result<User> {
    let txn = store.begin_write().await?;
    let id = new_id();
    let email = new.email.trim().to_lowercase();
    user::Entity::insert(user::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.map(|t| t.0)),
        email: Set(email.clone()),
        display_name: Set(new.display_name),
        password_hash: Set(new.password_hash),
        role: Set(new.role.clone()),
        department_id: Set(new.department_id),
        position_id: Set(new.position_id),
        person_iin: Set(new.person_iin.clone()),
        created_at: Set(now()),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(|e| {
        StoreError::from_insert(
            e,
            "a user with this email, or an account for this person, exists",
        )
    })?;
    audit::append(
        &txn,
        tenant.unwrap_or(audit::PLATFORM),
        actor,
        "user.create",
        &format!("user/{id}"),
        serde_json::json!({"email": email, "role": new.role, "person_iin": new.person_iin}),
    )
    .await?;
    let u = user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(u)
}

/// Links the account `user` to the person with `iin` (already checked),
/// or unlinks it with `None`.
pub async fn link_person(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    user: Uuid,
    iin: Option<&str>,
) -> Result<User> {
    use sea_orm::ActiveModelTrait;
    let txn = store.begin_write().await?;
    let u = user::Entity::find_by_id(user)
        .filter(user::Column::TenantId.eq(tenant.0))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: user::ActiveModel = u.into();
    am.person_iin = Set(iin.map(str::to_owned));
    let u = am.update(&txn).await.map_err(|e| {
        StoreError::from_insert(e, "another account of this tenant belongs to this person")
    })?;
    audit::append(
        &txn,
        tenant,
        actor,
        "user.link_person",
        &format!("user/{user}"),
        serde_json::json!({"person_iin": iin}),
    )
    .await?;
    txn.commit().await?;
    Ok(u)
}

/// The tenant's account linked to the person with `iin`, if any.
pub async fn find_by_person(
    store: &crate::Store,
    tenant: TenantId,
    iin: &str,
) -> Result<Option<User>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant.0))
        .filter(user::Column::PersonIin.eq(iin))
        .one(store.connection())
        .await?)
}

pub async fn find_by_email(store: &crate::Store, email: &str) -> Result<Option<User>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(store.connection())
        .await?)
}

pub async fn get(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<User> {
    user::Entity::find_by_id(id)
        .filter(user::Column::TenantId.eq(tenant.0))
        .one(store.connection())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list(store: &crate::Store, tenant: TenantId) -> Result<Vec<User>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant.0))
        .order_by_asc(user::Column::Email)
        .all(store.connection())
        .await?)
}

pub async fn insert_token(
    store: &crate::Store,
    user_id: Uuid,
    token_hash: String,
    kind: &str,
    name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<Token> {
    let id = new_id();
    token::Entity::insert(token::ActiveModel {
        id: Set(id),
        user_id: Set(user_id),
        token_hash: Set(token_hash),
        kind: Set(kind.to_owned()),
        name: Set(name.to_owned()),
        created_at: Set(now()),
        expires_at: Set(expires_at),
        revoked_at: Set(None),
    })
    .exec_without_returning(store.connection())
    .await
    .map_err(|e| StoreError::from_insert(e, "token"))?;
    token::Entity::find_by_id(id)
        .one(store.connection())
        .await?
        .ok_or(StoreError::NotFound)
}

/// The user behind a live token (not revoked, not expired).
pub async fn find_by_token(
    store: &crate::Store,
    token_hash: &str,
) -> Result<Option<(Token, User)>> {
    let Some(t) = token::Entity::find()
        .filter(token::Column::TokenHash.eq(token_hash))
        .one(store.connection())
        .await?
    else {
        return Ok(None);
    };
    if t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now()) {
        return Ok(None);
    }
    let u = user::Entity::find_by_id(t.user_id)
        .one(store.connection())
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("token {} without user", t.id)))?;
    Ok(Some((t, u)))
}

pub async fn revoke_token(store: &crate::Store, token_hash: &str) -> Result<()> {
    if let Some(t) = token::Entity::find()
        .filter(token::Column::TokenHash.eq(token_hash))
        .one(store.connection())
        .await?
    {
        let mut am: token::ActiveModel = t.into();
        am.revoked_at = Set(Some(now()));
        am.update(store.connection()).await?;
    }
    Ok(())
}

/// Replaces a user's password hash and revokes every session token of the
/// user except `keep` (the session that made the change), so a password
/// change shuts out whoever else was signed in.
pub async fn set_password(
    store: &crate::Store,
    user_id: Uuid,
    password_hash: String,
    keep: Option<&str>,
) -> Result<()> {
    let txn = store.begin_write().await?;
    let u = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let tenant = u.tenant_id.map_or(audit::PLATFORM, TenantId);
    let mut am: user::ActiveModel = u.into();
    am.password_hash = Set(password_hash);
    am.update(&txn).await?;
    let sessions = token::Entity::find()
        .filter(token::Column::UserId.eq(user_id))
        .filter(token::Column::Kind.eq("session"))
        .filter(token::Column::RevokedAt.is_null())
        .all(&txn)
        .await?;
    let at = now();
    for t in sessions {
        if keep == Some(t.token_hash.as_str()) {
            continue;
        }
        let mut am: token::ActiveModel = t.into();
        am.revoked_at = Set(Some(at));
        am.update(&txn).await?;
    }
    audit::append(
        &txn,
        tenant,
        &user_id.to_string(),
        "user.password",
        &format!("user/{user_id}"),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
