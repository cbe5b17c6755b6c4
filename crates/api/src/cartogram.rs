//! The Agency's corruption cartogram across tenants (docs/cartogram.md):
//! by region and sector, as JSON, SVG and CSV, the ranked high-risk
//! positions, and the public aggregate for the portal.

use crate::AppState;
use crate::bearer::BearerAuth;
use crate::error::{ApiError, ApiResult};
use adal_authz::{act, obj};
use adal_domain::{Region, Sector};
use adal_service::cartogram::{self, Filter, Totals};
use adal_store::cartogram as data;
use poem::web::Data;
use poem_openapi::{
    ApiResponse, Object, OpenApi, Tags, param::Query, payload::Json, payload::PlainText,
};
use uuid::Uuid;

#[derive(Tags)]
enum ApiTags {
    /// The Agency's views across tenants
    Agency,
}

/// Most high-risk positions one answer lists.
const MAX_POSITIONS: u64 = 1_000;

/// A group's totals.
#[derive(Debug, Object)]
pub struct TotalsOut {
    pub tenants: u64,
    pub open_findings: u64,
    /// Open findings in high-risk cells (likelihood x impact at least 10).
    pub high_risk_findings: u64,
    pub high_risk_positions: u64,
    /// `empty`, `clear`, `low`, `medium`, `high` or `critical`: high-risk
    /// findings per tenant (none; under 1; under 3; under 6; 6 or more).
    pub level: String,
    /// Open findings by severity.
    pub by_severity: SeverityOut,
    /// Open findings by band of likelihood x impact (low under 5, medium
    /// under 10, high under 17, critical).
    pub by_band: SeverityOut,
    /// People late with, or missing, last year's asset declaration.
    pub overdue_declarations: u64,
    pub cases_open: u64,
    pub cases_closed: u64,
    pub cases_substantiated: u64,
}

/// Counts in four grades, lowest first.
#[derive(Debug, Object)]
#[oai(rename = "CartogramGrades")]
pub struct SeverityOut {
    pub low: u64,
    pub medium: u64,
    pub high: u64,
    pub critical: u64,
}

impl From<[u64; 4]> for SeverityOut {
    fn from(a: [u64; 4]) -> Self {
        Self {
            low: a[0],
            medium: a[1],
            high: a[2],
            critical: a[3],
        }
    }
}

impl From<&Totals> for TotalsOut {
    fn from(t: &Totals) -> Self {
        Self {
            tenants: t.tenants,
            open_findings: t.open,
            high_risk_findings: t.high,
            high_risk_positions: t.high_risk_positions,
            level: t.level().as_str().to_owned(),
            by_severity: t.by_severity.into(),
            by_band: t.by_band.into(),
            overdue_declarations: t.overdue_declarations,
            cases_open: t.cases_open,
            cases_closed: t.cases_closed,
            cases_substantiated: t.cases_substantiated,
        }
    }
}

#[derive(Debug, Object)]
pub struct RegionOut {
    pub region: String,
    #[oai(flatten)]
    pub totals: TotalsOut,
}

#[derive(Debug, Object)]
pub struct SectorOut {
    pub sector: String,
    #[oai(flatten)]
    pub totals: TotalsOut,
}

#[derive(Debug, Object)]
pub struct TenantRiskOut {
    pub tenant_id: Uuid,
    pub name: String,
    pub region: String,
    pub sector: String,
    pub open_findings: u64,
    pub high_risk_findings: u64,
    pub high_risk_positions: u64,
}

/// The cartogram of a selection.
#[derive(Debug, Object)]
pub struct CartogramOut {
    #[oai(nullable)]
    pub region: Option<String>,
    #[oai(nullable)]
    pub sector: Option<String>,
    pub total: TotalsOut,
    /// All 20 regions, in a fixed order.
    pub regions: Vec<RegionOut>,
    pub sectors: Vec<SectorOut>,
    /// The selection's open findings by the Guidelines' area.
    pub by_area: std::collections::BTreeMap<String, u64>,
    /// The selection's closed cases by outcome.
    pub case_outcomes: std::collections::BTreeMap<String, u64>,
    /// The tenants of the selection, most exposed first.
    pub tenants: Vec<TenantRiskOut>,
}

#[derive(Debug, Object)]
pub struct PositionRiskOut {
    pub tenant_id: Uuid,
    pub tenant_name: String,
    pub region: String,
    pub sector: String,
    pub position_id: Uuid,
    pub title: String,
    #[oai(nullable)]
    pub department: Option<String>,
    /// The tenant's own risk level of the position, 1 to 5.
    pub risk_level: i16,
    pub open_findings: u64,
    pub high_risk_findings: u64,
}

/// A region in the public cartogram: figures only for groups of at least
/// three organisations.
#[derive(Debug, Object)]
pub struct PublicRegionOut {
    pub region: String,
    pub tenants: u64,
    #[oai(nullable)]
    pub open_findings: Option<u64>,
    #[oai(nullable)]
    pub high_risk_findings: Option<u64>,
    #[oai(nullable)]
    pub level: Option<String>,
}

#[derive(ApiResponse)]
enum CartogramResponse {
    #[oai(status = 200)]
    Ok(Json<CartogramOut>),
}

#[derive(ApiResponse)]
enum SvgResponse {
    /// The tile-grid cartogram, readable without JavaScript.
    #[oai(status = 200, content_type = "image/svg+xml")]
    Ok(PlainText<String>),
}

#[derive(ApiResponse)]
enum CsvResponse {
    #[oai(status = 200, content_type = "text/csv; charset=utf-8")]
    Ok(PlainText<String>),
}

#[derive(ApiResponse)]
enum PositionsResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<PositionRiskOut>>),
}

#[derive(ApiResponse)]
enum PublicResponse {
    #[oai(status = 200)]
    Ok(Json<Vec<PublicRegionOut>>),
}

/// The selection named by `region` and `sector`, each checked against the
/// closed list it comes from.
pub fn filter(region: Option<&str>, sector: Option<&str>) -> ApiResult<Filter> {
    let region = region
        .filter(|r| !r.is_empty())
        .map(Region::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("region: {e}")))?;
    let sector = sector
        .filter(|s| !s.is_empty())
        .map(Sector::parse)
        .transpose()
        .map_err(|e| ApiError::bad_request(format!("sector: {e}")))?;
    Ok(Filter { region, sector })
}

/// The Agency (or a platform admin) asking, and the selection asked for.
async fn selected(
    state: &AppState,
    auth: &BearerAuth,
    region: &Query<Option<String>>,
    sector: &Query<Option<String>>,
) -> ApiResult<Filter> {
    adal_service::authorize_platform(state, &auth.0, obj::TENANTS, act::READ).await?;
    filter(region.0.as_deref(), sector.0.as_deref())
}

async fn cartogram_of(state: &AppState, f: Filter) -> ApiResult<cartogram::Cartogram> {
    Ok(cartogram::for_agency(&state.store, f, adal_domain::kazakhstan_today()).await?)
}

fn position_out(p: data::PositionRisk) -> PositionRiskOut {
    PositionRiskOut {
        tenant_id: p.tenant_id.uuid(),
        tenant_name: p.tenant_name,
        region: p.region,
        sector: p.sector,
        position_id: p.position_id,
        title: p.title,
        department: p.department,
        risk_level: p.risk_level,
        open_findings: p.open,
        high_risk_findings: p.high,
    }
}

/// The positions' CSV: one row each, most exposed first.
fn positions_csv(all: Vec<data::PositionRisk>) -> ApiResult<String> {
    let t = adal_service::export::Table::new(
        vec![
            "tenant_id",
            "tenant_name",
            "region",
            "sector",
            "position_id",
            "title",
            "department",
            "risk_level",
            "open_findings",
            "high_risk_findings",
        ],
        all.into_iter()
            .map(|p| {
                vec![
                    p.tenant_id.uuid().to_string(),
                    p.tenant_name,
                    p.region,
                    p.sector,
                    p.position_id.to_string(),
                    p.title,
                    p.department.unwrap_or_default(),
                    p.risk_level.to_string(),
                    p.open.to_string(),
                    p.high.to_string(),
                ]
            })
            .collect(),
    );
    Ok(t.csv()?)
}

pub struct CartogramApi;

#[OpenApi(tag = "ApiTags::Agency")]
impl CartogramApi {
    /// Open findings across every tenant by region and sector, with the
    /// tenants of the selection (Agency auditors and platform admins).
    #[oai(
        path = "/agency/cartogram",
        method = "get",
        operation_id = "getCartogram"
    )]
    async fn cartogram(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        region: Query<Option<String>>,
        sector: Query<Option<String>>,
    ) -> ApiResult<CartogramResponse> {
        let f = selected(&state, &auth, &region, &sector).await?;
        let c = cartogram_of(&state, f).await?;
        Ok(CartogramResponse::Ok(Json(CartogramOut {
            region: f.region.map(|r| r.as_str().to_owned()),
            sector: f.sector.map(|s| s.as_str().to_owned()),
            total: (&c.total).into(),
            regions: c
                .regions
                .iter()
                .map(|(r, t)| RegionOut {
                    region: r.as_str().to_owned(),
                    totals: t.into(),
                })
                .collect(),
            sectors: c
                .sectors
                .iter()
                .map(|(s, t)| SectorOut {
                    sector: s.as_str().to_owned(),
                    totals: t.into(),
                })
                .collect(),
            by_area: c.areas.clone(),
            case_outcomes: c.case_outcomes.clone(),
            tenants: c
                .tenants
                .into_iter()
                .map(|t| TenantRiskOut {
                    tenant_id: t.id.uuid(),
                    name: t.name,
                    region: t.region,
                    sector: t.sector,
                    open_findings: t.open,
                    high_risk_findings: t.high,
                    high_risk_positions: t.high_risk_positions,
                })
                .collect(),
        })))
    }

    /// The cartogram as a tile grid in SVG, one tile per region.
    #[oai(
        path = "/agency/cartogram.svg",
        method = "get",
        operation_id = "getCartogramSvg"
    )]
    async fn cartogram_svg(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        region: Query<Option<String>>,
        sector: Query<Option<String>>,
    ) -> ApiResult<SvgResponse> {
        let f = selected(&state, &auth, &region, &sector).await?;
        let c = cartogram_of(&state, f).await?;
        Ok(SvgResponse::Ok(PlainText(cartogram::english_svg(&c))))
    }

    /// The cartogram's table as CSV: a row per region, then per sector.
    #[oai(
        path = "/agency/cartogram.csv",
        method = "get",
        operation_id = "getCartogramCsv"
    )]
    async fn cartogram_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        region: Query<Option<String>>,
        sector: Query<Option<String>>,
    ) -> ApiResult<CsvResponse> {
        let f = selected(&state, &auth, &region, &sector).await?;
        let c = cartogram_of(&state, f).await?;
        Ok(CsvResponse::Ok(PlainText(cartogram::csv(&c))))
    }

    /// Every tenant's high-risk positions, most exposed first (high-risk
    /// findings open on the position, then all open findings, then the
    /// tenant's risk level); `limit` 1 to 1,000, default 100.
    #[oai(
        path = "/agency/high-risk-positions",
        method = "get",
        operation_id = "listHighRiskPositions"
    )]
    async fn positions(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        region: Query<Option<String>>,
        sector: Query<Option<String>>,
        limit: Query<Option<u64>>,
    ) -> ApiResult<PositionsResponse> {
        let f = selected(&state, &auth, &region, &sector).await?;
        let limit = limit.0.unwrap_or(100);
        if !(1..=MAX_POSITIONS).contains(&limit) {
            return Err(ApiError::bad_request(format!(
                "limit: between 1 and {MAX_POSITIONS}"
            )));
        }
        let all = cartogram::positions(data::high_risk_positions(&state.store).await?, f);
        Ok(PositionsResponse::Ok(Json(
            all.into_iter()
                .take(usize::try_from(limit).unwrap_or(usize::MAX))
                .map(position_out)
                .collect(),
        )))
    }

    /// Every high-risk position of the selection as CSV.
    #[oai(
        path = "/agency/high-risk-positions.csv",
        method = "get",
        operation_id = "getHighRiskPositionsCsv"
    )]
    async fn positions_csv(
        &self,
        state: Data<&AppState>,
        auth: BearerAuth,
        region: Query<Option<String>>,
        sector: Query<Option<String>>,
    ) -> ApiResult<CsvResponse> {
        let f = selected(&state, &auth, &region, &sector).await?;
        let all = cartogram::positions(data::high_risk_positions(&state.store).await?, f);
        Ok(CsvResponse::Ok(PlainText(positions_csv(all)?)))
    }

    /// The public cartogram, for the portal (no token): per region the
    /// number of organisations, and their figures only where at least
    /// three share them. No organisation is named.
    #[oai(
        path = "/public/cartogram",
        method = "get",
        operation_id = "getPublicCartogram"
    )]
    async fn public(&self, state: Data<&AppState>) -> ApiResult<PublicResponse> {
        let c = cartogram::for_public(&state.store).await?;
        Ok(PublicResponse::Ok(Json(
            cartogram::public(&c)
                .into_iter()
                .map(|r| PublicRegionOut {
                    region: r.region.as_str().to_owned(),
                    tenants: r.tenants,
                    open_findings: r.figures.map(|f| f.open),
                    high_risk_findings: r.figures.map(|f| f.high),
                    level: r.level.map(|l| l.as_str().to_owned()),
                })
                .collect(),
        )))
    }
}
