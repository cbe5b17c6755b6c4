//! Alert digests (docs/operations.md, "Alert digests"). A tenant whose
//! `alert_digest` is `hourly` or `daily` gets no email per finding: the
//! evaluation that records a qualifying finding writes an
//! `alert_digest_entries` row instead, due at the end of its UTC hour or
//! day (same transaction as the finding). [`send_due`] later turns every
//! due entry of a period into one digest: one outbox email per language
//! its recipients read, which the mailer sends like any other.
//!
//! Exactly once: an entry joins a digest by a compare-and-set of its
//! `digest_id` (from none to the new digest's id), in the transaction
//! that also queues the digest's emails under keys made of that id. Two
//! workers that gather the same period at once: on PostgreSQL the second
//! update waits for the first one's row locks and then finds the rows
//! taken; SQLite serialises writers. A crash before the commit leaves the
//! entries waiting and nothing queued.

use crate::entities::{alert_digest_entry, department, finding, outbox};
use crate::evaluation::{by_language, finding_link};
use crate::tenants::AlertDigest;
use crate::{Result, StoreError, TenantId, new_id, now};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// At most this many tenants per call; the rest wait for the next one.
const TENANTS_PER_RUN: u64 = 200;

/// What one [`send_due`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestRun {
    /// Digests gathered (one per tenant and period).
    pub digests: usize,
    /// Findings they list.
    pub findings: usize,
    /// Outbox emails queued (one per digest and language).
    pub emails: usize,
    /// Tenants whose digests could not be gathered this time (logged;
    /// their entries wait for the next run).
    pub failed_tenants: usize,
}

/// Gathers every digest due at `now`: each waiting entry whose period
/// ended at or before `now` goes into its tenant's digest of that period,
/// queued in the outbox to the tenant's alert addresses as they are now,
/// each group in its language. `link_base` is the service's public
/// address for the links (empty: the findings' ids instead).
///
/// The worker calls it with the current time; `adal send-digests --as-of`
/// with a later one sends the current period's digest early (the entries
/// recorded after that in the same period make a second digest of it).
pub async fn send_due(
    store: &crate::Store,
    now_at: DateTime<Utc>,
    link_base: &str,
) -> Result<DigestRun> {
    let tenants: Vec<Uuid> = alert_digest_entry::Entity::find()
        .select_only()
        .column(alert_digest_entry::Column::TenantId)
        .distinct()
        .filter(alert_digest_entry::Column::DigestId.is_null())
        .filter(alert_digest_entry::Column::DueAt.lte(now_at))
        .limit(TENANTS_PER_RUN)
        .into_tuple()
        .all(&store.across_tenants())
        .await?;
    let mut run = DigestRun::default();
    for t in tenants {
        // One tenant's trouble (a moment's conflict, a corrupt setting)
        // must not hold back the others' digests.
        match send_due_for(store, TenantId::from_uuid(t), now_at, link_base).await {
            Ok(r) => {
                run.digests += r.digests;
                run.findings += r.findings;
                run.emails += r.emails;
            }
            Err(e) => {
                tracing::warn!(tenant_id = %t, error = %e, "could not gather the tenant's alert digests; they wait for the next run");
                run.failed_tenants += 1;
            }
        }
    }
    Ok(run)
}

/// [`send_due`] for one tenant, in one transaction.
async fn send_due_for(
    store: &crate::Store,
    tenant: TenantId,
    now_at: DateTime<Utc>,
    link_base: &str,
) -> Result<DigestRun> {
    let settings = crate::tenants::settings_of(&crate::tenants::get(store, tenant).await?)?;
    let recipients = settings.alert_emails;
    // As for the single alert: a failed read costs the language
    // (English), never the digest.
    let languages = match crate::users::languages_of(store, tenant, &recipients).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(tenant_id = %tenant, error = %e, "could not read the digest recipients' languages");
            HashMap::new()
        }
    };
    let txn = store.begin_write_for(tenant).await?;
    let due: Vec<(Uuid, String, DateTime<Utc>)> = alert_digest_entry::Entity::find()
        .select_only()
        .column(alert_digest_entry::Column::Id)
        .column(alert_digest_entry::Column::Period)
        .column(alert_digest_entry::Column::DueAt)
        .filter(alert_digest_entry::Column::TenantId.eq(tenant.uuid()))
        .filter(alert_digest_entry::Column::DigestId.is_null())
        .filter(alert_digest_entry::Column::DueAt.lte(now_at))
        .into_tuple()
        .all(&txn)
        .await?;
    // One digest per period: grouped by its kind and end (compared here
    // rather than in SQL, where SQLite compares times as text).
    let mut periods: BTreeMap<(DateTime<Utc>, String), Vec<Uuid>> = BTreeMap::new();
    for (id, period, due_at) in due {
        periods.entry((due_at, period)).or_default().push(id);
    }
    let mut run = DigestRun::default();
    for ((end, period), ids) in periods {
        let digest = new_id();
        let at = now();
        alert_digest_entry::Entity::update_many()
            .col_expr(
                alert_digest_entry::Column::DigestId,
                Expr::value(Some(digest)),
            )
            .col_expr(
                alert_digest_entry::Column::DigestedAt,
                Expr::value(Some(at)),
            )
            .filter(alert_digest_entry::Column::Id.is_in(ids))
            // Checked again under the row lock: another worker's digest
            // may have taken them since they were read.
            .filter(alert_digest_entry::Column::DigestId.is_null())
            .exec(&txn)
            .await?;
        let entries = alert_digest_entry::Entity::find()
            .filter(alert_digest_entry::Column::TenantId.eq(tenant.uuid()))
            .filter(alert_digest_entry::Column::DigestId.eq(digest))
            .order_by_asc(alert_digest_entry::Column::CreatedAt)
            .order_by_asc(alert_digest_entry::Column::Id)
            .all(&txn)
            .await?;
        if entries.is_empty() {
            continue;
        }
        run.digests += 1;
        run.findings += entries.len();
        let findings: HashMap<Uuid, finding::Model> = finding::Entity::find()
            .filter(finding::Column::TenantId.eq(tenant.uuid()))
            .filter(finding::Column::Id.is_in(entries.iter().map(|e| e.finding_id)))
            .all(&txn)
            .await?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
        let departments: HashMap<Uuid, String> = department::Entity::find()
            .filter(department::Column::TenantId.eq(tenant.uuid()))
            .filter(department::Column::Id.is_in(findings.values().filter_map(|f| f.department_id)))
            .all(&txn)
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        let start = AlertDigest::parse(&period)
            .and_then(|p| p.period_of(end - chrono::Duration::seconds(1)))
            .map_or(end, |(s, _)| s);
        let listed: Vec<(&alert_digest_entry::Model, &finding::Model)> = entries
            .iter()
            // A finding erased since (retention) is left out, not guessed.
            .filter_map(|e| findings.get(&e.finding_id).map(|f| (e, f)))
            .collect();
        if listed.is_empty() || recipients.is_empty() {
            // Nothing left to list, or nobody to tell: the entries are
            // done all the same (no alert goes out without recipients).
            continue;
        }
        let refs: Vec<(String, String)> = listed
            .iter()
            .map(|(_, f)| (f.id.to_string(), finding_link(link_base, tenant, f.id)))
            .collect();
        let items: Vec<adal_texts::notices::DigestItem<'_>> = listed
            .iter()
            .zip(&refs)
            .map(|((e, f), (id, link))| adal_texts::notices::DigestItem {
                rule_id: &f.rule_id,
                title: &e.title,
                severity: &f.severity,
                concerns: f
                    .department_id
                    .and_then(|d| departments.get(&d))
                    .map(String::as_str),
                finding_id: id,
                link,
            })
            .collect();
        for (lang, to) in by_language(&recipients, &languages) {
            let (subject, body) = adal_texts::notices::digest(lang, &period, start, end, &items);
            outbox::Entity::insert(outbox::ActiveModel {
                id: Set(new_id()),
                tenant_id: Set(tenant.uuid()),
                dedupe_key: Set(format!("digest/{digest}/{lang}")),
                recipients: Set(
                    serde_json::to_string(&to).map_err(|e| StoreError::Corrupt(e.to_string()))?
                ),
                subject: Set(subject),
                body: Set(body),
                status: Set(crate::outbox::PENDING.to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(at),
                last_error: Set(None),
                created_at: Set(at),
                sent_at: Set(None),
                claim_token: Set(None),
            })
            .exec_without_returning(&txn)
            .await?;
            run.emails += 1;
        }
    }
    txn.commit().await?;
    Ok(run)
}

/// The findings waiting for a digest of `tenant`, oldest first (what the
/// next digests will list).
pub async fn waiting(store: &crate::Store, tenant: TenantId) -> Result<Vec<Uuid>> {
    Ok(alert_digest_entry::Entity::find()
        .select_only()
        .column(alert_digest_entry::Column::FindingId)
        .filter(alert_digest_entry::Column::TenantId.eq(tenant.uuid()))
        .filter(alert_digest_entry::Column::DigestId.is_null())
        .order_by_asc(alert_digest_entry::Column::CreatedAt)
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?)
}
