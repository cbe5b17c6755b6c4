//! Recording a batch of evaluations in one transaction with a handful of
//! statements, whatever the batch's size: the rows are locked and read in
//! one query, and findings, rule errors, alerts, statuses and audit
//! entries are each written with multi-row statements.
//!
//! Row by row, a batch of 200 gifts took about 1,000 statements (lock,
//! finding, status, audit entry each), and the worker spent most of its
//! time waiting on those round trips (docs/performance.md, "Worker
//! drain").

use crate::entities::{alert_digest_entry, finding, outbox, rule_error, submission};
use crate::evaluation::{AlertPolicy, OPEN, Recorded, RiskDeltas, RuleInfo, apply_risk_deltas};
use crate::submissions::{EVALUATED, RECEIVED, Submission};
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use adal_sandbox_protocol::RuleOutcome;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, InsertMany, QueryFilter,
    QueryOrder, QuerySelect, TryInsert,
    sea_query::{Expr, ExprTrait},
};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Rows per multi-row `INSERT`: well under SQLite's 32,766 bound
/// parameters (the widest row here has 14 columns) and PostgreSQL's 65,535.
const ROWS_PER_INSERT: usize = 500;

/// Records the evaluations of a batch of the tenant's submissions under
/// one rule-set version, in one transaction: every finding, rule error,
/// alert, status and audit entry of the batch, and the risk counters once.
/// Per submission, in order: what it added, or `None` when its row had
/// already advanced (evaluated by someone else) and nothing was written
/// for it.
pub async fn record_batch(
    store: &crate::Store,
    tenant: TenantId,
    items: &[(&Submission, &[RuleOutcome])],
    version_id: Uuid,
    rules: &HashMap<String, RuleInfo>,
    alerts: &AlertPolicy,
) -> Result<Vec<Option<Recorded>>> {
    if items.iter().any(|(s, _)| s.tenant_id != tenant.uuid()) {
        return Err(StoreError::NotFound);
    }
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let txn = store.begin_write_for(tenant).await?;
    let ids: Vec<Uuid> = items.iter().map(|(s, _)| s.id).collect();
    let mut q = submission::Entity::find()
        .select_only()
        .column(submission::Column::Id)
        .column(submission::Column::Status)
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Id.is_in(ids.iter().copied()))
        // In one order for every transaction, so two that lock
        // overlapping batches wait for each other instead of deadlocking.
        .order_by_asc(submission::Column::Id);
    // Locked on PostgreSQL, so that a second evaluation of a row (its
    // claim's lease ran out while this one was still busy) waits for this
    // one and then sees it evaluated; SQLite has one writer anyway.
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        q = q.lock_exclusive();
    }
    let status: HashMap<Uuid, String> = q
        .into_tuple::<(Uuid, String)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    if ids.iter().any(|id| !status.contains_key(id)) {
        return Err(StoreError::NotFound);
    }
    // Another evaluation got there first (a duplicate job, a claim whose
    // lease ran out): nothing to add for those.
    let live: Vec<usize> = (0..items.len())
        .filter(|i| status.get(&items[*i].0.id).map(String::as_str) == Some(RECEIVED))
        .collect();
    let mut out: Vec<Option<Recorded>> = vec![None; items.len()];
    if live.is_empty() {
        txn.commit().await?;
        return Ok(out);
    }
    let live_ids: Vec<Uuid> = live.iter().map(|i| items[*i].0.id).collect();
    // What an earlier run already wrote for these rows under this version
    // (none while a row is `received`, since a row's findings commit with
    // its status; read anyway, so a rerun can never count a row twice).
    let had_finding = existing(&txn, tenant, &live_ids, version_id, Table::Findings).await?;
    let had_error = existing(&txn, tenant, &live_ids, version_id, Table::RuleErrors).await?;

    let at = now();
    let mut deltas = RiskDeltas::default();
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    let mut mail = Vec::new();
    // Findings that wait for the tenant's digest instead of an email each.
    let mut waiting = Vec::new();
    let mut entries = Vec::new();
    for &i in &live {
        let (submission, outcomes) = items[i];
        let mut rec = Recorded::default();
        for o in outcomes {
            match o {
                RuleOutcome::Finding {
                    rule_id,
                    severity,
                    likelihood,
                    impact,
                    explanation,
                    facts,
                } => {
                    if had_finding.contains(&(submission.id, rule_id.clone())) {
                        continue;
                    }
                    let info = rules.get(rule_id);
                    let area = info.map_or_else(|| "unknown".to_owned(), |i| i.area.clone());
                    let id = new_id();
                    rec.new_findings += 1;
                    deltas.add(
                        submission.department_id,
                        submission.position_id,
                        &area,
                        i16::from(*likelihood),
                        i16::from(*impact),
                        1,
                    );
                    let facts = if facts.is_empty() {
                        None
                    } else {
                        serde_json::to_string(facts).ok()
                    };
                    let title = info.map_or(rule_id.as_str(), |i| i.title.as_str());
                    let qualifies = *severity >= alerts.threshold && !alerts.recipients.is_empty();
                    if let (true, Some((_, due_at))) = (qualifies, alerts.digest.period_of(at)) {
                        waiting.push(alert_digest_entry::ActiveModel {
                            id: Set(new_id()),
                            tenant_id: Set(tenant.uuid()),
                            finding_id: Set(id),
                            title: Set(title.to_owned()),
                            period: Set(alerts.digest.as_str().to_owned()),
                            due_at: Set(due_at),
                            created_at: Set(at),
                            digest_id: Set(None),
                            digested_at: Set(None),
                        });
                    } else if qualifies {
                        mail.extend(self::alerts(
                            tenant,
                            submission,
                            version_id,
                            id,
                            o,
                            title,
                            facts.as_deref(),
                            alerts,
                            at,
                        )?);
                    }
                    findings.push(finding::ActiveModel {
                        id: Set(id),
                        tenant_id: Set(tenant.uuid()),
                        submission_id: Set(submission.id),
                        rule_set_version_id: Set(version_id),
                        rule_id: Set(rule_id.clone()),
                        area: Set(area),
                        severity: Set(severity.as_str().to_owned()),
                        likelihood: Set(i16::from(*likelihood)),
                        impact: Set(i16::from(*impact)),
                        explanation: Set(explanation.clone()),
                        facts: Set(facts),
                        department_id: Set(submission.department_id),
                        position_id: Set(submission.position_id),
                        status: Set(OPEN.to_owned()),
                        created_at: Set(at),
                        due_at: Set(Some(alerts.triage.due(*severity, at))),
                    });
                }
                RuleOutcome::Error {
                    rule_id,
                    kind,
                    message,
                    position,
                } => {
                    if had_error.contains(&(submission.id, rule_id.clone())) {
                        continue;
                    }
                    let kind = serde_json::to_value(kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_else(|| "runtime".to_owned());
                    rec.new_rule_errors += 1;
                    errors.push(rule_error::ActiveModel {
                        id: Set(new_id()),
                        tenant_id: Set(tenant.uuid()),
                        submission_id: Set(submission.id),
                        rule_set_version_id: Set(version_id),
                        rule_id: Set(rule_id.clone()),
                        kind: Set(kind),
                        message: Set(message.clone()),
                        line: Set(position.map(|p| i32::try_from(p.line).unwrap_or(i32::MAX))),
                        col: Set(position.map(|p| i32::try_from(p.column).unwrap_or(i32::MAX))),
                        created_at: Set(at),
                    });
                }
            }
        }
        out[i] = Some(rec);
    }
    insert_chunks::<finding::Entity, _>(&txn, findings, |q| {
        q.on_conflict_do_nothing_on([
            finding::Column::SubmissionId,
            finding::Column::RuleSetVersionId,
            finding::Column::RuleId,
        ])
    })
    .await?;
    insert_chunks::<rule_error::Entity, _>(&txn, errors, |q| {
        q.on_conflict_do_nothing_on([
            rule_error::Column::SubmissionId,
            rule_error::Column::RuleSetVersionId,
            rule_error::Column::RuleId,
        ])
    })
    .await?;
    // An alert's key is deterministic, so even a racing duplicate
    // evaluation cannot queue the same alert twice; which were new is
    // read back by key.
    let keys: Vec<(Uuid, String)> = mail
        .iter()
        .filter_map(|(sub, m)| match &m.dedupe_key {
            sea_orm::ActiveValue::Set(k) => Some((*sub, k.clone())),
            _ => None,
        })
        .collect();
    let queued_before: HashSet<String> = if keys.is_empty() {
        HashSet::new()
    } else {
        outbox::Entity::find()
            .select_only()
            .column(outbox::Column::DedupeKey)
            .filter(outbox::Column::TenantId.eq(tenant.uuid()))
            .filter(outbox::Column::DedupeKey.is_in(keys.iter().map(|(_, k)| k.clone())))
            .into_tuple::<String>()
            .all(&txn)
            .await?
            .into_iter()
            .collect()
    };
    let mut alerts_of: HashMap<Uuid, usize> = HashMap::new();
    for (sub, k) in &keys {
        if !queued_before.contains(k) {
            *alerts_of.entry(*sub).or_default() += 1;
        }
    }
    let mail: Vec<outbox::ActiveModel> = mail.into_iter().map(|(_, m)| m).collect();
    insert_chunks::<outbox::Entity, _>(&txn, mail, |q| {
        q.on_conflict_do_nothing_on([outbox::Column::DedupeKey])
    })
    .await?;
    insert_chunks::<alert_digest_entry::Entity, _>(&txn, waiting, |q| {
        q.on_conflict_do_nothing_on([alert_digest_entry::Column::FindingId])
    })
    .await?;

    submission::Entity::update_many()
        .col_expr(submission::Column::Status, Expr::value(EVALUATED))
        .col_expr(
            submission::Column::RuleSetVersionId,
            Expr::value(Some(version_id)),
        )
        .col_expr(submission::Column::EvaluatedAt, Expr::value(Some(at)))
        .col_expr(
            submission::Column::Attempts,
            Expr::col(submission::Column::Attempts).add(1),
        )
        .col_expr(
            submission::Column::ClaimedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Id.is_in(live_ids.iter().copied()))
        .exec(&txn)
        .await?;

    for &i in &live {
        let (submission, _) = items[i];
        let Some(rec) = out[i].as_mut() else {
            continue;
        };
        rec.alerts_queued = alerts_of.get(&submission.id).copied().unwrap_or(0);
        if let Some(prev) = submission.supersedes {
            rec.replaced_findings_closed =
                crate::triage::close_replaced_in(&txn, tenant, prev, submission.id, &mut deltas)
                    .await?;
        }
        entries.push(audit::entry(
            tenant,
            "worker",
            "submission.evaluate",
            &format!("submission/{}", submission.id),
            &serde_json::json!({
                "rule_set_version": version_id, "new_findings": rec.new_findings,
                "rule_errors": rec.new_rule_errors,
                "replaced_findings_closed": rec.replaced_findings_closed,
            }),
        ));
    }
    audit::append_many(&*txn, entries).await?;
    // Last: see `apply_risk_deltas`.
    apply_risk_deltas(&txn, tenant, &deltas).await?;
    txn.commit().await?;
    Ok(out)
}

enum Table {
    Findings,
    RuleErrors,
}

/// The `(submission, rule)` pairs already recorded in `table` for `ids`
/// under `version_id`.
async fn existing<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    ids: &[Uuid],
    version_id: Uuid,
    table: Table,
) -> Result<HashSet<(Uuid, String)>> {
    let rows: Vec<(Uuid, String)> = match table {
        Table::Findings => {
            finding::Entity::find()
                .select_only()
                .column(finding::Column::SubmissionId)
                .column(finding::Column::RuleId)
                .filter(finding::Column::TenantId.eq(tenant.uuid()))
                .filter(finding::Column::RuleSetVersionId.eq(version_id))
                .filter(finding::Column::SubmissionId.is_in(ids.iter().copied()))
                .into_tuple()
                .all(conn)
                .await?
        }
        Table::RuleErrors => {
            rule_error::Entity::find()
                .select_only()
                .column(rule_error::Column::SubmissionId)
                .column(rule_error::Column::RuleId)
                .filter(rule_error::Column::TenantId.eq(tenant.uuid()))
                .filter(rule_error::Column::RuleSetVersionId.eq(version_id))
                .filter(rule_error::Column::SubmissionId.is_in(ids.iter().copied()))
                .into_tuple()
                .all(conn)
                .await?
        }
    };
    Ok(rows.into_iter().collect())
}

/// Inserts `rows` with multi-row statements of at most
/// [`ROWS_PER_INSERT`], each given its conflict clause by `on_conflict`.
async fn insert_chunks<E, C>(
    conn: &C,
    rows: Vec<E::ActiveModel>,
    on_conflict: impl Fn(InsertMany<E::ActiveModel>) -> TryInsert<E::ActiveModel>,
) -> Result<()>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows.by_ref().take(ROWS_PER_INSERT).collect();
        on_conflict(E::insert_many(chunk))
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// The outbox rows that tell the tenant's recipients about a new finding,
/// with the submission it concerns: one per language the recipients read
/// (see [`AlertPolicy::languages`]), each written in it.
#[allow(clippy::too_many_arguments)]
fn alerts(
    tenant: TenantId,
    submission: &Submission,
    version_id: Uuid,
    finding_id: Uuid,
    outcome: &RuleOutcome,
    title: &str,
    facts: Option<&str>,
    alerts: &AlertPolicy,
    at: DateTime<Utc>,
) -> Result<Vec<(Uuid, outbox::ActiveModel)>> {
    let RuleOutcome::Finding {
        rule_id,
        severity,
        likelihood,
        impact,
        explanation,
        ..
    } = outcome
    else {
        return Err(StoreError::Corrupt("an alert for a rule error".into()));
    };
    let link = crate::evaluation::finding_link(&alerts.link_base, tenant, finding_id);
    let finding_ref = finding_id.to_string();
    let finding = adal_texts::notices::AlertFinding {
        rule_id,
        title,
        severity: severity.as_str(),
        likelihood: *likelihood,
        impact: *impact,
        facts,
        explanation,
        received: submission.received_at,
        finding_id: &finding_ref,
        link: &link,
    };
    let mut out = Vec::new();
    for (lang, recipients) in alerts.by_language() {
        let (subject, body) = adal_texts::notices::alert(lang, &finding);
        // English keeps the key alerts always had, so an upgrade does not
        // send again what was queued before it.
        let key = if lang == "en" {
            format!("finding/{}/{version_id}/{rule_id}", submission.id)
        } else {
            format!("finding/{}/{version_id}/{rule_id}/{lang}", submission.id)
        };
        out.push((
            submission.id,
            outbox::ActiveModel {
                id: Set(new_id()),
                tenant_id: Set(tenant.uuid()),
                dedupe_key: Set(key),
                recipients: Set(serde_json::to_string(&recipients)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?),
                subject: Set(subject),
                body: Set(body),
                status: Set(crate::outbox::PENDING.to_owned()),
                attempts: Set(0),
                next_attempt_at: Set(at),
                last_error: Set(None),
                created_at: Set(at),
                sent_at: Set(None),
                claim_token: Set(None),
            },
        ));
    }
    Ok(out)
}
