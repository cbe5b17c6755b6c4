//! What the Agency's corruption cartogram is built from (issue 15): each
//! tenant's open findings, read from its risk counters (a few rows per
//! tenant, however many findings it has), and the positions tenants list
//! as high-risk with the findings open on them. Read across tenants: only
//! the platform's Agency and administrators reach these.

use crate::entities::{department, position, risk_count, tenant};
use crate::{Result, TenantId};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, prelude::Uuid};
use std::collections::HashMap;

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
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Every tenant with its open and high-risk findings, by name.
pub async fn tenant_risks(store: &crate::Store) -> Result<Vec<TenantRisk>> {
    let conn = &store.across_tenants();
    let tenants = tenant::Entity::find()
        .order_by_asc(tenant::Column::Name)
        .all(conn)
        .await?;
    let mut open: HashMap<Uuid, (u64, u64)> = HashMap::new();
    let cells: Vec<(Uuid, i16, i16, i64)> = risk_count::Entity::find()
        .select_only()
        .column(risk_count::Column::TenantId)
        .column(risk_count::Column::Likelihood)
        .column(risk_count::Column::Impact)
        .column(risk_count::Column::OpenCount)
        .filter(risk_count::Column::OpenCount.gt(0))
        .into_tuple()
        .all(conn)
        .await?;
    for (t, l, i, n) in cells {
        let e = open.entry(t).or_default();
        e.0 += count(n);
        if i32::from(l) * i32::from(i) >= HIGH_FROM {
            e.1 += count(n);
        }
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
                name: t.name,
                region: t.region,
                sector: t.sector,
                open: o,
                high: h,
            }
        })
        .collect())
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
