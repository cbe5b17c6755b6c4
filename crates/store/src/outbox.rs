//! The mail outbox. A row is marked sent only after the SMTP server
//! accepted the message; failures back off exponentially.

use crate::entities::outbox;
use crate::{Result, StoreError, now};
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub use outbox::Model as OutboxMessage;

pub const PENDING: &str = "pending";
pub const SENT: &str = "sent";

/// Messages due for (re)delivery, across tenants: the mailer's read.
pub async fn due_across_tenants(store: &crate::Store, limit: u64) -> Result<Vec<OutboxMessage>> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Status.eq(PENDING))
        .filter(outbox::Column::NextAttemptAt.lte(now()))
        .order_by_asc(outbox::Column::NextAttemptAt)
        .limit(limit)
        .all(store.connection())
        .await?)
}

pub fn recipients_of(m: &OutboxMessage) -> Result<Vec<String>> {
    serde_json::from_str(&m.recipients)
        .map_err(|e| StoreError::Corrupt(format!("outbox {} recipients: {e}", m.id)))
}

pub async fn mark_sent_across_tenants(store: &crate::Store, id: Uuid) -> Result<()> {
    let m = outbox::Entity::find_by_id(id)
        .one(store.connection())
        .await?
        .ok_or(StoreError::NotFound)?;
    let attempts = m.attempts;
    let mut am: outbox::ActiveModel = m.into();
    am.status = Set(SENT.to_owned());
    am.sent_at = Set(Some(now()));
    am.attempts = Set(attempts + 1);
    am.last_error = Set(None);
    am.update(store.connection()).await?;
    Ok(())
}

/// How failed deliveries are retried: `base` seconds, doubling per attempt,
/// never more than `max` seconds apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base_secs: i64,
    pub max_secs: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base_secs: 5,
            max_secs: 3600,
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

/// Delay before the next attempt under the default policy: 5 s doubling
/// per attempt, capped at an hour.
pub fn backoff(attempts: i32) -> Duration {
    RetryPolicy::default().delay(attempts)
}

pub async fn mark_failed(store: &crate::Store, id: Uuid, error: &str) -> Result<()> {
    mark_failed_with(store, id, error, RetryPolicy::default()).await
}

pub async fn mark_failed_with(
    store: &crate::Store,
    id: Uuid,
    error: &str,
    policy: RetryPolicy,
) -> Result<()> {
    let m = outbox::Entity::find_by_id(id)
        .one(store.connection())
        .await?
        .ok_or(StoreError::NotFound)?;
    let attempts = m.attempts + 1;
    let mut am: outbox::ActiveModel = m.into();
    am.attempts = Set(attempts);
    am.next_attempt_at = Set(now() + policy.delay(attempts - 1));
    am.last_error = Set(Some(error.chars().take(2000).collect()));
    am.update(store.connection()).await?;
    Ok(())
}

/// A tenant's outbox (for the compliance unit to see what was sent).
pub async fn list(
    store: &crate::Store,
    tenant: crate::TenantId,
    limit: u64,
) -> Result<Vec<OutboxMessage>> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::TenantId.eq(tenant.uuid()))
        .order_by_desc(outbox::Column::CreatedAt)
        .limit(limit)
        .all(store.connection())
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
