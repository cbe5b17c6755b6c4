//! The annual internal analysis of corruption risks (docs/annual-report.md)
//! on screen: a tenant's report for a year, printable (the page's print
//! styles leave out the navigation and keep tables whole), with its CSV,
//! PDF and JSON; and the Agency's summary across tenants, each linked to
//! its report.

use crate::i18n::Tr;
use crate::kit::{
    PageResult, attachment, authorize, finish, head, label, own_frame, page, respond, show,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::annual::{self, AnnualReport};
use adal_service::{AppState, heatmap};
use adal_store::evaluation::{RiskCell, RiskMap};
use chrono::Datelike;
use maud::{Markup, PreEscaped, html};
use poem::http::{StatusCode, header};
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use uuid::Uuid;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct YearQuery {
    year: Option<String>,
}

/// The year asked for: the URL's, or the last full year; the key of the
/// error when the URL's is not one a report can be made for.
fn year_asked(q: &YearQuery, today: chrono::NaiveDate) -> (i32, Option<&'static str>) {
    let last_full = today.year() - 1;
    match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => (last_full, None),
        Some(y) => match y.parse::<i32>() {
            Ok(y) if (annual::FIRST_YEAR..=today.year()).contains(&y) => (y, None),
            _ => (last_full, Some("annual-err-year")),
        },
    }
}

fn words(tr: &Tr) -> impl Fn(&str) -> String + '_ {
    move |k: &str| tr.t(&format!("annual-{k}"))
}

/// The year chooser: a plain GET form.
fn year_form(
    tr: &Tr,
    path: &str,
    year: i32,
    error: Option<&str>,
    today: chrono::NaiveDate,
) -> Markup {
    html! {
        form method="get" action=(path) class="filters noprint" id="annual-year" {
            div class="field" {
                label for="year" { (tr.t("annual-year")) }
                select id="year" name="year" aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| "year-error")] {
                    @for y in (annual::FIRST_YEAR.max(today.year() - 10)..=today.year()).rev() {
                        option value=(y) selected[y == year] { (y) }
                    }
                }
                @if let Some(e) = error { p class="error" id="year-error" { (tr.t(e)) } }
            }
            div class="buttons" { button type="submit" { (tr.t("annual-show")) } }
        }
    }
}

fn map_of(r: &AnnualReport) -> RiskMap {
    let mut cells = Vec::new();
    for (l, row) in (1i16..).zip(&r.risk_map) {
        for (i, n) in (1i16..).zip(row) {
            if *n > 0 {
                cells.push(RiskCell {
                    likelihood: l,
                    impact: i,
                    count: *n,
                });
            }
        }
    }
    RiskMap {
        open_findings: r.findings.total,
        cells,
        ..Default::default()
    }
}

fn report_body(tr: &Tr, r: &AnnualReport) -> Markup {
    let w = words(tr);
    let map = map_of(r);
    let n = r.findings.total.to_string();
    let svg = heatmap::render_with(
        &map,
        &heatmap::Text {
            title: &w("risk-map"),
            description: &tr.t_args("annual-map-desc", &[("n", n.as_str().into())]),
            heading: &tr.t_args("annual-map-desc", &[("n", n.as_str().into())]),
            likelihood: &tr.t("likelihood"),
            impact: &tr.t("impact"),
            cell: &|l, i, n, b| {
                tr.t_args(
                    "annual-map-cell",
                    &[
                        ("l", l.to_string().into()),
                        ("i", i.to_string().into()),
                        ("n", n.to_string().into()),
                        ("band", label(tr, "band", b.as_str()).into()),
                    ],
                )
            },
            link: &|_, _, _| None,
        },
    );
    let f = &r.findings;
    let d = &r.declarations;
    let t = &r.training;
    html! {
        section class="annual" id="annual-report" data-year=(r.year) data-findings=(f.total) {
            dl class="facts" id="annual-facts" {
                dt { (w("organisation")) } dd { (r.tenant.name) }
                dt { (w("bin")) } dd { (r.tenant.bin) }
                dt { (tr.t("annual-region")) } dd { (label(tr, "region", &r.tenant.region)) }
                dt { (w("period")) } dd { (r.from) " – " (r.to) }
                dt { (w("generated")) } dd { (r.generated_at.format("%Y-%m-%d %H:%M UTC")) }
            }
            @if r.partial { p class="alert" role="note" id="annual-partial" { (w("partial")) } }

            h2 { (w("risk-map")) }
            figure id="annual-heatmap" { (PreEscaped(svg)) }

            h2 { (w("findings")) }
            div class="scroll" { table id="annual-findings" {
                tbody {
                    tr data-measure="total" { th scope="row" { (w("total")) } td class="num" { (f.total) } }
                    tr data-measure="open" { th scope="row" { (w("open")) } td class="num" { (f.open) } }
                    tr data-measure="resolved" { th scope="row" { (w("resolved")) } td class="num" { (f.resolved) } }
                    tr data-measure="false_positive" { th scope="row" { (w("false-positive")) } td class="num" { (f.false_positive) } }
                    tr data-measure="high_risk" { th scope="row" { (w("high-risk")) } td class="num" { (f.high_risk) } }
                    @for (s, v) in &f.by_severity {
                        tr data-severity=(s) { th scope="row" { (label(tr, "severity", s)) } td class="num" { (v) } }
                    }
                }
            } }

            h2 { (w("risks")) }
            @if r.risks.is_empty() {
                p id="annual-no-risks" { (w("none")) }
            } @else {
                div class="scroll" {
                    table id="annual-risks" {
                        (head(tr, &[("annual-col-area", false), ("annual-col-rule", false), ("annual-findings", true), ("annual-open", true), ("annual-col-score", false), ("annual-owner", false), ("annual-measures", false)]))
                        tbody {
                            @for k in &r.risks {
                                tr data-rule=(k.rule_id) data-band=(k.band) {
                                    td { (label(tr, "area", &k.area)) }
                                    th scope="row" { (tr.rule_title(&k.rule_id, &k.rule_id)) br; small { code { (k.rule_id) } } }
                                    td class="num" { (k.findings) }
                                    td class="num" { (k.open) }
                                    td { (k.likelihood) " × " (k.impact) " · " (label(tr, "band", &k.band)) }
                                    td { @match &k.owner { Some(o) => (o), None => (w("none")) } }
                                    td { @if k.measures.is_empty() { "—" } @else { ul { @for m in &k.measures { li { (m) } } } } }
                                }
                            }
                        }
                    }
                }
            }

            h2 { (w("positions")) }
            @if r.high_risk_positions.is_empty() {
                p { (w("none")) }
            } @else {
                div class="scroll" { table id="annual-positions" {
                    (head(tr, &[("annual-col-position", false), ("annual-col-department", false), ("annual-risk-level", true), ("annual-findings", true)]))
                    tbody {
                        @for p in &r.high_risk_positions {
                            tr data-position=(p.id) {
                                th scope="row" { (p.title) }
                                td { (p.department.as_deref().unwrap_or("—")) }
                                td class="num" { (p.risk_level) }
                                td class="num" { (p.findings) }
                            }
                        }
                    }
                } }
            }

            h2 { (w("cases")) }
            div class="scroll" { table id="annual-cases" {
                tbody {
                    tr { th scope="row" { (w("received")) } td class="num" { (r.cases.received) } }
                    tr { th scope="row" { (w("closed")) } td class="num" { (r.cases.closed) } }
                    tr { th scope="row" { (w("escalated")) } td class="num" { (r.cases.escalated) } }
                    @for (o, v) in &r.cases.outcomes {
                        tr { th scope="row" { (label(tr, "annual-outcome", o)) } td class="num" { (v) } }
                    }
                }
            } }

            h2 { (w("declarations")) " " (d.for_year) }
            div class="scroll" { table id="annual-declarations" {
                tbody {
                    tr { th scope="row" { (w("due")) } td { @match d.due { Some(due) => (due), None => (w("none")) } } }
                    tr data-measure="people" { th scope="row" { (w("people")) } td class="num" { (d.people) } }
                    tr data-measure="on_time" { th scope="row" { (w("on-time")) } td class="num" { (d.on_time) } }
                    tr data-measure="late" { th scope="row" { (w("late")) } td class="num" { (d.late) } }
                    tr data-measure="missing" { th scope="row" { (w("missing")) } td class="num" { (d.missing) } }
                    tr data-measure="not_yet_due" { th scope="row" { (w("not-yet-due")) } td class="num" { (d.not_yet_due) } }
                }
            } }

            h2 { (w("training")) }
            div class="scroll" { table id="annual-training" {
                tbody {
                    tr { th scope="row" { (w("high-risk-staff")) } td class="num" { (t.high_risk_staff) } }
                    tr { th scope="row" { (w("high-risk-trained")) } td class="num" { (t.high_risk_trained) } }
                    tr data-measure="coverage" { th scope="row" { (w("coverage")) } td class="num" { @match t.coverage_percent { Some(p) => { (p) " %" }, None => (w("none")) } } }
                    tr { th scope="row" { (w("trainings")) } td class="num" { (t.trainings) } }
                }
            } }

            div class="signoff" id="annual-signoff" {
                p { (tr.t("annual-prepared")) " ______________________" }
                p { (tr.t("annual-approved")) " ______________________" }
                p { (tr.t("annual-date")) " ______________" }
            }
        }
    }
}

/// The tenant's report for the year, after the reader's check.
async fn tenant_report(
    state: &AppState,
    v: &Visitor,
    tenant: Uuid,
    q: &YearQuery,
) -> Result<(adal_service::TenantCtx, AnnualReport, Option<&'static str>), crate::kit::Fail> {
    let ctx = authorize(state, v, tenant, obj::FINDINGS_ALL, act::READ).await?;
    let today = adal_domain::kazakhstan_today();
    let (year, error) = year_asked(q, today);
    let y = annual::year_of(year, today)?;
    let r = annual::build(&state.store, ctx.tenant(), &y, today).await?;
    Ok((ctx, r, error))
}

#[handler]
pub(crate) async fn report_page(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<YearQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let (ctx, report, error) = tenant_report(&state, &v, tenant, &q).await?;
        let tr = &v.tr;
        let today = adal_domain::kazakhstan_today();
        let path = format!("/t/{tenant}/annual-report");
        let y = report.year;
        let body = html! {
            p class="intro noprint" { (tr.t("annual-intro")) }
            (year_form(tr, &path, y, error, today))
            p class="downloads noprint" id="annual-downloads" {
                a href={ (path) ".csv?year=" (y) } id="annual-csv" download { (tr.t("annual-download-csv")) }
                " · "
                a href={ (path) ".pdf?year=" (y) } id="annual-pdf" { (tr.t("annual-download-pdf")) }
                " · "
                a href={ (path) ".json?year=" (y) } id="annual-json" download { (tr.t("annual-download-json")) }
                " · " (tr.t("annual-print-hint"))
            }
            (report_body(tr, &report))
        };
        if error.is_some() {
            crate::kit::show_as(&state, &v, ctx.tenant(), "annual-title", body, StatusCode::UNPROCESSABLE_ENTITY).await
        } else {
            show(&state, &v, ctx.tenant(), "annual-title", body).await
        }
    }
    .await;
    finish(&v, r)
}

/// A file made from the tenant's report for the year, after the reader's
/// check: the CSV, the JSON and the PDF differ only in how they are made.
async fn report_file(
    req: &Request,
    state: &AppState,
    tenant: Uuid,
    q: &YearQuery,
    make: impl FnOnce(&Visitor, &AnnualReport) -> PageResult,
) -> Response {
    let v = Visitor::load(req, state).await;
    let r: PageResult = async {
        let (_, report, _) = tenant_report(state, &v, tenant, q).await?;
        make(&v, &report)
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn report_csv(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<YearQuery>,
) -> Response {
    report_file(req, &state, tenant, &q, |_, report| {
        Ok(attachment(
            "text/csv; charset=utf-8",
            &format!("annual-report-{}.csv", report.year),
            annual::csv(report).into_bytes(),
        ))
    })
    .await
}

#[handler]
pub(crate) async fn report_json(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<YearQuery>,
) -> Response {
    report_file(req, &state, tenant, &q, |_, report| {
        let body = serde_json::to_vec_pretty(report)
            .map_err(|e| crate::kit::Fail::Internal(e.to_string()))?;
        Ok(attachment(
            "application/json",
            &format!("annual-report-{}.json", report.year),
            body,
        ))
    })
    .await
}

/// The PDF in the reader's language.
#[handler]
pub(crate) async fn report_pdf(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<YearQuery>,
) -> Response {
    let font = state.pdf_font.as_ref();
    report_file(req, &state, tenant, &q, move |v, report| {
        let Some(font) = font else {
            return Err(crate::kit::Fail::Unavailable);
        };
        let pdf = annual::pdf(font, report, &words(&v.tr))
            .map_err(|e| crate::kit::Fail::Internal(e.to_string()))?;
        Ok(Response::builder()
            .content_type("application/pdf")
            .header(
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"annual-report-{}.pdf\"", report.year),
            )
            .body(pdf))
    })
    .await
}

/// The Agency's summary across tenants.
#[handler]
pub(crate) async fn summary_page(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<YearQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        super::agency::agency_only(&state, &v).await?;
        let tr = &v.tr;
        let today = adal_domain::kazakhstan_today();
        let (year, error) = year_asked(&q, today);
        let y = annual::year_of(year, today)?;
        let s = annual::summary(&state.store, &y, today).await?;
        let pct = |p: Option<u8>| p.map_or_else(|| "—".to_owned(), |p| format!("{p} %"));
        let body = html! {
            p class="intro noprint" { (tr.t("annual-summary-intro")) }
            (year_form(tr, "/agency/annual-reports", year, error, today))
            p class="downloads noprint" {
                a href={ "/agency/annual-reports.csv?year=" (year) } id="summary-csv" download { (tr.t("annual-download-csv")) }
            }
            @if s.partial { p class="alert" role="note" { (tr.t("annual-partial")) } }
            div class="scroll" {
                table id="annual-summary" data-year=(year) {
                    (head(tr, &[("annual-col-organisation", false), ("annual-region", false), ("annual-findings", true), ("annual-high-risk", true), ("annual-open", true), ("annual-positions", true), ("annual-received", true), ("annual-late", true), ("annual-missing", true), ("annual-coverage", true)]))
                    tbody {
                        @for row in &s.tenants {
                            tr data-tenant=(row.tenant.id) {
                                th scope="row" { a href={ "/t/" (row.tenant.id) "/annual-report?year=" (year) } { (row.tenant.name) } }
                                td { (label(tr, "region", &row.tenant.region)) }
                                td class="num" { (row.figures.findings) }
                                td class="num" { (row.figures.high_risk_findings) }
                                td class="num" { (row.figures.open_findings) }
                                td class="num" { (row.figures.high_risk_positions) }
                                td class="num" { (row.figures.cases_received) }
                                td class="num" { (row.figures.declarations_late) }
                                td class="num" { (row.figures.declarations_missing) }
                                td class="num" { (pct(row.training_coverage_percent)) }
                            }
                        }
                    }
                    tfoot {
                        tr id="annual-summary-total" {
                            th scope="row" { (tr.t_args("annual-total-of", &[("n", s.total.tenants.to_string().into())])) }
                            td {}
                            td class="num" { (s.total.figures.findings) }
                            td class="num" { (s.total.figures.high_risk_findings) }
                            td class="num" { (s.total.figures.open_findings) }
                            td class="num" { (s.total.figures.high_risk_positions) }
                            td class="num" { (s.total.figures.cases_received) }
                            td class="num" { (s.total.figures.declarations_late) }
                            td class="num" { (s.total.figures.declarations_missing) }
                            td class="num" { (pct(s.total.training_coverage_percent)) }
                        }
                    }
                }
            }
        };
        let status = if error.is_some() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        let f = own_frame(&state, &v).await;
        Ok(respond(&v, status, page(&v, &f, &tr.t("annual-summary-title"), body)))
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn summary_csv(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<YearQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        super::agency::agency_only(&state, &v).await?;
        let today = adal_domain::kazakhstan_today();
        let (year, _) = year_asked(&q, today);
        let y = annual::year_of(year, today)?;
        let s = annual::summary(&state.store, &y, today).await?;
        Ok(attachment(
            "text/csv; charset=utf-8",
            &format!("annual-summary-{year}.csv"),
            annual::summary_csv(&s).into_bytes(),
        ))
    }
    .await;
    finish(&v, r)
}

#[cfg(test)]
mod tests {
    use super::{YearQuery, year_asked};

    #[test]
    fn the_year_defaults_to_the_last_full_one_and_is_checked() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let q = |y: &str| YearQuery {
            year: Some(y.to_owned()),
        };
        assert_eq!(year_asked(&YearQuery::default(), today), (2025, None));
        assert_eq!(year_asked(&q(" 2026 "), today), (2026, None));
        assert_eq!(
            year_asked(&q("2027"), today),
            (2025, Some("annual-err-year"))
        );
        assert_eq!(
            year_asked(&q("1999"), today),
            (2025, Some("annual-err-year"))
        );
        assert_eq!(
            year_asked(&q("twenty"), today),
            (2025, Some("annual-err-year"))
        );
    }
}
