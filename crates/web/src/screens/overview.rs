//! A tenant's entry and its overview: open findings by severity and
//! area, overdue declarations, the weekly trend and the riskiest positions.

use crate::kit::{
    PageResult, SEVERITIES, allowed, authorize, caller, finish, head, label, redirect, show,
};
use crate::overdue::overdue_declarations;
use crate::session::Visitor;
use crate::trend;
use adal_authz::{act, obj};
use adal_service::AppState;
use adal_store::evaluation::{self};
use adal_store::triage::{self};
use maud::{PreEscaped, html};
use poem::web::{Data, Path};
use poem::{Request, Response, handler};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

#[handler]
pub(crate) async fn tenant_home(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let c = caller(&v)?;
        let ctx = authorize(&state, &v, tenant, obj::TENANT, act::READ).await?;
        let to = if c.tenant_id == Some(tenant) {
            crate::kit::home_of(&state, c).await
        } else if allowed(&state, c, ctx.tenant().uuid(), obj::RISK_MAP, act::READ).await {
            format!("/t/{tenant}/overview")
        } else {
            format!("/t/{tenant}/my")
        };
        Ok(redirect(&v, &to))
    }
    .await;
    finish(&v, r)
}

/// The triage queue of someone who may triage: open findings assigned to
/// them, those of them overdue, and every overdue finding they may read.
struct Queue {
    mine: u64,
    mine_overdue: u64,
    overdue: u64,
}

async fn my_queue(
    state: &AppState,
    ctx: &adal_service::TenantCtx,
) -> Result<Option<Queue>, crate::kit::Fail> {
    let c = ctx.caller();
    if !allowed(state, c, ctx.tenant().uuid(), obj::FINDINGS_ALL, act::WRITE).await {
        return Ok(None);
    }
    let scope = adal_service::reader_scope(state, ctx).await;
    let now = chrono::Utc::now();
    let count = |f: evaluation::FindingFilter| {
        let scope = &scope;
        async move {
            adal_service::findings::list(state, ctx, scope, &f, 0, 0)
                .await
                .map(|(_, n)| n)
        }
    };
    let mine = || evaluation::FindingFilter {
        assigned_to: Some(c.user_id),
        ..Default::default()
    };
    Ok(Some(Queue {
        mine: count(evaluation::FindingFilter {
            status: Some(evaluation::OPEN.to_owned()),
            ..mine()
        })
        .await?,
        mine_overdue: count(evaluation::FindingFilter {
            overdue_at: Some(now),
            ..mine()
        })
        .await?,
        overdue: count(evaluation::FindingFilter {
            overdue_at: Some(now),
            ..Default::default()
        })
        .await?,
    }))
}

#[handler]
pub(crate) async fn overview(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RISK_MAP, act::READ).await?;
        let tr = &v.tr;
        let counts = triage::open_counts(&state.store, ctx.tenant()).await?;
        let map = evaluation::risk_map(&state.store, ctx.tenant()).await?;
        let mut by_area: BTreeMap<String, HashMap<String, u64>> = BTreeMap::new();
        let mut by_severity: HashMap<String, u64> = HashMap::new();
        for c in &counts {
            *by_area
                .entry(c.area.clone())
                .or_default()
                .entry(c.severity.clone())
                .or_default() += c.count;
            *by_severity.entry(c.severity.clone()).or_default() += c.count;
        }
        let total: u64 = counts.iter().map(|c| c.count).sum();
        let findings_href = format!("/t/{tenant}/findings");
        let today = adal_domain::kazakhstan_today();
        let times = evaluation::finding_times(
            &state.store,
            ctx.tenant(),
            trend::since(today, trend::WEEKS),
        )
        .await?;
        let weeks = trend::weeks_of(&times, today, trend::WEEKS);
        let severity_names = trend::SEVERITIES.map(|s| label(tr, "severity", s));
        let trend_svg = trend::render(
            &weeks,
            &trend::Text {
                title: &tr.t("trend-title"),
                description: &tr.t_args(
                    "trend-desc",
                    &[
                        ("weeks", trend::WEEKS.to_string().into()),
                        ("end", tr.date(today).into()),
                        ("n", weeks.iter().map(trend::Week::total).sum::<u64>().to_string().into()),
                    ],
                ),
                severities: severity_names.each_ref().map(String::as_str),
            },
        );
        let overdue = overdue_declarations(&state, ctx.caller(), ctx.tenant(), today).await?;
        let queue = my_queue(&state, &ctx).await?;
        let body = html! {
            @if let Some(q) = &queue {
                h2 { (tr.t("overview-queue")) }
                section class="cards" id="my-queue" aria-label=(tr.t("overview-queue")) {
                    div class="card" {
                        p class="big" id="queue-mine" { (q.mine) }
                        p { a href={ (findings_href) "?assigned=me&status=open" } { (tr.t("queue-mine")) } }
                    }
                    div class={ "card" @if q.mine_overdue > 0 { " sev-critical" } } {
                        p class="big" id="queue-mine-overdue" { (q.mine_overdue) }
                        p { a href={ (findings_href) "?assigned=me&due=overdue" } { (tr.t("queue-mine-overdue")) } }
                    }
                    div class={ "card" @if q.overdue > 0 { " sev-high" } } {
                        p class="big" id="queue-overdue" { (q.overdue) }
                        p { a href={ (findings_href) "?due=overdue" } { (tr.t("queue-overdue")) } }
                    }
                }
            }
            section class="cards" aria-label=(tr.t("overview-summary")) {
                div class="card" {
                    p class="big" id="open-total" { (total) }
                    p { (tr.t("overview-open-findings")) }
                }
                @for s in SEVERITIES.iter().rev() {
                    div class={ "card sev-" (s) } {
                        p class="big" data-severity=(s) { (by_severity.get(*s).copied().unwrap_or(0)) }
                        p { a href={ (findings_href) "?status=open&severity=" (s) } { (label(tr, "severity", s)) } }
                    }
                }
            }
            @if let Some(o) = &overdue {
                h2 { (tr.t("overview-overdue")) }
                p { (tr.t_args("overdue-for", &[("year", o.year.to_string().into()), ("due", tr.date(o.due).into())])) }
                section class="cards" id="overdue" aria-label=(tr.t("overview-overdue")) {
                    div class="card" { p class="big" id="overdue-missing" { (o.missing) } p { (tr.t("overdue-missing")) } }
                    div class="card" { p class="big" id="overdue-late" { (o.late) } p { (tr.t("overdue-late")) } }
                }
            }
            h2 { (tr.t("overview-trend")) }
            figure id="trend" {
                (PreEscaped(trend_svg))
            }
            div class="scroll" {
                table id="trend-table" {
                    caption { (tr.t("trend-caption")) }
                    thead { tr {
                        th scope="col" { (tr.t("col-week")) }
                        @for s in trend::SEVERITIES { th scope="col" class="num" { (label(tr, "severity", s)) } }
                        th scope="col" class="num" { (tr.t("col-total")) }
                    } }
                    tbody {
                        @for w in &weeks {
                            tr data-week=(w.start.format("%Y-%m-%d")) {
                                th scope="row" { (tr.date(w.start)) }
                                @for c in w.counts { td class="num" { (c) } }
                                td class="num" { (w.total()) }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("overview-by-area")) }
            @if by_area.is_empty() {
                p id="no-open-findings" { (tr.t("overview-none-open")) }
            } @else {
                div class="scroll" {
                    table id="by-area" {
                        caption { (tr.t("overview-by-area-caption")) }
                        thead { tr {
                            th scope="col" { (tr.t("col-area")) }
                            @for s in SEVERITIES { th scope="col" class="num" { (label(tr, "severity", s)) } }
                            th scope="col" class="num" { (tr.t("col-total")) }
                        } }
                        tbody {
                            @for (area, sev) in &by_area {
                                tr {
                                    th scope="row" { a href={ (findings_href) "?status=open&area=" (area) } { (label(tr, "area", area)) } }
                                    @for s in SEVERITIES { td class="num" { (sev.get(s).copied().unwrap_or(0)) } }
                                    td class="num" { (sev.values().sum::<u64>()) }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("overview-positions")) }
            @if map.positions.is_empty() {
                p { (tr.t("overview-no-positions")) }
            } @else {
                div class="scroll" {
                    table id="positions" {
                        caption { (tr.t("overview-positions-caption")) }
                        (head(tr, &[("col-position", false), ("col-high-risk-list", false), ("col-open-findings", true), ("col-score", true)]))
                        tbody {
                            @for p in map.positions.iter().take(10) {
                                tr {
                                    th scope="row" { (p.title) }
                                    td { (if p.high_risk { tr.t("yes") } else { tr.t("no") }) }
                                    td class="num" { (p.open_findings) }
                                    td class="num" { (p.score) }
                                }
                            }
                        }
                    }
                }
            }
            p { a href={ "/t/" (tenant) "/risk-map" } { (tr.t("overview-see-risk-map")) } }
        };
        show(&state, &v, ctx.tenant(), "overview-title", body).await
    }
    .await;
    finish(&v, r)
}
