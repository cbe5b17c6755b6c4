//! Reports from the feedback channels and the cases they become. The
//! store keeps only ciphertext (`content`, message bodies), the report key
//! wrapped under a key it never holds, and the receipt's hash; sealing and
//! opening is the service's. Reporters' own actions leave no audit entry
//! (its timestamp would be the moment of filing); every handler's read
//! and change does.

use crate::entities::{case_recusal, pow_spent, report, report_message};
use crate::{Result, StoreError, TenantId, audit, now};
use adal_domain::{CaseOutcome, CaseStatus, MessageAuthor, ReportChannel, ReportSource};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// A report as stored (content still sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub channel: ReportChannel,
    pub source: ReportSource,
    /// Hex of the receipt's hash.
    pub receipt_hash: String,
    pub kek_id: String,
    pub wrapped_key: Vec<u8>,
    pub content: Vec<u8>,
    pub has_contact: bool,
    pub status: CaseStatus,
    pub assignee_id: Option<Uuid>,
    pub outcome: Option<CaseOutcome>,
    pub received_on: NaiveDate,
    pub ack_due: NaiveDate,
    pub feedback_due: NaiveDate,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub escalation: Option<Vec<u8>>,
    pub updated_at: DateTime<Utc>,
    /// Sealed; given on closing.
    pub measures: Option<Vec<u8>>,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

impl TryFrom<report::Model> for Report {
    type Error = StoreError;
    fn try_from(m: report::Model) -> Result<Self> {
        Ok(Self {
            id: m.id,
            tenant_id: m.tenant_id,
            channel: ReportChannel::parse(&m.channel).map_err(|e| corrupt("report channel", e))?,
            source: ReportSource::parse(&m.source).map_err(|e| corrupt("report source", e))?,
            receipt_hash: m.receipt_hash,
            kek_id: m.kek_id,
            wrapped_key: m.wrapped_key,
            content: m.content,
            has_contact: m.has_contact,
            status: CaseStatus::parse(&m.status).map_err(|e| corrupt("case status", e))?,
            assignee_id: m.assignee_id,
            outcome: m
                .outcome
                .as_deref()
                .map(CaseOutcome::parse)
                .transpose()
                .map_err(|e| corrupt("case outcome", e))?,
            received_on: m.received_on,
            ack_due: m.ack_due,
            feedback_due: m.feedback_due,
            acknowledged_at: m.acknowledged_at,
            closed_at: m.closed_at,
            escalated_at: m.escalated_at,
            escalation: m.escalation,
            updated_at: m.updated_at,
            measures: m.measures,
        })
    }
}

/// A new report, already sealed by the service.
#[derive(Debug, Clone)]
pub struct NewReport {
    /// Chosen by the service: the report key's associated data names it.
    pub id: Uuid,
    pub channel: ReportChannel,
    pub source: ReportSource,
    pub receipt_hash: String,
    pub kek_id: String,
    pub wrapped_key: Vec<u8>,
    pub content: Vec<u8>,
    pub has_contact: bool,
    pub received_on: NaiveDate,
    pub ack_due: NaiveDate,
    pub feedback_due: NaiveDate,
    /// Handlers the report names: recused from the start.
    pub named: Vec<Uuid>,
}

/// Stores a new report in `received`, with the handlers it names
/// recused. No audit entry: see the module.
pub async fn insert(store: &crate::Store, tenant: TenantId, r: NewReport) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    insert_in(&*txn, tenant, r).await?;
    txn.commit().await?;
    Ok(())
}

/// [`insert`] within the caller's transaction.
pub(crate) async fn insert_in<C: ConnectionTrait>(
    txn: &C,
    tenant: TenantId,
    r: NewReport,
) -> Result<()> {
    for user in &r.named {
        case_recusal::ActiveModel {
            report_id: Set(r.id),
            user_id: Set(*user),
            tenant_id: Set(tenant.uuid()),
            reason: Set(RECUSED_NAMED.to_owned()),
            created_at: Set(day_start(r.received_on)),
        }
        .insert(txn)
        .await?;
    }
    report::ActiveModel {
        id: Set(r.id),
        tenant_id: Set(tenant.uuid()),
        channel: Set(r.channel.as_str().to_owned()),
        source: Set(r.source.as_str().to_owned()),
        receipt_hash: Set(r.receipt_hash),
        kek_id: Set(r.kek_id),
        wrapped_key: Set(r.wrapped_key),
        content: Set(r.content),
        has_contact: Set(r.has_contact),
        status: Set(CaseStatus::Received.as_str().to_owned()),
        assignee_id: Set(None),
        outcome: Set(None),
        received_on: Set(r.received_on),
        ack_due: Set(r.ack_due),
        feedback_due: Set(r.feedback_due),
        acknowledged_at: Set(None),
        closed_at: Set(None),
        escalated_at: Set(None),
        escalation: Set(None),
        updated_at: Set(day_start(r.received_on)),
        measures: Set(None),
    }
    .insert(txn)
    .await
    .map_err(|e| StoreError::from_insert(e, "receipt"))?;
    Ok(())
}

/// Why a handler may not handle a case: the report names them.
pub const RECUSED_NAMED: &str = "named";
/// Why a handler may not handle a case: they stepped aside.
pub const RECUSED_SELF: &str = "self";

/// The handlers recused from a case, with why (`named` or `self`).
pub async fn recusals(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
) -> Result<Vec<(Uuid, String)>> {
    Ok(case_recusal::Entity::find()
        .filter(case_recusal::Column::TenantId.eq(tenant.uuid()))
        .filter(case_recusal::Column::ReportId.eq(report_id))
        .order_by_asc(case_recusal::Column::CreatedAt)
        .all(&store.scoped(tenant))
        .await?
        .into_iter()
        .map(|r| (r.user_id, r.reason))
        .collect())
}

/// Whether `user` is recused from the case.
pub async fn is_recused(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
    user: Uuid,
) -> Result<bool> {
    Ok(case_recusal::Entity::find_by_id((report_id, user))
        .filter(case_recusal::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .is_some())
}

/// `user` steps aside from the case: recused, unassigned if it was
/// theirs, audited. `NotFound` when the case is not the tenant's.
pub async fn recuse(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    report_id: Uuid,
    user: Uuid,
) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    let m = report::Entity::find_by_id(report_id)
        .filter(report::Column::TenantId.eq(tenant.uuid()))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let at = now();
    if m.assignee_id == Some(user) {
        let mut am: report::ActiveModel = m.into();
        am.assignee_id = Set(None);
        am.updated_at = Set(at);
        am.update(&txn).await?;
    }
    let exists = case_recusal::Entity::find_by_id((report_id, user))
        .one(&txn)
        .await?
        .is_some();
    if !exists {
        case_recusal::ActiveModel {
            report_id: Set(report_id),
            user_id: Set(user),
            tenant_id: Set(tenant.uuid()),
            reason: Set(RECUSED_SELF.to_owned()),
            created_at: Set(at),
        }
        .insert(&txn)
        .await?;
    }
    audit::append(
        &txn,
        tenant,
        actor,
        "case.recuse",
        &format!("report/{report_id}"),
        serde_json::json!({ "user_id": user }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Midnight UTC of `day`: the only time a reporter's action is stored at.
pub fn day_start(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// The report a receipt opens, whatever its tenant: the receipt is the
/// reporter's only credential and names no tenant.
pub async fn by_receipt_across_tenants(
    store: &crate::Store,
    receipt_hash: &str,
) -> Result<Option<Report>> {
    report::Entity::find()
        .filter(report::Column::ReceiptHash.eq(receipt_hash))
        .one(&store.across_tenants())
        .await?
        .map(Report::try_from)
        .transpose()
}

pub async fn get(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<Report> {
    report::Entity::find_by_id(id)
        .filter(report::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
}

/// Which cases a list holds.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub channel: Option<ReportChannel>,
    pub status: Option<CaseStatus>,
    pub assignee: Option<Uuid>,
    /// Only cases still open.
    pub open: bool,
    /// Leave out the cases this handler is recused from.
    pub hidden_from: Option<Uuid>,
}

/// A page of a tenant's cases, the nearest deadline first (open cases
/// before closed ones).
pub async fn list(
    store: &crate::Store,
    tenant: TenantId,
    filter: &CaseFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Report>, u64)> {
    let mut cond = Condition::all().add(report::Column::TenantId.eq(tenant.uuid()));
    if let Some(c) = filter.channel {
        cond = cond.add(report::Column::Channel.eq(c.as_str()));
    }
    if let Some(s) = filter.status {
        cond = cond.add(report::Column::Status.eq(s.as_str()));
    }
    if let Some(a) = filter.assignee {
        cond = cond.add(report::Column::AssigneeId.eq(a));
    }
    if filter.open {
        cond = cond.add(report::Column::Status.ne(CaseStatus::Closed.as_str()));
    }
    if let Some(u) = filter.hidden_from {
        cond = cond.add(
            report::Column::Id.not_in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(case_recusal::Column::ReportId)
                    .from(case_recusal::Entity)
                    .and_where(case_recusal::Column::UserId.eq(u))
                    .to_owned(),
            ),
        );
    }
    let q = report::Entity::find().filter(cond);
    let total = q.clone().count(&store.scoped(tenant)).await?;
    let rows = q
        .order_by_asc(Expr::cust("CASE WHEN status = 'closed' THEN 1 ELSE 0 END"))
        .order_by_asc(Expr::cust(
            "CASE WHEN status = 'received' THEN ack_due ELSE feedback_due END",
        ))
        .order_by_asc(report::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(&store.scoped(tenant))
        .await?;
    let reports = rows
        .into_iter()
        .map(Report::try_from)
        .collect::<Result<Vec<_>>>()?;
    Ok((reports, total))
}

/// A message on a report (body still sealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: Uuid,
    pub seq: i32,
    pub author: MessageAuthor,
    pub author_id: Option<Uuid>,
    pub body: Vec<u8>,
    pub created_at: DateTime<Utc>,
}

/// A report's messages in order; `with_notes` false leaves the handlers'
/// internal notes out (the reporter's view).
pub async fn messages(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
    with_notes: bool,
) -> Result<Vec<Message>> {
    let mut q = report_message::Entity::find()
        .filter(report_message::Column::TenantId.eq(tenant.uuid()))
        .filter(report_message::Column::ReportId.eq(report_id));
    if !with_notes {
        q = q.filter(report_message::Column::Author.ne(MessageAuthor::Note.as_str()));
    }
    q.order_by_asc(report_message::Column::Seq)
        .all(&store.scoped(tenant))
        .await?
        .into_iter()
        .map(|m| {
            Ok(Message {
                id: m.id,
                seq: m.seq,
                author: MessageAuthor::parse(&m.author).map_err(|e| corrupt("author", e))?,
                author_id: m.author_id,
                body: m.body,
                created_at: m.created_at,
            })
        })
        .collect()
}

/// Who adds a message, for the audit log: a handler's messages and notes
/// are audited, the reporter's are not (see the module).
#[derive(Debug, Clone, Copy)]
pub enum Writer<'a> {
    Reporter { today: NaiveDate },
    Handler { actor: &'a str, user: Uuid },
}

/// A message to add to a report.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Chosen by the caller, which sealed `body` under it.
    pub id: Uuid,
    pub author: MessageAuthor,
    pub writer: Writer<'a>,
    pub body: Vec<u8>,
    /// The outbox row that takes a handler's answer to a reporter who
    /// wrote through a messaging bot, stored with the message.
    pub relay: Option<crate::bots::NewOutgoing>,
}

/// Adds a message (sealed by the caller under `id`, which it chose) after
/// the report's last one; a reporter's message also reopens nothing and
/// changes no status. `NotFound` when the report is not the tenant's.
pub async fn add_message(
    store: &crate::Store,
    tenant: TenantId,
    report_id: Uuid,
    m: NewMessage<'_>,
) -> Result<()> {
    let NewMessage {
        id,
        author,
        writer,
        body,
        relay,
    } = m;
    let txn = store.begin_write_for(tenant).await?;
    let at = match writer {
        Writer::Reporter { today } => day_start(today),
        Writer::Handler { .. } => now(),
    };
    // Touching the report first takes its row lock on PostgreSQL, so two
    // messages cannot read the same last `seq`; SQLite has one writer.
    touch(&*txn, tenant, report_id, at).await?;
    let last = report_message::Entity::find()
        .filter(report_message::Column::ReportId.eq(report_id))
        .order_by_desc(report_message::Column::Seq)
        .one(&txn)
        .await?
        .map_or(0, |m| m.seq);
    report_message::ActiveModel {
        id: Set(id),
        report_id: Set(report_id),
        tenant_id: Set(tenant.uuid()),
        seq: Set(last + 1),
        author: Set(author.as_str().to_owned()),
        author_id: Set(match writer {
            Writer::Handler { user, .. } => Some(user),
            Writer::Reporter { .. } => None,
        }),
        body: Set(body),
        created_at: Set(at),
    }
    .insert(&txn)
    .await?;
    if let Writer::Handler { actor, .. } = writer {
        let action = match author {
            MessageAuthor::Note => "case.note",
            _ => "case.message",
        };
        audit::append(
            &txn,
            tenant,
            actor,
            action,
            &format!("report/{report_id}"),
            serde_json::json!({ "message_id": id }),
        )
        .await?;
    }
    // The message's way to a reporter who wrote through a messaging bot,
    // stored with it: a message stored without it would never reach them
    // there, and a retry would store the message twice.
    if let Some(out) = relay {
        crate::bots::enqueue_in(&*txn, tenant, out).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Marks a report changed at `at` within a write transaction, which takes
/// its row lock on PostgreSQL (SQLite has one writer): what is added to
/// it next (a message's `seq`, a file under the case's limits) is decided
/// by one transaction at a time. `NotFound` when it is not the tenant's.
pub(crate) async fn touch<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    report_id: Uuid,
    at: DateTime<Utc>,
) -> Result<()> {
    let touched = report::Entity::update_many()
        .col_expr(report::Column::UpdatedAt, Expr::value(at))
        .filter(report::Column::Id.eq(report_id))
        .filter(report::Column::TenantId.eq(tenant.uuid()))
        .exec(conn)
        .await?;
    if touched.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A handler's change to a case; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CaseChange {
    pub status: Option<CaseStatus>,
    /// `Some(None)` clears the assignment.
    pub assignee: Option<Option<Uuid>>,
    pub outcome: Option<CaseOutcome>,
    /// The measures taken (sealed by the service), with closing.
    pub measures: Option<Vec<u8>>,
}

/// Applies `change` and audits it with what changed. Acknowledging or
/// closing stamps the time; closing needs an outcome (the service checks
/// that before calling).
pub async fn change(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    id: Uuid,
    change: CaseChange,
) -> Result<Report> {
    let txn = store.begin_write_for(tenant).await?;
    let mut q = report::Entity::find_by_id(id).filter(report::Column::TenantId.eq(tenant.uuid()));
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        q = q.lock_exclusive();
    }
    let m = q.one(&txn).await?.ok_or(StoreError::NotFound)?;
    let before = Report::try_from(m.clone())?;
    let mut am: report::ActiveModel = m.into();
    let mut detail = serde_json::Map::new();
    let at = now();
    if let Some(s) = change.status
        && s != before.status
    {
        detail.insert("from".into(), before.status.as_str().into());
        detail.insert("status".into(), s.as_str().into());
        am.status = Set(s.as_str().to_owned());
        if before.acknowledged_at.is_none() && s != CaseStatus::Received {
            am.acknowledged_at = Set(Some(at));
        }
        am.closed_at = Set((s == CaseStatus::Closed).then_some(at));
        if s != CaseStatus::Closed {
            am.outcome = Set(None);
            am.measures = Set(None);
        }
    }
    if let Some(a) = change.assignee {
        detail.insert(
            "assignee_id".into(),
            a.map_or(serde_json::Value::Null, |u| u.to_string().into()),
        );
        am.assignee_id = Set(a);
    }
    if let Some(o) = change.outcome {
        detail.insert("outcome".into(), o.as_str().into());
        am.outcome = Set(Some(o.as_str().to_owned()));
    }
    if let Some(m) = change.measures {
        // Whether measures were recorded, never what they are.
        detail.insert("measures".into(), true.into());
        am.measures = Set(Some(m));
    }
    am.updated_at = Set(at);
    let after = am.update(&txn).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "case.change",
        &format!("report/{id}"),
        serde_json::Value::Object(detail),
    )
    .await?;
    txn.commit().await?;
    after.try_into()
}

/// Records that `actor` read the case (its content decrypted for them).
pub async fn record_read(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    id: Uuid,
) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "case.read",
        &format!("report/{id}"),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Marks a proof-of-work challenge spent: `false` when it already was.
/// Challenges that have expired are forgotten on the way (they are
/// refused for their expiry anyway).
pub async fn spend_challenge(
    store: &crate::Store,
    id: &str,
    expires_at: DateTime<Utc>,
) -> Result<bool> {
    pow_spent::Entity::delete_many()
        .filter(pow_spent::Column::ExpiresAt.lt(now()))
        .exec(&store.across_tenants())
        .await?;
    match (pow_spent::ActiveModel {
        id: Set(id.to_owned()),
        expires_at: Set(expires_at),
    })
    .insert(&store.across_tenants())
    .await
    {
        Ok(_) => Ok(true),
        Err(e) => match StoreError::from_insert(e, "challenge") {
            StoreError::Conflict(_) => Ok(false),
            other => Err(other),
        },
    }
}

/// A report key as stored, for rewrapping under a new key-encryption key.
#[derive(Debug, Clone)]
pub struct StoredKey {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kek_id: String,
    pub wrapped_key: Vec<u8>,
}

/// Up to `limit` report keys not wrapped under `kek_id`, across tenants:
/// the rotation command's work list (it must reach every report).
pub async fn keys_not_under_across_tenants(
    store: &crate::Store,
    kek_id: &str,
    limit: u64,
) -> Result<Vec<StoredKey>> {
    Ok(report::Entity::find()
        .filter(report::Column::KekId.ne(kek_id))
        .order_by_asc(report::Column::Id)
        .limit(limit)
        .all(&store.across_tenants())
        .await?
        .into_iter()
        .map(|m| StoredKey {
            id: m.id,
            tenant_id: m.tenant_id,
            kek_id: m.kek_id,
            wrapped_key: m.wrapped_key,
        })
        .collect())
}

/// Replaces a report's wrapped key, if it is still the one `old` read
/// (`false` otherwise: someone else rewrapped it meanwhile).
pub async fn replace_wrapped_key(
    store: &crate::Store,
    old: &StoredKey,
    kek_id: &str,
    wrapped_key: Vec<u8>,
) -> Result<bool> {
    let r = report::Entity::update_many()
        .col_expr(report::Column::KekId, Expr::value(kek_id))
        .col_expr(report::Column::WrappedKey, Expr::value(wrapped_key))
        .filter(report::Column::Id.eq(old.id))
        .filter(report::Column::KekId.eq(old.kek_id.as_str()))
        .exec(&store.across_tenants())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Every case about the tenant, of both channels (content still sealed),
/// for statistics.
pub async fn all(store: &crate::Store, tenant: TenantId) -> Result<Vec<Report>> {
    report::Entity::find()
        .filter(report::Column::TenantId.eq(tenant.uuid()))
        .order_by_asc(report::Column::ReceivedOn)
        .all(&store.scoped(tenant))
        .await?
        .into_iter()
        .map(Report::try_from)
        .collect()
}

pub use crate::case_clock::{ACK_REMINDER_DAYS, FEEDBACK_REMINDER_DAYS, remind_once};

/// Escalates an open case to the Agency with what the tenant chose to
/// share (`sealed` by the service): status `escalated`, audited.
/// `Conflict` when it is closed or already escalated.
pub async fn escalate(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    id: Uuid,
    sealed: Vec<u8>,
) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    let mut q = report::Entity::find_by_id(id).filter(report::Column::TenantId.eq(tenant.uuid()));
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        q = q.lock_exclusive();
    }
    let m = q.one(&txn).await?.ok_or(StoreError::NotFound)?;
    if m.escalated_at.is_some() {
        return Err(StoreError::Conflict("escalated".into()));
    }
    if m.status == CaseStatus::Closed.as_str() {
        return Err(StoreError::Conflict("closed".into()));
    }
    let at = now();
    let mut am: report::ActiveModel = m.into();
    am.status = Set(CaseStatus::Escalated.as_str().to_owned());
    am.escalated_at = Set(Some(at));
    am.escalation = Set(Some(sealed));
    am.updated_at = Set(at);
    am.update(&txn).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "case.escalate",
        &format!("report/{id}"),
        serde_json::json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A page of the Agency's cases from every tenant (escalated to it, or
/// reported to it directly), the most recently received first: the
/// Agency's list. (By the day received: when they were escalated is null
/// for the direct ones, and databases sort nulls differently.)
pub async fn escalated_across_tenants(
    store: &crate::Store,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Report>, u64)> {
    let q = report::Entity::find().filter(agencys());
    let total = q.clone().count(&store.across_tenants()).await?;
    let rows = q
        .order_by_desc(report::Column::ReceivedOn)
        .order_by_asc(report::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(&store.across_tenants())
        .await?;
    Ok((
        rows.into_iter()
            .map(Report::try_from)
            .collect::<Result<Vec<_>>>()?,
        total,
    ))
}

/// The cases the Agency reads: those organisations escalated to it, and
/// those reported to it directly through its own channel.
fn agencys() -> Condition {
    Condition::any()
        .add(report::Column::EscalatedAt.is_not_null())
        .add(report::Column::Channel.eq(ReportChannel::Agency.as_str()))
}

/// One of the Agency's cases (see [`escalated_across_tenants`]), whatever
/// its tenant; `NotFound` for any other (the Agency reads nothing else).
pub async fn escalated_across_tenants_get(store: &crate::Store, id: Uuid) -> Result<Report> {
    report::Entity::find_by_id(id)
        .filter(agencys())
        .one(&store.across_tenants())
        .await?
        .ok_or(StoreError::NotFound)?
        .try_into()
}
