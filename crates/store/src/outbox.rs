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

pub async fn mark_sent(store: &crate::Store, id: Uuid) -> Result<()> {
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

/// Delay before the next attempt: 5 s doubling per attempt, capped at an hour.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 10)).unwrap_or(10);
    Duration::seconds((5i64 * 2i64.pow(exp)).min(3600))
}

pub async fn mark_failed(store: &crate::Store, id: Uuid, error: &str) -> Result<()> {
    let m = outbox::Entity::find_by_id(id)
        .one(store.connection())
        .await?
        .ok_or(StoreError::NotFound)?;
    let attempts = m.attempts + 1;
    let mut am: outbox::ActiveModel = m.into();
    am.attempts = Set(attempts);
    am.next_attempt_at = Set(now() + backoff(attempts - 1));
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
        .filter(outbox::Column::TenantId.eq(tenant.0))
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
