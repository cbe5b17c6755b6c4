//! Users and their tokens. Passwords arrive here already hashed (argon2id);
//! tokens arrive as SHA-256 digests of the random secret, so a database
//! dump yields no usable credential.

use crate::entities::{token, user};
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter,
    QueryOrder,
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
    let txn = store.begin_write_across().await?;
    let id = new_id();
    let email = new.email.trim().to_lowercase();
    user::Entity::insert(user::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.map(|t| t.uuid())),
        email: Set(email.clone()),
        display_name: Set(new.display_name),
        password_hash: Set(new.password_hash),
        role: Set(new.role.clone()),
        department_id: Set(new.department_id),
        position_id: Set(new.position_id),
        person_iin: Set(new.person_iin.clone()),
        created_at: Set(now()),
        disabled_at: Set(None),
        lang: Set(None),
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
        match tenant {
            Some(t) => crate::sealing::audit_detail(
                store,
                &*txn,
                t,
                new.person_iin.as_deref(),
                &format!("user/{id}"),
                serde_json::json!({"email": email, "role": new.role, "person_iin": new.person_iin}),
            )
            .await?,
            None => serde_json::json!({"email": email, "role": new.role}),
        },
    )
    .await?;
    let u = user::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(u)
}

/// What an administrator changes about an account. `None` leaves a
/// field as it is; the inner `None` of the optional fields clears it.
/// Values arrive already checked against the tenant (roles, departments,
/// positions, IINs); the store re-checks only what it must do atomically.
#[derive(Debug, Clone, Default)]
pub struct UserChange {
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub department_id: Option<Option<Uuid>>,
    pub position_id: Option<Option<Uuid>>,
    pub person_iin: Option<Option<String>>,
    /// A new password, already hashed: every session of the account ends.
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
}

/// Changes an account of `tenant` and audits the old and new values.
/// Disabling it revokes every token it holds in the same transaction, so
/// no session or API token outlives the decision.
pub async fn update(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    id: Uuid,
    change: UserChange,
) -> Result<User> {
    let txn = store.begin_write_for(tenant).await?;
    let before = user::Entity::find_by_id(id)
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: user::ActiveModel = before.clone().into();
    if let Some(n) = &change.display_name {
        am.display_name = Set(n.clone());
    }
    if let Some(r) = &change.role {
        am.role = Set(r.clone());
    }
    if let Some(d) = change.department_id {
        am.department_id = Set(d);
    }
    if let Some(p) = change.position_id {
        am.position_id = Set(p);
    }
    if let Some(i) = &change.person_iin {
        am.person_iin = Set(i.clone());
    }
    if let Some(h) = &change.password_hash {
        am.password_hash = Set(h.clone());
    }
    let at = now();
    match change.disabled {
        Some(true) if before.disabled_at.is_none() => am.disabled_at = Set(Some(at)),
        Some(false) => am.disabled_at = Set(None),
        _ => {}
    }
    let after = am.update(&txn).await.map_err(|e| {
        StoreError::from_insert(e, "another account of this tenant belongs to this person")
    })?;
    // Disabling ends every token; a new password ends the sessions (API
    // tokens stay, as when users change their own password).
    let revoke = if after.disabled_at.is_some() {
        Some(None)
    } else if change.password_hash.is_some() {
        Some(Some("session"))
    } else {
        None
    };
    if let Some(kind) = revoke {
        let mut q = token::Entity::find()
            .filter(token::Column::UserId.eq(id))
            .filter(token::Column::RevokedAt.is_null());
        if let Some(k) = kind {
            q = q.filter(token::Column::Kind.eq(k));
        }
        let live = q.all(&txn).await?;
        for t in live {
            let mut am: token::ActiveModel = t.into();
            am.revoked_at = Set(Some(at));
            am.update(&txn).await?;
        }
    }
    let view = |u: &User| {
        serde_json::json!({
            "display_name": u.display_name,
            "role": u.role,
            "department_id": u.department_id,
            "position_id": u.position_id,
            // Whether, not whom: the IIN is personal data the log could
            // never erase (link_person records it sealed).
            "linked_to_person": u.person_iin.is_some(),
            "disabled": u.disabled_at.is_some(),
        })
    };
    audit::append(
        &txn,
        tenant,
        actor,
        "user.update",
        &format!("user/{id}"),
        serde_json::json!({
            "before": view(&before),
            "after": view(&after),
            "password_reset": change.password_hash.is_some(),
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
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
    let txn = store.begin_write_for(tenant).await?;
    let u = user::Entity::find_by_id(user)
        .filter(user::Column::TenantId.eq(tenant.uuid()))
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
        crate::sealing::audit_detail(
            store,
            &*txn,
            tenant,
            iin,
            &format!("user/{user}"),
            serde_json::json!({"person_iin": iin}),
        )
        .await?,
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
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .filter(user::Column::PersonIin.eq(iin))
        .one(&store.scoped(tenant))
        .await?)
}

pub async fn find_by_email(store: &crate::Store, email: &str) -> Result<Option<User>> {
    Ok(user::Entity::find()
        .filter(user::Column::Email.eq(email.trim().to_lowercase()))
        .one(&store.across_tenants())
        .await?)
}

pub async fn get(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<User> {
    user::Entity::find_by_id(id)
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)
}

/// Keeps the language `user` chose on the dashboard (`kk`, `ru`, `en`),
/// which their emails are written in. Anything else is ignored.
pub async fn set_lang(store: &crate::Store, user_id: Uuid, lang: &str) -> Result<()> {
    if !matches!(lang, "kk" | "ru" | "en") {
        return Ok(());
    }
    let txn = store.begin_write_across().await?;
    user::Entity::update_many()
        .col_expr(user::Column::Lang, Expr::value(lang))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The languages the tenant's users with these emails chose, by email
/// (lower case); an address with no account, or whose person never
/// chose, is not in the map.
pub async fn languages_of(
    store: &crate::Store,
    tenant: TenantId,
    emails: &[String],
) -> Result<std::collections::HashMap<String, String>> {
    if emails.is_empty() {
        return Ok(Default::default());
    }
    let lower: Vec<String> = emails.iter().map(|e| e.trim().to_lowercase()).collect();
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .filter(user::Column::Email.is_in(lower))
        .filter(user::Column::Lang.is_not_null())
        .all(&store.scoped(tenant))
        .await?
        .into_iter()
        .filter_map(|u| Some((u.email, u.lang?)))
        .collect())
}

pub async fn list(store: &crate::Store, tenant: TenantId) -> Result<Vec<User>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .order_by_asc(user::Column::Email)
        .all(&store.scoped(tenant))
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
        last_used_at: Set(None),
    })
    .exec_without_returning(&store.across_tenants())
    .await
    .map_err(|e| StoreError::from_insert(e, "token"))?;
    token::Entity::find_by_id(id)
        .one(&store.across_tenants())
        .await?
        .ok_or(StoreError::NotFound)
}

/// The user behind a live token (not revoked, not expired).
pub async fn find_by_token(
    store: &crate::Store,
    token_hash: &str,
) -> Result<Option<(Token, User)>> {
    let Some((t, u)) = token_and_account(store, token_hash).await? else {
        return Ok(None);
    };
    if t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now()) {
        return Ok(None);
    }
    let u = u.ok_or_else(|| StoreError::Corrupt(format!("token {} without user", t.id)))?;
    // Disabling revokes every token; this check also covers an API token
    // minted in the instant between the two.
    if u.disabled_at.is_some() {
        return Ok(None);
    }
    touch(store, &t).await?;
    Ok(Some((t, u)))
}

/// A token and the account it belongs to, read for every authenticated
/// request, so in one statement. On PostgreSQL the account comes through
/// `adal_account` (migration m20261207_000120), joined laterally: one
/// round trip, where a statement under row-level security outside a
/// transaction takes four (the tokens table has no tenant, so no policy).
/// On SQLite, a plain join.
async fn token_and_account(
    store: &crate::Store,
    token_hash: &str,
) -> Result<Option<(Token, Option<User>)>> {
    use sea_orm::{FromQueryResult, Iden, Iterable, QuerySelect};
    if store.backend() == sea_orm::DatabaseBackend::Postgres {
        static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let sql = SQL.get_or_init(|| {
            // The columns under the prefixes sea-orm reads two models by.
            let mut cols: Vec<String> = token::Column::iter()
                .map(|c| format!("t.\"{0}\" AS \"A_{0}\"", c.to_string()))
                .collect();
            cols.extend(
                user::Column::iter().map(|c| format!("u.\"{0}\" AS \"B_{0}\"", c.to_string())),
            );
            format!(
                "SELECT {} FROM tokens t LEFT JOIN LATERAL adal_account(t.user_id) u ON true \
                 WHERE t.token_hash = $1 LIMIT 1",
                cols.join(", ")
            )
        });
        let Some(row) = sea_orm::ConnectionTrait::query_one_raw(
            &store.db,
            sea_orm::Statement::from_sql_and_values(
                sea_orm::DatabaseBackend::Postgres,
                sql.as_str(),
                [token_hash.into()],
            ),
        )
        .await?
        else {
            return Ok(None);
        };
        let t = token::Model::from_query_result(&row, "A_")?;
        let u = user::Model::from_query_result_optional(&row, "B_")?;
        return Ok(Some((t, u)));
    }
    let owner = token::Entity::belongs_to(user::Entity)
        .from(token::Column::UserId)
        .to(user::Column::Id)
        .into();
    Ok(token::Entity::find()
        .join(sea_orm::JoinType::LeftJoin, owner)
        .select_also(user::Entity)
        .filter(token::Column::TokenHash.eq(token_hash))
        .one(&store.across_tenants())
        .await?)
}

/// How stale `last_used_at` may get before a request writes it again: at
/// most one write a minute per token, not one per request.
const TOUCH_EVERY: chrono::Duration = chrono::Duration::minutes(1);

async fn touch(store: &crate::Store, t: &Token) -> Result<()> {
    let at = now();
    if t.last_used_at.is_some_and(|l| at - l < TOUCH_EVERY) {
        return Ok(());
    }
    token::Entity::update_many()
        .col_expr(token::Column::LastUsedAt, Expr::value(Some(at)))
        .filter(token::Column::Id.eq(t.id))
        .exec(&store.across_tenants())
        .await?;
    Ok(())
}

/// A user's tokens that still work (neither revoked nor expired), newest
/// first: sessions and API tokens.
pub async fn live_tokens(store: &crate::Store, user_id: Uuid) -> Result<Vec<Token>> {
    let at = now();
    Ok(token::Entity::find()
        .filter(token::Column::UserId.eq(user_id))
        .filter(token::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(token::Column::ExpiresAt.is_null())
                .add(token::Column::ExpiresAt.gt(at)),
        )
        .order_by_desc(token::Column::CreatedAt)
        .all(&store.across_tenants())
        .await?)
}

/// Revokes token `id` if it is `user_id`'s and still works; `NotFound`
/// otherwise (someone else's token is not found either).
pub async fn revoke_own_token(store: &crate::Store, user_id: Uuid, id: Uuid) -> Result<()> {
    let r = token::Entity::update_many()
        .col_expr(token::Column::RevokedAt, Expr::value(Some(now())))
        .filter(token::Column::Id.eq(id))
        .filter(token::Column::UserId.eq(user_id))
        .filter(token::Column::RevokedAt.is_null())
        .exec(&store.across_tenants())
        .await?;
    if r.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn revoke_token(store: &crate::Store, token_hash: &str) -> Result<()> {
    if let Some(t) = token::Entity::find()
        .filter(token::Column::TokenHash.eq(token_hash))
        .one(&store.across_tenants())
        .await?
    {
        let mut am: token::ActiveModel = t.into();
        am.revoked_at = Set(Some(now()));
        am.update(&store.across_tenants()).await?;
    }
    Ok(())
}

/// Replaces a user's password hash and revokes every session token of the
/// user except `keep` (the session that made the change), so a password
/// change shuts out whoever else was signed in.
pub async fn set_password_across_tenants(
    store: &crate::Store,
    user_id: Uuid,
    password_hash: String,
    keep: Option<&str>,
    also_api_tokens: bool,
) -> Result<()> {
    let txn = store.begin_write_across().await?;
    let u = user::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let tenant = u.tenant_id.map_or(audit::PLATFORM, TenantId::from_uuid);
    let mut am: user::ActiveModel = u.into();
    am.password_hash = Set(password_hash);
    am.update(&txn).await?;
    let kinds: &[&str] = if also_api_tokens {
        &["session", "api"]
    } else {
        &["session"]
    };
    let sessions = token::Entity::find()
        .filter(token::Column::UserId.eq(user_id))
        .filter(token::Column::Kind.is_in(kinds.iter().copied()))
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

/// The platform-level accounts (no tenant) with `role`, by email: the
/// Agency's auditors, the platform's administrators.
pub async fn list_platform(store: &crate::Store, role: &str) -> Result<Vec<User>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.is_null())
        .filter(user::Column::Role.eq(role))
        .order_by_asc(user::Column::Email)
        .all(&store.across_tenants())
        .await?)
}

/// Disables or re-enables a platform-level account with `role` (the
/// platform's decision), revoking every token it holds when disabling, in
/// one transaction with an entry in the platform's audit log. `NotFound`
/// for an account of a tenant or with another role.
pub async fn set_platform_disabled(
    store: &crate::Store,
    actor: &str,
    role: &str,
    id: Uuid,
    disabled: bool,
) -> Result<User> {
    let txn = store.begin_write_across().await?;
    let before = user::Entity::find_by_id(id)
        .filter(user::Column::TenantId.is_null())
        .filter(user::Column::Role.eq(role))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let at = now();
    let mut am: user::ActiveModel = before.clone().into();
    am.disabled_at = Set(match (disabled, before.disabled_at) {
        (true, Some(since)) => Some(since),
        (true, None) => Some(at),
        (false, _) => None,
    });
    let after = am.update(&txn).await?;
    if disabled {
        token::Entity::update_many()
            .col_expr(token::Column::RevokedAt, Expr::value(Some(at)))
            .filter(token::Column::UserId.eq(id))
            .filter(token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
    }
    audit::append(
        &txn,
        audit::PLATFORM,
        actor,
        if disabled {
            "user.disable"
        } else {
            "user.enable"
        },
        &format!("user/{id}"),
        serde_json::json!({"email": after.email, "role": role}),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
