//! Dataset runs and the derived records they file.
//!
//! Some facts live in no single filing: a declaration nobody filed, the
//! fifth gift from one giver. A dataset run reads the tenant's whole data
//! set, computes one derived record per subject (a person and year, a
//! giver) and files it like any record, keyed by a natural reference: a
//! new record when the subject is new and notable, a correction when its
//! fact changed, nothing when it did not. The ordinary pipeline then
//! evaluates what was written, so dataset rules produce the same findings,
//! risk map entries and alerts as any other rule, and a fact that stops
//! holding (the declaration arrives) closes the finding on the version it
//! replaced.

use crate::entities::{dataset_run, person, submission};
use crate::submissions::{self, NewSubmission};
use crate::{Result, StoreError, TenantId, audit, declarations, new_id, now, tenants};
use adal_domain::Kind;
use adal_domain::records::derived::{DerivedKind, giver_key};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use uuid::Uuid;

pub use dataset_run::Model as DatasetRun;
pub use red_flags::{
    MAX_RED_FLAG_SUBJECTS, current_payload_page, red_flag_subjects, red_flags_on, red_flags_on_each,
};

mod red_flags;

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

pub const SCHEDULED: &str = "scheduled";
pub const MANUAL: &str = "manual";
/// Asked for by an OCDS import that finished, so its red flags are
/// evaluated without anyone starting a run.
pub const IMPORT: &str = "import";
/// Asked for by a procurement filed or corrected through the API or the
/// dashboard, so its red flags come without waiting for the schedule.
pub const PROCUREMENT: &str = "procurement";

/// Who files derived records: the service itself, not a user. The nil id
/// never matches a user, so derived records are nobody's "own" filings.
pub const SERVICE_ACTOR: Uuid = Uuid::nil();

/// Reporting years looked back on for missing declarations, before the
/// current one. Older years are history the compliance unit has already
/// dealt with; an endless look-back would re-raise them on every run.
pub const DECLARATION_LOOKBACK_YEARS: i32 = 2;

/// Most gifts kept in one giver's history (the most recent ones).
pub const MAX_GIFTS_PER_GIVER: usize = 50;

/// Derived records written per transaction.
const BATCH: usize = 200;

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Asks for a run of `tenant`'s dataset rules. A run already waiting is
/// returned instead of a second one: it will read the data as it is when
/// it starts. A run under way is not enough: it may have read the data
/// before the change that prompted this request (an import's processes),
/// so one run is queued behind it, and started only once it has ended
/// ([`claim_next_across_tenants`]): two runs of a tenant at once would
/// file the same derived records.
pub async fn request(
    store: &crate::Store,
    tenant: TenantId,
    trigger: &str,
    requested_by: &str,
) -> Result<DatasetRun> {
    let txn = store.begin_write_for(tenant).await?;
    let pending = dataset_run::Entity::find()
        .filter(dataset_run::Column::TenantId.eq(tenant.uuid()))
        .filter(dataset_run::Column::Status.eq(QUEUED))
        .one(&txn)
        .await?;
    if let Some(run) = pending {
        txn.commit().await?;
        return Ok(run);
    }
    let id = new_id();
    dataset_run::Entity::insert(dataset_run::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.uuid()),
        trigger: Set(trigger.to_owned()),
        requested_by: Set(requested_by.to_owned()),
        status: Set(QUEUED.to_owned()),
        created: Set(0),
        corrected: Set(0),
        unchanged: Set(0),
        error: Set(None),
        computed: Set(None),
        requested_at: Set(now()),
        started_at: Set(None),
        heartbeat_at: Set(None),
        finished_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await?;
    audit::append(
        &txn,
        tenant,
        requested_by,
        "dataset.request",
        &format!("dataset_run/{id}"),
        serde_json::json!({"trigger": trigger}),
    )
    .await?;
    let run = dataset_run::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(run)
}

pub async fn get(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<DatasetRun> {
    dataset_run::Entity::find_by_id(id)
        .filter(dataset_run::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)
}

/// The tenant's runs, newest first.
pub async fn list(store: &crate::Store, tenant: TenantId, limit: u64) -> Result<Vec<DatasetRun>> {
    Ok(dataset_run::Entity::find()
        .filter(dataset_run::Column::TenantId.eq(tenant.uuid()))
        .order_by_desc(dataset_run::Column::RequestedAt)
        .order_by_desc(dataset_run::Column::Id)
        .limit(limit)
        .all(&store.scoped(tenant))
        .await?)
}

/// Queues a scheduled run for every tenant with an active rule set whose
/// last run was requested before `due_before` (or that never had one and
/// was created before it). Returns how many were queued.
pub async fn schedule_due(store: &crate::Store, due_before: DateTime<Utc>) -> Result<usize> {
    use crate::entities::{rule_set_version, tenant};
    let active: Vec<Uuid> = rule_set_version::Entity::find()
        .select_only()
        .column(rule_set_version::Column::TenantId)
        .filter(rule_set_version::Column::Status.eq(crate::rules::ACTIVE))
        .into_tuple()
        .all(&store.across_tenants())
        .await?;
    let candidates: Vec<(Uuid, DateTime<Utc>)> = tenant::Entity::find()
        .select_only()
        .column(tenant::Column::Id)
        .column(tenant::Column::CreatedAt)
        .filter(tenant::Column::Id.is_in(active))
        .into_tuple()
        .all(&store.across_tenants())
        .await?;
    let mut queued = 0;
    for (id, created_at) in candidates {
        let last: Option<DateTime<Utc>> = dataset_run::Entity::find()
            .select_only()
            .column(dataset_run::Column::RequestedAt)
            .filter(dataset_run::Column::TenantId.eq(id))
            .order_by_desc(dataset_run::Column::RequestedAt)
            .into_tuple()
            .one(&store.across_tenants())
            .await?;
        if last.unwrap_or(created_at) < due_before {
            request(store, TenantId::from_uuid(id), SCHEDULED, "scheduler").await?;
            queued += 1;
        }
    }
    Ok(queued)
}

/// Claims the oldest queued run, or a running one whose worker stopped
/// beating before `stale_before`. Compare-and-set on status and heartbeat,
/// so two workers never claim the same run.
pub async fn claim_next_across_tenants(
    store: &crate::Store,
    stale_before: DateTime<Utc>,
) -> Result<Option<DatasetRun>> {
    let candidates: Vec<(Uuid, Uuid, String, Option<DateTime<Utc>>)> = dataset_run::Entity::find()
        .select_only()
        .column(dataset_run::Column::Id)
        .column(dataset_run::Column::TenantId)
        .column(dataset_run::Column::Status)
        .column(dataset_run::Column::HeartbeatAt)
        .filter(
            Condition::any()
                .add(dataset_run::Column::Status.eq(QUEUED))
                .add(
                    Condition::all()
                        .add(dataset_run::Column::Status.eq(RUNNING))
                        .add(dataset_run::Column::HeartbeatAt.lt(stale_before)),
                ),
        )
        .order_by_asc(dataset_run::Column::RequestedAt)
        .limit(5)
        .into_tuple()
        .all(&store.across_tenants())
        .await?;
    for (id, tenant_id, status, heartbeat) in candidates {
        // A run queued behind one of its tenant's that is under way (and
        // beating) waits for it.
        if status == QUEUED {
            let busy = dataset_run::Entity::find()
                .filter(dataset_run::Column::TenantId.eq(tenant_id))
                .filter(dataset_run::Column::Status.eq(RUNNING))
                .filter(dataset_run::Column::HeartbeatAt.gte(stale_before))
                .one(&store.across_tenants())
                .await?;
            if busy.is_some() {
                continue;
            }
        }
        let at = now();
        let mut upd = dataset_run::Entity::update_many()
            .col_expr(dataset_run::Column::Status, Expr::value(RUNNING))
            .col_expr(dataset_run::Column::HeartbeatAt, Expr::value(Some(at)))
            .col_expr(dataset_run::Column::StartedAt, Expr::value(Some(at)))
            .filter(dataset_run::Column::Id.eq(id))
            .filter(dataset_run::Column::Status.eq(status));
        upd = match heartbeat {
            Some(h) => upd.filter(dataset_run::Column::HeartbeatAt.eq(h)),
            None => upd.filter(dataset_run::Column::HeartbeatAt.is_null()),
        };
        if upd.exec(&store.across_tenants()).await?.rows_affected == 1 {
            return Ok(dataset_run::Entity::find_by_id(id)
                .one(&store.across_tenants())
                .await?);
        }
    }
    Ok(None)
}

/// What a run (or one kind of derived record) wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub created: i64,
    pub corrected: i64,
    pub unchanged: i64,
}

impl Tally {
    pub fn add(&mut self, o: Tally) {
        self.created += o.created;
        self.corrected += o.corrected;
        self.unchanged += o.unchanged;
    }
}

/// Ends a run with what it wrote and what it `computed` besides (JSON,
/// shown with the run), or with the error that stopped it.
pub async fn finish(
    store: &crate::Store,
    run: &DatasetRun,
    outcome: std::result::Result<Tally, String>,
    computed: Option<&serde_json::Value>,
) -> Result<()> {
    let txn = store.begin_write_across().await?;
    let (status, tally, error) = match &outcome {
        Ok(t) => (DONE, *t, None),
        Err(e) => (FAILED, Tally::default(), Some(e.clone())),
    };
    dataset_run::Entity::update_many()
        .col_expr(dataset_run::Column::Status, Expr::value(status))
        .col_expr(dataset_run::Column::Created, Expr::value(tally.created))
        .col_expr(dataset_run::Column::Corrected, Expr::value(tally.corrected))
        .col_expr(dataset_run::Column::Unchanged, Expr::value(tally.unchanged))
        .col_expr(dataset_run::Column::Error, Expr::value(error.clone()))
        .col_expr(
            dataset_run::Column::Computed,
            Expr::value(computed.map(serde_json::Value::to_string)),
        )
        .col_expr(dataset_run::Column::FinishedAt, Expr::value(Some(now())))
        .filter(dataset_run::Column::Id.eq(run.id))
        .exec(&txn)
        .await?;
    audit::append(
        &txn,
        TenantId::from_uuid(run.tenant_id),
        "worker",
        "dataset.finish",
        &format!("dataset_run/{}", run.id),
        serde_json::json!({
            "status": status, "created": tally.created, "corrected": tally.corrected,
            "unchanged": tally.unchanged, "error": error,
        }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// One derived record as a run computes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// The natural key within the kind.
    pub reference: String,
    pub subject_iin: Option<String>,
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub payload: serde_json::Value,
    /// Whether the fact is worth a record of its own. A subject that is
    /// not notable is written only to update a record that exists (the
    /// missing declaration has arrived), so a tenant of ten thousand
    /// people who all filed on time gets no derived records at all.
    pub notable: bool,
}

/// Files `derived` records of `kind`: creates the notable new ones,
/// corrects the ones whose payload changed, leaves the rest. Rows are
/// left for the sweeper to enqueue (`enqueued_at` empty), in batches of
/// one transaction each; a rerun after a failure picks up where the
/// content differs, so a run is idempotent.
pub async fn file_derived(
    store: &crate::Store,
    tenant: TenantId,
    kind: DerivedKind,
    derived: Vec<Derived>,
) -> Result<Tally> {
    file_derived_retiring(store, tenant, kind, derived, |_| None).await
}

/// [`file_derived`] for a kind whose run computes only the subjects where
/// the fact holds (the red flags that fire): a current record whose
/// reference is not in `derived` gets the version `retire` makes of its
/// payload, when it makes one that differs (the flag no longer fires).
pub async fn file_derived_retiring(
    store: &crate::Store,
    tenant: TenantId,
    kind: DerivedKind,
    mut derived: Vec<Derived>,
    retire: impl Fn(&serde_json::Value) -> Option<serde_json::Value>,
) -> Result<Tally> {
    // reference -> (current version, its payload)
    let current: Vec<(Uuid, Option<String>, String)> = current_of(tenant, kind.as_str())
        .select_only()
        .column(submission::Column::Id)
        .column(submission::Column::Reference)
        .column(submission::Column::Payload)
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    let current: HashMap<String, (Uuid, String)> = current
        .into_iter()
        .filter_map(|(id, r, p)| r.map(|r| (r, (id, p))))
        .collect();
    let mut tally = Tally::default();
    let computed: std::collections::HashSet<&str> =
        derived.iter().map(|d| d.reference.as_str()).collect();
    let mut retired: Vec<Derived> = current
        .iter()
        .filter(|(r, _)| !computed.contains(r.as_str()))
        .filter_map(|(r, (_, text))| {
            let old: serde_json::Value = serde_json::from_str(text).ok()?;
            retire(&old).map(|payload| Derived {
                reference: r.clone(),
                subject_iin: None,
                department_id: None,
                position_id: None,
                payload,
                notable: false,
            })
        })
        .collect();
    retired.sort_by(|a, b| a.reference.cmp(&b.reference));
    derived.extend(retired);
    let mut pending = Vec::new();
    for d in derived {
        let text = d.payload.to_string();
        match current.get(&d.reference) {
            Some((_, old)) if *old == text => tally.unchanged += 1,
            Some((id, _)) => pending.push((d, Some(*id))),
            None if d.notable => pending.push((d, None)),
            None => {}
        }
    }
    for chunk in pending.chunks(BATCH) {
        let txn = store.begin_write_for(tenant).await?;
        for (d, supersedes) in chunk {
            submissions::insert_in(
                &txn,
                None,
                tenant,
                NewSubmission {
                    kind: kind.as_str().to_owned(),
                    schema_version: 1,
                    submitted_by: SERVICE_ACTOR,
                    department_id: d.department_id,
                    position_id: d.position_id,
                    payload: d.payload.clone(),
                    reference: Some(d.reference.clone()),
                    subject_iin: d.subject_iin.clone(),
                    supersedes: *supersedes,
                },
                false,
            )
            .await?;
            if supersedes.is_some() {
                tally.corrected += 1;
            } else {
                tally.created += 1;
            }
        }
        txn.commit().await?;
    }
    Ok(tally)
}

/// Reporting years whose deadline has passed by `today`, the most recent
/// [`DECLARATION_LOOKBACK_YEARS`] + 1 of them.
pub fn overdue_years(settings: &tenants::TenantSettings, today: NaiveDate) -> Vec<i32> {
    let last = today.year();
    (last - DECLARATION_LOOKBACK_YEARS - 1..=last)
        .filter(|&y| settings.declaration_due(y).is_some_and(|due| due < today))
        .rev()
        .take(usize::try_from(DECLARATION_LOOKBACK_YEARS + 1).unwrap_or(1))
        .collect()
}

/// Every person's declaration obligation for each year whose deadline has
/// passed: filed on time, late, or missing. Notable when missing.
pub async fn declaration_obligations(
    store: &crate::Store,
    tenant: TenantId,
    today: NaiveDate,
) -> Result<Vec<Derived>> {
    let settings = tenants::settings_of(&tenants::get(store, tenant).await?)?;
    let mut out = Vec::new();
    for year in overdue_years(&settings, today) {
        let Some(due) = settings.declaration_due(year) else {
            continue;
        };
        for p in declarations::status(store, tenant, year, due, today).await? {
            let filed_on = p
                .first_filed_at
                .map(|at| adal_domain::kazakhstan_date(at).to_string());
            out.push(Derived {
                reference: declarations::reference(year, &p.iin),
                subject_iin: Some(p.iin.clone()),
                department_id: p.department_id,
                position_id: p.position_id,
                notable: p.state == declarations::State::Missing,
                payload: serde_json::json!({
                    "person_iin": p.iin,
                    "full_name": p.full_name,
                    "year": year,
                    "due_on": due.to_string(),
                    "state": p.state.as_str(),
                    "filed_on": filed_on,
                    "declaration_submission": p.submission_id.map(|s| s.to_string()),
                }),
            });
        }
    }
    Ok(out)
}

/// One giver's gifts to the tenant's people, from every current gift
/// declaration with direction `received`. Notable from the second gift.
pub async fn gift_giver_histories(store: &crate::Store, tenant: TenantId) -> Result<Vec<Derived>> {
    /// id, payload, department, position, filer
    type Row = (Uuid, String, Option<Uuid>, Option<Uuid>, Uuid);
    let rows: Vec<Row> = submission::Entity::find()
        .select_only()
        .column(submission::Column::Id)
        .column(submission::Column::Payload)
        .column(submission::Column::DepartmentId)
        .column(submission::Column::PositionId)
        .column(submission::Column::SubmittedBy)
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Kind.eq(Kind::Gift.as_str()))
        .filter(submission::Column::SupersededBy.is_null())
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    struct Gift {
        submission: Uuid,
        date: String,
        value: Decimal,
        filed_by: Uuid,
        department_id: Option<Uuid>,
        position_id: Option<Uuid>,
    }
    let mut by_giver: BTreeMap<String, (String, Vec<Gift>)> = BTreeMap::new();
    for (id, payload, department_id, position_id, filed_by) in rows {
        let v: serde_json::Value = serde_json::from_str(&payload).map_err(corrupt)?;
        if v.get("direction").and_then(serde_json::Value::as_str) != Some("received") {
            continue;
        }
        let s = |k: &str| v.get(k).and_then(serde_json::Value::as_str);
        let name = s("giver_name").unwrap_or_default();
        let key = giver_key(name, s("giver_bin"), s("giver_iin"));
        let value = s("value_kzt")
            .and_then(|x| Decimal::from_str(x).ok())
            .unwrap_or_default();
        by_giver
            .entry(key)
            .or_insert_with(|| (name.to_owned(), Vec::new()))
            .1
            .push(Gift {
                submission: id,
                date: s("date").unwrap_or_default().to_owned(),
                value,
                filed_by,
                department_id,
                position_id,
            });
    }
    let mut out = Vec::new();
    for (key, (name, mut gifts)) in by_giver {
        // Oldest first, ties by id, so the payload is the same on every run.
        gifts.sort_by(|a, b| (&a.date, a.submission).cmp(&(&b.date, b.submission)));
        let count = gifts.len();
        let keep = gifts.split_off(count.saturating_sub(MAX_GIFTS_PER_GIVER));
        let total: Decimal = keep.iter().map(|g| g.value).sum();
        let latest = keep.last();
        let receivers: std::collections::BTreeSet<Uuid> = keep.iter().map(|g| g.filed_by).collect();
        out.push(Derived {
            reference: key.clone(),
            subject_iin: None,
            department_id: latest.and_then(|g| g.department_id),
            position_id: latest.and_then(|g| g.position_id),
            notable: count >= 2,
            payload: serde_json::json!({
                "giver_key": key,
                "giver_name": name,
                "count": count,
                "total_value_kzt": total.normalize().to_string(),
                "receivers": receivers.len(),
                "gifts": keep.iter().map(|g| serde_json::json!({
                    "submission_id": g.submission.to_string(),
                    "date": g.date,
                    "value_kzt": g.value.normalize().to_string(),
                })).collect::<Vec<_>>(),
            }),
        });
    }
    Ok(out)
}

/// How long an anti-corruption training counts: "in the last year".
pub const TRAINING_VALID_DAYS: i64 = 365;

/// How long a risk assessment counts: the Guidelines ask for one a year.
pub const RISK_ASSESSMENT_VALID_DAYS: i64 = 365;

/// The tenant's current records (superseded versions left out) of `kind`.
fn current_of(tenant: TenantId, kind: &str) -> sea_orm::Select<submission::Entity> {
    submission::Entity::find()
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Kind.eq(kind))
        .filter(submission::Column::SupersededBy.is_null())
}

/// The current versions of every record of `kind`, as (id, payload).
async fn current_payloads(
    store: &crate::Store,
    tenant: TenantId,
    kind: Kind,
) -> Result<Vec<(Uuid, serde_json::Value)>> {
    let mut rows: Vec<(Uuid, String)> = current_of(tenant, kind.as_str())
        .select_only()
        .column(submission::Column::Id)
        .column(submission::Column::Payload)
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    // Opened as every read of payloads is, should `kind` be one sealed at
    // rest (none of the dataset rules reads those today).
    crate::submissions::open_each(store, tenant, rows.iter_mut().map(|(id, p)| (*id, p))).await?;
    rows.into_iter()
        .map(|(id, p)| Ok((id, serde_json::from_str(&p).map_err(corrupt)?)))
        .collect()
}

fn date_of(v: &serde_json::Value, key: &str) -> Option<NaiveDate> {
    v.get(key)
        .and_then(serde_json::Value::as_str)
        .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
}

/// Every person employed today in a position on the tenant's list of
/// high-risk positions, with their latest anti-corruption training.
/// Notable when they have none within [`TRAINING_VALID_DAYS`].
pub async fn training_statuses(
    store: &crate::Store,
    tenant: TenantId,
    today: NaiveDate,
) -> Result<Vec<Derived>> {
    use crate::entities::position;
    let high_risk: std::collections::HashSet<Uuid> = position::Entity::find()
        .filter(position::Column::TenantId.eq(tenant.uuid()))
        .filter(position::Column::HighRisk.eq(true))
        .all(&store.scoped(tenant))
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    let mut last: HashMap<String, NaiveDate> = HashMap::new();
    for (_, t) in current_payloads(store, tenant, Kind::Training).await? {
        if t.get("topic").and_then(serde_json::Value::as_str) != Some("anti_corruption") {
            continue;
        }
        if let (Some(iin), Some(on)) = (
            t.get("person_iin").and_then(serde_json::Value::as_str),
            date_of(&t, "completed_on"),
        ) {
            let e = last.entry(iin.to_owned()).or_insert(on);
            *e = (*e).max(on);
        }
    }
    let people = person::Entity::find()
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .filter(person::Column::PositionId.is_in(high_risk))
        .filter(
            Condition::any()
                .add(person::Column::EndedOn.is_null())
                .add(person::Column::EndedOn.gte(today)),
        )
        .all(&store.scoped(tenant))
        .await?;
    Ok(people
        .into_iter()
        .map(|p| {
            let last_on = last.get(&p.iin).copied();
            let current = last_on.is_some_and(|d| (today - d).num_days() <= TRAINING_VALID_DAYS);
            Derived {
                reference: p.iin.clone(),
                subject_iin: Some(p.iin.clone()),
                department_id: p.department_id,
                position_id: p.position_id,
                notable: !current,
                payload: serde_json::json!({
                    "person_iin": p.iin,
                    "full_name": p.full_name,
                    "last_training_on": last_on.map(|d| d.to_string()),
                    "trained_within_year": current,
                }),
            }
        })
        .collect())
}

/// Every report received through the feedback channels, judged against
/// the tenant's deadline for answering: `answered`, `answered_late`,
/// `open` (still within the deadline) or `overdue`. Notable when late.
pub async fn feedback_statuses(
    store: &crate::Store,
    tenant: TenantId,
    today: NaiveDate,
) -> Result<Vec<Derived>> {
    let settings = tenants::settings_of(&tenants::get(store, tenant).await?)?;
    let days = i64::from(settings.feedback_answer_days());
    let mut out = Vec::new();
    for (id, r) in current_payloads(store, tenant, Kind::FeedbackReport).await? {
        let (Some(code), Some(received)) = (
            r.get("receipt_code").and_then(serde_json::Value::as_str),
            date_of(&r, "received_on"),
        ) else {
            continue;
        };
        let due = received + chrono::Duration::days(days);
        let answered = date_of(&r, "answered_on");
        let state = match answered {
            Some(a) if a > due => "answered_late",
            Some(_) => "answered",
            None if today > due => "overdue",
            None => "open",
        };
        out.push(Derived {
            reference: code.to_owned(),
            subject_iin: None,
            department_id: None,
            position_id: None,
            notable: matches!(state, "overdue" | "answered_late"),
            payload: serde_json::json!({
                "receipt_code": code,
                "report_submission": id.to_string(),
                "channel": r.get("channel"),
                "category": r.get("category"),
                "received_on": received.to_string(),
                "answer_days": days,
                "due_on": due.to_string(),
                "answered_on": answered.map(|d| d.to_string()),
                "state": state,
            }),
        });
    }
    Ok(out)
}

/// How a case of the feedback channel kept its two deadlines (docs/reporting.md):
/// to acknowledge and to give feedback. `met` (done in time), `missed`
/// (done late), `pending` (not yet due) or `overdue` (due and not done).
fn deadline_state(done_on: Option<NaiveDate>, due: NaiveDate, today: NaiveDate) -> &'static str {
    match done_on {
        Some(d) if d > due => "missed",
        Some(_) => "met",
        None if today > due => "overdue",
        None => "pending",
    }
}

/// Every case of the tenant's own channel, judged against its deadlines
/// to acknowledge and to give feedback. Only dates and states: the report's
/// content is sealed and no rule reads it. A case becomes notable once a
/// deadline is overdue or was missed. Closing the case counts as the
/// feedback (the reporter reads the outcome).
pub async fn case_deadlines(
    store: &crate::Store,
    tenant: TenantId,
    today: NaiveDate,
) -> Result<Vec<Derived>> {
    use crate::entities::report;
    let rows = report::Entity::find()
        .filter(report::Column::TenantId.eq(tenant.uuid()))
        .filter(report::Column::Channel.eq(adal_domain::ReportChannel::Tenant.as_str()))
        .all(&store.scoped(tenant))
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let acknowledged = r.acknowledged_at.map(|t| t.date_naive());
            // A case closed or moved on without an explicit acknowledgement
            // was acknowledged by that step.
            let acknowledged = acknowledged.or_else(|| {
                (r.status != adal_domain::CaseStatus::Received.as_str())
                    .then(|| r.updated_at.date_naive())
            });
            let closed = r.closed_at.map(|t| t.date_naive());
            let ack = deadline_state(acknowledged, r.ack_due, today);
            let feedback = deadline_state(closed, r.feedback_due, today);
            Derived {
                reference: r.id.to_string(),
                subject_iin: None,
                department_id: None,
                position_id: None,
                notable: [ack, feedback]
                    .iter()
                    .any(|s| matches!(*s, "missed" | "overdue")),
                payload: serde_json::json!({
                    "case": r.id.to_string(),
                    "received_on": r.received_on.to_string(),
                    "acknowledge_due_on": r.ack_due.to_string(),
                    "acknowledged_on": acknowledged.map(|d| d.to_string()),
                    "acknowledgement": ack,
                    "feedback_due_on": r.feedback_due.to_string(),
                    "closed_on": closed.map(|d| d.to_string()),
                    "feedback": feedback,
                    "status": r.status,
                }),
            }
        })
        .collect())
}

/// The organisation's own anti-corruption measures as of `today`: when
/// its policy was adopted, since when it has a compliance unit, and its
/// last risk assessment. One record per tenant, always filed.
pub async fn governance_status(
    store: &crate::Store,
    tenant: TenantId,
    today: NaiveDate,
) -> Result<Vec<Derived>> {
    let t = tenants::get(store, tenant).await?;
    let mut latest: HashMap<String, NaiveDate> = HashMap::new();
    for (_, g) in current_payloads(store, tenant, Kind::Governance).await? {
        if let (Some(event), Some(on)) = (
            g.get("event").and_then(serde_json::Value::as_str),
            date_of(&g, "on"),
        ) {
            let e = latest.entry(event.to_owned()).or_insert(on);
            *e = (*e).max(on);
        }
    }
    let day = |e: &str| latest.get(e).map(|d| d.to_string());
    let assessed = latest
        .get("risk_assessment_completed")
        .is_some_and(|d| (today - *d).num_days() <= RISK_ASSESSMENT_VALID_DAYS);
    Ok(vec![Derived {
        reference: "tenant".to_owned(),
        subject_iin: None,
        department_id: None,
        position_id: None,
        notable: true,
        payload: serde_json::json!({
            "sector": t.sector,
            "policy_adopted_on": day("policy_adopted"),
            "compliance_unit_since": day("compliance_unit_established"),
            "last_risk_assessment_on": day("risk_assessment_completed"),
            "risk_assessment_within_year": assessed,
        }),
    }])
}

/// Most suppliers a tender specification lists by name as covering it.
const MAX_COVERING_LISTED: usize = 10;

fn str_at<'a>(v: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(*k))
        .and_then(serde_json::Value::as_str)
}

/// An item classification as `scheme:id`, so that codes of different
/// schemes never meet.
fn classification(item: &serde_json::Value) -> Option<String> {
    let id = item.get("classification").and_then(|c| {
        c.get("id").and_then(|i| {
            i.as_str()
                .map(str::to_owned)
                .or_else(|| i.as_i64().map(|n| n.to_string()))
        })
    })?;
    let scheme = str_at(item, &["classification", "scheme"]).unwrap_or("");
    Some(format!("{scheme}:{id}"))
}

fn classifications(items: Option<&serde_json::Value>) -> std::collections::BTreeSet<String> {
    items
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(classification)
        .collect()
}

/// Every open tender's specification against the tenant's award history:
/// which suppliers (by BIN) have been awarded items of every
/// classification the tender asks for. A specification only one supplier
/// has ever covered may be written for that supplier. Notable when exactly
/// one supplier covers it.
pub async fn tender_specifications(store: &crate::Store, tenant: TenantId) -> Result<Vec<Derived>> {
    use std::collections::BTreeSet;
    let mut cover: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut open = Vec::new();
    // Page by page: a tenant's releases parsed all at once, as trees of
    // JSON values, take many times their text's size (146 MB of text for
    // 100,000 generated processes).
    let mut after = None;
    loop {
        let page = current_payload_page(store, tenant, Kind::Procurement, after, 1_000).await?;
        let Some((last, _)) = page.last() else {
            break;
        };
        after = Some(*last);
        for (_, text) in &page {
            let r: serde_json::Value = serde_json::from_str(text).map_err(corrupt)?;
            let r = &r;
            let mut party_bin = HashMap::new();
            for p in r
                .get("parties")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
            {
                if str_at(p, &["identifier", "scheme"]) == Some("KZ-BIN")
                    && let (Some(pid), Some(bin)) = (
                        p.get("id").and_then(serde_json::Value::as_str),
                        str_at(p, &["identifier", "id"]),
                    )
                {
                    party_bin.insert(pid.to_owned(), bin.to_owned());
                }
            }
            let tender_items = classifications(r.get("tender").and_then(|t| t.get("items")));
            for a in r
                .get("awards")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
            {
                if matches!(
                    a.get("status").and_then(serde_json::Value::as_str),
                    Some("cancelled" | "unsuccessful")
                ) {
                    continue;
                }
                let mut items = classifications(a.get("items"));
                if items.is_empty() {
                    items = tender_items.clone();
                }
                for s in a
                    .get("suppliers")
                    .and_then(serde_json::Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(bin) = s
                        .get("id")
                        .and_then(serde_json::Value::as_str)
                        .and_then(|id| party_bin.get(id))
                    {
                        cover
                            .entry(bin.clone())
                            .or_default()
                            .extend(items.iter().cloned());
                    }
                }
            }
            let status = str_at(r, &["tender", "status"]);
            if matches!(status, Some(s) if crate::procurement::OPEN_STATUSES.contains(&s))
                && !tender_items.is_empty()
                && let Some(ocid) = r.get("ocid").and_then(serde_json::Value::as_str)
            {
                open.push((
                    ocid.to_owned(),
                    str_at(r, &["tender", "title"]).map(str::to_owned),
                    tender_items,
                ));
            }
        }
    }
    Ok(open
        .into_iter()
        .map(|(ocid, title, wanted)| {
            let covering: Vec<&String> = cover
                .iter()
                .filter(|(_, has)| wanted.is_subset(has))
                .map(|(bin, _)| bin)
                .collect();
            let partly = cover
                .values()
                .filter(|has| !has.is_disjoint(&wanted))
                .count();
            Derived {
                reference: ocid.clone(),
                subject_iin: None,
                department_id: None,
                position_id: None,
                notable: covering.len() == 1,
                payload: serde_json::json!({
                    "ocid": ocid,
                    "title": title,
                    "classifications": wanted,
                    "covering_count": covering.len(),
                    "covering_suppliers": covering.iter().take(MAX_COVERING_LISTED).collect::<Vec<_>>(),
                    "suppliers_with_any": partly,
                }),
            }
        })
        .collect())
}
