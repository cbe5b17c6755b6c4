//! The Agency's cases: those organisations escalated to it (what they
//! shared) and those reported to it directly, which it answers and closes
//! itself.

use super::{Action, CaseError, PAGE, conversation, error_in, refused_with, status_cell, work};
use crate::kit::{
    Fail, Fields, PageResult, SavedQuery, caller, finish, head, label, listing, own_frame, page,
    redirect, respond,
};
use crate::report_view::{day, report_facts};
use crate::screens::agency::agency_only;
use crate::session::Visitor;
use adal_service::AppState;
use adal_service::reporting as svc;
use maud::html;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use std::collections::HashMap;
use uuid::Uuid;

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
        agency_only(&state, &v).await?;
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
        agency_only(&state, &v).await?;
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
            @if let Some(m) = &e.measures { dt { (tr.t("cases-measures")) } dd id="case-measures" class="message" { (m) } }
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
        (crate::report_files::agency_files(tr, &base, &e.attachments))
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
/// What the Agency does to a case reported to it directly: write, note,
/// acknowledge or review, close with an outcome (nobody is assigned, and
/// there is nobody to escalate to or step aside from).
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
        agency_only(&state, &v).await?;
        let c = caller(&v)?;
        let action = Action::parse(&action, &f)?;
        let result = match &action {
            Action::Message { body, internal } => {
                svc::agency_message(&state, &state.reporting, c, id, body, *internal)
                    .await
                    .map(|_| ())
            }
            Action::Status(_) | Action::Close(..) => match action.update() {
                Some(u) => svc::agency_update(&state, &state.reporting, c, id, u).await,
                None => return Err(Fail::NotFound),
            },
            _ => return Err(Fail::NotFound),
        };
        match refused_with(action.form(), result)? {
            None => Ok(redirect(&v, &format!("/agency/cases/{id}?saved=1"))),
            Some((err, status)) => {
                agency_case_screen(&state, &v, c, id, &[err], false, status).await
            }
        }
    }
    .await;
    finish(&v, r)
}

/// A file the Agency may open (its own channel's, or the reporter's of an
/// escalated case whose report was shared); audited in the organisation's
/// log.
#[handler]
pub(crate) async fn agency_download(
    req: &Request,
    state: Data<&AppState>,
    Path((id, attachment)): Path<(Uuid, Uuid)>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r = async {
        agency_only(&state, &v).await?;
        let c = caller(&v)?;
        Ok(svc::agency_download(&state, &state.reporting, c, id, attachment).await?)
    }
    .await;
    match r {
        Ok(d) => crate::report_files::download(d),
        Err(fail) => finish(&v, Err(fail)),
    }
}
