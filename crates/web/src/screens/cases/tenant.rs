//! The compliance unit's cases: the list, one case and what a handler
//! does to it.

use super::{Action, CaseError, PAGE, conversation, error_in, refused_with, status_cell, work};
use crate::kit::{
    Fail, Fields, PageResult, SavedQuery, allowed, authorize, authorize_form, caller, finish, head,
    label, listing, redirect, show_as,
};
use crate::report_files::{self, HandlerFiles};
use crate::report_view::{day, report_facts};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::{CaseStatus, Role};
use adal_service::reporting as svc;
use adal_service::{AppState, TenantCtx};
use adal_store::reports::CaseFilter;
use adal_store::users;
use maud::html;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use std::collections::HashMap;
use uuid::Uuid;

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
            @if let Some(m) = &c.measures { dt { (tr.t("cases-measures")) } dd id="case-measures" class="message" { (m) } }
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
        @if !c.links.is_empty() {
            section id="case-links" {
                h2 { (tr.t("cases-links")) }
                ul {
                    @for l in &c.links {
                        li data-link=(l.id) data-kind=(l.kind) {
                            @let href = if l.kind == "finding" { format!("/t/{tenant}/findings/{}", l.target_id) } else { format!("/t/{tenant}/people/{}", l.target_id) };
                            a href=(href) { @if l.label.is_empty() { (l.target_id) } @else { (l.label) } }
                            " · " (label(tr, "cases-link-kind", &l.kind))
                            @if can_write {
                                " "
                                form method="post" action=(format!("{base}/unlink")) class="inline-form" {
                                    input type="hidden" name="csrf" value=(v.csrf);
                                    input type="hidden" name="link" value=(l.id);
                                    button type="submit" class="secondary" { (tr.t("cases-unlink")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        (conversation(tr, &c.messages, &name_of))
        (report_files::handler_files(tr, &HandlerFiles {
            base: &base,
            csrf: &v.csrf,
            files: &c.attachments,
            approvals: &c.approvals,
            can_write,
            me: caller(v).ok().map(|cl| cl.user_id),
            error: error_in(errors, "case-files"),
        }, &name_of))
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
        let action = Action::parse(&action, &f)?;
        let keys = &state.reporting;
        let result = match &action {
            Action::Message { body, internal } => {
                svc::handler_message(&state, keys, &ctx, id, body, *internal)
                    .await
                    .map(|_| ())
            }
            Action::Escalate(e) => svc::escalate(&state, keys, &ctx, id, e).await,
            Action::RemoveFile { attachment, reason } => {
                svc::request_removal(&state, keys, &ctx, id, *attachment, reason)
                    .await
                    .map(|_| ())
            }
            Action::Decide { approval, approve } => {
                svc::decide_removal(&state, &ctx, id, *approval, *approve).await
            }
            Action::Unlink(link) => svc::unlink_case(&state, &ctx, id, *link).await,
            Action::Recuse => match svc::recuse(&state, &ctx, id).await {
                // The case is no longer the caller's to see.
                Ok(()) => return Ok(redirect(&v, &format!("/t/{tenant}/cases"))),
                Err(e) => Err(e),
            },
            other => match other.update() {
                Some(u) => svc::update_case(&state, keys, &ctx, id, u).await,
                None => return Err(Fail::NotFound),
            },
        };
        match refused_with(action.form(), result)? {
            None => Ok(redirect(&v, &format!("/t/{tenant}/cases/{id}?saved=1"))),
            Some((err, status)) => case_screen(&state, &v, &ctx, id, &[err], false, status).await,
        }
    }
    .await;
    finish(&v, r)
}

/// A handler attaches files to a case (for the reporter, or internal).
#[handler]
pub(crate) async fn attach(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id)): Path<(Uuid, Uuid)>,
    form: report_files::FilesForm,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &form.fields, tenant, obj::CASES, act::WRITE).await?;
        let internal = form.fields.get("internal").is_some_and(|s| !s.is_empty());
        let mut refused = report_files::precheck(&form);
        if form.files.is_empty() {
            refused = Some("files-err-none");
        }
        if refused.is_none() {
            for file in &form.files {
                let bytes = file.bytes.as_deref().unwrap_or_default();
                if let Err(e) = svc::handler_attach(
                    &state,
                    &state.reporting,
                    &ctx,
                    id,
                    &file.name,
                    bytes,
                    internal,
                )
                .await
                {
                    refused = Some(report_files::file_refusal(&e).ok_or(e)?);
                    break;
                }
            }
        }
        match refused {
            None => Ok(redirect(&v, &format!("/t/{tenant}/cases/{id}?saved=1"))),
            Some(key) => {
                case_screen(
                    &state,
                    &v,
                    &ctx,
                    id,
                    &[("case-files", key)],
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        }
    }
    .await;
    finish(&v, r)
}

/// A handler downloads a file of a case (audited by the service).
#[handler]
pub(crate) async fn download(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id, attachment)): Path<(Uuid, Uuid, Uuid)>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r = async {
        let ctx = authorize(&state, &v, tenant, obj::CASES, act::READ).await?;
        Ok(svc::handler_download(&state, &state.reporting, &ctx, id, attachment).await?)
    }
    .await;
    match r {
        Ok(d) => report_files::download(d),
        Err(fail) => finish(&v, Err(fail)),
    }
}
