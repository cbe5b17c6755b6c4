//! A member's own filings, the findings about them, and their
//! declaration deadlines.

use crate::kit::{Fail, PageResult, allowed, authorize, finish, head, label, show};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::{AppState, TenantCtx};
use adal_store::evaluation::{self, FindingFilter};
use adal_store::submissions::{self, SubmissionFilter};
use adal_store::{declarations, tenants};
use chrono::Datelike;
use maud::html;
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct MyQuery {
    filed: Option<String>,
}

#[handler]
pub(crate) async fn my_filings(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<MyQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::SUBMISSIONS_OWN, act::READ).await?;
        // "My" filings are those of a member of the tenant; the Agency has
        // none here.
        if ctx.caller().tenant_id != Some(tenant) {
            return Err(Fail::NotFound);
        }
        let tr = &v.tr;

        // Every kind, but only the caller's own.
        let mine = adal_service::own_scope(&ctx);
        let (subs, _) = submissions::list(
            &state.store,
            ctx.tenant(),
            &mine,
            &SubmissionFilter::default(),
            0,
            200,
        )
        .await?;
        let (found, _) = evaluation::list_findings(
            &state.store,
            ctx.tenant(),
            &mine,
            &FindingFilter::default(),
            0,
            500,
        )
        .await?;
        let mut by_sub: HashMap<Uuid, Vec<&evaluation::Finding>> = HashMap::new();
        for f in &found {
            by_sub.entry(f.submission_id).or_default().push(f);
        }
        let can_file = allowed(&state, ctx.caller(), tenant, obj::GIFTS, act::CREATE).await;
        let deadlines = if allowed(&state, ctx.caller(), tenant, obj::ASSET_DECLARATIONS, act::CREATE).await {
            own_deadlines(&state, &ctx).await?
        } else {
            Vec::new()
        };
        let body = html! {
            @if let Some(kind) = &q.filed {
                p class="alert ok" role="status" id="filed" {
                    (tr.t(match kind.as_str() {
                        "conflict" => "conflict-filed",
                        "declaration" => "decl-filed",
                        "correction" => "correction-filed",
                        "training" => "training-filed",
                        "feedback" => "feedback-filed",
                        "governance" => "governance-filed",
                        _ => "gift-filed",
                    }))
                }
            }
            @if !deadlines.is_empty() {
                section id="deadlines" aria-labelledby="deadlines-h" {
                    h2 id="deadlines-h" { (tr.t("deadlines-title")) }
                    div class="scroll" {
                        table id="deadline-table" {
                            caption { (tr.t("deadlines-caption")) }
                            (head(tr, &[("col-year", false), ("col-due", false), ("col-state", false), ("col-filed", false)]))
                            tbody {
                                @for d in &deadlines {
                                    tr data-year=(d.year) data-state=(d.state.as_str()) {
                                        th scope="row" { (d.year) }
                                        td class="due" { (tr.date(d.due)) }
                                        td {
                                            (tr.t(&format!("deadline-{}", d.state.as_str())))
                                            @if d.can_file_now {
                                                " · " a href={ "/t/" (tenant) "/declarations/new" } { (tr.t("deadline-file-now")) }
                                            }
                                        }
                                        td { @if let Some(at) = d.first_filed { (tr.datetime(at)) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if can_file { p { a class="button" href={ "/t/" (tenant) "/gifts/new" } { (tr.t("nav-file-gift")) } } }
            @if subs.is_empty() { p id="no-filings" { (tr.t("my-none")) } }
            ol class="filings" id="filings" {
                @for s in &subs {
                    @let payload: serde_json::Value = serde_json::from_str(&s.payload).unwrap_or_default();
                    li data-submission=(s.id) data-status=(s.status) {
                        h2 class="h3" {
                            a href={ "/t/" (tenant) "/filings/" (s.id) } {
                                (label(tr, "kind", &s.kind)) ": "
                                @if let Some(year) = payload.get("year").and_then(serde_json::Value::as_i64) { (year) }
                                (payload.get("description").and_then(|d| d.as_str()).unwrap_or(""))
                            }
                        }
                        dl class="facts" {
                            dt { (tr.t("col-received")) } dd { (tr.datetime(s.received_at)) }
                            dt { (tr.t("col-status")) } dd class="filing-status" { (label(tr, "status", &s.status)) }
                            @if let Some(val) = payload.get("value_kzt").and_then(|d| d.as_str()) {
                                dt { (tr.t("gift-value")) } dd { (tr.money(val)) }
                            }
                            @if let Some(d) = payload.get("date").and_then(|d| d.as_str()).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
                                dt { (tr.t("gift-date")) } dd { (tr.date(d)) }
                            }
                        }
                        @if let Some(fs) = by_sub.get(&s.id) {
                            h3 class="h4" { (tr.t("my-findings")) }
                            p class="hint" { (tr.t("my-findings-hint")) }
                            ul class="my-findings" {
                                @for f in fs {
                                    li data-finding=(f.id) {
                                        span class={ "sev sev-" (f.severity) } { (label(tr, "severity", &f.severity)) }
                                        " · " (label(tr, "status", &f.status))
                                        @if let Some(title) = tr.rule_text(&f.rule_id, "title") { " · " strong { (title) } }
                                        " · " (tr.explanation(&f.rule_id, f.facts.as_deref(), &f.explanation))
                                    }
                                }
                            }
                        } @else if s.status == submissions::EVALUATED {
                            p class="muted" { (tr.t("my-no-findings")) }
                        }
                    }
                }
            }
        };
        show(&state, &v, ctx.tenant(), "my-title", body).await
    }
    .await;
    finish(&v, r)
}

/// One of the caller's declaration deadlines.
struct Deadline {
    year: i32,
    due: chrono::NaiveDate,
    state: declarations::State,
    first_filed: Option<chrono::DateTime<chrono::Utc>>,
    /// The year has ended and nothing is filed for it yet.
    can_file_now: bool,
}

/// The caller's declaration for the reporting year open now (the year
/// that ended last) and for the year under way, against the tenant's
/// deadlines, classified as the declaration status of the API does.
async fn own_deadlines(state: &AppState, ctx: &TenantCtx) -> Result<Vec<Deadline>, Fail> {
    let settings = tenants::settings_of(&tenants::get(&state.store, ctx.tenant()).await?)?;
    let today = adal_domain::kazakhstan_today();
    let mut out = Vec::new();
    for year in [today.year() - 1, today.year()] {
        let Some(due) = settings.declaration_due(year) else {
            continue;
        };
        let first_filed =
            declarations::first_filed_by(&state.store, ctx.tenant(), ctx.caller().user_id, year)
                .await?;
        out.push(Deadline {
            year,
            due,
            state: declarations::classify(first_filed, due, today),
            first_filed,
            can_file_now: first_filed.is_none() && year < today.year(),
        });
    }
    Ok(out)
}
