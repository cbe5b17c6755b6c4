//! The compliance unit's cases on screen (docs/reporting.md): the list
//! (nearest deadline first, so the overdue lead; "assigned to me"; open or
//! all), the case with its report, conversation and internal notes, and
//! what a handler does to it (acknowledge, review, assign, write to the
//! reporter, note, close with an outcome, reopen, step aside, escalate to
//! the Agency); and the Agency's list of escalated cases.
//!
//! Everything goes through `adal_service::reporting`, so the screen shows
//! no more than the API would: a handler the report names, or who stepped
//! aside, gets the 404 an unknown case gets, and each opening of a case is
//! in the organisation's audit log.

use crate::i18n::Tr;
use crate::kit::{
    Fail, Fields, PageResult, SavedQuery, allowed, authorize, authorize_form, caller, finish, head,
    label, listing, own_frame, page, redirect, respond, show_as,
};
use crate::report_view::{day, report_facts};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::{CaseOutcome, CaseStatus, MessageAuthor, Role};
use adal_service::reporting::{self as svc, CaseSummary, CaseUpdate, Escalation};
use adal_service::{AppState, ServiceError, TenantCtx};
use adal_store::reports::CaseFilter;
use adal_store::users;
use chrono::NaiveDate;
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use std::collections::HashMap;
use uuid::Uuid;

/// Cases a page of the list holds.
const PAGE: u64 = 50;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ListQuery {
    mine: Option<String>,
    all: Option<String>,
    status: Option<String>,
    offset: Option<String>,
}

/// The names of the tenant's accounts, by id.
async fn names(state: &AppState, ctx: &TenantCtx) -> Result<HashMap<Uuid, String>, Fail> {
    Ok(users::list(&state.store, ctx.tenant())
        .await?
        .into_iter()
        .map(|u| (u.id, u.display_name))
        .collect())
}

fn status_cell(tr: &Tr, c: &CaseSummary) -> Markup {
    html! {
        (label(tr, "case-status", c.status.as_str()))
        @if c.overdue { " " span class="sev sev-critical" data-overdue="1" { (tr.t("cases-overdue")) } }
    }
}

#[handler]
pub(crate) async fn cases_list(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<ListQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::CASES, act::READ).await?;
        let tr = &v.tr;
        let (paging, _) = listing::paging(q.offset.as_deref(), None);
        let paging = listing::Paging {
            offset: paging.offset,
            limit: PAGE,
        };
        let status_text = q.status.as_deref().map_or("", str::trim);
        let (status, status_error) = match status_text {
            "" => (None, None),
            s => match CaseStatus::parse(s) {
                Ok(s) => (Some(s), None),
                Err(_) => (None, Some("err-choice")),
            },
        };
        let mine = q.mine.as_deref().is_some_and(|m| !m.is_empty());
        let all = q.all.as_deref().is_some_and(|m| !m.is_empty());
        let filter = CaseFilter {
            status,
            assignee: mine.then(|| ctx.caller().user_id),
            open: !all && status != Some(CaseStatus::Closed),
            ..CaseFilter::default()
        };
        let (rows, total) =
            svc::list_cases(&state, &ctx, &filter, paging.offset, paging.limit).await?;
        let who = names(&state, &ctx).await?;
        let base = format!("/t/{tenant}/cases");
        let kept = listing::kept(&[("mine", &q.mine), ("all", &q.all), ("status", &q.status)]);
        let statuses: Vec<(String, String)> = CaseStatus::ALL
            .iter()
            .map(|s| (s.as_str().to_owned(), label(tr, "case-status", s.as_str())))
            .collect();
        let body = html! {
            p class="intro" { (tr.t("cases-intro")) }
            form method="get" action=(base) class="filters" id="cases-filter" {
                div class="field" {
                    label class="choice" { input type="checkbox" name="mine" value="1" id="cases-mine" checked[mine]; " " (tr.t("cases-mine")) }
                    label class="choice" { input type="checkbox" name="all" value="1" id="cases-all" checked[all]; " " (tr.t("cases-all")) }
                }
                (listing::select(tr, "status", "report-case-status", &statuses, Some(status_text), status_error))
                (listing::buttons(tr, &base))
            }
            p { a href=(format!("/t/{tenant}/case-statistics")) id="cases-statistics-link" { (tr.t("cases-statistics")) } }
            (listing::pager(tr, "cases-pager", &base, &kept, paging, rows.len(), total))
            @if rows.is_empty() {
                p id="cases-none" { (tr.t("cases-none")) }
            } @else {
                div class="scroll" {
                    table id="cases" {
                        caption { (tr.t("cases-caption")) }
                        (head(tr, &[("report-received-on", false), ("report-case-status", false), ("cases-col-source", false), ("cases-col-assignee", false), ("report-ack-due", false), ("report-feedback-due", false)]))
                        tbody {
                            @for c in &rows {
                                tr data-case=(c.id) data-status=(c.status.as_str()) data-overdue=[c.overdue.then_some("1")] {
                                    th scope="row" { a href=(format!("{base}/{}", c.id)) { (day(c.received_on)) } }
                                    td { (status_cell(tr, c)) }
                                    td { (label(tr, "case-source", c.source.as_str())) }
                                    td { @match c.assignee_id.and_then(|a| who.get(&a)) { Some(n) => (n), None => span class="muted" { (tr.t("cases-unassigned")) } } }
                                    td { (day(c.ack_due)) }
                                    td { (day(c.feedback_due)) }
                                }
                            }
                        }
                    }
                }
            }
        };
        show_as(&state, &v, ctx.tenant(), "cases-title", body, StatusCode::OK).await
    }
    .await;
    finish(&v, r)
}

/// A form of the case screen, posting to `action`.
fn action_form(v: &Visitor, base: &str, action: &str, id: &str, inner: Markup) -> Markup {
    html! {
        form method="post" action=(format!("{base}/{action}")) id=(id) class="case-action" {
            input type="hidden" name="csrf" value=(v.csrf);
            (inner)
        }
    }
}

/// An error of the case screen: the form's id and the message key.
type CaseError = (&'static str, &'static str);

fn error_in<'a>(errors: &'a [CaseError], form: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| *f == form).map(|(_, k)| *k)
}

/// The conversation with the reporter and the handlers' notes.
fn conversation(
    tr: &Tr,
    messages: &[svc::MessageView],
    name_of: &dyn Fn(Uuid) -> String,
) -> Markup {
    html! {
    h2 { (tr.t("report-messages")) }
    @if messages.is_empty() {
        p class="muted" id="no-messages" { (tr.t("report-no-messages")) }
    } @else {
        ol class="comments" id="case-messages" {
            @for m in messages {
                li data-author=(m.author.as_str()) class=[(m.author == MessageAuthor::Note).then_some("note")] {
                    p class="muted" {
                        @match m.author {
                            MessageAuthor::Reporter => (tr.t("cases-from-reporter")),
                            MessageAuthor::Handler => (tr.t_args("cases-from-handler", &[("name", m.author_id.map(name_of).unwrap_or_default().into())])),
                            MessageAuthor::Note => (tr.t_args("cases-note-by", &[("name", m.author_id.map(name_of).unwrap_or_default().into())])),
                        }
                        // A reporter's messages keep their day only.
                        " · " @if m.author == MessageAuthor::Reporter { (day(m.at.date_naive())) } @else { (m.at.format("%Y-%m-%d %H:%M")) }
                    }
                    p class="message" { (m.body) }
                }
            }
        }
    }
    }
}

/// What a handler does to a case: `handlers` are whom it may be assigned
/// to (`None` for the Agency's own channel, where nobody is assigned,
/// nobody steps aside and there is nobody to escalate to).
fn work(
    v: &Visitor,
    base: &str,
    s: &CaseSummary,
    errors: &[CaseError],
    handlers: Option<&[(String, String)]>,
) -> Markup {
    let tr = &v.tr;
    let open = s.status.is_open();
    let outcomes: Vec<(String, String)> = CaseOutcome::ALL
        .iter()
        .map(|o| (o.as_str().to_owned(), label(tr, "case-outcome", o.as_str())))
        .collect();
    html! {
        section class="triage" aria-labelledby="case-work" {
            h2 id="case-work" { (tr.t("cases-work")) }
            @if open {
                (action_form(v, base, "message", "case-message", html! {
                    div class={ "field" @if error_in(errors, "case-message").is_some() { " invalid" } } {
                        label for="message-body" { (tr.t("cases-write")) }
                        textarea id="message-body" name="body" rows="4" maxlength=(svc::MAX_MESSAGE) {}
                        @if let Some(e) = error_in(errors, "case-message") { p class="field-error" { (tr.t(e)) } }
                    }
                    div class="field" { label class="choice" { input type="checkbox" name="internal" value="1" id="message-internal"; " " (tr.t("cases-internal")) } }
                    div class="buttons" { button type="submit" id="message-send" { (tr.t("cases-send")) } }
                }))
                @if s.status == CaseStatus::Received {
                    (action_form(v, base, "status", "case-acknowledge", html! {
                        input type="hidden" name="status" value="acknowledged";
                        button type="submit" id="acknowledge" { (tr.t("cases-acknowledge")) }
                    }))
                }
                @if matches!(s.status, CaseStatus::Received | CaseStatus::Acknowledged) {
                    (action_form(v, base, "status", "case-review", html! {
                        input type="hidden" name="status" value="under_review";
                        button type="submit" class="secondary" id="review" { (tr.t("cases-review")) }
                    }))
                }
                @if let Some(handlers) = handlers {
                (action_form(v, base, "assign", "case-assign", html! {
                    div class={ "field" @if error_in(errors, "case-assign").is_some() { " invalid" } } {
                        label for="assignee" { (tr.t("cases-assign-to")) }
                        select id="assignee" name="assignee" {
                            option value="" { (tr.t("cases-unassigned")) }
                            @for (uid, n) in handlers.iter() {
                                option value=(uid) selected[s.assignee_id.map(|a| a.to_string()).as_deref() == Some(uid.as_str())] { (n) }
                            }
                        }
                        @if let Some(e) = error_in(errors, "case-assign") { p class="field-error" { (tr.t(e)) } }
                    }
                    div class="buttons" { button type="submit" class="secondary" id="assign" { (tr.t("cases-assign")) } }
                }))
                }
                (action_form(v, base, "close", "case-close", html! {
                    div class={ "field" @if error_in(errors, "case-close").is_some() { " invalid" } } {
                        label for="outcome" { (tr.t("report-case-outcome")) }
                        select id="outcome" name="outcome" {
                            option value="" { (tr.t("cases-choose-outcome")) }
                            @for (o, n) in &outcomes { option value=(o) { (n) } }
                        }
                        @if let Some(e) = error_in(errors, "case-close") { p class="field-error" { (tr.t(e)) } }
                    }
                    div class="buttons" { button type="submit" id="close" { (tr.t("cases-close")) } }
                }))
                @if handlers.is_some() && s.status != CaseStatus::Escalated {
                    (action_form(v, base, "escalate", "case-escalate", html! {
                        div class={ "field" @if error_in(errors, "case-escalate").is_some() { " invalid" } } {
                            label for="summary" { (tr.t("cases-escalate-summary")) }
                            textarea id="summary" name="summary" rows="3" maxlength=(svc::MAX_ESCALATION) {}
                            p class="hint" { (tr.t("cases-escalate-hint")) }
                            @if let Some(e) = error_in(errors, "case-escalate") { p class="field-error" { (tr.t(e)) } }
                        }
                        div class="field" { label class="choice" { input type="checkbox" name="include_report" value="1" id="include-report"; " " (tr.t("cases-escalate-include")) } }
                        div class="buttons" { button type="submit" class="secondary" id="escalate" { (tr.t("cases-escalate")) } }
                    }))
                }
                @if handlers.is_some() {
                (action_form(v, base, "recuse", "case-recuse", html! {
                    p class="hint" { (tr.t("cases-recuse-hint")) }
                    button type="submit" class="secondary" id="recuse" { (tr.t("cases-recuse")) }
                }))
                }
            } @else {
                (action_form(v, base, "status", "case-reopen", html! {
                    input type="hidden" name="status" value="under_review";
                    button type="submit" class="secondary" id="reopen" { (tr.t("cases-reopen")) }
                }))
            }
        }
    }
}

async fn case_screen(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Uuid,
    errors: &[CaseError],
    saved: bool,
    status: StatusCode,
) -> PageResult {
    let tr = &v.tr;
    let c = svc::case(state, &state.reporting, ctx, id).await?;
    let tenant = ctx.tenant().uuid();
    let base = format!("/t/{tenant}/cases/{id}");
    let accounts = users::list(&state.store, ctx.tenant()).await?;
    let name_of = |u: Uuid| {
        accounts
            .iter()
            .find(|a| a.id == u)
            .map_or_else(|| u.to_string(), |a| a.display_name.clone())
    };
    let recused: Vec<Uuid> = c.recused.iter().map(|(u, _)| *u).collect();
    let handlers: Vec<(String, String)> = accounts
        .iter()
        .filter(|a| a.role == Role::ComplianceOfficer.as_str() && !recused.contains(&a.id))
        .map(|a| (a.id.to_string(), a.display_name.clone()))
        .collect();
    let can_write = match caller(v) {
        Ok(cl) => allowed(state, cl, tenant, obj::CASES, act::WRITE).await,
        Err(_) => false,
    };
    let s = &c.case;
    let body = html! {
        @if saved { p class="alert ok" role="status" id="saved" { (tr.t("cases-saved")) } }
        @if let Some(e) = error_in(errors, "general") { p class="alert error" role="alert" id="case-error" { (tr.t(e)) } }
        p { a href=(format!("/t/{tenant}/cases")) { (tr.t("cases-back")) } }
        dl class="facts" id="case-facts" {
            dt { (tr.t("report-case-status")) } dd id="case-status" data-status=(s.status.as_str()) { (status_cell(tr, s)) }
            @if let Some(o) = s.outcome { dt { (tr.t("report-case-outcome")) } dd id="case-outcome" data-outcome=(o.as_str()) { (label(tr, "case-outcome", o.as_str())) } }
            dt { (tr.t("cases-col-source")) } dd { (label(tr, "case-source", s.source.as_str())) }
            dt { (tr.t("cases-col-assignee")) } dd id="case-assignee" { @match s.assignee_id { Some(a) => (name_of(a)), None => span class="muted" { (tr.t("cases-unassigned")) } } }
            dt { (tr.t("report-received-on")) } dd { (day(s.received_on)) }
            dt { (tr.t("report-ack-due")) } dd { (day(s.ack_due)) }
            dt { (tr.t("report-feedback-due")) } dd { (day(s.feedback_due)) }
            dt { (tr.t("cases-anonymous")) } dd { @if s.anonymous { (tr.t("yes")) } @else { (tr.t("no")) } }
            @if !c.recused.is_empty() {
                dt { (tr.t("cases-recused")) }
                dd id="case-recused" { ul { @for (u, why) in &c.recused { li data-user=(u) { (name_of(*u)) " · " (label(tr, "cases-recused", why)) } } } }
            }
        }
        h2 { (tr.t("cases-report")) }
        (report_facts(tr, &c.report, true))
        (conversation(tr, &c.messages, &name_of))
        @if can_write { (work(v, &base, s, errors, Some(&handlers))) }
    };
    show_as(state, v, ctx.tenant(), "cases-case-title", body, status).await
}

#[handler]
pub(crate) async fn case_detail(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id)): Path<(Uuid, Uuid)>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::CASES, act::READ).await?;
        case_screen(&state, &v, &ctx, id, &[], q.saved.is_some(), StatusCode::OK).await
    }
    .await;
    finish(&v, r)
}

/// The message key for a refusal of the service, on `form`.
fn refusal(form: &'static str, e: &ServiceError) -> Option<CaseError> {
    let code = match e {
        ServiceError::Invalid { details, .. } => details.first().map(|d| d.code.as_str()),
        ServiceError::Conflict(d) => Some(d.code.as_str()),
        _ => return None,
    };
    let key = match code {
        Some("text.too_long") => "err-too-long",
        Some("text.empty" | "text.length") => "err-empty",
        Some("case.closed") => "cases-err-closed",
        Some(c) if c.starts_with("case.escalat") => "cases-err-escalated",
        _ => match form {
            "case-assign" => "cases-err-assignee",
            "case-close" => "cases-err-outcome",
            _ => "cases-err-refused",
        },
    };
    Some((form, key))
}

#[handler]
pub(crate) async fn case_action(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id, action)): Path<(Uuid, Uuid, String)>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &f, tenant, obj::CASES, act::WRITE).await?;
        let get = |k: &str| f.get(k).map_or("", |s| s.trim());
        let checked = |k: &str| !get(k).is_empty();
        let keys = &state.reporting;
        let (form, result): (&'static str, Result<(), ServiceError>) = match action.as_str() {
            "message" => (
                "case-message",
                svc::handler_message(&state, keys, &ctx, id, get("body"), checked("internal"))
                    .await
                    .map(|_| ()),
            ),
            "status" => {
                let status = CaseStatus::parse(get("status")).map_err(|_| Fail::NotFound)?;
                let update = CaseUpdate {
                    status: Some(status),
                    ..CaseUpdate::default()
                };
                ("general", svc::update_case(&state, &ctx, id, update).await)
            }
            "assign" => {
                let who = match get("assignee") {
                    "" => None,
                    s => Some(s.parse::<Uuid>().map_err(|_| Fail::NotFound)?),
                };
                let update = CaseUpdate {
                    assignee: Some(who),
                    ..CaseUpdate::default()
                };
                (
                    "case-assign",
                    svc::update_case(&state, &ctx, id, update).await,
                )
            }
            "close" => {
                let outcome = match get("outcome") {
                    "" => None,
                    o => Some(CaseOutcome::parse(o).map_err(|_| Fail::NotFound)?),
                };
                let update = CaseUpdate {
                    status: Some(CaseStatus::Closed),
                    outcome,
                    ..CaseUpdate::default()
                };
                (
                    "case-close",
                    svc::update_case(&state, &ctx, id, update).await,
                )
            }
            "escalate" => {
                let e = Escalation {
                    summary: get("summary").to_owned(),
                    include_report: checked("include_report"),
                };
                (
                    "case-escalate",
                    svc::escalate(&state, keys, &ctx, id, &e).await,
                )
            }
            "recuse" => match svc::recuse(&state, &ctx, id).await {
                // The case is no longer the caller's to see.
                Ok(()) => return Ok(redirect(&v, &format!("/t/{tenant}/cases"))),
                Err(e) => ("general", Err(e)),
            },
            _ => return Err(Fail::NotFound),
        };
        match result {
            Ok(()) => Ok(redirect(&v, &format!("/t/{tenant}/cases/{id}?saved=1"))),
            Err(e) => match refusal(form, &e) {
                Some(err) => {
                    let status = if matches!(e, ServiceError::Conflict(_)) {
                        StatusCode::CONFLICT
                    } else {
                        StatusCode::UNPROCESSABLE_ENTITY
                    };
                    case_screen(&state, &v, &ctx, id, &[err], false, status).await
                }
                None => Err(e.into()),
            },
        }
    }
    .await;
    finish(&v, r)
}

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
        let (from, to, errors) = period(&q);
        if !errors.is_empty() {
            return Err(Fail::Refused {
                conflict: false,
                errors: Vec::new(),
            });
        }
        let s = svc::statistics(&state, &ctx, from, to).await?;
        Ok(Response::builder()
            .content_type("text/csv; charset=utf-8")
            .header(
                poem::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"case-statistics.csv\"",
            )
            .body(s.csv()))
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
        super::agency::agency_only(&state, &v).await?;
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
        super::agency::agency_only(&state, &v).await?;
        let c = caller(&v)?;
        let (from, to, errors) = period(&q);
        if !errors.is_empty() {
            return Err(Fail::Refused {
                conflict: false,
                errors: Vec::new(),
            });
        }
        let s = svc::agency_statistics(&state, c, from, to).await?;
        Ok(Response::builder()
            .content_type("text/csv; charset=utf-8")
            .header(
                poem::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"case-statistics-all.csv\"",
            )
            .body(s.csv()))
    }
    .await;
    finish(&v, r)
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct OffsetQuery {
    offset: Option<String>,
}

/// The cases organisations escalated to the Agency (Agency auditors).
#[handler]
pub(crate) async fn agency_cases(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<OffsetQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        super::agency::agency_only(&state, &v).await?;
        let c = caller(&v)?;
        let tr = &v.tr;
        let (paging, _) = listing::paging(q.offset.as_deref(), None);
        let paging = listing::Paging {
            offset: paging.offset,
            limit: PAGE,
        };
        let (rows, total) = svc::agency_cases(&state, c, paging.offset, paging.limit).await?;
        let mut tenant_names = HashMap::new();
        for (t, _, _) in &rows {
            if !tenant_names.contains_key(t) {
                let name = adal_store::tenants::get(&state.store, adal_store::TenantId::from_uuid(*t))
                    .await
                    .map(|t| t.name)
                    .unwrap_or_default();
                tenant_names.insert(*t, name);
            }
        }
        let body = html! {
            p class="intro" { (tr.t("agency-cases-intro")) }
            (listing::pager(tr, "agency-cases-pager", "/agency/cases", &[], paging, rows.len(), total))
            @if rows.is_empty() {
                p id="agency-cases-none" { (tr.t("agency-cases-none")) }
            } @else {
                div class="scroll" {
                    table id="agency-cases" {
                        caption { (tr.t("agency-cases-caption")) }
                        (head(tr, &[("report-received-on", false), ("col-tenant", false), ("agency-cases-col-channel", false), ("report-case-status", false), ("agency-cases-col-escalated", false), ("report-feedback-due", false)]))
                        tbody {
                            @for (t, s, at) in &rows {
                                tr data-case=(s.id) {
                                    th scope="row" { a href=(format!("/agency/cases/{}", s.id)) { (day(s.received_on)) } }
                                    td { (tenant_names.get(t).cloned().unwrap_or_default()) }
                                    td data-channel=(s.channel.as_str()) { (label(tr, "agency-cases-channel", s.channel.as_str())) }
                                    td { (status_cell(tr, s)) }
                                    td { (at.map(|a| a.format("%Y-%m-%d").to_string()).unwrap_or_else(|| "—".to_owned())) }
                                    td { (day(s.feedback_due)) }
                                }
                            }
                        }
                    }
                }
            }
        };
        let frame = own_frame(&state, &v).await;
        Ok(respond(&v, StatusCode::OK, page(&v, &frame, &tr.t("agency-cases-title"), body)))
    }
    .await;
    finish(&v, r)
}

/// One escalated case, with what its organisation shared; the reading is
/// in that organisation's audit log.
#[handler]
pub(crate) async fn agency_case(
    req: &Request,
    state: Data<&AppState>,
    Path(id): Path<Uuid>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        super::agency::agency_only(&state, &v).await?;
        let c = caller(&v)?;
        agency_case_screen(&state, &v, c, id, &[], q.saved.is_some(), StatusCode::OK).await
    }
    .await;
    finish(&v, r)
}

async fn agency_case_screen(
    state: &AppState,
    v: &Visitor,
    c: &adal_service::Caller,
    id: Uuid,
    errors: &[CaseError],
    saved: bool,
    status: StatusCode,
) -> PageResult {
    let tr = &v.tr;
    let e = svc::agency_case(state, &state.reporting, c, id).await?;
    let s = &e.case;
    let own = e.channel == adal_domain::ReportChannel::Agency;
    let base = format!("/agency/cases/{id}");
    let agency_name = |_: Uuid| tr.t("agency-cases-agency");
    let body = html! {
        @if saved { p class="alert ok" role="status" id="saved" { (tr.t("cases-saved")) } }
        @if let Some(err) = error_in(errors, "general") { p class="alert error" role="alert" id="case-error" { (tr.t(err)) } }
        p { a href="/agency/cases" { (tr.t("agency-cases-back")) } }
        dl class="facts" id="case-facts" {
            dt { (tr.t("col-tenant")) } dd id="case-tenant" { (e.tenant_name) }
            dt { (tr.t("agency-cases-col-channel")) } dd id="case-channel" data-channel=(e.channel.as_str()) { (label(tr, "agency-cases-channel", e.channel.as_str())) }
            dt { (tr.t("report-case-status")) } dd id="case-status" data-status=(s.status.as_str()) { (status_cell(tr, s)) }
            @if let Some(o) = s.outcome { dt { (tr.t("report-case-outcome")) } dd id="case-outcome" data-outcome=(o.as_str()) { (label(tr, "case-outcome", o.as_str())) } }
            dt { (tr.t("report-received-on")) } dd { (day(s.received_on)) }
            dt { (tr.t("report-ack-due")) } dd { (day(s.ack_due)) }
            dt { (tr.t("report-feedback-due")) } dd { (day(s.feedback_due)) }
        }
        @if !own {
            h2 { (tr.t("agency-cases-summary")) }
            p class="message" id="case-summary" { (e.summary) }
        }
        h2 { (tr.t("cases-report")) }
        @match &e.report {
            // The contact is the organisation's business only when the
            // reporter wrote to it; to the Agency they gave it themselves.
            Some(rep) => { (report_facts(tr, rep, own)) }
            None => { p class="muted" id="case-report-withheld" { (tr.t("agency-cases-withheld")) } }
        }
        @if own {
            (conversation(tr, &e.messages, &agency_name))
            (work(v, &base, s, errors, None))
        }
    };
    let frame = own_frame(state, v).await;
    Ok(respond(
        v,
        status,
        page(v, &frame, &tr.t("agency-cases-case-title"), body),
    ))
}

/// What the Agency does to a case reported to it directly.
#[handler]
pub(crate) async fn agency_case_action(
    req: &Request,
    state: Data<&AppState>,
    Path((id, action)): Path<(Uuid, String)>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        if !v.csrf_ok(f.get("csrf").map(String::as_str)) {
            return Err(Fail::Csrf);
        }
        super::agency::agency_only(&state, &v).await?;
        let c = caller(&v)?;
        let get = |k: &str| f.get(k).map_or("", |s| s.trim());
        let keys = &state.reporting;
        let (form, result): (&'static str, Result<(), ServiceError>) = match action.as_str() {
            "message" => (
                "case-message",
                svc::agency_message(
                    &state,
                    keys,
                    c,
                    id,
                    get("body"),
                    !get("internal").is_empty(),
                )
                .await
                .map(|_| ()),
            ),
            "status" => {
                let status = CaseStatus::parse(get("status")).map_err(|_| Fail::NotFound)?;
                let update = CaseUpdate {
                    status: Some(status),
                    ..CaseUpdate::default()
                };
                ("general", svc::agency_update(&state, c, id, update).await)
            }
            "close" => {
                let outcome = match get("outcome") {
                    "" => None,
                    o => Some(CaseOutcome::parse(o).map_err(|_| Fail::NotFound)?),
                };
                let update = CaseUpdate {
                    status: Some(CaseStatus::Closed),
                    outcome,
                    ..CaseUpdate::default()
                };
                (
                    "case-close",
                    svc::agency_update(&state, c, id, update).await,
                )
            }
            _ => return Err(Fail::NotFound),
        };
        match result {
            Ok(()) => Ok(redirect(&v, &format!("/agency/cases/{id}?saved=1"))),
            Err(e) => match refusal(form, &e) {
                Some(err) => {
                    let status = if matches!(e, ServiceError::Conflict(_)) {
                        StatusCode::CONFLICT
                    } else {
                        StatusCode::UNPROCESSABLE_ENTITY
                    };
                    agency_case_screen(&state, &v, c, id, &[err], false, status).await
                }
                None => Err(e.into()),
            },
        }
    }
    .await;
    finish(&v, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_their_form_and_message() {
        let invalid = |code: &str| ServiceError::Invalid {
            message: String::new(),
            details: vec![adal_service::Detail {
                pointer: "/x".into(),
                code: code.into(),
                ..adal_service::Detail::default()
            }],
        };
        assert_eq!(
            refusal("case-close", &invalid("case.outcome")),
            Some(("case-close", "cases-err-outcome"))
        );
        assert_eq!(
            refusal("case-message", &invalid("text.too_long")),
            Some(("case-message", "err-too-long"))
        );
        assert_eq!(refusal("general", &ServiceError::Forbidden), None);
    }
}
