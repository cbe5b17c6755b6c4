//! The Agency's corruption cartogram (docs/cartogram.md): a tile per
//! region coloured by high-risk findings per organisation, the table
//! behind it, filters by region and sector, drill-down to a region's
//! organisations and on to each one's overview, the most exposed
//! high-risk positions, and the table as CSV.

use crate::kit::{PageResult, finish, head, label, listing, own_frame, page, respond};
use crate::session::Visitor;
use adal_domain::{Region, Sector};
use adal_service::AppState;
use adal_service::cartogram::{self, Filter, Level, SvgText, Totals};
use adal_store::cartogram as data;
use maud::{PreEscaped, html};
use poem::http::{StatusCode, header};
use poem::web::{Data, Query};
use poem::{IntoResponse, Request, Response, handler};

/// Positions shown on the page; the CSV has them all.
const POSITIONS_SHOWN: usize = 20;

#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct CartogramQuery {
    region: Option<String>,
    sector: Option<String>,
}

fn pick(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The selection, and the key of an error for each value that is not one
/// of the list's.
fn selection(q: &CartogramQuery) -> (Filter, Option<&'static str>, Option<&'static str>) {
    let region = pick(&q.region).map(Region::parse);
    let sector = pick(&q.sector).map(Sector::parse);
    (
        Filter {
            region: region.clone().and_then(Result::ok),
            sector: sector.clone().and_then(Result::ok),
        },
        region
            .is_some_and(|r| r.is_err())
            .then_some("cartogram-unknown-region"),
        sector
            .is_some_and(|s| s.is_err())
            .then_some("cartogram-unknown-sector"),
    )
}

fn query_of(region: Option<Region>, sector: Option<Sector>) -> String {
    let mut parts = Vec::new();
    if let Some(r) = region {
        parts.push(format!("region={}", r.as_str()));
    }
    if let Some(s) = sector {
        parts.push(format!("sector={}", s.as_str()));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("?{}", parts.join("&"))
    }
}

#[handler]
pub(crate) async fn cartogram_page(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<CartogramQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        super::agency::agency_only(&state, &v).await?;
        let tr = &v.tr;
        let (f, region_error, sector_error) = selection(&q);
        let c = cartogram::for_agency(&state.store, f, adal_domain::kazakhstan_today()).await?;
        let positions = cartogram::positions(data::high_risk_positions(&state.store).await?, f);
        let region_name = |r: Region| label(tr, "region", r.as_str());
        let level_name = |l: Level| tr.t(&format!("cartogram-level-{}", l.as_str()));
        let description = tr.t_args(
            "cartogram-description",
            &[
                ("tenants", c.total.tenants.to_string().into()),
                ("open", c.total.open.to_string().into()),
                ("high", c.total.high.to_string().into()),
            ],
        );
        let svg = cartogram::svg(
            &c,
            &SvgText {
                title: &tr.t("cartogram-title"),
                description: &description,
                region: &|r| region_name(r),
                tooltip: &|r, t, l| {
                    tr.t_args(
                        "cartogram-tile",
                        &[
                            ("region", region_name(r).into()),
                            ("tenants", t.tenants.to_string().into()),
                            ("open", t.open.to_string().into()),
                            ("high", t.high.to_string().into()),
                            ("level", level_name(l).into()),
                        ],
                    )
                },
                level: &|l| level_name(l),
                link: &|r| Some(format!("/agency/cartogram{}", query_of(Some(r), f.sector))),
            },
        );
        let regions: Vec<(String, String)> = Region::ALL
            .iter()
            .map(|r| (r.as_str().to_owned(), region_name(*r)))
            .collect();
        let sectors: Vec<(String, String)> = Sector::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), label(tr, "sector", s.as_str())))
            .collect();
        let totals_cells = |t: &Totals| {
            html! {
                td class="num" { (t.tenants) }
                td class="num" { (t.open) }
                td class="num" { (t.high) }
                td class="num" { (t.high_risk_positions) }
                td { span class={ "level level-" (t.level().as_str()) } { (level_name(t.level())) } }
                td class="num" data-overdue { (t.overdue_declarations) }
                td class="num" { (t.cases_open) }
                td class="num" { (t.cases_closed) }
            }
        };
        let columns = [
            ("col-tenants", true),
            ("col-open-findings", true),
            ("col-high-risk-findings", true),
            ("col-high-risk-positions", true),
            ("cartogram-col-level", false),
            ("cartogram-col-overdue", true),
            ("cartogram-col-cases-open", true),
            ("cartogram-col-cases-closed", true),
        ];
        let t = &c.total;
        let grades = ["low", "medium", "high", "critical"];
        let body = html! {
            p { (tr.t("cartogram-intro")) }
            form method="get" action="/agency/cartogram" class="filters" aria-label=(tr.t("filters")) {
                (listing::select(tr, "region", "col-region", &regions, q.region.as_deref(), region_error))
                (listing::select(tr, "sector", "col-sector", &sectors, q.sector.as_deref(), sector_error))
                (listing::buttons(tr, "/agency/cartogram"))
            }
            @if let Some(r) = f.region {
                p id="cartogram-selection" { (tr.t_args("cartogram-region-selected", &[("region", region_name(r).into())])) }
            }
            figure id="cartogram" { (PreEscaped(svg)) }
            p {
                a id="cartogram-csv" href={ "/agency/cartogram.csv" (query_of(f.region, f.sector)) } download { (tr.t("cartogram-download-csv")) }
            }
            div class="scroll" {
                table id="cartogram-regions" {
                    caption { (tr.t("cartogram-by-region")) }
                    thead { tr {
                        th scope="col" { (tr.t("col-region")) }
                        @for (key, num) in columns { th scope="col" class=[num.then_some("num")] { (tr.t(key)) } }
                    } }
                    tbody {
                        @for (r, t) in &c.regions {
                            tr data-region=(r.as_str()) {
                                th scope="row" { a href={ "/agency/cartogram" (query_of(Some(*r), f.sector)) } { (region_name(*r)) } }
                                (totals_cells(t))
                            }
                        }
                    }
                }
            }
            div class="scroll" {
                table id="cartogram-sectors" {
                    caption { (tr.t("cartogram-by-sector")) }
                    thead { tr {
                        th scope="col" { (tr.t("col-sector")) }
                        @for (key, num) in columns { th scope="col" class=[num.then_some("num")] { (tr.t(key)) } }
                    } }
                    tbody {
                        @for (s, t) in &c.sectors {
                            tr data-sector=(s.as_str()) {
                                th scope="row" { a href={ "/agency/cartogram" (query_of(f.region, Some(*s))) } { (label(tr, "sector", s.as_str())) } }
                                (totals_cells(t))
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("cartogram-profile")) }
            div class="scroll" {
                table id="cartogram-by-area" {
                    caption { (tr.t("cartogram-by-area")) }
                    (head(tr, &[("annual-col-area", false), ("col-open-findings", true)]))
                    tbody {
                        @for (a, n) in &c.areas {
                            tr data-area=(a) { th scope="row" { (label(tr, "area", a)) } td class="num" { (n) } }
                        }
                        @if c.areas.is_empty() { tr { td colspan="2" { (tr.t("annual-none")) } } }
                    }
                }
            }
            div class="scroll" {
                table id="cartogram-grades" {
                    caption { (tr.t("cartogram-grades")) }
                    (head(tr, &[("cartogram-col-grade", false), ("cartogram-col-by-severity", true), ("cartogram-col-by-band", true)]))
                    tbody {
                        @for (i, g) in grades.iter().enumerate() {
                            tr data-grade=(g) {
                                th scope="row" { (label(tr, "severity", g)) }
                                td class="num" { (t.by_severity[i]) }
                                td class="num" { (t.by_band[i]) }
                            }
                        }
                    }
                }
            }
            div class="scroll" {
                table id="cartogram-accountability" {
                    caption { (tr.t("cartogram-accountability")) }
                    tbody {
                        tr data-measure="overdue" { th scope="row" { (tr.t("cartogram-col-overdue")) } td class="num" { (t.overdue_declarations) } }
                        tr data-measure="cases_open" { th scope="row" { (tr.t("cartogram-col-cases-open")) } td class="num" { (t.cases_open) } }
                        tr data-measure="cases_closed" { th scope="row" { (tr.t("cartogram-col-cases-closed")) } td class="num" { (t.cases_closed) } }
                        @for (o, n) in &c.case_outcomes {
                            tr data-outcome=(o) { th scope="row" { "— " (label(tr, "annual-outcome", o)) } td class="num" { (n) } }
                        }
                    }
                }
            }
            div class="scroll" {
                table id="cartogram-tenants" {
                    caption { (tr.t("cartogram-tenants")) }
                    (head(tr, &[("col-tenant", false), ("col-region", false), ("col-sector", false), ("col-open-findings", true), ("col-high-risk-findings", true), ("col-high-risk-positions", true)]))
                    tbody {
                        @for t in &c.tenants {
                            tr data-tenant=(t.id.uuid()) {
                                th scope="row" { a href={ "/t/" (t.id.uuid()) "/overview" } { (t.name) } }
                                td { (label(tr, "region", &t.region)) }
                                td { (label(tr, "sector", &t.sector)) }
                                td class="num" { (t.open) }
                                td class="num" { (t.high) }
                                td class="num" { (t.high_risk_positions) }
                            }
                        }
                        @if c.tenants.is_empty() {
                            tr { td colspan="6" { (tr.t("cartogram-no-tenants")) } }
                        }
                    }
                }
            }
            div class="scroll" {
                table id="cartogram-positions" {
                    caption { (tr.t_args("cartogram-positions", &[("n", POSITIONS_SHOWN.min(positions.len()).to_string().into()), ("all", positions.len().to_string().into())])) }
                    (head(tr, &[("col-position", false), ("col-tenant", false), ("col-region", false), ("col-risk-level", true), ("col-open-findings", true), ("col-high-risk-findings", true)]))
                    tbody {
                        @for p in positions.iter().take(POSITIONS_SHOWN) {
                            tr data-position=(p.position_id) {
                                th scope="row" { (p.title) @if let Some(d) = &p.department { br; span class="muted" { (d) } } }
                                td { a href={ "/t/" (p.tenant_id.uuid()) "/overview" } { (p.tenant_name) } }
                                td { (label(tr, "region", &p.region)) }
                                td class="num" { (p.risk_level) }
                                td class="num" { (p.open) }
                                td class="num" { (p.high) }
                            }
                        }
                    }
                }
            }
        };
        let mut frame = own_frame(&state, &v).await;
        frame.read_only = true;
        Ok(respond(&v, StatusCode::OK, page(&v, &frame, &tr.t("cartogram-title"), body)))
    }
    .await;
    finish(&v, r)
}

/// The cartogram's table as CSV, for the Agency signed in to the
/// dashboard (the API has the same at `/api/v1/agency/cartogram.csv`).
#[handler]
pub(crate) async fn cartogram_csv(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<CartogramQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        super::agency::agency_only(&state, &v).await?;
        let (f, _, _) = selection(&q);
        let c = cartogram::for_agency(&state.store, f, adal_domain::kazakhstan_today()).await?;
        Ok(cartogram::csv(&c)
            .with_content_type("text/csv; charset=utf-8")
            .with_header(
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"cartogram.csv\"",
            )
            .into_response())
    }
    .await;
    finish(&v, r)
}
