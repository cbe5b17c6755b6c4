//! The messaging bots' tables (docs/reporting.md, "Messaging bots"): the
//! inbox, conversations, links from reports to whom to answer, and the
//! outbox. Every byte column arrives here sealed by the service; this
//! module never sees a phone number or a message.
//!
//! Inbox and outbox are worked by claims that hold on both backends, like
//! the mail outbox ([`crate::outbox`]): a compare-and-set on the lease.
//! The inbox adds one rule so that any number of workers can share it: a
//! message is claimable only when no earlier message of the same sender is
//! still unprocessed, so one sender's messages are handled one at a time
//! and in order, whichever worker takes them.

use crate::entities::{bot_conversation, bot_inbox, bot_outbox, bot_report_link};
use crate::outbox::{Failed, RetryPolicy};
use crate::{Result, TenantId, now};
use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub use bot_conversation::Model as Conversation;
pub use bot_inbox::Model as Inbound;
pub use bot_outbox::Model as Outgoing;
pub use bot_report_link::Model as ReportLink;

/// The outbox's statuses are the mail outbox's.
pub use crate::outbox::{DEAD, PENDING, SENDING, SENT};

/// A message as the webhook stores it.
#[derive(Debug, Clone)]
pub struct NewInbound {
    pub id: Uuid,
    pub channel: &'static str,
    pub message_id: String,
    pub sender_key: String,
    pub sender: Vec<u8>,
    pub body: Option<Vec<u8>>,
}

/// Stores a received message; `false` when the same message (tenant,
/// channel, platform id) is already there: a redelivery, which stores
/// nothing.
pub async fn receive(store: &crate::Store, tenant: TenantId, m: NewInbound) -> Result<bool> {
    let r = bot_inbox::Entity::insert(bot_inbox::ActiveModel {
        id: Set(m.id),
        tenant_id: Set(tenant.uuid()),
        channel: Set(m.channel.to_owned()),
        message_id: Set(m.message_id),
        sender_key: Set(m.sender_key),
        sender: Set(m.sender),
        body: Set(m.body),
        received_at: Set(now()),
        attempts: Set(0),
        lease_until: Set(None),
        processed_at: Set(None),
        failure: Set(None),
    })
    .on_conflict_do_nothing_on([
        bot_inbox::Column::TenantId,
        bot_inbox::Column::Channel,
        bot_inbox::Column::MessageId,
    ])
    .exec_without_returning(&store.scoped(tenant))
    .await?;
    Ok(matches!(r, sea_orm::TryInsertResult::Inserted(n) if n > 0))
}

fn unclaimed() -> Condition {
    Condition::all()
        .add(bot_inbox::Column::ProcessedAt.is_null())
        .add(
            Condition::any()
                .add(bot_inbox::Column::LeaseUntil.is_null())
                .add(bot_inbox::Column::LeaseUntil.lt(now())),
        )
}

/// Claims the next message to process, across tenants, for `lease`: the
/// oldest unprocessed one whose sender has no earlier message waiting.
/// `None` when there is nothing to do.
pub async fn claim_inbound(store: &crate::Store, lease: Duration) -> Result<Option<Inbound>> {
    let db = store.across_tenants();
    let candidates = bot_inbox::Entity::find()
        .filter(unclaimed())
        .order_by_asc(bot_inbox::Column::Id)
        .limit(50)
        .all(&db)
        .await?;
    for c in candidates {
        let earlier = bot_inbox::Entity::find()
            .filter(bot_inbox::Column::TenantId.eq(c.tenant_id))
            .filter(bot_inbox::Column::Channel.eq(c.channel.clone()))
            .filter(bot_inbox::Column::SenderKey.eq(c.sender_key.clone()))
            .filter(bot_inbox::Column::ProcessedAt.is_null())
            .filter(bot_inbox::Column::Id.lt(c.id))
            .count(&db)
            .await?;
        if earlier > 0 {
            continue;
        }
        let until = now() + lease;
        let r = bot_inbox::Entity::update_many()
            .col_expr(bot_inbox::Column::LeaseUntil, Expr::value(Some(until)))
            .col_expr(
                bot_inbox::Column::Attempts,
                crate::plus_one(bot_inbox::Column::Attempts),
            )
            .filter(bot_inbox::Column::Id.eq(c.id))
            // Checked again under the row lock: another worker's claim
            // has moved the lease into the future.
            .filter(unclaimed())
            .exec(&db)
            .await?;
        if r.rows_affected == 1 {
            return Ok(Some(Inbound {
                attempts: c.attempts + 1,
                lease_until: Some(until),
                ..c
            }));
        }
    }
    Ok(None)
}

/// Marks a claimed message processed, dropping its sealed sender and text
/// (the conversation and the outbox hold what is still needed); `failure`
/// says (without content) why it was given up, if it was.
pub async fn processed(
    store: &crate::Store,
    tenant: TenantId,
    id: Uuid,
    failure: Option<&str>,
) -> Result<()> {
    bot_inbox::Entity::update_many()
        .col_expr(bot_inbox::Column::ProcessedAt, Expr::value(Some(now())))
        .col_expr(
            bot_inbox::Column::Body,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .col_expr(bot_inbox::Column::Sender, Expr::value(Vec::<u8>::new()))
        .col_expr(
            bot_inbox::Column::LeaseUntil,
            Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .col_expr(
            bot_inbox::Column::Failure,
            Expr::value(failure.map(|f| f.chars().take(200).collect::<String>())),
        )
        .filter(bot_inbox::Column::Id.eq(id))
        .filter(bot_inbox::Column::TenantId.eq(tenant.uuid()))
        .exec(&store.scoped(tenant))
        .await?;
    Ok(())
}

/// How many of the tenant's inbox messages are not processed yet.
pub async fn unprocessed(store: &crate::Store, tenant: TenantId) -> Result<u64> {
    Ok(bot_inbox::Entity::find()
        .filter(bot_inbox::Column::TenantId.eq(tenant.uuid()))
        .filter(bot_inbox::Column::ProcessedAt.is_null())
        .count(&store.scoped(tenant))
        .await?)
}

/// A sender's conversation with the tenant's bot on `channel`.
pub async fn conversation(
    store: &crate::Store,
    tenant: TenantId,
    channel: &str,
    sender_key: &str,
) -> Result<Option<Conversation>> {
    Ok(bot_conversation::Entity::find()
        .filter(bot_conversation::Column::TenantId.eq(tenant.uuid()))
        .filter(bot_conversation::Column::Channel.eq(channel))
        .filter(bot_conversation::Column::SenderKey.eq(sender_key))
        .one(&store.scoped(tenant))
        .await?)
}

/// Stores a conversation's new state under `id`, creating it the first
/// time. The caller holds the sender's inbox claim, so no one else writes
/// it meanwhile.
pub async fn save_conversation(
    store: &crate::Store,
    tenant: TenantId,
    id: Uuid,
    channel: &str,
    sender_key: &str,
    state: Vec<u8>,
) -> Result<()> {
    let db = store.scoped(tenant);
    let updated = bot_conversation::Entity::update_many()
        .col_expr(bot_conversation::Column::State, Expr::value(state.clone()))
        .col_expr(bot_conversation::Column::UpdatedAt, Expr::value(now()))
        .filter(bot_conversation::Column::Id.eq(id))
        .filter(bot_conversation::Column::TenantId.eq(tenant.uuid()))
        .exec(&db)
        .await?;
    if updated.rows_affected == 0 {
        bot_conversation::Entity::insert(bot_conversation::ActiveModel {
            id: Set(id),
            tenant_id: Set(tenant.uuid()),
            channel: Set(channel.to_owned()),
            sender_key: Set(sender_key.to_owned()),
            state: Set(state),
            updated_at: Set(now()),
        })
        .exec_without_returning(&db)
        .await?;
    }
    Ok(())
}

/// Deletes conversations untouched since `before`, across tenants;
/// returns how many.
pub async fn expire_conversations(
    store: &crate::Store,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<u64> {
    Ok(bot_conversation::Entity::delete_many()
        .filter(bot_conversation::Column::UpdatedAt.lt(before))
        .exec(&store.across_tenants())
        .await?
        .rows_affected)
}

/// Deletes processed inbox rows and sent answers older than `before`,
/// across tenants; returns how many. The inbox rows were kept (ids only)
/// to recognise the platforms' redeliveries, which stop within days.
pub async fn forget_done(
    store: &crate::Store,
    before: chrono::DateTime<chrono::Utc>,
) -> Result<u64> {
    let db = store.across_tenants();
    let inbox = bot_inbox::Entity::delete_many()
        .filter(bot_inbox::Column::ProcessedAt.lt(before))
        .exec(&db)
        .await?
        .rows_affected;
    let outbox = bot_outbox::Entity::delete_many()
        .filter(bot_outbox::Column::Status.eq(SENT))
        .filter(bot_outbox::Column::SentAt.lt(before))
        .exec(&db)
        .await?
        .rows_affected;
    Ok(inbox + outbox)
}

/// Remembers whom to answer on a report filed through a bot.
pub async fn link_report(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
    channel: &str,
    recipient: Vec<u8>,
) -> Result<()> {
    bot_report_link::Entity::insert(bot_report_link::ActiveModel {
        report_id: Set(report_id),
        tenant_id: Set(tenant.uuid()),
        channel: Set(channel.to_owned()),
        recipient: Set(recipient),
        created_at: Set(now()),
    })
    .on_conflict_do_nothing_on([bot_report_link::Column::ReportId])
    .exec_without_returning(&store.scoped(tenant))
    .await?;
    Ok(())
}

/// Whom to answer on `report_id`, if it came through a bot.
pub async fn report_link(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
) -> Result<Option<ReportLink>> {
    Ok(bot_report_link::Entity::find_by_id(report_id)
        .filter(bot_report_link::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?)
}

/// A message for a bot to send, sealed: the recipient and the text.
#[derive(Debug, Clone)]
pub struct NewOutgoing {
    pub id: Uuid,
    pub channel: String,
    pub recipient: Vec<u8>,
    pub body: Vec<u8>,
}

/// Queues a message for a bot to send.
pub async fn enqueue(
    store: &crate::Store,
    tenant: TenantId,
    id: Uuid,
    channel: &str,
    recipient: Vec<u8>,
    body: Vec<u8>,
) -> Result<()> {
    let out = NewOutgoing {
        id,
        channel: channel.to_owned(),
        recipient,
        body,
    };
    enqueue_in(&store.scoped(tenant), tenant, out).await
}

/// [`enqueue`] within the caller's transaction (a handler's message and
/// its way to the reporter are stored together).
pub(crate) async fn enqueue_in<C: sea_orm::ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    out: NewOutgoing,
) -> Result<()> {
    let at = now();
    bot_outbox::Entity::insert(bot_outbox::ActiveModel {
        id: Set(out.id),
        tenant_id: Set(tenant.uuid()),
        channel: Set(out.channel),
        recipient: Set(out.recipient),
        body: Set(Some(out.body)),
        status: Set(PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(at),
        claim_token: Set(None),
        last_error: Set(None),
        created_at: Set(at),
        sent_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

fn due() -> Condition {
    Condition::all()
        .add(bot_outbox::Column::Status.is_in([PENDING, SENDING]))
        .add(bot_outbox::Column::NextAttemptAt.lte(now()))
}

/// Claims up to `limit` due messages, across tenants, for `lease`; each
/// claim counts as an attempt. Returns the claim's token and its rows.
pub async fn claim_outgoing(
    store: &crate::Store,
    limit: u64,
    lease: Duration,
) -> Result<(Uuid, Vec<Outgoing>)> {
    let db = store.across_tenants();
    let token = Uuid::new_v4();
    let ids: Vec<Uuid> = bot_outbox::Entity::find()
        .select_only()
        .column(bot_outbox::Column::Id)
        .filter(due())
        .order_by_asc(bot_outbox::Column::CreatedAt)
        .limit(limit)
        .into_tuple()
        .all(&db)
        .await?;
    if ids.is_empty() {
        return Ok((token, Vec::new()));
    }
    bot_outbox::Entity::update_many()
        .col_expr(bot_outbox::Column::Status, Expr::value(SENDING))
        .col_expr(bot_outbox::Column::ClaimToken, Expr::value(Some(token)))
        .col_expr(
            bot_outbox::Column::NextAttemptAt,
            Expr::value(now() + lease),
        )
        .col_expr(
            bot_outbox::Column::Attempts,
            crate::plus_one(bot_outbox::Column::Attempts),
        )
        .filter(bot_outbox::Column::Id.is_in(ids))
        .filter(due())
        .exec(&db)
        .await?;
    let rows = bot_outbox::Entity::find()
        .filter(bot_outbox::Column::ClaimToken.eq(token))
        .filter(bot_outbox::Column::Status.eq(SENDING))
        .order_by_asc(bot_outbox::Column::CreatedAt)
        .all(&db)
        .await?;
    Ok((token, rows))
}

/// Marks a message of `claim` sent and drops its sealed recipient and
/// text.
pub async fn mark_sent(store: &crate::Store, claim: Uuid, id: Uuid) -> Result<bool> {
    let r = bot_outbox::Entity::update_many()
        .col_expr(bot_outbox::Column::Status, Expr::value(SENT))
        .col_expr(bot_outbox::Column::SentAt, Expr::value(Some(now())))
        .col_expr(
            bot_outbox::Column::Body,
            Expr::value(Option::<Vec<u8>>::None),
        )
        .col_expr(bot_outbox::Column::Recipient, Expr::value(Vec::<u8>::new()))
        .col_expr(
            bot_outbox::Column::LastError,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            bot_outbox::Column::ClaimToken,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(bot_outbox::Column::Id.eq(id))
        .filter(bot_outbox::Column::ClaimToken.eq(claim))
        .filter(bot_outbox::Column::Status.eq(SENDING))
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected > 0)
}

/// Records a failed attempt: pending again after the policy's delay, or
/// `dead` (the sealed text kept, for an operator to look into) once out
/// of attempts.
pub async fn mark_failed(
    store: &crate::Store,
    claim: Uuid,
    m: &Outgoing,
    error: &str,
    policy: RetryPolicy,
) -> Result<Failed> {
    let (status, next) = policy.after_failure(m.attempts);
    let r = bot_outbox::Entity::update_many()
        .col_expr(bot_outbox::Column::Status, Expr::value(status))
        .col_expr(bot_outbox::Column::NextAttemptAt, Expr::value(next))
        .col_expr(
            bot_outbox::Column::LastError,
            Expr::value(Some(error.chars().take(2000).collect::<String>())),
        )
        .col_expr(
            bot_outbox::Column::ClaimToken,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(bot_outbox::Column::Id.eq(m.id))
        .filter(bot_outbox::Column::ClaimToken.eq(claim))
        .filter(bot_outbox::Column::Status.eq(SENDING))
        .exec(&store.across_tenants())
        .await?;
    Ok(Failed::of(r.rows_affected, status))
}

/// Report links after `after` (by report id), across tenants: for the key
/// rotation, which rewraps their envelopes.
pub async fn links_after(
    store: &crate::Store,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<ReportLink>> {
    let mut q = bot_report_link::Entity::find();
    if let Some(a) = after {
        q = q.filter(bot_report_link::Column::ReportId.gt(a));
    }
    Ok(q.order_by_asc(bot_report_link::Column::ReportId)
        .limit(limit)
        .all(&store.across_tenants())
        .await?)
}

/// Replaces a link's sealed recipient, if it is still `old.recipient`.
pub async fn replace_link_recipient(
    store: &crate::Store,
    old: &ReportLink,
    recipient: Vec<u8>,
) -> Result<bool> {
    let r = bot_report_link::Entity::update_many()
        .col_expr(bot_report_link::Column::Recipient, Expr::value(recipient))
        .filter(bot_report_link::Column::ReportId.eq(old.report_id))
        .filter(bot_report_link::Column::Recipient.eq(old.recipient.clone()))
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected > 0)
}

/// Conversations after `after` (by id), across tenants, for the rotation.
pub async fn conversations_after(
    store: &crate::Store,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Conversation>> {
    let mut q = bot_conversation::Entity::find();
    if let Some(a) = after {
        q = q.filter(bot_conversation::Column::Id.gt(a));
    }
    Ok(q.order_by_asc(bot_conversation::Column::Id)
        .limit(limit)
        .all(&store.across_tenants())
        .await?)
}

/// Replaces a conversation's sealed state, if no message changed it since
/// it was read (a worker may be answering the sender meanwhile).
pub async fn replace_conversation_state(
    store: &crate::Store,
    old: &Conversation,
    state: Vec<u8>,
) -> Result<bool> {
    let r = bot_conversation::Entity::update_many()
        .col_expr(bot_conversation::Column::State, Expr::value(state))
        .filter(bot_conversation::Column::Id.eq(old.id))
        .filter(bot_conversation::Column::State.eq(old.state.clone()))
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected > 0)
}

/// Inbox messages not yet processed, after `after` (by id), across
/// tenants: the key rotation rewraps what they hold sealed.
pub async fn waiting_inbound_after(
    store: &crate::Store,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Inbound>> {
    let mut q = bot_inbox::Entity::find().filter(bot_inbox::Column::ProcessedAt.is_null());
    if let Some(a) = after {
        q = q.filter(bot_inbox::Column::Id.gt(a));
    }
    Ok(q.order_by_asc(bot_inbox::Column::Id)
        .limit(limit)
        .all(&store.across_tenants())
        .await?)
}

/// Replaces a waiting inbox message's sealed sender and text, if it is
/// still waiting with the sender it was read with.
pub async fn replace_inbound_sealed(
    store: &crate::Store,
    old: &Inbound,
    sender: Vec<u8>,
    body: Option<Vec<u8>>,
) -> Result<bool> {
    let r = bot_inbox::Entity::update_many()
        .col_expr(bot_inbox::Column::Sender, Expr::value(sender))
        .col_expr(bot_inbox::Column::Body, Expr::value(body))
        .filter(bot_inbox::Column::Id.eq(old.id))
        .filter(bot_inbox::Column::Sender.eq(old.sender.clone()))
        .filter(bot_inbox::Column::ProcessedAt.is_null())
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected > 0)
}

/// Outbox messages not yet sent (nor given up), after `after` (by id),
/// across tenants, for the rotation.
pub async fn waiting_outgoing_after(
    store: &crate::Store,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Outgoing>> {
    let mut q =
        bot_outbox::Entity::find().filter(bot_outbox::Column::Status.is_in([PENDING, SENDING]));
    if let Some(a) = after {
        q = q.filter(bot_outbox::Column::Id.gt(a));
    }
    Ok(q.order_by_asc(bot_outbox::Column::Id)
        .limit(limit)
        .all(&store.across_tenants())
        .await?)
}

/// Replaces a waiting outbox message's sealed recipient and text, if it
/// still waits with the recipient it was read with.
pub async fn replace_outgoing_sealed(
    store: &crate::Store,
    old: &Outgoing,
    recipient: Vec<u8>,
    body: Option<Vec<u8>>,
) -> Result<bool> {
    let r = bot_outbox::Entity::update_many()
        .col_expr(bot_outbox::Column::Recipient, Expr::value(recipient))
        .col_expr(bot_outbox::Column::Body, Expr::value(body))
        .filter(bot_outbox::Column::Id.eq(old.id))
        .filter(bot_outbox::Column::Recipient.eq(old.recipient.clone()))
        .filter(bot_outbox::Column::Status.is_in([PENDING, SENDING]))
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected > 0)
}
