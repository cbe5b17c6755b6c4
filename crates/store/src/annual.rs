//! What a tenant's annual internal analysis of corruption risks is built
//! from (issue 15, docs/annual-report.md): the findings raised in the year,
//! grouped in the database (a few hundred groups, however many findings);
//! the feedback cases received in the year; the staff in high-risk
//! positions and who of them completed anti-corruption training in the
//! year. The report itself is composed by `adal_service::annual`.

use crate::entities::{finding, person, position, report, submission};
use crate::{Result, TenantId};
use adal_domain::Kind;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, prelude::Uuid};
use std::collections::{HashMap, HashSet};

/// The year as Kazakhstan counts it: from its first midnight (UTC+5) to
/// the next year's, and its first and last days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Year {
    pub year: i32,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
}

impl Year {
    /// `None` outside the years a date can hold.
    pub fn of(year: i32) -> Option<Self> {
        let first_day = NaiveDate::from_ymd_opt(year, 1, 1)?;
        let next = NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?;
        let start = |d: NaiveDate| {
            d.and_hms_opt(0, 0, 0).map(|t| {
                t.and_utc() - chrono::Duration::hours(adal_domain::KAZAKHSTAN_UTC_OFFSET_HOURS)
            })
        };
        Some(Self {
            year,
            first_day,
            last_day: next.pred_opt()?,
            from: start(first_day)?,
            until: start(next)?,
        })
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// A group's columns as the database returns them: area, rule, status,
/// severity, likelihood, impact, department, count.
type GroupRow = (String, String, String, String, i16, i16, Option<Uuid>, i64);

/// A case's outcome and when it was closed and escalated.
type CaseRow = (Option<String>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Findings raised in the year that share every one of these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingGroup {
    pub area: String,
    pub rule_id: String,
    pub status: String,
    pub severity: String,
    pub likelihood: i16,
    pub impact: i16,
    pub department_id: Option<Uuid>,
    pub count: u64,
}

/// The tenant's findings raised in `year`, grouped.
pub async fn findings(
    store: &crate::Store,
    tenant: TenantId,
    year: &Year,
) -> Result<Vec<FindingGroup>> {
    let rows: Vec<GroupRow> = finding::Entity::find()
        .select_only()
        .column(finding::Column::Area)
        .column(finding::Column::RuleId)
        .column(finding::Column::Status)
        .column(finding::Column::Severity)
        .column(finding::Column::Likelihood)
        .column(finding::Column::Impact)
        .column(finding::Column::DepartmentId)
        .column_as(finding::Column::Id.count(), "n")
        .filter(finding::Column::TenantId.eq(tenant.uuid()))
        .filter(finding::Column::CreatedAt.gte(year.from))
        .filter(finding::Column::CreatedAt.lt(year.until))
        .group_by(finding::Column::Area)
        .group_by(finding::Column::RuleId)
        .group_by(finding::Column::Status)
        .group_by(finding::Column::Severity)
        .group_by(finding::Column::Likelihood)
        .group_by(finding::Column::Impact)
        .group_by(finding::Column::DepartmentId)
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    let mut groups: Vec<FindingGroup> = rows
        .into_iter()
        .map(
            |(area, rule_id, status, severity, likelihood, impact, department_id, n)| {
                FindingGroup {
                    area,
                    rule_id,
                    status,
                    severity,
                    likelihood,
                    impact,
                    department_id,
                    count: count(n),
                }
            },
        )
        .collect();
    // The database's grouping has no order; the report's must not vary.
    groups.sort_by(|a, b| {
        (
            &a.area,
            &a.rule_id,
            &a.status,
            &a.severity,
            a.likelihood,
            a.impact,
            a.department_id,
        )
            .cmp(&(
                &b.area,
                &b.rule_id,
                &b.status,
                &b.severity,
                b.likelihood,
                b.impact,
                b.department_id,
            ))
    });
    Ok(groups)
}

/// Findings raised in the year per position, for the positions that have any.
pub async fn findings_by_position(
    store: &crate::Store,
    tenant: TenantId,
    year: &Year,
) -> Result<HashMap<Uuid, u64>> {
    let rows: Vec<(Option<Uuid>, i64)> = finding::Entity::find()
        .select_only()
        .column(finding::Column::PositionId)
        .column_as(finding::Column::Id.count(), "n")
        .filter(finding::Column::TenantId.eq(tenant.uuid()))
        .filter(finding::Column::CreatedAt.gte(year.from))
        .filter(finding::Column::CreatedAt.lt(year.until))
        .filter(finding::Column::PositionId.is_not_null())
        .group_by(finding::Column::PositionId)
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(p, n)| p.map(|p| (p, count(n))))
        .collect())
}

/// The feedback cases received in the year: how far each got.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cases {
    pub received: u64,
    pub closed: u64,
    pub escalated: u64,
    /// Closed cases by outcome (`substantiated`, ...).
    pub outcomes: Vec<(String, u64)>,
}

pub async fn cases(store: &crate::Store, tenant: TenantId, year: &Year) -> Result<Cases> {
    let rows: Vec<CaseRow> = report::Entity::find()
        .select_only()
        .column(report::Column::Outcome)
        .column(report::Column::ClosedAt)
        .column(report::Column::EscalatedAt)
        .filter(report::Column::TenantId.eq(tenant.uuid()))
        .filter(report::Column::ReceivedOn.gte(year.first_day))
        .filter(report::Column::ReceivedOn.lte(year.last_day))
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    let mut c = Cases::default();
    let mut outcomes: HashMap<String, u64> = HashMap::new();
    for (outcome, closed_at, escalated_at) in rows {
        c.received += 1;
        if closed_at.is_some() {
            c.closed += 1;
            if let Some(o) = outcome {
                *outcomes.entry(o).or_default() += 1;
            }
        }
        if escalated_at.is_some() {
            c.escalated += 1;
        }
    }
    c.outcomes = outcomes.into_iter().collect();
    c.outcomes.sort();
    Ok(c)
}

/// Anti-corruption training of the staff in high-risk positions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Training {
    /// People on file during the year whose position is high-risk.
    pub high_risk_staff: u64,
    /// Of them, those who completed anti-corruption training in the year.
    pub high_risk_trained: u64,
    /// Every training of any topic completed in the year.
    pub trainings: u64,
    /// Different people trained in anti-corruption in the year.
    pub people_trained: u64,
}

pub async fn training(store: &crate::Store, tenant: TenantId, year: &Year) -> Result<Training> {
    let conn = &store.scoped(tenant);
    let high_risk: HashSet<Uuid> = position::Entity::find()
        .select_only()
        .column(position::Column::Id)
        .filter(position::Column::TenantId.eq(tenant.uuid()))
        .filter(position::Column::HighRisk.eq(true))
        .into_tuple()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let staff: Vec<(String, Option<Uuid>)> = person::Entity::find()
        .select_only()
        .column(person::Column::Iin)
        .column(person::Column::PositionId)
        .filter(person::Column::TenantId.eq(tenant.uuid()))
        .filter(
            sea_orm::Condition::any()
                .add(person::Column::StartedOn.is_null())
                .add(person::Column::StartedOn.lte(year.last_day)),
        )
        .filter(
            sea_orm::Condition::any()
                .add(person::Column::EndedOn.is_null())
                .add(person::Column::EndedOn.gte(year.first_day)),
        )
        .into_tuple()
        .all(conn)
        .await?;
    // A training completed in the year was filed in it or since: the
    // filter only narrows what is read.
    let filed: Vec<String> = submission::Entity::find()
        .select_only()
        .column(submission::Column::Payload)
        .filter(submission::Column::TenantId.eq(tenant.uuid()))
        .filter(submission::Column::Kind.eq(Kind::Training.as_str()))
        .filter(submission::Column::SupersededBy.is_null())
        .filter(submission::Column::ReceivedAt.gte(year.from))
        .into_tuple()
        .all(conn)
        .await?;
    let mut t = Training::default();
    let mut trained: HashSet<String> = HashSet::new();
    for payload in filed {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&payload) else {
            continue;
        };
        let on = v
            .get("completed_on")
            .and_then(serde_json::Value::as_str)
            .and_then(|d| d.parse::<NaiveDate>().ok());
        if !on.is_some_and(|d| d >= year.first_day && d <= year.last_day) {
            continue;
        }
        t.trainings += 1;
        if v.get("topic").and_then(serde_json::Value::as_str) == Some("anti_corruption")
            && let Some(iin) = v.get("person_iin").and_then(serde_json::Value::as_str)
        {
            trained.insert(iin.to_owned());
        }
    }
    t.people_trained = u64::try_from(trained.len()).unwrap_or(u64::MAX);
    for (iin, position) in staff {
        if position.is_some_and(|p| high_risk.contains(&p)) {
            t.high_risk_staff += 1;
            if trained.contains(&iin) {
                t.high_risk_trained += 1;
            }
        }
    }
    Ok(t)
}

/// Most measures a risk lists; the rest are counted, not named.
pub const MAX_MEASURES: usize = 5;

/// What the compliance unit did about the findings of the year it
/// resolved: the distinct reasons it recorded when closing them, per area
/// and rule, at most [`MAX_MEASURES`] each, in the order first given.
pub async fn measures(
    store: &crate::Store,
    tenant: TenantId,
    year: &Year,
) -> Result<HashMap<(String, String), Vec<String>>> {
    use crate::entities::finding_triage;
    let conn = &store.scoped(tenant);
    let resolved: Vec<(Uuid, String, String)> = finding::Entity::find()
        .select_only()
        .column(finding::Column::Id)
        .column(finding::Column::Area)
        .column(finding::Column::RuleId)
        .filter(finding::Column::TenantId.eq(tenant.uuid()))
        .filter(finding::Column::CreatedAt.gte(year.from))
        .filter(finding::Column::CreatedAt.lt(year.until))
        .filter(finding::Column::Status.eq(crate::triage::RESOLVED))
        .into_tuple()
        .all(conn)
        .await?;
    let of: HashMap<Uuid, (String, String)> = resolved
        .into_iter()
        .map(|(id, area, rule)| (id, (area, rule)))
        .collect();
    let ids: Vec<Uuid> = of.keys().copied().collect();
    let mut reasons: Vec<(Option<DateTime<Utc>>, Uuid, String)> = Vec::new();
    // Bounded IN lists: SQLite takes at most 32,766 parameters.
    for chunk in ids.chunks(500) {
        let rows: Vec<(Uuid, Option<String>, Option<DateTime<Utc>>)> =
            finding_triage::Entity::find()
                .select_only()
                .column(finding_triage::Column::FindingId)
                .column(finding_triage::Column::Reason)
                .column(finding_triage::Column::DecidedAt)
                .filter(finding_triage::Column::TenantId.eq(tenant.uuid()))
                .filter(finding_triage::Column::FindingId.is_in(chunk.iter().copied()))
                .into_tuple()
                .all(conn)
                .await?;
        reasons.extend(
            rows.into_iter()
                .filter_map(|(id, reason, at)| reason.map(|r| (at, id, r))),
        );
    }
    reasons.sort();
    let mut out: HashMap<(String, String), Vec<String>> = HashMap::new();
    for (_, id, reason) in reasons {
        let Some(key) = of.get(&id) else { continue };
        let list = out.entry(key.clone()).or_default();
        let reason = reason.trim().to_owned();
        if !reason.is_empty() && list.len() < MAX_MEASURES && !list.contains(&reason) {
            list.push(reason);
        }
    }
    Ok(out)
}
