//! What the Agency's corruption cartogram is built from (issue 15): each
//! tenant's open findings, read from its risk counters (a few rows per
//! tenant, however many findings it has), and the positions tenants list
//! as high-risk with the findings open on them. Read across tenants: only
//! the platform's Agency and administrators reach these.

use crate::entities::{department, finding, position, report, risk_count, tenant};
use crate::{Result, TenantId};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, prelude::Uuid};
use std::collections::{BTreeMap, HashMap};

/// A finding's cell counts as high risk from this likelihood x impact on
/// (the "high" and "critical" bands of the tenant's risk map).
pub const HIGH_FROM: i32 = 10;

/// One tenant's posture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRisk {
    pub id: TenantId,
    pub name: String,
    pub region: String,
    pub sector: String,
    pub open: u64,
    /// Open findings in high-risk cells (likelihood x impact >= 10).
    pub high: u64,
    /// Positions the tenant lists as high-risk.
    pub high_risk_positions: u64,
    /// Open findings by severity: low, medium, high, critical.
    pub by_severity: [u64; 4],
    /// Open findings by band of likelihood x impact: low (under 5), medium
    /// (under 10), high (under 17), critical.
    pub by_band: [u64; 4],
    /// Open findings by the Guidelines' area.
    pub by_area: BTreeMap<String, u64>,
    /// People whose asset declaration for last year is late or missing,
    /// by the tenant's own deadline.
    pub overdue_declarations: u64,
    /// Feedback cases still open, and closed.
    pub cases_open: u64,
    pub cases_closed: u64,
    /// Closed cases by outcome.
    pub case_outcomes: BTreeMap<String, u64>,
}

/// The severities in the order of [`TenantRisk::by_severity`].
pub const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];

/// The band of a cell, as an index into [`TenantRisk::by_band`] (the
/// risk map's bands).
pub fn band_index(likelihood: i16, impact: i16) -> usize {
    match i32::from(likelihood) * i32::from(impact) {
        ..=4 => 0,
        5..=9 => 1,
        10..=16 => 2,
        _ => 3,
    }
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Every tenant with its open and high-risk findings, by name, by band and
/// by area: from the risk counters, a few rows per tenant. The rest of
/// what the Guidelines' areas ask about is [`add_accountability`]'s, which
/// the public aggregate does without.
pub async fn tenant_risks(store: &crate::Store) -> Result<Vec<TenantRisk>> {
    let conn = &store.across_tenants();
    let tenants = tenant::Entity::find()
        .order_by_asc(tenant::Column::Name)
        .all(conn)
        .await?;
    let mut open: HashMap<Uuid, (u64, u64)> = HashMap::new();
    let mut bands: HashMap<Uuid, [u64; 4]> = HashMap::new();
    let mut areas: HashMap<Uuid, BTreeMap<String, u64>> = HashMap::new();
    let cells: Vec<(Uuid, String, i16, i16, i64)> = risk_count::Entity::find()
        .select_only()
        .column(risk_count::Column::TenantId)
        .column(risk_count::Column::Area)
        .column(risk_count::Column::Likelihood)
        .column(risk_count::Column::Impact)
        .column(risk_count::Column::OpenCount)
        .filter(risk_count::Column::OpenCount.gt(0))
        .into_tuple()
        .all(conn)
        .await?;
    for (t, area, l, i, n) in cells {
        let e = open.entry(t).or_default();
        e.0 += count(n);
        if i32::from(l) * i32::from(i) >= HIGH_FROM {
            e.1 += count(n);
        }
        bands.entry(t).or_default()[band_index(l, i)] += count(n);
        *areas.entry(t).or_default().entry(area).or_default() += count(n);
    }
    let positions: HashMap<Uuid, i64> = position::Entity::find()
        .select_only()
        .column(position::Column::TenantId)
        .column_as(position::Column::Id.count(), "n")
        .filter(position::Column::HighRisk.eq(true))
        .group_by(position::Column::TenantId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    Ok(tenants
        .into_iter()
        .map(|t| {
            let (o, h) = open.get(&t.id).copied().unwrap_or_default();
            TenantRisk {
                id: TenantId::from_uuid(t.id),
                high_risk_positions: count(positions.get(&t.id).copied().unwrap_or(0)),
                by_band: bands.get(&t.id).copied().unwrap_or_default(),
                by_area: areas.remove(&t.id).unwrap_or_default(),
                name: t.name,
                region: t.region,
                sector: t.sector,
                open: o,
                high: h,
                // Filled by add_accountability where wanted.
                by_severity: [0; 4],
                overdue_declarations: 0,
                cases_open: 0,
                cases_closed: 0,
                case_outcomes: BTreeMap::new(),
            }
        })
        .collect())
}

/// Adds to each tenant of `risks` its open findings by severity, its
/// feedback cases and their outcomes, and its overdue declarations (judged
/// on `today`, by its own deadline). The declarations cost two reads per
/// tenant: the Agency's view pays for them, the public aggregate does not.
pub async fn add_accountability(
    store: &crate::Store,
    risks: &mut [TenantRisk],
    today: chrono::NaiveDate,
) -> Result<()> {
    let conn = &store.across_tenants();
    // Severity is not in the counters: one grouped read of the open ones.
    let mut severities: HashMap<Uuid, [u64; 4]> = HashMap::new();
    let by_severity: Vec<(Uuid, String, i64)> = finding::Entity::find()
        .select_only()
        .column(finding::Column::TenantId)
        .column(finding::Column::Severity)
        .column_as(finding::Column::Id.count(), "n")
        .filter(finding::Column::Status.eq(crate::evaluation::OPEN))
        .group_by(finding::Column::TenantId)
        .group_by(finding::Column::Severity)
        .into_tuple()
        .all(conn)
        .await?;
    for (t, sev, n) in by_severity {
        if let Some(i) = SEVERITIES.iter().position(|s| *s == sev) {
            severities.entry(t).or_default()[i] += count(n);
        }
    }
    let mut cases: HashMap<Uuid, (u64, u64, BTreeMap<String, u64>)> = HashMap::new();
    let reports: Vec<(Uuid, Option<String>, Option<chrono::DateTime<chrono::Utc>>)> =
        report::Entity::find()
            .select_only()
            .column(report::Column::TenantId)
            .column(report::Column::Outcome)
            .column(report::Column::ClosedAt)
            .into_tuple()
            .all(conn)
            .await?;
    for (t, outcome, closed) in reports {
        let e = cases.entry(t).or_default();
        if closed.is_some() {
            e.1 += 1;
            if let Some(o) = outcome {
                *e.2.entry(o).or_default() += 1;
            }
        } else {
            e.0 += 1;
        }
    }
    let tenants: HashMap<Uuid, tenant::Model> = tenant::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    for r in risks.iter_mut() {
        let id = r.id.uuid();
        r.by_severity = severities.get(&id).copied().unwrap_or_default();
        (r.cases_open, r.cases_closed, r.case_outcomes) = cases.remove(&id).unwrap_or_default();
        if let Some(t) = tenants.get(&id)
            && let Some(o) = crate::declarations::overdue(store, t, today).await?
        {
            r.overdue_declarations = u64::try_from(o.missing + o.late).unwrap_or(u64::MAX);
        }
    }
    Ok(())
}

/// A position a tenant lists as high-risk, with the findings open on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionRisk {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub region: String,
    pub sector: String,
    pub position_id: Uuid,
    pub title: String,
    pub department: Option<String>,
    /// The tenant's own risk level of the position, 1 to 5.
    pub risk_level: i16,
    pub open: u64,
    pub high: u64,
}

/// Every high-risk position of every tenant, most exposed first: by
/// high-risk findings open on it, then all open findings, then the
/// tenant's own risk level.
pub async fn high_risk_positions(store: &crate::Store) -> Result<Vec<PositionRisk>> {
    let conn = &store.across_tenants();
    let tenants: HashMap<Uuid, tenant::Model> = tenant::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let departments: HashMap<Uuid, String> = department::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let mut open: HashMap<Uuid, (u64, u64)> = HashMap::new();
    let cells: Vec<(Option<Uuid>, i16, i16, i64)> = risk_count::Entity::find()
        .select_only()
        .column(risk_count::Column::PositionId)
        .column(risk_count::Column::Likelihood)
        .column(risk_count::Column::Impact)
        .column(risk_count::Column::OpenCount)
        .filter(risk_count::Column::OpenCount.gt(0))
        .filter(risk_count::Column::PositionId.is_not_null())
        .into_tuple()
        .all(conn)
        .await?;
    for (p, l, i, n) in cells {
        let Some(p) = p else { continue };
        let e = open.entry(p).or_default();
        e.0 += count(n);
        if i32::from(l) * i32::from(i) >= HIGH_FROM {
            e.1 += count(n);
        }
    }
    let mut out: Vec<PositionRisk> = position::Entity::find()
        .filter(position::Column::HighRisk.eq(true))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|p| {
            let t = tenants.get(&p.tenant_id)?;
            let (o, h) = open.get(&p.id).copied().unwrap_or_default();
            Some(PositionRisk {
                tenant_id: TenantId::from_uuid(t.id),
                tenant_name: t.name.clone(),
                region: t.region.clone(),
                sector: t.sector.clone(),
                position_id: p.id,
                department: p.department_id.and_then(|d| departments.get(&d).cloned()),
                title: p.title,
                risk_level: p.risk_level,
                open: o,
                high: h,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (b.high, b.open, b.risk_level)
            .cmp(&(a.high, a.open, a.risk_level))
            .then_with(|| a.tenant_name.cmp(&b.tenant_name))
            .then_with(|| a.title.cmp(&b.title))
    });
    Ok(out)
}
