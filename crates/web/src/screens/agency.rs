//! The Agency's view of every tenant: open and high-risk findings, risk
//! by area and overdue declarations, read only.

use crate::kit::{Fail, PageResult, caller, finish, head, label, own_frame, page, respond};
use crate::overdue::overdue_declarations;
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::{AppState, heatmap};
use adal_store::evaluation::{self};
use adal_store::{TenantId, tenants};
use maud::html;
use poem::http::StatusCode;
use poem::web::Data;
use poem::{Request, Response, handler};
use std::collections::BTreeMap;

/// The Agency's own screens open to its auditors alone.
pub(crate) async fn agency_only(state: &AppState, v: &Visitor) -> Result<(), Fail> {
    let c = caller(v)?;
    if c.role != adal_domain::Role::AgencyAuditor {
        return Err(Fail::Forbidden);
    }
    adal_service::authorize_platform(state, c, obj::TENANTS, act::READ).await?;
    Ok(())
}

#[handler]
pub(crate) async fn agency(req: &Request, state: Data<&AppState>) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        agency_only(&state, &v).await?;
        let c = caller(&v)?;
        let tr = &v.tr;
        let mut rows = Vec::new();
        for t in tenants::list_all_for_platform(&state.store).await? {
            let map = evaluation::risk_map(&state.store, TenantId::from_uuid(t.id)).await?;
            let high = map
                .cells
                .iter()
                .filter(|c| {
                    i32::from(c.likelihood) * i32::from(c.impact)
                        >= adal_store::cartogram::HIGH_FROM
                })
                .map(|c| c.count)
                .sum::<u64>();
            let overdue =
                overdue_declarations(&state, c, TenantId::from_uuid(t.id), adal_domain::kazakhstan_today())
                    .await?
                    .map(|o| o.missing + o.late);
            let areas = risk_by_area(&map);
            rows.push((t, map.open_findings, high, overdue, areas));
        }
        let body = html! {
            p { (tr.t("agency-intro")) }
            div class="scroll" {
                table id="tenants" {
                    caption { (tr.t("agency-tenants")) }
                    (head(tr, &[("col-tenant", false), ("col-bin", false), ("col-region", false), ("col-open-findings", true), ("col-high-risk-findings", true), ("col-risk-by-area", false), ("col-overdue-declarations", true)]))
                    tbody {
                        @for (t, open, high, overdue, areas) in &rows {
                            tr data-tenant=(t.id) {
                                th scope="row" {
                                    a href={ "/t/" (t.id) "/overview" } { (t.name) }
                                    br;
                                    span class="muted" { (tr.t("agency-read-only-view")) }
                                }
                                td { (t.bin) }
                                td { (t.region) }
                                td class="num" data-open=(open) { (open) }
                                td class="num" { (high) }
                                td class="areas" {
                                    @if areas.is_empty() {
                                        (tr.t("agency-no-open"))
                                    } @else {
                                        ul class="area-risk" {
                                            @for a in areas {
                                                li data-area=(a.area) data-count=(a.count) data-band=(a.band.as_str()) {
                                                    span class={ "sev sev-" (a.band.as_str()) } {
                                                        (tr.t_args("agency-area-risk", &[("area", label(tr, "area", &a.area).into()), ("n", a.count.to_string().into()), ("band", label(tr, "band", a.band.as_str()).into())]))
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                                td class="num" data-overdue=[overdue] { (overdue.map(|n| n.to_string()).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        };
        let mut f = own_frame(&state, &v).await;
        f.read_only = true;
        Ok(respond(
            &v,
            StatusCode::OK,
            page(&v, &f, &tr.t("agency-title"), body),
        ))
    }
    .await;
    finish(&v, r)
}

/// One area's open findings in a tenant: how many, and the highest risk
/// band among them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AreaRisk {
    area: String,
    count: u64,
    band: heatmap::Band,
}

fn band_rank(b: heatmap::Band) -> u8 {
    match b {
        heatmap::Band::Low => 0,
        heatmap::Band::Medium => 1,
        heatmap::Band::High => 2,
        heatmap::Band::Critical => 3,
    }
}

/// The risk map's open findings by area, the riskiest first (highest band,
/// then most findings, then by name): the Agency's "risk by area".
fn risk_by_area(map: &evaluation::RiskMap) -> Vec<AreaRisk> {
    let mut by: BTreeMap<&str, (u64, heatmap::Band)> = BTreeMap::new();
    for c in &map.by_department_area {
        let band = heatmap::Band::of(c.likelihood, c.impact);
        let e = by.entry(c.area.as_str()).or_insert((0, band));
        e.0 += c.count;
        if band_rank(band) > band_rank(e.1) {
            e.1 = band;
        }
    }
    let mut out: Vec<AreaRisk> = by
        .into_iter()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(area, (count, band))| AreaRisk {
            area: area.to_owned(),
            count,
            band,
        })
        .collect();
    out.sort_by(|a, b| {
        band_rank(b.band)
            .cmp(&band_rank(a.band))
            .then(b.count.cmp(&a.count))
            .then_with(|| a.area.cmp(&b.area))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_by_area_sums_each_area_and_keeps_its_highest_band() {
        let cell = |area: &str, likelihood, impact, count| evaluation::DepartmentAreaCell {
            department_id: None,
            department: None,
            area: area.to_owned(),
            likelihood,
            impact,
            count,
        };
        let map = evaluation::RiskMap {
            computed_at: None,
            open_findings: 9,
            cells: vec![],
            by_department_area: vec![
                cell("gifts", 1, 1, 3),
                cell("gifts", 2, 3, 1),
                cell("hr", 4, 4, 1),
                cell("assets", 1, 2, 4),
                cell("procurement", 1, 1, 0),
            ],
            positions: vec![],
        };
        let got: Vec<(String, u64, &str)> = risk_by_area(&map)
            .into_iter()
            .map(|a| (a.area, a.count, a.band.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("hr".to_owned(), 1, "high"),
                ("gifts".to_owned(), 4, "medium"),
                ("assets".to_owned(), 4, "low"),
            ]
        );
    }
}
