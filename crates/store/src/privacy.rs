//! A person's rights over their data, and how long a tenant keeps records:
//! the export of everything held about a person, their erasure where
//! nothing requires the data to be kept, and retention periods per kind
//! of record with the pass that erases what has expired (docs/privacy.md).
//!
//! Erasing a record removes its content and what identifies the person
//! (the payload, the subject's IIN, the natural key, the findings'
//! explanations) and keeps the rest (kind, dates, status, department,
//! severity), so counts and the risk map stay true while nobody can be
//! identified. Copies sealed under the person's key, including the audit
//! log's, are erased by destroying the key ([`crate::sealing`]).

use crate::entities::{audit_entry, finding, interest, person, relative, submission, tenant, user};
use crate::evaluation::OPEN;
use crate::people::PersonRecord;
use crate::submissions::{ERASED_PAYLOAD, Submission};
use crate::{Result, StoreError, TenantId, audit, sealing};
use chrono::{Months, NaiveDate, TimeZone, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The kinds a retention period can be set for: the submissions people
/// file, and `person` (counted from the end of employment).
pub const RETENTION_KINDS: &[&str] = &[
    "asset_declaration",
    "conflict_of_interest",
    "gift",
    "governance",
    "hr_action",
    "person",
    "training",
];

/// The shortest and longest retention period, in years.
pub const RETENTION_YEARS: std::ops::RangeInclusive<u32> = 1..=75;

/// What a finding about an erased record says instead of its explanation.
pub const ERASED_EXPLANATION: &str = "The record this finding was about has been erased.";

/// A tenant's retention periods: kind -> years. Kinds not listed are kept
/// until someone erases them.
pub async fn retention(store: &crate::Store, tenant: TenantId) -> Result<BTreeMap<String, u32>> {
    let t = tenant::Entity::find_by_id(tenant.uuid())
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)?;
    serde_json::from_str(&t.retention_years)
        .map_err(|e| StoreError::Corrupt(format!("tenants.retention_years: {e}")))
}

/// Replaces the tenant's retention periods (checked by the caller against
/// [`RETENTION_KINDS`] and [`RETENTION_YEARS`]), with an audit entry.
pub async fn set_retention(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    years: &BTreeMap<String, u32>,
) -> Result<()> {
    let text = serde_json::to_string(years).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let txn = store.begin_write_for(tenant).await?;
    tenant::Entity::update_many()
        .col_expr(tenant::Column::RetentionYears, Expr::value(text))
        .filter(tenant::Column::Id.eq(tenant.uuid()))
        .exec(&txn)
        .await?;
    audit::append(
        &*txn,
        tenant,
        actor,
        "retention.set",
        "tenant/retention",
        serde_json::json!({ "years": years }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// What an erasure removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Erased {
    pub submissions: u64,
    pub findings: u64,
    pub relatives: u64,
    pub interests: u64,
    /// The person's data keys destroyed (0 or 1, or 2 when they also filed
    /// records about themselves under their account).
    pub keys_destroyed: u64,
}

/// The submissions about a person: filed about them (their IIN as the
/// subject), and those they filed about themselves from their account.
fn about(tenant: TenantId, iin: &str, accounts: &[Uuid]) -> Condition {
    Condition::all()
        .add(submission::Column::TenantId.eq(tenant.uuid()))
        .add(
            Condition::any()
                .add(submission::Column::SubjectIin.eq(iin))
                .add(
                    Condition::all()
                        .add(submission::Column::SubjectIin.is_null())
                        .add(submission::Column::SubmittedBy.is_in(accounts.iter().copied())),
                ),
        )
}

async fn accounts_of<C: ConnectionTrait>(db: &C, tenant: TenantId, iin: &str) -> Result<Vec<Uuid>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .filter(user::Column::PersonIin.eq(iin))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

async fn person_row(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<person::Model> {
    person::Entity::find_by_id(id)
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)
}

/// Open findings on any of `ids`.
async fn open_findings_on<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    ids: &[Uuid],
) -> Result<Vec<Uuid>> {
    let mut held = Vec::new();
    for chunk in ids.chunks(500) {
        held.extend(
            finding::Entity::find()
                .filter(finding::Column::TenantId.eq(tenant.uuid()))
                .filter(finding::Column::SubmissionId.is_in(chunk.iter().copied()))
                .filter(finding::Column::Status.eq(OPEN))
                .all(db)
                .await?
                .into_iter()
                .map(|f| f.submission_id),
        );
    }
    Ok(held)
}

/// Erases the content of the submissions `ids` and the explanations of
/// their findings. Returns (submissions, findings) changed.
async fn erase_submissions_in<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    ids: &[Uuid],
) -> Result<(u64, u64)> {
    let (mut subs, mut found) = (0, 0);
    for chunk in ids.chunks(500) {
        subs += submission::Entity::update_many()
            .col_expr(submission::Column::Payload, Expr::value(ERASED_PAYLOAD))
            .col_expr(submission::Column::SubjectIin, Expr::value(None::<String>))
            .col_expr(submission::Column::Reference, Expr::value(None::<String>))
            .filter(submission::Column::TenantId.eq(tenant.uuid()))
            .filter(submission::Column::Id.is_in(chunk.iter().copied()))
            .filter(submission::Column::Payload.ne(ERASED_PAYLOAD))
            .exec(db)
            .await?
            .rows_affected;
        found += finding::Entity::update_many()
            .col_expr(
                finding::Column::Explanation,
                Expr::value(ERASED_EXPLANATION),
            )
            // The facts name the same people and amounts.
            .col_expr(finding::Column::Facts, Expr::value(None::<String>))
            .filter(finding::Column::TenantId.eq(tenant.uuid()))
            .filter(finding::Column::SubmissionId.is_in(chunk.iter().copied()))
            .filter(finding::Column::Explanation.ne(ERASED_EXPLANATION))
            .exec(db)
            .await?
            .rows_affected;
    }
    Ok((subs, found))
}

/// Why a person cannot be erased yet (empty when they can): still
/// employed, or a finding on one of the records `ids` open.
async fn holds<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    p: &person::Model,
    ids: &[Uuid],
    today: NaiveDate,
) -> Result<Vec<String>> {
    let mut reasons = Vec::new();
    match p.ended_on {
        None => reasons.push("they are still employed (no end date)".to_owned()),
        Some(end) if end >= today => {
            reasons.push(format!("they are employed until {end}"));
        }
        Some(_) => {}
    }
    let open = open_findings_on(db, tenant, ids).await?.len();
    if open > 0 {
        reasons.push(format!(
            "{open} finding(s) about their records are open; resolve them first"
        ));
    }
    Ok(reasons)
}

/// Erases a person: their record, relatives and interests are deleted,
/// the records about them are erased (see the module), and their data
/// keys are destroyed. Refused with [`StoreError::Conflict`] naming every
/// reason while the law requires keeping them: still employed, or open
/// findings. Audited without naming them.
pub async fn erase_person(
    store: &crate::Store,
    tenant: TenantId,
    person_id: Uuid,
    actor: &str,
    today: NaiveDate,
) -> Result<Erased> {
    let p = person_row(store, tenant, person_id).await?;
    erase_person_now(store, tenant, &p, actor, "person.erase", today)
        .await?
        .map_err(|reasons| {
            StoreError::Conflict(format!(
                "this person's data must be kept for now: {}",
                reasons.join("; ")
            ))
        })
}

/// Erases `p` unless something holds their data back; the reasons
/// otherwise. Checked in the erasing transaction, so a finding opened
/// meanwhile cannot slip between the check and the erasure.
async fn erase_person_now(
    store: &crate::Store,
    tenant: TenantId,
    p: &person::Model,
    actor: &str,
    action: &str,
    today: NaiveDate,
) -> Result<std::result::Result<Erased, Vec<String>>> {
    let txn = store.begin_write_for(tenant).await?;
    let accounts = accounts_of(&*txn, tenant, &p.iin).await?;
    let ids: Vec<Uuid> = submission::Entity::find()
        .filter(about(tenant, &p.iin, &accounts))
        .all(&*txn)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let reasons = holds(&*txn, tenant, p, &ids, today).await?;
    if !reasons.is_empty() {
        return Ok(Err(reasons));
    }
    let (submissions, findings) = erase_submissions_in(&*txn, tenant, &ids).await?;
    let relatives = relative::Entity::delete_many()
        .filter(relative::Column::TenantId.eq(tenant.uuid()))
        .filter(relative::Column::PersonId.eq(p.id))
        .exec(&*txn)
        .await?
        .rows_affected;
    let interests = interest::Entity::delete_many()
        .filter(interest::Column::TenantId.eq(tenant.uuid()))
        .filter(interest::Column::PersonId.eq(p.id))
        .exec(&*txn)
        .await?
        .rows_affected;
    person::Entity::delete_many()
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .filter(person::Column::Id.eq(p.id))
        .exec(&*txn)
        .await?;
    // Their accounts stay (an administrator closes those) but no longer
    // name them.
    user::Entity::update_many()
        .col_expr(user::Column::PersonIin, Expr::value(None::<String>))
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .filter(user::Column::PersonIin.eq(p.iin.as_str()))
        .exec(&*txn)
        .await?;
    let mut keys_destroyed =
        u64::from(sealing::shred(&*txn, tenant, &sealing::subject_of_iin(&p.iin)).await?);
    for a in &accounts {
        keys_destroyed += u64::from(sealing::shred(&*txn, tenant, &format!("user:{a}")).await?);
    }
    let erased = Erased {
        submissions,
        findings,
        relatives,
        interests,
        keys_destroyed,
    };
    audit::append(
        &*txn,
        tenant,
        actor,
        action,
        &format!("person/{}", p.id),
        serde_json::to_value(erased).map_err(|e| StoreError::Corrupt(e.to_string()))?,
    )
    .await?;
    txn.commit().await?;
    Ok(Ok(erased))
}

/// One entry of a person's history in the audit log, with its detail
/// opened (`None` when it was sealed under a key since destroyed).
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub at: chrono::DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub detail: Option<serde_json::Value>,
}

/// Everything the tenant holds about a person.
#[derive(Debug, Clone)]
pub struct PersonExport {
    pub record: PersonRecord,
    /// Every version of every record about them, oldest first, opened.
    pub submissions: Vec<Submission>,
    pub findings: Vec<crate::evaluation::Finding>,
    pub history: Vec<HistoryEntry>,
}

/// Everything held about a person, with an audit entry saying who asked.
pub async fn export_person(
    store: &crate::Store,
    tenant: TenantId,
    person_id: Uuid,
    actor: &str,
) -> Result<PersonExport> {
    let record = crate::people::get(store, tenant, person_id).await?;
    let iin = record.person.iin.clone();
    let db = &store.scoped(tenant);
    let accounts = accounts_of(db, tenant, &iin).await?;
    let mut submissions = submission::Entity::find()
        .filter(about(tenant, &iin, &accounts))
        .order_by_asc(submission::Column::ReceivedAt)
        .order_by_asc(submission::Column::Id)
        .all(db)
        .await?;
    crate::submissions::open_payloads(store, tenant, &mut submissions).await?;
    let ids: Vec<Uuid> = submissions.iter().map(|s| s.id).collect();
    let mut findings = Vec::new();
    for chunk in ids.chunks(500) {
        findings.extend(
            finding::Entity::find()
                .filter(finding::Column::TenantId.eq(tenant.uuid()))
                .filter(finding::Column::SubmissionId.is_in(chunk.iter().copied()))
                .order_by_asc(finding::Column::CreatedAt)
                .all(db)
                .await?,
        );
    }
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(tenant.uuid()))
        .filter(audit_entry::Column::Object.eq(format!("person/{person_id}")))
        // Time, not position: the newest entries may not be sequenced yet.
        .order_by_asc(audit_entry::Column::At)
        .order_by_asc(audit_entry::Column::Id)
        .all(db)
        .await?;
    let mut opener = sealing::Opener::new(store, tenant);
    let context = sealing::audit_context(&format!("person/{person_id}"));
    let mut history = Vec::with_capacity(entries.len());
    for e in entries {
        let value: serde_json::Value = serde_json::from_str(&e.detail)
            .map_err(|x| StoreError::Corrupt(format!("audit detail: {x}")))?;
        let detail = match value.get("sealed").and_then(|v| v.as_str()) {
            Some(sealed) => opener
                .open(db, &context, sealed)
                .await?
                .map(|plain| serde_json::from_str(&plain))
                .transpose()
                .map_err(|x| StoreError::Corrupt(format!("audit detail: {x}")))?,
            None => Some(value),
        };
        history.push(HistoryEntry {
            at: e.at,
            actor: e.actor,
            action: e.action,
            detail,
        });
    }
    let txn = store.begin_write_for(tenant).await?;
    audit::append(
        &*txn,
        tenant,
        actor,
        "person.export",
        &format!("person/{person_id}"),
        serde_json::json!({ "submissions": submissions.len(), "findings": findings.len() }),
    )
    .await?;
    txn.commit().await?;
    Ok(PersonExport {
        record,
        submissions,
        findings,
        history,
    })
}

/// What one retention pass did in a tenant.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RetentionPass {
    /// Records erased, by kind.
    pub erased: BTreeMap<String, u64>,
    /// Records past their period kept because a finding on them is open.
    pub held: u64,
    /// People erased because their employment ended longer ago than the
    /// `person` period.
    pub people: u64,
}

/// The first day still inside a period of `years` ending `today`.
fn cutoff(today: NaiveDate, years: u32) -> Option<NaiveDate> {
    today.checked_sub_months(Months::new(years.saturating_mul(12)))
}

/// Erases what is past the tenant's retention periods as of `today`.
/// Idempotent: erased records are not counted again.
pub async fn apply_retention(
    store: &crate::Store,
    tenant: TenantId,
    today: NaiveDate,
) -> Result<RetentionPass> {
    let periods = retention(store, tenant).await?;
    let mut pass = RetentionPass::default();
    let db = &store.scoped(tenant);
    for (kind, &years) in &periods {
        let Some(day) = cutoff(today, years) else {
            continue;
        };
        if kind == "person" {
            let people = person::Entity::find()
                .filter(person::Column::TenantId.eq(tenant.uuid()))
                .filter(person::Column::EndedOn.lt(day))
                .all(db)
                .await?;
            for p in people {
                match erase_person_now(
                    store,
                    tenant,
                    &p,
                    "system:retention",
                    "person.retention",
                    today,
                )
                .await?
                {
                    Ok(_) => pass.people += 1,
                    Err(_) => pass.held += 1,
                }
            }
            continue;
        }
        let Some(before) = day.and_hms_opt(0, 0, 0).map(|t| Utc.from_utc_datetime(&t)) else {
            continue;
        };
        let expired: Vec<Uuid> = submission::Entity::find()
            .filter(submission::Column::TenantId.eq(tenant.uuid()))
            .filter(submission::Column::Kind.eq(kind.as_str()))
            .filter(submission::Column::ReceivedAt.lt(before))
            .filter(submission::Column::Payload.ne(ERASED_PAYLOAD))
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect();
        if expired.is_empty() {
            continue;
        }
        let held: std::collections::HashSet<Uuid> = open_findings_on(db, tenant, &expired)
            .await?
            .into_iter()
            .collect();
        pass.held += held.len() as u64;
        let erasable: Vec<Uuid> = expired
            .into_iter()
            .filter(|id| !held.contains(id))
            .collect();
        let txn = store.begin_write_for(tenant).await?;
        let (subs, _) = erase_submissions_in(&*txn, tenant, &erasable).await?;
        if subs > 0 {
            audit::append(
                &*txn,
                tenant,
                "system:retention",
                "retention.erase",
                &format!("kind/{kind}"),
                serde_json::json!({ "erased": subs, "received_before": before.to_rfc3339(), "years": years }),
            )
            .await?;
        }
        txn.commit().await?;
        if subs > 0 {
            pass.erased.insert(kind.clone(), subs);
        }
    }
    Ok(pass)
}

/// One retention pass over every tenant that set a period.
pub async fn apply_retention_everywhere(store: &crate::Store, today: NaiveDate) -> Result<u64> {
    let tenants = tenant::Entity::find()
        .filter(tenant::Column::RetentionYears.ne("{}"))
        .all(&store.across_tenants())
        .await?;
    let mut total = 0;
    for t in tenants {
        let pass = apply_retention(store, TenantId::from_uuid(t.id), today).await?;
        total += pass.erased.values().sum::<u64>() + pass.people;
    }
    Ok(total)
}
