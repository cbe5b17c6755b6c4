//! Submissions: what a tenant's people file. Stored with status `received`
//! and an audit entry in one transaction before the API answers `202`.

use crate::entities::submission;
use crate::sealing::{self, DataKeys};
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TryIntoModel,
};
use std::collections::HashMap;
use uuid::Uuid;

pub use submission::Model as Submission;

pub const RECEIVED: &str = "received";
pub const EVALUATED: &str = "evaluated";

#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub kind: String,
    pub schema_version: i32,
    pub submitted_by: Uuid,
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub payload: serde_json::Value,
    /// Natural key within the kind, when it has one.
    pub reference: Option<String>,
    /// The person the record is about, when not the filer.
    pub subject_iin: Option<String>,
    /// The version this one corrects: it must be the current version of a
    /// submission of the same kind in the same tenant.
    pub supersedes: Option<Uuid>,
}

/// Stores a submission (or a correction) with status `received` and its
/// audit entry in one transaction. The caller enqueues it after commit.
pub async fn insert(
    store: &crate::Store,
    tenant: TenantId,
    new: NewSubmission,
) -> Result<Submission> {
    let txn = store.begin_write_for(tenant).await?;
    // Optimistic: the caller enqueues right after commit, and calls
    // `mark_not_enqueued` if that fails, so the common path costs no
    // second write.
    // The caller gets the payload as filed: the row may hold it sealed,
    // and opening it again would only repeat the key lookup.
    let plain = new.payload.to_string();
    let id = insert_in(&txn, store.data_keys(), tenant, new, true).await?;
    let mut s = submission::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    s.payload = plain;
    Ok(s)
}

/// Stores several submissions of one tenant, each with its audit entry,
/// in one transaction: what [`insert`] does for one, at the cost of one
/// commit for the group. All or none: when one of them cannot be stored
/// (a duplicate reference, a correction that lost a race), the whole
/// group fails, and the caller stores them one by one to find out which.
/// In order of `news`.
pub async fn insert_group(
    store: &crate::Store,
    tenant: TenantId,
    news: &[&NewSubmission],
) -> Result<Vec<Submission>> {
    if news.is_empty() {
        return Ok(Vec::new());
    }
    let txn = store.begin_write_for(tenant).await?;
    // The ids in the order of `news`, whichever way each was stored.
    let mut ids = vec![Uuid::nil(); news.len()];
    let mut plain = HashMap::with_capacity(news.len());
    // New records stored in the clear (a gift, a disclosure, ...) go in
    // with two multi-row statements for the group; a correction (which
    // marks the version it replaces) or a sealed record takes the one-by-one
    // path it takes alone.
    let (simple, other): (Vec<_>, Vec<_>) = news
        .iter()
        .copied()
        .enumerate()
        .partition(|(_, n)| n.supersedes.is_none() && !sealed_at_rest(&n.kind));
    // The simple rows as stored, kept to answer with instead of reading
    // them back.
    let mut stored: HashMap<Uuid, Submission> = HashMap::with_capacity(simple.len());
    if !simple.is_empty() {
        // Microseconds, PostgreSQL's precision: the row kept here is the
        // row stored.
        let at = chrono::SubsecRound::trunc_subsecs(now(), 6);
        let mut rows = Vec::with_capacity(simple.len());
        let mut entries = Vec::with_capacity(simple.len());
        for (i, new) in simple {
            let id = new_id();
            let payload = new.payload.to_string();
            let (action, detail) = receipt(new);
            entries.push(audit::entry(
                tenant,
                &new.submitted_by.to_string(),
                action,
                &format!("submission/{id}"),
                &detail,
            ));
            let row = new_row(id, tenant, new, payload, at, true);
            stored.insert(id, row.clone().try_into_model()?);
            rows.push(row);
            ids[i] = id;
        }
        // A batch of 64 rows of 18 columns is far below either database's
        // bound on parameters.
        submission::Entity::insert_many(rows)
            .exec_without_returning(&*txn)
            .await
            .map_err(|e| {
                StoreError::from_insert(
                    e,
                    "a current record with this reference exists; file a correction of it instead",
                )
            })?;
        audit::append_many(&*txn, entries).await?;
    }
    for (i, new) in other {
        let payload = new.payload.to_string();
        let id = insert_in(&txn, store.data_keys(), tenant, new.clone(), true).await?;
        plain.insert(id, payload);
        ids[i] = id;
    }
    let others: Vec<Uuid> = plain.keys().copied().collect();
    if !others.is_empty() {
        stored.extend(
            submission::Entity::find()
                .filter(submission::Column::TenantId.eq(tenant.uuid()))
                .filter(submission::Column::Id.is_in(others))
                .all(&txn)
                .await?
                .into_iter()
                .map(|s| (s.id, s)),
        );
    }
    txn.commit().await?;
    ids.into_iter()
        .map(|id| {
            let mut s = stored.remove(&id).ok_or(StoreError::NotFound)?;
            // As filed: the row may hold it sealed.
            if let Some(p) = plain.remove(&id) {
                s.payload = p;
            }
            Ok(s)
        })
        .collect()
}

/// The row of a new submission, `received`.
fn new_row(
    id: Uuid,
    tenant: TenantId,
    new: &NewSubmission,
    payload: String,
    at: DateTime<Utc>,
    enqueued: bool,
) -> submission::ActiveModel {
    submission::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.uuid()),
        kind: Set(new.kind.clone()),
        schema_version: Set(new.schema_version),
        submitted_by: Set(new.submitted_by),
        department_id: Set(new.department_id),
        position_id: Set(new.position_id),
        payload: Set(payload),
        status: Set(RECEIVED.to_owned()),
        rule_set_version_id: Set(None),
        attempts: Set(0),
        received_at: Set(at),
        evaluated_at: Set(None),
        enqueued_at: Set(enqueued.then_some(at)),
        reference: Set(new.reference.clone()),
        supersedes: Set(new.supersedes),
        superseded_by: Set(None),
        subject_iin: Set(new.subject_iin.clone()),
        claimed_until: Set(None),
    }
}

/// Whether submissions of `kind` are sealed at rest (see [`sealing`]):
/// asset declarations, which list a person's and their family's assets,
/// income and liabilities.
pub fn sealed_at_rest(kind: &str) -> bool {
    kind == adal_domain::Kind::AssetDeclaration.as_str()
}

/// What a submission's sealed payload is bound to.
fn payload_context(id: Uuid) -> String {
    format!("submission/{id}/payload")
}

/// The payload a submission whose content was erased reads as.
pub const ERASED_PAYLOAD: &str = "null";

/// Opens the sealed payloads among `rows`, all of `tenant`, in place; a
/// payload whose person's key was destroyed reads as [`ERASED_PAYLOAD`].
pub(crate) async fn open_payloads(
    store: &crate::Store,
    tenant: TenantId,
    rows: &mut [Submission],
) -> Result<()> {
    open_each(
        store,
        tenant,
        rows.iter_mut().map(|r| (r.id, &mut r.payload)),
    )
    .await
}

/// Opens, in place, the sealed payloads among `(submission id, payload)`
/// pairs of `tenant`, each person's key loaded once: every read of
/// payloads goes through here.
pub(crate) async fn open_each<'a>(
    store: &crate::Store,
    tenant: TenantId,
    payloads: impl Iterator<Item = (Uuid, &'a mut String)>,
) -> Result<()> {
    let mut sealed: Vec<(Uuid, &mut String)> =
        payloads.filter(|(_, p)| sealing::is_sealed(p)).collect();
    if sealed.is_empty() {
        return Ok(());
    }
    let db = &store.scoped(tenant);
    let mut opener = sealing::Opener::new(store, tenant);
    opener
        .preload(db, sealed.iter().map(|(_, p)| p.as_str()))
        .await?;
    for (id, p) in &mut sealed {
        **p = opener
            .open(db, &payload_context(*id), p)
            .await?
            .unwrap_or_else(|| ERASED_PAYLOAD.to_owned());
    }
    Ok(())
}

/// Inserts within the caller's transaction. `enqueued` false leaves the
/// row for the sweeper to enqueue (bulk imports, which do not push one job
/// per row from inside a transaction).
///
/// `keys` seal the payload of the kinds [`sealed_at_rest`]; callers that
/// only ever insert other kinds (procurement, derived facts) pass `None`.
pub(crate) async fn insert_in(
    txn: &sea_orm::DatabaseTransaction,
    keys: Option<&DataKeys>,
    tenant: TenantId,
    new: NewSubmission,
    enqueued: bool,
) -> Result<Uuid> {
    let id = new_id();
    let payload = match keys {
        Some(keys) if sealed_at_rest(&new.kind) => {
            let subject = match &new.subject_iin {
                Some(iin) => sealing::subject_of_iin(iin),
                None => format!("user:{}", new.submitted_by),
            };
            sealing::seal(
                txn,
                keys,
                tenant,
                &subject,
                &payload_context(id),
                &new.payload.to_string(),
            )
            .await?
        }
        _ => new.payload.to_string(),
    };
    let at = now();
    if let Some(prev) = new.supersedes {
        let old = submission::Entity::find_by_id(prev)
            .filter(submission::Column::TenantId.eq(tenant.uuid()))
            .one(txn)
            .await?
            .ok_or(StoreError::NotFound)?;
        if old.kind != new.kind {
            return Err(StoreError::Conflict(format!(
                "a correction of a {} cannot be a {}",
                old.kind, new.kind
            )));
        }
        if let Some(by) = old.superseded_by {
            return Err(StoreError::Conflict(format!(
                "this version was already corrected by {by}; correct the latest version"
            )));
        }
    }
    let model = new_row(id, tenant, &new, payload, at, enqueued);
    if let Some(prev) = new.supersedes {
        // Only the link is written on the old version; its content stays.
        // The new version's id is known before its row exists.
        // The `superseded_by IS NULL` guard makes two concurrent
        // corrections of the same version fail instead of forking it.
        let res = submission::Entity::update_many()
            .col_expr(
                submission::Column::SupersededBy,
                sea_orm::sea_query::Expr::value(Some(id)),
            )
            .filter(submission::Column::TenantId.eq(tenant.uuid()))
            .filter(submission::Column::Id.eq(prev))
            .filter(submission::Column::SupersededBy.is_null())
            .exec(txn)
            .await?;
        if res.rows_affected != 1 {
            return Err(StoreError::Conflict(
                "this version was corrected concurrently; correct the latest version".into(),
            ));
        }
    }
    // The old version is marked first: a unique index allows one current
    // version per natural key (kind and reference), so two first filings
    // racing for the same key cannot both land.
    submission::Entity::insert(model)
        .exec_without_returning(txn)
        .await
        .map_err(|e| {
            StoreError::from_insert(
                e,
                "a current record with this reference exists; file a correction of it instead",
            )
        })?;
    let (action, detail) = receipt(&new);
    audit::append(
        txn,
        tenant,
        &new.submitted_by.to_string(),
        action,
        &format!("submission/{id}"),
        detail,
    )
    .await?;
    Ok(id)
}

/// The audit entry's action and detail for a submission received.
fn receipt(new: &NewSubmission) -> (&'static str, serde_json::Value) {
    (
        if new.supersedes.is_some() {
            "submission.correct"
        } else {
            "submission.receive"
        },
        serde_json::json!({"kind": new.kind, "schema_version": new.schema_version, "supersedes": new.supersedes}),
    )
}

/// The payloads of the tenant's submissions among `ids` (those that
/// exist), by id: one query for a page of them.
pub async fn payloads(
    store: &crate::Store,
    tenant: TenantId,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let mut rows: Vec<(Uuid, String)> = submission::Entity::find()
        .select_only()
        .column(submission::Column::Id)
        .column(submission::Column::Payload)
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    open_each(store, tenant, rows.iter_mut().map(|(id, p)| (*id, p))).await?;
    Ok(rows.into_iter().collect())
}

/// Whom each of the tenant's submissions among `ids` concerns: the IIN of
/// the person it is about (if it names one) and who filed it, by id; one
/// query for a page of findings.
pub async fn subjects(
    store: &crate::Store,
    tenant: TenantId,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, (Option<String>, Uuid)>> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let rows: Vec<(Uuid, Option<String>, Uuid)> = submission::Entity::find()
        .select_only()
        .column(submission::Column::Id)
        .column(submission::Column::SubjectIin)
        .column(submission::Column::SubmittedBy)
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Id.is_in(ids.iter().copied()))
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, iin, by)| (id, (iin, by)))
        .collect())
}

pub async fn get(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<Submission> {
    let mut s = submission::Entity::find_by_id(id)
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)?;
    open_payloads(store, tenant, std::slice::from_mut(&mut s)).await?;
    Ok(s)
}

/// Which kinds a caller may read: every submission of the `all` kinds,
/// and their own of the `own` kinds.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    pub all: Vec<String>,
    pub own: Vec<String>,
    pub me: Uuid,
}

impl Visibility {
    pub(crate) fn condition(&self) -> Condition {
        Condition::any()
            .add(submission::Column::Kind.is_in(self.all.clone()))
            .add(
                Condition::all()
                    .add(submission::Column::Kind.is_in(self.own.clone()))
                    .add(submission::Column::SubmittedBy.eq(self.me)),
            )
    }

    /// Whether the caller may read this submission.
    pub fn allows(&self, s: &Submission) -> bool {
        self.all.contains(&s.kind) || (self.own.contains(&s.kind) && s.submitted_by == self.me)
    }
}

/// What a read of submissions and findings may return. Every list of
/// them takes one, as an argument rather than a filter member with a
/// default, so a read that forgets the caller's restriction does not
/// compile. A person's scope comes from their authorisation
/// (`adal_service::TenantCtx::authorize_read`); the whole tenant is for
/// the service's own work and says so at the call.
#[derive(Debug, Clone)]
pub enum ReadScope {
    /// Every record of the tenant: evaluation, dataset runs, the checks
    /// of a filing. Never a person's request.
    WholeTenant,
    /// What a person may read: by kind, every record or their own
    /// (`visible`); with `only_own`, only what they submitted themselves.
    Reader { visible: Visibility, only_own: bool },
}

impl ReadScope {
    /// The condition on `submissions` rows, if any.
    pub(crate) fn condition(&self) -> Option<Condition> {
        match self {
            ReadScope::WholeTenant => None,
            ReadScope::Reader { visible, only_own } => {
                let mut c = Condition::all().add(visible.condition());
                if *only_own {
                    c = c.add(submission::Column::SubmittedBy.eq(visible.me));
                }
                Some(c)
            }
        }
    }

    /// Whether a submission is within the scope.
    pub fn allows(&self, s: &Submission) -> bool {
        match self {
            ReadScope::WholeTenant => true,
            ReadScope::Reader { visible, only_own } => {
                visible.allows(s) && (!only_own || s.submitted_by == visible.me)
            }
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SubmissionFilter {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub subject_iin: Option<String>,
    pub reference: Option<String>,
    /// Include versions that a correction replaced.
    pub include_superseded: bool,
    /// Conditions on text fields of the payload, all of which must hold.
    pub payload: Vec<PayloadMatch>,
}

/// A condition on one text field of the payload, evaluated by the
/// database's JSON functions so that paging counts only matching rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadMatch {
    /// The field's path from the payload's root, e.g.
    /// `["person", "full_name"]`. It is written into the SQL text, so only
    /// lowercase letters, digits and `_` are accepted (constants in code,
    /// never user input).
    pub path: &'static [&'static str],
    pub test: PayloadTest,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadTest {
    Equals(String),
    /// Contains the text; ignoring case on PostgreSQL, and on SQLite for
    /// Latin letters only (its `LIKE` folds ASCII alone).
    Contains(String),
    /// At least this, compared as text: right for ISO dates.
    AtLeast(String),
    /// At most this, compared as text.
    AtMost(String),
}

/// The SQL of `payload`'s text field at `path` on `backend`.
fn payload_text(backend: DatabaseBackend, path: &[&str]) -> Result<Expr> {
    let safe = |p: &&str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    };
    if path.is_empty() || !path.iter().all(safe) {
        return Err(StoreError::Corrupt(format!(
            "payload path {path:?} is not a plain field path"
        )));
    }
    Ok(Expr::cust(match backend {
        DatabaseBackend::Postgres => format!("(\"payload\"::jsonb #>> '{{{}}}')", path.join(",")),
        _ => format!("json_extract(\"payload\", '$.{}')", path.join(".")),
    }))
}

/// `text` as a `LIKE` pattern matching it anywhere, its wildcards escaped:
/// a `%` or `_` a person types matches itself, never any text.
pub(crate) fn like_anywhere(text: &str) -> LikeExpr {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    LikeExpr::new(p).escape('\\')
}

impl PayloadMatch {
    fn condition(&self, backend: DatabaseBackend) -> Result<Expr> {
        let field = payload_text(backend, self.path)?;
        Ok(match &self.test {
            PayloadTest::Equals(v) => field.eq(v.clone()),
            PayloadTest::Contains(v) if backend == DatabaseBackend::Postgres => {
                Expr::expr(Func::lower(field)).like(like_anywhere(&v.to_lowercase()))
            }
            PayloadTest::Contains(v) => field.like(like_anywhere(v)),
            PayloadTest::AtLeast(v) => field.gte(v.clone()),
            PayloadTest::AtMost(v) => field.lte(v.clone()),
        })
    }
}

pub async fn list(
    store: &crate::Store,
    tenant: TenantId,
    scope: &ReadScope,
    filter: &SubmissionFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Submission>, u64)> {
    let mut q = submission::Entity::find().filter(submission::Column::TenantId.eq(tenant.uuid()));
    if let Some(c) = scope.condition() {
        q = q.filter(c);
    }
    if let Some(k) = &filter.kind {
        q = q.filter(submission::Column::Kind.eq(k.clone()));
    }
    if let Some(s) = &filter.status {
        q = q.filter(submission::Column::Status.eq(s.clone()));
    }
    if let Some(i) = &filter.subject_iin {
        q = q.filter(submission::Column::SubjectIin.eq(i.clone()));
    }
    if let Some(r) = &filter.reference {
        q = q.filter(submission::Column::Reference.eq(r.clone()));
    }
    if !filter.include_superseded {
        q = q.filter(submission::Column::SupersededBy.is_null());
    }
    for m in &filter.payload {
        q = q.filter(m.condition(store.backend())?);
    }
    let total = q.clone().count(&store.scoped(tenant)).await?;
    let mut rows = q
        .order_by_desc(submission::Column::ReceivedAt)
        .order_by_desc(submission::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(&store.scoped(tenant))
        .await?;
    open_payloads(store, tenant, &mut rows).await?;
    Ok((rows, total))
}

/// The current version of the record of `kind` with natural key
/// `reference`, if there is one.
pub async fn current_by_reference(
    store: &crate::Store,
    tenant: TenantId,
    kind: &str,
    reference: &str,
) -> Result<Option<Submission>> {
    let mut found = submission::Entity::find()
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Kind.eq(kind))
        .filter(submission::Column::Reference.eq(reference))
        .filter(submission::Column::SupersededBy.is_null())
        .one(&store.scoped(tenant))
        .await?;
    if let Some(s) = found.as_mut() {
        open_payloads(store, tenant, std::slice::from_mut(s)).await?;
    }
    Ok(found)
}

/// Every version of the submission `id` belongs to, oldest first.
pub async fn versions(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<Vec<Submission>> {
    let mut chain = vec![get(store, tenant, id).await?];
    // Walk back, then forward; chains are short (one per correction).
    while let Some(prev) = chain.first().and_then(|s| s.supersedes) {
        chain.insert(0, get(store, tenant, prev).await?);
    }
    while let Some(next) = chain.last().and_then(|s| s.superseded_by) {
        chain.push(get(store, tenant, next).await?);
    }
    Ok(chain)
}

/// Submissions still `received` that the queue does not hold: never
/// enqueued (the queue refused them), or enqueued before `older_than` (the
/// job was lost). Across all tenants. Returns (tenant, submission) pairs,
/// oldest first.
pub async fn stale_received_across_tenants(
    store: &crate::Store,
    older_than: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<(TenantId, Uuid)>> {
    received_page(
        store,
        Condition::any()
            .add(submission::Column::EnqueuedAt.is_null())
            .add(submission::Column::EnqueuedAt.lt(older_than)),
        limit,
    )
    .await
}

/// Which of the sweeper's two kinds of work to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    /// Rows the queue refused (never enqueued).
    Unqueued,
    /// Rows enqueued before the cutoff and still `received`: lost jobs.
    EnqueuedBefore(DateTime<Utc>),
}

/// One page of the sweeper's work, across tenants, oldest first.
pub async fn sweep_page_across_tenants(
    store: &crate::Store,
    which: Sweep,
    limit: u64,
) -> Result<Vec<(TenantId, Uuid)>> {
    let condition = match which {
        Sweep::Unqueued => Condition::all().add(submission::Column::EnqueuedAt.is_null()),
        Sweep::EnqueuedBefore(t) => Condition::all().add(submission::Column::EnqueuedAt.lt(t)),
    };
    received_page(store, condition, limit).await
}

/// `received` submissions matching `condition`, across tenants, oldest
/// first: the one query behind the sweeper's reads.
async fn received_page(
    store: &crate::Store,
    condition: Condition,
    limit: u64,
) -> Result<Vec<(TenantId, Uuid)>> {
    let rows: Vec<(Uuid, Uuid)> = submission::Entity::find()
        .select_only()
        .column(submission::Column::TenantId)
        .column(submission::Column::Id)
        .filter(submission::Column::Status.eq(RECEIVED))
        .filter(condition)
        .order_by_asc(submission::Column::ReceivedAt)
        .limit(limit)
        .into_tuple()
        .all(&store.across_tenants())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(t, s)| (TenantId::from_uuid(t), s))
        .collect())
}

/// Records that these submissions were just handed to the queue.
pub async fn mark_enqueued(store: &crate::Store, ids: &[Uuid]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    submission::Entity::update_many()
        .col_expr(
            submission::Column::EnqueuedAt,
            sea_orm::sea_query::Expr::value(now()),
        )
        .filter(submission::Column::Id.is_in(ids.iter().copied()))
        .exec(&store.across_tenants())
        .await?;
    Ok(())
}

/// Records that the queue refused a submission, so the sweeper takes it at
/// its next pass instead of waiting for the lost-job grace period.
pub async fn mark_not_enqueued(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<()> {
    submission::Entity::update_many()
        .col_expr(
            submission::Column::EnqueuedAt,
            sea_orm::sea_query::Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Id.eq(id))
        .exec(&store.scoped(tenant))
        .await?;
    Ok(())
}

pub const FAILED: &str = "failed";

/// After this many failed evaluations a submission is marked `failed`
/// instead of being retried forever (a rule set that crashes the sandbox on
/// one input must not keep a worker busy).
pub const MAX_ATTEMPTS: i32 = 5;

/// Marks a submission evaluated when the tenant has no active rule set:
/// there was nothing to evaluate it against.
pub async fn mark_without_rules(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<()> {
    use sea_orm::ActiveModelTrait;
    let s = get(store, tenant, id).await?;
    if s.status != RECEIVED {
        return Ok(());
    }
    let attempts = s.attempts;
    let mut am: submission::ActiveModel = s.into();
    am.status = Set(EVALUATED.to_owned());
    am.evaluated_at = Set(Some(now()));
    am.attempts = Set(attempts + 1);
    am.update(&store.scoped(tenant)).await?;
    Ok(())
}

/// Counts a failed evaluation; returns true when the submission has now
/// been given up on (status `failed`).
pub async fn record_failure(
    store: &crate::Store,
    tenant: TenantId,
    id: Uuid,
    error: &str,
) -> Result<bool> {
    use sea_orm::ActiveModelTrait;
    let txn = store.begin_write_for(tenant).await?;
    let s = submission::Entity::find_by_id(id)
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if s.status != RECEIVED {
        return Ok(false);
    }
    let attempts = s.attempts + 1;
    let give_up = attempts >= MAX_ATTEMPTS;
    let mut am: submission::ActiveModel = s.into();
    am.attempts = Set(attempts);
    // Free for the next attempt as soon as the sweeper hands it over.
    am.claimed_until = Set(None);
    if give_up {
        am.status = Set(FAILED.to_owned());
    }
    am.update(&txn).await?;
    audit::append(
        &txn,
        tenant,
        "worker",
        if give_up {
            "submission.evaluation_abandoned"
        } else {
            "submission.evaluation_failed"
        },
        &format!("submission/{id}"),
        serde_json::json!({"attempts": attempts, "error": error.chars().take(500).collect::<String>()}),
    )
    .await?;
    txn.commit().await?;
    Ok(give_up)
}

/// Rows a claim may take: received, and not held by another claim.
fn claimable(at: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(submission::Column::Status.eq(RECEIVED))
        .add(
            Condition::any()
                .add(submission::Column::ClaimedUntil.is_null())
                .add(submission::Column::ClaimedUntil.lt(at)),
        )
}

/// Claims up to `limit` of the tenant's received submissions for
/// evaluation, until `lease` from now: `first` (the one a queue job named)
/// if it is still claimable, then the oldest others. No other claim takes
/// them until the lease runs out, so two workers, or two jobs of one
/// worker, never evaluate a row at the same time; a worker that dies
/// leaves rows that become claimable again when the lease ends (and that
/// the sweeper re-enqueues). Returns the claimed rows, `first` first when
/// it was claimable.
///
/// A job whose own row another batch already took still claims the
/// tenant's other waiting rows: jobs are hints (one per filing, or one
/// per batch from the sweeper), and a job that stopped at its own row
/// would leave the rest to the next job that happens to name one of them.
/// Without this, a backlog of N rows cost N jobs, N-N/batch of them
/// claiming nothing (docs/performance.md, "Worker drain").
pub async fn claim_batch(
    store: &crate::Store,
    tenant: TenantId,
    first: Uuid,
    limit: u64,
    lease: std::time::Duration,
) -> Result<Vec<Submission>> {
    use sea_orm::sea_query::{LockBehavior, LockType};
    let at = now();
    let until = at + chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(60));
    let postgres = store.backend() == DatabaseBackend::Postgres;
    // On PostgreSQL the rows are locked (skipping those another claim is
    // taking this instant) until the transaction ends; SQLite's one writer
    // serialises claims on its own.
    let lock = |q: sea_orm::Select<submission::Entity>| {
        if postgres {
            q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        } else {
            q
        }
    };
    let txn = store.begin_write_for(tenant).await?;
    let head = lock(
        submission::Entity::find_by_id(first)
            .filter(submission::Column::TenantId.eq(tenant.uuid()))
            .filter(claimable(at)),
    )
    .one(&txn)
    .await?;
    let mut rows: Vec<submission::Model> = head.into_iter().collect();
    let others = std::cmp::Ord::max(limit, 1).saturating_sub(rows.len() as u64);
    if others > 0 {
        rows.extend(
            lock(
                submission::Entity::find()
                    .filter(submission::Column::TenantId.eq(tenant.uuid()))
                    .filter(submission::Column::Id.ne(first))
                    .filter(claimable(at))
                    .order_by_asc(submission::Column::ReceivedAt)
                    .limit(others),
            )
            .all(&txn)
            .await?,
        );
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    submission::Entity::update_many()
        .col_expr(submission::Column::ClaimedUntil, Expr::value(Some(until)))
        .filter(submission::Column::Id.is_in(rows.iter().map(|r| r.id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    for r in &mut rows {
        r.claimed_until = Some(until);
    }
    open_payloads(store, tenant, &mut rows).await?;
    Ok(rows)
}
