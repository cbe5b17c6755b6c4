//! The feedback channel in figures: an organisation's, for its
//! compliance unit, and every organisation's, for the Agency; each with
//! SVG bar charts beside its table, and as CSV.

use super::CaseError;
use crate::i18n::Tr;
use crate::kit::{
    Fail, PageResult, authorize, caller, finish, head, label, listing, own_frame, page, respond,
    show_as,
};
use crate::screens::agency::agency_only;
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::AppState;
use adal_service::reporting as svc;
use chrono::NaiveDate;
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use uuid::Uuid;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The period asked for, or the key of each field's error.
fn period(q: &PeriodQuery) -> (Option<NaiveDate>, Option<NaiveDate>, Vec<CaseError>) {
    let mut errors = Vec::new();
    let mut day = |v: &Option<String>, field: &'static str| match v.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push((field, "err-date"));
                None
            }
        },
    };
    let from = day(&q.from, "from");
    let to = day(&q.to, "to");
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        errors.push(("to", "cases-err-period"));
        return (None, None, errors);
    }
    (from, to, errors)
}

/// The period's form of a statistics page, with the values as typed.
fn period_form(tr: &Tr, path: &str, q: &PeriodQuery, errors: &[CaseError]) -> Markup {
    let err = |f: &str| errors.iter().find(|(k, _)| *k == f).map(|(_, e)| *e);
    let value = |v: &Option<String>| v.as_deref().map_or("", str::trim).to_owned();
    let (from_v, to_v) = (value(&q.from), value(&q.to));
    html! {
        form method="get" action=(path) class="filters" id="statistics-period" {
            (listing::input(tr, &listing::Input { id: "from", label: "cases-from", kind: "date", value: &from_v, error: err("from"), hint: None }))
            (listing::input(tr, &listing::Input { id: "to", label: "cases-to", kind: "date", value: &to_v, error: err("to"), hint: None }))
            (listing::buttons(tr, path))
        }
    }
}

/// The period as the CSV link's query.
fn period_query(from: Option<NaiveDate>, to: Option<NaiveDate>) -> String {
    match (from, to) {
        (None, None) => String::new(),
        _ => format!(
            "?from={}&to={}",
            from.map(|d| d.to_string()).unwrap_or_default(),
            to.map(|d| d.to_string()).unwrap_or_default()
        ),
    }
}

/// The period of a CSV link: a bad one is refused (the page shows why).
fn period_for_csv(q: &PeriodQuery) -> Result<(Option<NaiveDate>, Option<NaiveDate>), Fail> {
    let (from, to, errors) = period(q);
    if errors.is_empty() {
        Ok((from, to))
    } else {
        Err(Fail::Refused {
            conflict: false,
            errors: Vec::new(),
        })
    }
}

fn csv_download(filename: &str, body: String) -> Response {
    Response::builder()
        .content_type("text/csv; charset=utf-8")
        .header(
            poem::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )
        .body(body)
}

/// A horizontal bar chart of `rows` (label, count), with the numbers in
/// the bars' titles and in the table beside it.
fn bars(id: &str, caption: &str, rows: &[(String, u64)]) -> Markup {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let row_h = 26;
    let height = row_h * rows.len().max(1) + 8;
    let label_w = 230;
    let bar_w = 260u64;
    html! {
        figure id=(id) {
            svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(caption) viewBox=(format!("0 0 {} {height}", label_w + bar_w as usize + 60)) width=(label_w + bar_w as usize + 60) height=(height) {
                @for (i, (name, n)) in rows.iter().enumerate() {
                    @let y = i * row_h + 4;
                    text x=(label_w - 8) y=(y + 16) text-anchor="end" font-size="13" { (name) }
                    rect x=(label_w) y=(y + 3) width=(n * bar_w / max) height=(row_h - 8) fill="#1f5f99" { title { (name) ": " (n) } }
                    text x=(label_w as u64 + n * bar_w / max + 6) y=(y + 16) font-size="13" { (n) }
                }
            }
            figcaption { (caption) }
        }
    }
}

fn share(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| format!("{:.0}%", v * 100.0))
}

fn days(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}"))
}

/// The channel in figures (docs/reporting.md, "Statistics"), with charts
/// and the CSV the API gives.
#[handler]
pub(crate) async fn statistics_page(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::CASES, act::READ).await?;
        let tr = &v.tr;
        let (from, to, errors) = period(&q);
        let s = svc::statistics(&state, &ctx, from, to).await?;
        let path = format!("/t/{tenant}/case-statistics");
        let csv_query = period_query(from, to);
        let statuses: Vec<(String, u64)> = s
            .by_status
            .iter()
            .map(|(k, n)| (label(tr, "case-status", k.as_str()), *n))
            .collect();
        let outcomes: Vec<(String, u64)> = s
            .by_outcome
            .iter()
            .map(|(k, n)| (label(tr, "case-outcome", k.as_str()), *n))
            .collect();
        let sources: Vec<(String, u64)> = s
            .by_source
            .iter()
            .map(|(k, n)| (label(tr, "case-source", k.as_str()), *n))
            .collect();
        let body = html! {
            (period_form(tr, &path, &q, &errors))
            div class="cards" id="case-figures" {
                div class="card" { p { (tr.t("cases-stat-reports")) } p class="big" id="stat-reports" { (s.reports) } }
                div class="card" { p { (tr.t("cases-stat-open")) } p class="big" id="stat-open" { (s.open) } }
                div class="card" { p { (tr.t("cases-overdue")) } p class="big" id="stat-overdue" { (s.overdue) } }
                div class="card" { p { (tr.t("cases-stat-per-100")) } p class="big" id="stat-per-100" { (s.reports_per_100_staff.map_or_else(|| "—".to_owned(), |r| format!("{r:.2}"))) } }
                div class="card" { p { (tr.t("cases-stat-anonymous")) } p class="big" id="stat-anonymous" { (share(s.anonymous_share)) } }
                div class="card" { p { (tr.t("cases-stat-ack-days")) } p class="big" id="stat-ack" { (days(s.median_days_to_acknowledge)) } }
                div class="card" { p { (tr.t("cases-stat-close-days")) } p class="big" id="stat-close" { (days(s.median_days_to_close)) } }
            }
            div class="riskmap" {
                (bars("chart-status", &tr.t("cases-by-status"), &statuses))
                (bars("chart-outcome", &tr.t("cases-by-outcome"), &outcomes))
                (bars("chart-source", &tr.t("cases-by-source"), &sources))
            }
            div class="scroll" {
                table id="case-counts" {
                    caption { (tr.t("cases-counts")) }
                    (head(tr, &[("cases-col-value", false), ("cases-col-count", true)]))
                    tbody {
                        @for (name, n) in statuses.iter().chain(&outcomes).chain(&sources) {
                            tr { th scope="row" { (name) } td class="num" { (n) } }
                        }
                    }
                }
            }
            p { a class="button secondary" href=(format!("{path}.csv{csv_query}")) id="statistics-csv" { (tr.t("cases-csv")) } }
        };
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        show_as(&state, &v, ctx.tenant(), "cases-statistics-title", body, status).await
    }
    .await;
    finish(&v, r)
}

/// The same figures as one CSV header and row (the API's columns).
#[handler]
pub(crate) async fn statistics_csv(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::CASES, act::READ).await?;
        let (from, to) = period_for_csv(&q)?;
        let s = svc::statistics(&state, &ctx, from, to).await?;
        Ok(csv_download("case-statistics.csv", s.csv()))
    }
    .await;
    finish(&v, r)
}

fn per_100(s: &svc::CaseStatistics) -> String {
    s.reports_per_100_staff
        .map_or_else(|| "—".to_owned(), |r| format!("{r:.2}"))
}

/// Every organisation's channel in figures, for the Agency: a row per
/// organisation and one for all, a chart of reports per 100 staff and one
/// of outcomes, and the CSV.
#[handler]
pub(crate) async fn agency_statistics_page(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        agency_only(&state, &v).await?;
        let c = caller(&v)?;
        let tr = &v.tr;
        let (from, to, errors) = period(&q);
        let s = svc::agency_statistics(&state, c, from, to).await?;
        let path = "/agency/case-statistics";
        let csv_query = period_query(from, to);
        // Whole reports per 100 staff do not chart well; hundredths do.
        let rates: Vec<(String, u64)> = s
            .tenants
            .iter()
            .map(|t| {
                let hundredths = t
                    .figures
                    .reports_per_100_staff
                    .map_or(0, |r| (r * 100.0).round() as u64);
                (t.tenant_name.clone(), hundredths)
            })
            .collect();
        let outcomes: Vec<(String, u64)> = s
            .total
            .by_outcome
            .iter()
            .map(|(k, n)| (label(tr, "case-outcome", k.as_str()), *n))
            .collect();
        let row = |name: &str, agency: u64, f: &svc::CaseStatistics| {
            html! {
                th scope="row" { (name) }
                td class="num" { (f.reports) }
                td class="num" { (agency) }
                td class="num" { (f.open) }
                td class="num" { (f.overdue) }
                td class="num" { (per_100(f)) }
                td class="num" { (share(f.anonymous_share)) }
                td class="num" { (days(f.median_days_to_acknowledge)) }
                td class="num" { (days(f.median_days_to_close)) }
            }
        };
        let body = html! {
            p class="intro" { (tr.t("agency-statistics-intro")) }
            (period_form(tr, path, &q, &errors))
            div class="scroll" {
                table id="agency-statistics" {
                    caption { (tr.t("agency-statistics-caption")) }
                    (head(tr, &[("col-tenant", false), ("cases-stat-reports", true), ("agency-statistics-to-agency", true), ("cases-stat-open", true), ("cases-overdue", true), ("cases-stat-per-100", true), ("cases-stat-anonymous", true), ("cases-stat-ack-days", true), ("cases-stat-close-days", true)]))
                    tbody {
                        @for t in &s.tenants {
                            tr data-tenant=(t.tenant_id) { (row(&t.tenant_name, t.reported_to_agency, &t.figures)) }
                        }
                    }
                    tfoot {
                        tr id="agency-statistics-all" { (row(&tr.t("agency-statistics-all"), s.reported_to_agency, &s.total)) }
                    }
                }
            }
            div class="riskmap" {
                (bars("chart-rate", &tr.t("agency-statistics-rate-chart"), &rates))
                (bars("chart-outcome", &tr.t("cases-by-outcome"), &outcomes))
            }
            p { a class="button secondary" href=(format!("{path}.csv{csv_query}")) id="statistics-csv" { (tr.t("cases-csv")) } }
        };
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let frame = own_frame(&state, &v).await;
        Ok(respond(&v, status, page(&v, &frame, &tr.t("agency-statistics-title"), body)))
    }
    .await;
    finish(&v, r)
}

/// The Agency's figures as CSV (the API's columns).
#[handler]
pub(crate) async fn agency_statistics_csv(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        agency_only(&state, &v).await?;
        let c = caller(&v)?;
        let (from, to) = period_for_csv(&q)?;
        let s = svc::agency_statistics(&state, c, from, to).await?;
        Ok(csv_download("case-statistics-all.csv", s.csv()))
    }
    .await;
    finish(&v, r)
}
