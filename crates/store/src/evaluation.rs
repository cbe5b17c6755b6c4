//! What evaluation produces: findings, rule errors, the risk map and the
//! alerts, all written in one transaction so a crash leaves either the
//! whole evaluation or none of it.

use crate::entities::{department, finding, position, risk_count, rule_error, submission};
use crate::submissions::Submission;
use crate::{Result, StoreError, TenantId, now};
use adal_sandbox_protocol::{RuleOutcome, Severity};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

pub use finding::Model as Finding;
pub use rule_error::Model as RuleError;

pub const OPEN: &str = "open";

/// What the worker knows about each rule beyond the sandbox's answer.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub title: String,
    pub area: String,
}

/// Who gets alerted, and from which severity on.
#[derive(Debug, Clone)]
pub struct AlertPolicy {
    pub threshold: Severity,
    pub recipients: Vec<String>,
    /// The language each recipient reads (lower-case email to `kk`, `ru`
    /// or `en`), as their accounts chose it; a recipient not listed reads
    /// English.
    pub languages: HashMap<String, String>,
    /// The service's public address, for the link to the finding; empty
    /// for none.
    pub link_base: String,
    /// When each new finding is due, by its severity.
    pub triage: crate::tenants::TriageDays,
    /// One email per finding, or the finding waits for the period's
    /// digest (`crate::digests`).
    pub digest: crate::tenants::AlertDigest,
}

impl AlertPolicy {
    /// The recipients grouped by the language they read, in a stable
    /// order (English first): one email per group.
    pub fn by_language(&self) -> Vec<(&'static str, Vec<&str>)> {
        by_language(&self.recipients, &self.languages)
    }
}

/// `recipients` grouped by the language each reads (`languages`: lower-case
/// email to `kk`, `ru` or `en`; anyone not listed reads English), English
/// first: one email per group. Shared by the single alerts and the digests.
pub fn by_language<'a>(
    recipients: &'a [String],
    languages: &HashMap<String, String>,
) -> Vec<(&'static str, Vec<&'a str>)> {
    let mut groups: Vec<(&'static str, Vec<&str>)> = Vec::new();
    for r in recipients {
        let lang = match languages.get(&r.trim().to_lowercase()).map(String::as_str) {
            Some("kk") => "kk",
            Some("ru") => "ru",
            _ => "en",
        };
        match groups.iter_mut().find(|(l, _)| *l == lang) {
            Some((_, rs)) => rs.push(r.as_str()),
            None => groups.push((lang, vec![r.as_str()])),
        }
    }
    groups.sort_by_key(|(l, _)| match *l {
        "en" => 0,
        "ru" => 1,
        _ => 2,
    });
    groups
}

/// The link to a finding's page on the dashboard under the service's
/// public address `link_base`; empty when that is not configured.
pub fn finding_link(link_base: &str, tenant: TenantId, finding: Uuid) -> String {
    if link_base.is_empty() {
        String::new()
    } else {
        format!(
            "{}/t/{}/findings/{finding}",
            link_base.trim_end_matches('/'),
            tenant.uuid()
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    pub new_findings: usize,
    pub new_rule_errors: usize,
    pub alerts_queued: usize,
    /// Open findings about the version this one corrects, closed because
    /// the correction replaced it.
    pub replaced_findings_closed: usize,
}

/// Records one evaluation of `submission` under rule-set version `version_id`.
/// Idempotent: running it again for the same pair adds nothing.
pub async fn record(
    store: &crate::Store,
    tenant: TenantId,
    submission: &Submission,
    version_id: Uuid,
    outcomes: &[RuleOutcome],
    rules: &HashMap<String, RuleInfo>,
    alerts: &AlertPolicy,
) -> Result<Recorded> {
    let recorded = record_batch(
        store,
        tenant,
        &[(submission, outcomes)],
        version_id,
        rules,
        alerts,
    )
    .await?;
    Ok(recorded.into_iter().flatten().next().unwrap_or_default())
}

pub use crate::recording::record_batch;

#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub submission_id: Option<Uuid>,
    pub severity: Option<String>,
    pub status: Option<String>,
    pub area: Option<String>,
    pub department_id: Option<Uuid>,
    pub likelihood: Option<i16>,
    pub impact: Option<i16>,
    /// Only findings assigned to this user ("assigned to me").
    pub assigned_to: Option<Uuid>,
    /// Only open findings due before this instant: overdue at it.
    pub overdue_at: Option<DateTime<Utc>>,
    pub order: FindingOrder,
}

/// Whether `f` is overdue at `now`: open and past its due date. The one
/// rule behind the API's `overdue`, the list's badge and the filter
/// (`FindingFilter::overdue_at`, the same test in SQL).
pub fn is_overdue(f: &Finding, now: DateTime<Utc>) -> bool {
    f.status == OPEN && f.due_at.is_some_and(|d| d < now)
}

/// The order of a list of findings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FindingOrder {
    /// Newest first.
    #[default]
    Newest,
    /// The queue: open findings first, the one due soonest (the most
    /// overdue) first; then the decided ones, newest first.
    Due,
}

/// Findings of `tenant` within `scope`: a finding tells about its
/// submission (an asset declaration's finding is as private as the
/// declaration), so the scope applies to the submission it is about.
pub async fn list_findings(
    store: &crate::Store,
    tenant: TenantId,
    scope: &crate::submissions::ReadScope,
    f: &FindingFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Finding>, u64)> {
    let mut q = finding::Entity::find().filter(finding::Column::TenantId.eq(tenant.uuid()));
    if let Some(c) = scope.condition() {
        q = q.filter(
            finding::Column::SubmissionId.in_subquery(
                Query::select()
                    .column(submission::Column::Id)
                    .from(submission::Entity)
                    .and_where(submission::Column::TenantId.eq(tenant.uuid()))
                    .cond_where(c)
                    .to_owned(),
            ),
        );
    }
    if let Some(s) = f.submission_id {
        q = q.filter(finding::Column::SubmissionId.eq(s));
    }
    if let Some(s) = &f.severity {
        q = q.filter(finding::Column::Severity.eq(s.clone()));
    }
    if let Some(s) = &f.status {
        q = q.filter(finding::Column::Status.eq(s.clone()));
    }
    if let Some(a) = &f.area {
        q = q.filter(finding::Column::Area.eq(a.clone()));
    }
    if let Some(d) = f.department_id {
        q = q.filter(finding::Column::DepartmentId.eq(d));
    }
    if let Some(l) = f.likelihood {
        q = q.filter(finding::Column::Likelihood.eq(l));
    }
    if let Some(i) = f.impact {
        q = q.filter(finding::Column::Impact.eq(i));
    }
    if let Some(u) = f.assigned_to {
        use crate::entities::finding_triage;
        q = q.filter(
            finding::Column::Id.in_subquery(
                Query::select()
                    .column(finding_triage::Column::FindingId)
                    .from(finding_triage::Entity)
                    .and_where(finding_triage::Column::TenantId.eq(tenant.uuid()))
                    .and_where(finding_triage::Column::AssignedTo.eq(u))
                    .to_owned(),
            ),
        );
    }
    if let Some(at) = f.overdue_at {
        q = q
            .filter(finding::Column::Status.eq(OPEN))
            .filter(finding::Column::DueAt.lt(at));
    }
    let total = q.clone().count(&store.scoped(tenant)).await?;
    if f.order == FindingOrder::Due {
        let open = || Expr::col(finding::Column::Status).eq(OPEN);
        q = q
            .order_by(
                Into::<Expr>::into(Expr::case(open(), 0).finally(1)),
                sea_orm::Order::Asc,
            )
            .order_by(
                Into::<Expr>::into(Expr::case(open(), Expr::col(finding::Column::DueAt))),
                sea_orm::Order::Asc,
            );
    }
    let rows = q
        .order_by_desc(finding::Column::CreatedAt)
        .order_by_asc(finding::Column::RuleId)
        .offset(offset)
        .limit(limit)
        .all(&store.scoped(tenant))
        .await?;
    Ok((rows, total))
}

/// When each of the tenant's findings since `since` was found, and its
/// severity, oldest first: the dashboard's trend counts them per week.
pub async fn finding_times(
    store: &crate::Store,
    tenant: TenantId,
    since: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, String)>> {
    Ok(finding::Entity::find()
        .select_only()
        .column(finding::Column::CreatedAt)
        .column(finding::Column::Severity)
        .filter(finding::Column::TenantId.eq(tenant.uuid()))
        .filter(finding::Column::CreatedAt.gte(since))
        .order_by_asc(finding::Column::CreatedAt)
        .into_tuple::<(DateTime<Utc>, String)>()
        .all(&store.scoped(tenant))
        .await?)
}

/// Every finding recorded for these submissions, under any version (the
/// caller picks the version it compares with).
pub async fn findings_of_submissions(
    store: &crate::Store,
    tenant: TenantId,
    submission_ids: &[Uuid],
) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    // Bounded IN lists: PostgreSQL and SQLite both cap bind parameters.
    for chunk in submission_ids.chunks(500) {
        out.extend(
            finding::Entity::find()
                .filter(finding::Column::TenantId.eq(tenant.uuid()))
                .filter(finding::Column::SubmissionId.is_in(chunk.iter().copied()))
                .all(&store.scoped(tenant))
                .await?,
        );
    }
    Ok(out)
}

pub async fn get_finding(store: &crate::Store, tenant: TenantId, id: Uuid) -> Result<Finding> {
    finding::Entity::find_by_id(id)
        .filter(finding::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn rule_errors_for(
    store: &crate::Store,
    tenant: TenantId,
    submission_id: Uuid,
) -> Result<Vec<RuleError>> {
    Ok(rule_error::Entity::find()
        .filter(rule_error::Column::TenantId.eq(tenant.uuid()))
        .filter(rule_error::Column::SubmissionId.eq(submission_id))
        .order_by_asc(rule_error::Column::RuleId)
        .all(&store.scoped(tenant))
        .await?)
}

/// The tenant's corruption-risk map: open findings placed by likelihood and
/// impact, per department and area, and positions ranked by risk.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RiskMap {
    pub computed_at: Option<DateTime<Utc>>,
    pub open_findings: u64,
    /// One entry per (likelihood, impact) with at least one finding.
    pub cells: Vec<RiskCell>,
    pub by_department_area: Vec<DepartmentAreaCell>,
    pub positions: Vec<PositionRisk>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskCell {
    pub likelihood: i16,
    pub impact: i16,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentAreaCell {
    pub department_id: Option<Uuid>,
    pub department: Option<String>,
    pub area: String,
    pub likelihood: i16,
    pub impact: i16,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionRisk {
    pub position_id: Uuid,
    pub title: String,
    pub high_risk: bool,
    pub open_findings: u64,
    /// Sum of likelihood x impact over the position's open findings.
    pub score: i64,
}

/// One group of the risk map: department, position, area, likelihood,
/// impact.
type GroupKey = (Option<Uuid>, Option<Uuid>, String, i16, i16);
/// A group and its open findings, as a recount reads them.
type GroupCount = (Option<Uuid>, Option<Uuid>, String, i16, i16, i64);

/// How a transaction changes the open findings per group: +1 for each
/// finding it opens, -1 for each it closes.
#[derive(Debug, Default)]
pub(crate) struct RiskDeltas(HashMap<GroupKey, i64>);

impl RiskDeltas {
    pub(crate) fn add(
        &mut self,
        department: Option<Uuid>,
        position: Option<Uuid>,
        area: &str,
        likelihood: i16,
        impact: i16,
        by: i64,
    ) {
        *self
            .0
            .entry((department, position, area.to_owned(), likelihood, impact))
            .or_default() += by;
    }

    pub(crate) fn closed(&mut self, f: &Finding) {
        self.add(
            f.department_id,
            f.position_id,
            &f.area,
            f.likelihood,
            f.impact,
            -1,
        );
    }
}

fn group_filter(
    q: sea_orm::UpdateMany<risk_count::Entity>,
    tenant: TenantId,
    (d, p, area, l, i): &GroupKey,
) -> sea_orm::UpdateMany<risk_count::Entity> {
    let q = q
        .filter(risk_count::Column::TenantId.eq(tenant.uuid()))
        .filter(risk_count::Column::Area.eq(area.as_str()))
        .filter(risk_count::Column::Likelihood.eq(*l))
        .filter(risk_count::Column::Impact.eq(*i));
    let q = match d {
        Some(d) => q.filter(risk_count::Column::DepartmentId.eq(*d)),
        None => q.filter(risk_count::Column::DepartmentId.is_null()),
    };
    match p {
        Some(p) => q.filter(risk_count::Column::PositionId.eq(*p)),
        None => q.filter(risk_count::Column::PositionId.is_null()),
    }
}

/// Adjusts the tenant's risk counters by what the transaction opened and
/// closed: a handful of rows, whatever the number of open findings.
///
/// On PostgreSQL it takes the tenant's risk-map lock (an advisory lock
/// held until commit), and SQLite has one writer, so no two transactions
/// of a tenant look for the same counter row at once: a group's row is
/// created exactly once even though, with nullable department and
/// position, no unique index can say so. Call it last in the transaction,
/// so the lock is held as briefly as possible. (Filings do not take it:
/// they change no counter.)
pub(crate) async fn apply_risk_deltas<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    deltas: &RiskDeltas,
) -> Result<()> {
    if deltas.0.values().all(|by| *by == 0) {
        return Ok(());
    }
    if conn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        conn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [format!("adal.risk.{}", tenant.uuid()).into()],
        ))
        .await?;
    }
    let at = now();
    for (key, by) in &deltas.0 {
        if *by == 0 {
            continue;
        }
        let q = risk_count::Entity::update_many()
            .col_expr(
                risk_count::Column::OpenCount,
                Expr::col(risk_count::Column::OpenCount).add(*by),
            )
            .col_expr(risk_count::Column::UpdatedAt, Expr::value(at));
        let updated = group_filter(q, tenant, key).exec(conn).await?;
        if updated.rows_affected == 0 {
            if *by < 0 {
                // A finding closed that was never counted: the counters
                // were out of step before this transaction. Counting it
                // below zero would only hide that; rebuild_risk_counts
                // puts them right.
                return Err(StoreError::Corrupt(format!(
                    "risk counters of tenant {tenant} miss a group with open findings"
                )));
            }
            let (d, p, area, l, i) = key.clone();
            risk_count::Entity::insert(risk_count::ActiveModel {
                tenant_id: Set(tenant.uuid()),
                department_id: Set(d),
                position_id: Set(p),
                area: Set(area),
                likelihood: Set(l),
                impact: Set(i),
                open_count: Set(*by),
                updated_at: Set(at),
                ..Default::default()
            })
            .exec_without_returning(conn)
            .await?;
        }
    }
    Ok(())
}

/// Recounts a tenant's risk counters from its open findings, replacing
/// them: the repair for counters that fell out of step (an edit made to
/// the database by hand), and the check that they did not (a test
/// compares the map before and after). Its cost grows with the findings,
/// which is why evaluation never calls it.
pub async fn rebuild_risk_counts(store: &crate::Store, tenant: TenantId) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    let groups: Vec<GroupCount> = finding::Entity::find()
        .select_only()
        .column(finding::Column::DepartmentId)
        .column(finding::Column::PositionId)
        .column(finding::Column::Area)
        .column(finding::Column::Likelihood)
        .column(finding::Column::Impact)
        .column_as(finding::Column::Id.count(), "n")
        .filter(finding::Column::TenantId.eq(tenant.uuid()))
        .filter(finding::Column::Status.eq(OPEN))
        .group_by(finding::Column::DepartmentId)
        .group_by(finding::Column::PositionId)
        .group_by(finding::Column::Area)
        .group_by(finding::Column::Likelihood)
        .group_by(finding::Column::Impact)
        .into_tuple()
        .all(&txn)
        .await?;
    risk_count::Entity::delete_many()
        .filter(risk_count::Column::TenantId.eq(tenant.uuid()))
        .exec(&txn)
        .await?;
    let at = now();
    for (d, p, area, l, i, n) in groups {
        risk_count::Entity::insert(risk_count::ActiveModel {
            tenant_id: Set(tenant.uuid()),
            department_id: Set(d),
            position_id: Set(p),
            area: Set(area),
            likelihood: Set(l),
            impact: Set(i),
            open_count: Set(n),
            updated_at: Set(at),
            ..Default::default()
        })
        .exec_without_returning(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The tenant's risk map, read from its counters (a few hundred rows at
/// most: departments x positions x areas x 25 cells in use); an empty map
/// for a tenant without findings.
pub async fn risk_map(store: &crate::Store, tenant: TenantId) -> Result<RiskMap> {
    let conn = &store.scoped(tenant);
    let groups = risk_count::Entity::find()
        .filter(risk_count::Column::TenantId.eq(tenant.uuid()))
        .filter(risk_count::Column::OpenCount.gt(0))
        .all(conn)
        .await?;
    let departments: HashMap<Uuid, String> = department::Entity::find()
        .filter(department::Column::TenantId.eq(tenant.uuid()))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let positions: HashMap<Uuid, position::Model> = position::Entity::find()
        .filter(position::Column::TenantId.eq(tenant.uuid()))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();

    let mut cells: BTreeMap<(i16, i16), u64> = BTreeMap::new();
    let mut dept: BTreeMap<(Option<Uuid>, String, i16, i16), u64> = BTreeMap::new();
    let mut pos: HashMap<Uuid, (u64, i64)> = HashMap::new();
    let mut total = 0u64;
    let mut computed_at: Option<DateTime<Utc>> = None;
    for g in groups {
        let n = u64::try_from(g.open_count).unwrap_or(0);
        let (l, i) = (g.likelihood, g.impact);
        total += n;
        computed_at = Ord::max(computed_at, Some(g.updated_at));
        *cells.entry((l, i)).or_default() += n;
        *dept.entry((g.department_id, g.area, l, i)).or_default() += n;
        if let Some(p) = g.position_id {
            let e = pos.entry(p).or_default();
            e.0 += n;
            e.1 += i64::from(l) * i64::from(i) * g.open_count;
        }
    }
    let mut ranked: Vec<PositionRisk> = pos
        .into_iter()
        .filter_map(|(id, (count, score))| {
            positions.get(&id).map(|p| PositionRisk {
                position_id: id,
                title: p.title.clone(),
                high_risk: p.high_risk,
                open_findings: count,
                score,
            })
        })
        .collect();
    ranked.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.title.cmp(&b.title)));
    Ok(RiskMap {
        computed_at,
        open_findings: total,
        cells: cells
            .into_iter()
            .map(|((likelihood, impact), count)| RiskCell {
                likelihood,
                impact,
                count,
            })
            .collect(),
        by_department_area: dept
            .into_iter()
            .map(
                |((d, area, likelihood, impact), count)| DepartmentAreaCell {
                    department_id: d,
                    department: d.and_then(|d| departments.get(&d).cloned()),
                    area,
                    likelihood,
                    impact,
                    count,
                },
            )
            .collect(),
        positions: ranked,
    })
}
