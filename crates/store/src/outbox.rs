//! The mail outbox. A mailer first *claims* due rows (status `sending`,
//! a fresh claim token, `next_attempt_at` moved to the end of the lease),
//! so that two worker processes never send the same alert; a row is
//! marked sent only by the claim that holds it, after the SMTP server
//! accepted the message. Failures back off exponentially; after
//! [`RetryPolicy::max_attempts`] the row is `dead` with its last error. A
//! claim whose mailer died runs out and the row is due again.
//!
//! Claiming is a compare-and-set on `(status, next_attempt_at)`, which
//! holds on both backends: on PostgreSQL a concurrent claim of the same
//! row waits for the first one's row lock and then no longer matches (its
//! `next_attempt_at` is in the future); SQLite serialises writers.

use crate::entities::outbox;
use crate::{Result, StoreError, now};
use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

pub use outbox::Model as OutboxMessage;

pub const PENDING: &str = "pending";
/// Claimed by a mailer, which is sending it now.
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
/// Given up after too many failed attempts; `last_error` says why.
pub const DEAD: &str = "dead";

/// Rows a mailer may claim: pending and due, or claimed by a mailer whose
/// lease ran out.
fn claimable() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(outbox::Column::Status.is_in([PENDING, SENDING]))
        .add(outbox::Column::NextAttemptAt.lte(now()))
}

/// Messages due for (re)delivery, across tenants, without claiming them.
pub async fn due_across_tenants(store: &crate::Store, limit: u64) -> Result<Vec<OutboxMessage>> {
    Ok(outbox::Entity::find()
        .filter(claimable())
        .order_by_asc(outbox::Column::NextAttemptAt)
        .limit(limit)
        .all(&store.across_tenants())
        .await?)
}

/// The rows one call of [`claim_due_across_tenants`] took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub token: Uuid,
    /// With `attempts` already counting this one.
    pub messages: Vec<OutboxMessage>,
}

/// Claims up to `limit` due messages, across tenants, for `lease`: no
/// other claim gets them until the lease ends or the claim releases them
/// ([`mark_sent_across_tenants`], [`mark_failed_with`]). Each claim counts
/// as an attempt.
pub async fn claim_due_across_tenants(
    store: &crate::Store,
    limit: u64,
    lease: Duration,
) -> Result<Claim> {
    let token = Uuid::new_v4();
    let candidates: Vec<Uuid> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Id)
        .filter(claimable())
        .order_by_asc(outbox::Column::NextAttemptAt)
        .limit(limit)
        .into_tuple()
        .all(&store.across_tenants())
        .await?;
    if candidates.is_empty() {
        return Ok(Claim {
            token,
            messages: Vec::new(),
        });
    }
    outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(SENDING))
        .col_expr(outbox::Column::ClaimToken, Expr::value(Some(token)))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now() + lease))
        .col_expr(
            outbox::Column::Attempts,
            crate::plus_one(outbox::Column::Attempts),
        )
        .filter(outbox::Column::Id.is_in(candidates))
        // Checked again under the row lock: a row another claim took in
        // the meantime has its `next_attempt_at` in the future.
        .filter(claimable())
        .exec(&store.across_tenants())
        .await?;
    let messages = outbox::Entity::find()
        .filter(outbox::Column::ClaimToken.eq(token))
        .filter(outbox::Column::Status.eq(SENDING))
        .order_by_asc(outbox::Column::CreatedAt)
        .all(&store.across_tenants())
        .await?;
    Ok(Claim { token, messages })
}

pub fn recipients_of(m: &OutboxMessage) -> Result<Vec<String>> {
    serde_json::from_str(&m.recipients)
        .map_err(|e| StoreError::Corrupt(format!("outbox {} recipients: {e}", m.id)))
}

/// Marks the messages `ids` of `claim` sent. Returns how many it marked:
/// fewer than `ids.len()` when a lease ran out and another claim took a
/// message over (which may then send it again; the message id in the
/// email lets the recipient's server recognise the repeat).
pub async fn mark_sent_across_tenants(
    store: &crate::Store,
    claim: Uuid,
    ids: &[Uuid],
) -> Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let r = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(SENT))
        .col_expr(outbox::Column::SentAt, Expr::value(Some(now())))
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            outbox::Column::ClaimToken,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(outbox::Column::Id.is_in(ids.iter().copied()))
        .filter(outbox::Column::ClaimToken.eq(claim))
        .filter(outbox::Column::Status.eq(SENDING))
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected)
}

/// How failed deliveries are retried: `base` seconds, doubling per attempt,
/// never more than `max` seconds apart, and given up (`dead`) after
/// `max_attempts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base_secs: i64,
    pub max_secs: i64,
    pub max_attempts: i32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base_secs: 5,
            max_secs: 3600,
            max_attempts: 12,
        }
    }
}

impl RetryPolicy {
    pub fn delay(self, attempts: i32) -> Duration {
        let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
        let secs = self
            .base_secs
            .max(1)
            .saturating_mul(2i64.saturating_pow(exp))
            .min(self.max_secs.max(1));
        Duration::seconds(secs)
    }
}

impl RetryPolicy {
    /// After a failed attempt (`attempts` counting it): the status the row
    /// takes and when it is due again. Shared by the mail and the bots'
    /// outboxes.
    pub(crate) fn after_failure(
        self,
        attempts: i32,
    ) -> (&'static str, chrono::DateTime<chrono::Utc>) {
        if attempts >= self.max_attempts {
            (DEAD, now())
        } else {
            (PENDING, now() + self.delay(attempts - 1))
        }
    }
}

impl Failed {
    /// What an update of `rows` rows to `status` did.
    pub(crate) fn of(rows: u64, status: &str) -> Self {
        match (rows, status == DEAD) {
            (0, _) => Failed::NotHeld,
            (_, true) => Failed::Dead,
            (_, false) => Failed::Retry,
        }
    }
}

/// Delay before the next attempt under the default policy: 5 s doubling
/// per attempt, capped at an hour.
pub fn backoff(attempts: i32) -> Duration {
    RetryPolicy::default().delay(attempts)
}

/// What became of a failed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Pending again, for a later attempt.
    Retry,
    /// Out of attempts: `dead`.
    Dead,
    /// The claim no longer held it (its lease ran out); nothing written.
    NotHeld,
}

/// Records a failed attempt of `claim` on message `m`: pending again after
/// the policy's delay, or `dead` once `m.attempts` (which counts this
/// attempt) reaches `max_attempts`.
pub async fn mark_failed_with(
    store: &crate::Store,
    claim: Uuid,
    m: &OutboxMessage,
    error: &str,
    policy: RetryPolicy,
) -> Result<Failed> {
    let (status, next) = policy.after_failure(m.attempts);
    let r = outbox::Entity::update_many()
        .col_expr(outbox::Column::Status, Expr::value(status))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            outbox::Column::LastError,
            Expr::value(Some(error.chars().take(2000).collect::<String>())),
        )
        .col_expr(
            outbox::Column::ClaimToken,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(outbox::Column::Id.eq(m.id))
        .filter(outbox::Column::ClaimToken.eq(claim))
        .filter(outbox::Column::Status.eq(SENDING))
        .exec(&store.across_tenants())
        .await?;
    Ok(Failed::of(r.rows_affected, status))
}

/// Queues a notice to one person (not a finding's alert): `dedupe_key`
/// makes it once only (a second call with the same key queues nothing and
/// returns `false`). `tenant` is the nil UUID for platform accounts.
pub async fn enqueue_notice(
    store: &crate::Store,
    tenant: Uuid,
    dedupe_key: &str,
    recipient: &str,
    subject: &str,
    body: &str,
) -> Result<bool> {
    let at = now();
    let r = outbox::Entity::insert(outbox::ActiveModel {
        id: sea_orm::ActiveValue::Set(crate::new_id()),
        tenant_id: sea_orm::ActiveValue::Set(tenant),
        dedupe_key: sea_orm::ActiveValue::Set(format!("{NOTICE_PREFIX}{dedupe_key}")),
        recipients: sea_orm::ActiveValue::Set(
            serde_json::to_string(&[recipient]).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        ),
        subject: sea_orm::ActiveValue::Set(subject.chars().take(300).collect()),
        body: sea_orm::ActiveValue::Set(body.to_owned()),
        status: sea_orm::ActiveValue::Set(PENDING.to_owned()),
        attempts: sea_orm::ActiveValue::Set(0),
        next_attempt_at: sea_orm::ActiveValue::Set(at),
        last_error: sea_orm::ActiveValue::Set(None),
        created_at: sea_orm::ActiveValue::Set(at),
        sent_at: sea_orm::ActiveValue::Set(None),
        claim_token: sea_orm::ActiveValue::Set(None),
    })
    .on_conflict_do_nothing_on([outbox::Column::DedupeKey])
    .exec_without_returning(&store.across_tenants())
    .await?;
    Ok(matches!(r, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

/// The dedupe-key prefix of personal notices, which the tenant's alert
/// list leaves out: a lockout notice is the account holder's business.
const NOTICE_PREFIX: &str = "notice/";

/// A tenant's alerts (for the compliance unit to see what was sent);
/// personal notices are not listed.
pub async fn list(
    store: &crate::Store,
    tenant: crate::TenantId,
    limit: u64,
) -> Result<Vec<OutboxMessage>> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::TenantId.eq(tenant.uuid()))
        .filter(outbox::Column::DedupeKey.not_like(format!("{NOTICE_PREFIX}%")))
        .order_by_desc(outbox::Column::CreatedAt)
        .limit(limit)
        .all(&store.across_tenants())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_and_caps() {
        assert_eq!(backoff(0).num_seconds(), 5);
        assert_eq!(backoff(1).num_seconds(), 10);
        assert_eq!(backoff(3).num_seconds(), 40);
        assert_eq!(backoff(50).num_seconds(), 3600);
    }
}
