//! Second factors: an account's TOTP secret, whether it is confirmed, the
//! last time step a code was accepted for (so a code works once), and its
//! single-use recovery codes, stored as SHA-256 digests. The codes
//! themselves are checked by the service; the store makes each use atomic.

use crate::entities::{recovery_code, second_factor};
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use uuid::Uuid;

/// An account's second factor as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactor {
    /// Base32.
    pub secret: String,
    pub confirmed: bool,
    pub last_step: i64,
}

pub async fn get(store: &crate::Store, user: Uuid) -> Result<Option<SecondFactor>> {
    Ok(second_factor::Entity::find_by_id(user)
        .one(&store.across_tenants())
        .await?
        .map(|m| SecondFactor {
            secret: m.secret,
            confirmed: m.confirmed_at.is_some(),
            last_step: m.last_step,
        }))
}

/// Accounts' stored secrets, for resealing: all of them, or only those
/// not starting with the given prefix of sealed ones (stored in the
/// clear, from before sealing).
pub async fn secrets(
    store: &crate::Store,
    unsealed_only: Option<&str>,
) -> Result<Vec<(Uuid, String)>> {
    use sea_orm::QuerySelect;
    let mut q = second_factor::Entity::find()
        .select_only()
        .column(second_factor::Column::UserId)
        .column(second_factor::Column::Secret);
    if let Some(prefix) = unsealed_only {
        use sea_orm::sea_query::ExprTrait;
        q = q.filter(second_factor::Column::Secret.starts_with(prefix).not());
    }
    Ok(q.into_tuple().all(&store.across_tenants()).await?)
}

/// Replaces an account's stored secret with the same secret stored
/// another way, if it is still `old`; whether it was replaced.
pub async fn replace_secret(
    store: &crate::Store,
    user: Uuid,
    old: &str,
    new: &str,
) -> Result<bool> {
    let r = second_factor::Entity::update_many()
        .col_expr(second_factor::Column::Secret, Expr::value(new))
        .filter(second_factor::Column::UserId.eq(user))
        .filter(second_factor::Column::Secret.eq(old))
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Starts (or restarts) enrolment with a new secret; `Conflict` when the
/// account already has a confirmed one (turn it off first).
pub async fn begin(store: &crate::Store, user: Uuid, secret: String) -> Result<()> {
    let txn = store.begin_write_across().await?;
    match second_factor::Entity::find_by_id(user).one(&txn).await? {
        Some(m) if m.confirmed_at.is_some() => {
            return Err(StoreError::Conflict("second factor".into()));
        }
        Some(m) => {
            let mut am: second_factor::ActiveModel = m.into();
            am.secret = Set(secret);
            am.last_step = Set(0);
            am.created_at = Set(now());
            am.update(&txn).await?;
        }
        None => {
            second_factor::ActiveModel {
                user_id: Set(user),
                secret: Set(secret),
                confirmed_at: Set(None),
                last_step: Set(0),
                created_at: Set(now()),
            }
            .insert(&txn)
            .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Confirms enrolment with the step of the code the holder entered, and
/// stores the recovery codes' digests (replacing any). `NotFound` when no
/// enrolment was started.
pub async fn confirm(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    user: Uuid,
    step: i64,
    recovery_digests: Vec<String>,
) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    let m = second_factor::Entity::find_by_id(user)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: second_factor::ActiveModel = m.into();
    am.confirmed_at = Set(Some(now()));
    am.last_step = Set(step);
    am.update(&txn).await?;
    replace_codes(&txn, user, recovery_digests).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "user.second_factor.on",
        &format!("user/{user}"),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn replace_codes<C: sea_orm::ConnectionTrait>(
    conn: &C,
    user: Uuid,
    digests: Vec<String>,
) -> Result<()> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user))
        .exec(conn)
        .await?;
    for d in digests {
        recovery_code::ActiveModel {
            id: Set(new_id()),
            user_id: Set(user),
            digest: Set(d),
            used_at: Set(None),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// New recovery codes for a confirmed second factor; the old ones stop
/// working.
pub async fn replace_recovery_codes(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    user: Uuid,
    digests: Vec<String>,
) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    replace_codes(&txn, user, digests).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "user.second_factor.recovery_codes",
        &format!("user/{user}"),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Accepts a code's time step if it is later than the last one accepted
/// (atomically: of two sign-ins with one code, one wins).
pub async fn accept_step(store: &crate::Store, user: Uuid, step: i64) -> Result<bool> {
    let r = second_factor::Entity::update_many()
        .col_expr(second_factor::Column::LastStep, Expr::value(step))
        .filter(second_factor::Column::UserId.eq(user))
        .filter(second_factor::Column::ConfirmedAt.is_not_null())
        .filter(second_factor::Column::LastStep.lt(step))
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Uses up the recovery code with `digest`, if it is the user's and
/// unused.
pub async fn use_recovery_code(store: &crate::Store, user: Uuid, digest: &str) -> Result<bool> {
    let r = recovery_code::Entity::update_many()
        .col_expr(recovery_code::Column::UsedAt, Expr::value(Some(now())))
        .filter(recovery_code::Column::UserId.eq(user))
        .filter(recovery_code::Column::Digest.eq(digest))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Recovery codes the user has left.
pub async fn recovery_codes_left(store: &crate::Store, user: Uuid) -> Result<u64> {
    Ok(recovery_code::Entity::find()
        .filter(recovery_code::Column::UserId.eq(user))
        .filter(recovery_code::Column::UsedAt.is_null())
        .count(&store.across_tenants())
        .await?)
}

/// Turns the second factor off and forgets its recovery codes.
pub async fn remove(store: &crate::Store, tenant: TenantId, actor: &str, user: Uuid) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    second_factor::Entity::delete_by_id(user).exec(&txn).await?;
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user))
        .exec(&txn)
        .await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "user.second_factor.off",
        &format!("user/{user}"),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
