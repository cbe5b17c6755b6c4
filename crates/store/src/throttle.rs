//! Failed sign-ins counted per key (an account or a client), shared by
//! every API and dashboard process through the database, so a restart or
//! a second replica does not reset them. Keys are digests: the table
//! holds neither emails nor client addresses.

use crate::entities::sign_in_throttle as row;
use crate::{Result, now};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

/// Whose failures a key counts.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// An email address, as typed (case and spaces do not matter).
    Account(&'a str),
    /// A client's network address.
    Client(&'a str),
}

impl Subject<'_> {
    pub fn key(self) -> String {
        let (kind, text) = match self {
            Subject::Account(e) => ("account", e.trim().to_lowercase()),
            Subject::Client(a) => ("client", a.to_owned()),
        };
        format!("{kind}:{}", hex::encode(Sha256::digest(text.as_bytes())))
    }
}

/// How failures turn into waiting: the first `free` failures cost
/// nothing; each one after locks the key for `base`, doubling per
/// failure up to `max`. Failures older than `window` (and not locked) are
/// forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub free: i32,
    pub base: Duration,
    pub max: Duration,
    pub window: Duration,
}

impl Policy {
    /// How long the key is locked after its `failures`th failure.
    pub fn lock_for(self, failures: i32) -> Option<Duration> {
        let over = failures.checked_sub(self.free)?;
        if over < 0 {
            return None;
        }
        let exp = u32::try_from(over.min(20)).unwrap_or(20);
        let secs = self
            .base
            .num_seconds()
            .max(1)
            .saturating_mul(2i64.saturating_pow(exp))
            .min(self.max.num_seconds().max(1));
        Some(Duration::seconds(secs))
    }
}

/// The latest time until which any of `keys` is locked, if one is now.
pub async fn locked_until(store: &crate::Store, keys: &[String]) -> Result<Option<DateTime<Utc>>> {
    let rows = row::Entity::find()
        .filter(row::Column::Key.is_in(keys.iter().cloned()))
        .filter(row::Column::LockedUntil.gt(now()))
        .all(&store.across_tenants())
        .await?;
    Ok(rows.into_iter().filter_map(|r| r.locked_until).max())
}

/// A failure just counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Failures in the current window, this one included.
    pub failures: i32,
    /// Set when this failure locked the key.
    pub locked_until: Option<DateTime<Utc>>,
}

/// Counts a failure of `key` (atomically: concurrent failures are all
/// counted) and locks the key as `policy` says.
pub async fn record_failure(store: &crate::Store, key: &str, policy: Policy) -> Result<Failure> {
    let at = now();
    // Forget an old, unlocked streak.
    row::Entity::update_many()
        .col_expr(row::Column::Failures, Expr::value(0))
        .filter(row::Column::Key.eq(key))
        .filter(row::Column::LastFailureAt.lt(at - policy.window))
        .filter(
            Condition::any()
                .add(row::Column::LockedUntil.is_null())
                .add(row::Column::LockedUntil.lte(at)),
        )
        .exec(&store.across_tenants())
        .await?;
    let updated = row::Entity::update_many()
        .col_expr(
            row::Column::Failures,
            crate::plus_one(row::Column::Failures),
        )
        .col_expr(row::Column::LastFailureAt, Expr::value(at))
        .filter(row::Column::Key.eq(key))
        .exec(&store.across_tenants())
        .await?;
    if updated.rows_affected == 0 {
        let inserted = row::Entity::insert(row::ActiveModel {
            key: sea_orm::ActiveValue::Set(key.to_owned()),
            failures: sea_orm::ActiveValue::Set(1),
            locked_until: sea_orm::ActiveValue::Set(None),
            last_failure_at: sea_orm::ActiveValue::Set(at),
        })
        .on_conflict_do_nothing_on([row::Column::Key])
        .exec_without_returning(&store.across_tenants())
        .await?;
        if !matches!(inserted, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
            // Another failure inserted the row first: count this one too.
            row::Entity::update_many()
                .col_expr(
                    row::Column::Failures,
                    crate::plus_one(row::Column::Failures),
                )
                .filter(row::Column::Key.eq(key))
                .exec(&store.across_tenants())
                .await?;
        }
    }
    let failures = row::Entity::find_by_id(key.to_owned())
        .one(&store.across_tenants())
        .await?
        .map_or(1, |r| r.failures);
    let locked_until = policy.lock_for(failures).map(|d| at + d);
    if let Some(until) = locked_until {
        row::Entity::update_many()
            .col_expr(row::Column::LockedUntil, Expr::value(Some(until)))
            .filter(row::Column::Key.eq(key))
            .exec(&store.across_tenants())
            .await?;
    }
    Ok(Failure {
        failures,
        locked_until,
    })
}

/// Forgets `key`'s failures (after a successful sign-in).
pub async fn clear(store: &crate::Store, key: &str) -> Result<()> {
    row::Entity::delete_many()
        .filter(row::Column::Key.eq(key))
        .exec(&store.across_tenants())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_after_the_free_failures_and_cap() {
        let p = Policy {
            free: 5,
            base: Duration::seconds(30),
            max: Duration::minutes(15),
            window: Duration::hours(1),
        };
        assert_eq!(p.lock_for(4), None);
        assert_eq!(p.lock_for(5), Some(Duration::seconds(30)));
        assert_eq!(p.lock_for(6), Some(Duration::seconds(60)));
        assert_eq!(p.lock_for(9), Some(Duration::seconds(480)));
        assert_eq!(p.lock_for(10), Some(Duration::minutes(15)));
        assert_eq!(p.lock_for(i32::MAX), Some(Duration::minutes(15)));
    }

    #[test]
    fn keys_are_digests_and_ignore_case() {
        let a = Subject::Account(" Admin@Qarmet.kz ").key();
        assert_eq!(a, Subject::Account("admin@qarmet.kz").key());
        assert!(a.starts_with("account:") && !a.contains("qarmet"));
        assert_ne!(Subject::Client("127.0.0.1").key(), a);
        assert_eq!(a.len(), "account:".len() + 64);
    }
}
