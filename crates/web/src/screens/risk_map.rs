//! The risk map: the likelihood × impact heat map of open findings, by
//! department and area, and the positions ranked by risk.

use crate::kit::{PageResult, authorize, finish, head, label, show};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::{AppState, heatmap};
use adal_store::evaluation::{self};
use adal_store::org;
use maud::{PreEscaped, html};
use poem::web::{Data, Path};
use poem::{Request, Response, handler};
use uuid::Uuid;

#[handler]
pub(crate) async fn risk_map_page(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RISK_MAP, act::READ).await?;
        let tr = &v.tr;
        let map = evaluation::risk_map(&state.store, ctx.tenant()).await?;
        let ranked = ranked_positions(
            &map,
            org::list_positions(&state.store, ctx.tenant()).await?,
            &org::list_departments(&state.store, ctx.tenant()).await?,
        );
        let link = |l: i16, i: i16| format!("/t/{tenant}/findings?status=open&likelihood={l}&impact={i}");
        let n = map.open_findings.to_string();
        let description = tr.t_args("risk-map-desc", &[("n", n.as_str().into())]);
        let heading = tr.t_args("risk-map-heading", &[("n", n.as_str().into())]);
        let svg = heatmap::render_with(
            &map,
            &heatmap::Text {
                title: &tr.t("risk-map-title"),
                description: &description,
                heading: &heading,
                likelihood: &tr.t("likelihood"),
                impact: &tr.t("impact"),
                cell: &|l, i, n, b| {
                    tr.t_args(
                        "risk-map-cell",
                        &[
                            ("l", l.to_string().into()),
                            ("i", i.to_string().into()),
                            ("n", n.to_string().into()),
                            ("band", label(tr, "band", b.as_str()).into()),
                        ],
                    )
                },
                link: &|l, i, n| (n > 0).then(|| link(l, i)),
            },
        );
        let body = html! {
            div class="riskmap" {
                figure id="heatmap" {
                    (PreEscaped(svg))
                    figcaption { (tr.t("risk-map-caption")) }
                }
                // The two scales share words (high, critical) and mean
                // different things: say which is which.
                section id="scales" aria-labelledby="scales-title" {
                    h2 id="scales-title" class="h3" { (tr.t("scales-title")) }
                    dl class="facts" {
                        dt { (tr.t("scales-band")) }
                        dd {
                            p { (tr.t("scales-band-text")) }
                            ul class="plain bands" {
                                @for (band, range) in [("low", "1–4"), ("medium", "5–9"), ("high", "10–16"), ("critical", "17–25")] {
                                    li data-band=(band) { span class={ "swatch band-" (band) } aria-hidden="true" {} " " (label(tr, "band", band)) ": " (range) }
                                }
                            }
                        }
                        dt { (tr.t("scales-severity")) }
                        dd { (tr.t("scales-severity-text")) }
                    }
                }
                div class="scroll" {
                    table id="risk-cells" {
                        caption { (tr.t("risk-map-table-caption")) }
                        (head(tr, &[("likelihood", true), ("impact", true), ("col-band", false), ("col-open-findings", true)]))
                        tbody {
                            @for c in map.cells.iter().rev() {
                                tr data-likelihood=(c.likelihood) data-impact=(c.impact) {
                                    td class="num" { (c.likelihood) }
                                    td class="num" { (c.impact) }
                                    td { (label(tr, "band", heatmap::Band::of(c.likelihood, c.impact).as_str())) }
                                    td class="num" { a href=(link(c.likelihood, c.impact)) { (c.count) } }
                                }
                            }
                            @if map.cells.is_empty() {
                                tr { td colspan="4" { (tr.t("overview-none-open")) } }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("risk-map-by-department")) }
            div class="scroll" {
                table id="by-department" {
                    caption { (tr.t("risk-map-by-department-caption")) }
                    (head(tr, &[("col-department", false), ("col-area", false), ("likelihood", true), ("impact", true), ("col-open-findings", true)]))
                    tbody {
                        @for c in &map.by_department_area {
                            tr {
                                th scope="row" { (c.department.clone().unwrap_or_else(|| tr.t("no-department"))) }
                                td { (label(tr, "area", &c.area)) }
                                td class="num" { (c.likelihood) }
                                td class="num" { (c.impact) }
                                td class="num" { (c.count) }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("risk-map-positions")) }
            @if ranked.is_empty() {
                p { (tr.t("risk-map-no-positions")) }
            } @else {
                div class="scroll" {
                    table id="positions-ranked" {
                        caption { (tr.t("risk-map-positions-caption")) }
                        (head(tr, &[("col-rank", true), ("col-position", false), ("col-department", false), ("col-risk-level", true), ("col-high-risk-list", false), ("col-open-findings", true), ("col-score", true)]))
                        tbody {
                            @for (i, r) in ranked.iter().enumerate() {
                                tr data-position=(r.position.id) {
                                    td class="num" { (i + 1) }
                                    th scope="row" { (r.position.title) }
                                    td { (r.department) }
                                    td class="num" { (r.position.risk_level) }
                                    td { (if r.position.high_risk { tr.t("yes") } else { tr.t("no") }) }
                                    td class="num" { (r.open_findings) }
                                    td class="num" { (r.score) }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(at) = map.computed_at {
                p class="muted" { (tr.t("computed-at")) " " (tr.datetime(at)) }
            }
        };
        show(&state, &v, ctx.tenant(), "risk-map-title", body).await
    }
    .await;
    finish(&v, r)
}

/// A position on the risk map's ranked list.
struct RankedPosition {
    position: org::Position,
    department: String,
    open_findings: u64,
    score: i64,
}

/// The positions the compliance unit watches, riskiest first: every
/// position on the tenant's high-risk list, and every other one with open
/// findings. Ranked by the risk of their open findings (the sum of
/// likelihood x impact), then by the level the tenant gave the position,
/// so a high-risk position without findings still ranks among its peers.
fn ranked_positions(
    map: &evaluation::RiskMap,
    positions: Vec<org::Position>,
    departments: &[org::Department],
) -> Vec<RankedPosition> {
    let mut out: Vec<RankedPosition> = positions
        .into_iter()
        .filter_map(|p| {
            let risk = map.positions.iter().find(|r| r.position_id == p.id);
            let (open_findings, score) = risk.map_or((0, 0), |r| (r.open_findings, r.score));
            (p.high_risk || open_findings > 0).then(|| RankedPosition {
                department: p
                    .department_id
                    .and_then(|d| departments.iter().find(|x| x.id == d))
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                position: p,
                open_findings,
                score,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (b.score, b.position.risk_level, b.open_findings)
            .cmp(&(a.score, a.position.risk_level, a.open_findings))
            .then_with(|| a.position.title.cmp(&b.position.title))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_rank_by_findings_then_by_their_own_level() {
        let dep = org::Department {
            id: Uuid::now_v7(),
            tenant_id: Uuid::nil(),
            name: "Procurement".into(),
            parent_id: None,
        };
        let pos = |title: &str, level: i16, high: bool| org::Position {
            id: Uuid::now_v7(),
            tenant_id: Uuid::nil(),
            department_id: Some(dep.id),
            title: title.into(),
            risk_level: level,
            high_risk: high,
        };
        let (buyer, head, clerk, driver) = (
            pos("Buyer", 3, true),
            pos("Head of tenders", 5, true),
            pos("Clerk", 1, false),
            pos("Driver", 1, false),
        );
        let map = evaluation::RiskMap {
            positions: vec![evaluation::PositionRisk {
                position_id: clerk.id,
                title: "Clerk".into(),
                high_risk: false,
                open_findings: 2,
                score: 12,
            }],
            ..Default::default()
        };
        let ranked = ranked_positions(&map, vec![buyer, clerk, driver, head], &[dep]);
        let titles: Vec<_> = ranked.iter().map(|r| r.position.title.as_str()).collect();
        // Findings first; then the high-risk list by the tenant's level; a
        // low-risk position without findings is not on the list.
        assert_eq!(titles, ["Clerk", "Head of tenders", "Buyer"]);
        assert_eq!(ranked[0].department, "Procurement");
        assert_eq!((ranked[0].open_findings, ranked[0].score), (2, 12));
    }
}
