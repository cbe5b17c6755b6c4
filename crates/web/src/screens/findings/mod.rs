//! The findings: the filtered, paged list, one finding with its triage
//! (assign, comment, resolve or mark a false positive).

use crate::exports::{self, FINDING_STATUSES, FindingQuery};
pub(crate) mod bulk;
use crate::kit::listing;
use crate::kit::{
    Fail, Fields, PageResult, SEVERITIES, allowed, authorize, authorize_form, caller, finish,
    frame, label, page, redirect, respond, show_as,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::export::ExportList;
use adal_service::findings::{self, Note, NoteError, Outcome};
use adal_service::{AppState, TenantCtx};
use adal_store::evaluation::{self, FindingOrder};
use adal_store::{org, users};
use maud::html;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use std::collections::HashMap;
use uuid::Uuid;

#[handler]
pub(crate) async fn findings_list(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<FindingQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::FINDINGS_ALL, act::READ).await?;
        let tr = &v.tr;
        let now = chrono::Utc::now();
        let filter = exports::finding_narrowing(&q).filter(ctx.caller().user_id);
        let scope = adal_service::reader_scope(&state, &ctx).await;
        let (paging, limit_error) = listing::paging(q.offset.as_deref(), q.limit.as_deref());
        let (rows, total) = if limit_error.is_none() {
            findings::list(&state, &ctx, &scope, &filter, paging.offset, paging.limit).await?
        } else {
            (Vec::new(), 0)
        };
        // The tenant's accounts, read once: who filed, and whom a finding
        // may go to in bulk.
        let users = users::list(&state.store, ctx.tenant()).await?;
        // Whom each finding concerns: the person its filing is about, or
        // else who filed it (one query each for the page).
        let concerns: HashMap<Uuid, String> = {
            let ids: Vec<Uuid> = rows.iter().map(|f| f.submission_id).collect();
            let subjects = adal_store::submissions::subjects(&state.store, ctx.tenant(), &ids).await?;
            let iins: Vec<String> = subjects.values().filter_map(|(iin, _)| iin.clone()).collect();
            let people = adal_store::people::get_many_by_iin(&state.store, ctx.tenant(), &iins).await?;
            subjects
                .into_iter()
                .filter_map(|(sub, (iin, by))| {
                    let name = iin
                        .and_then(|i| people.get(&i).map(|p| p.person.full_name.clone()))
                        .or_else(|| users.iter().find(|u| u.id == by).map(|u| u.display_name.clone()))?;
                    Some((sub, name))
                })
                .collect()
        };
        let areas: Vec<String> = {
            let mut a = findings::open_areas(&state, &ctx).await?;
            if let Some(x) = &filter.area {
                a.push(x.clone());
            }
            a.sort();
            a.dedup();
            a
        };
        let path = format!("/t/{tenant}/findings");
        // The filters as applied (a value the list ignored is not repeated).
        let likelihood = filter.likelihood.map(|n| n.to_string()).unwrap_or_default();
        let impact = filter.impact.map(|n| n.to_string()).unwrap_or_default();
        let kept: Vec<(&str, String)> = vec![
            ("severity", filter.severity.clone().unwrap_or_default()),
            ("status", filter.status.clone().unwrap_or_default()),
            ("area", filter.area.clone().unwrap_or_default()),
            ("likelihood", likelihood.clone()),
            ("impact", impact.clone()),
            ("assigned", if filter.assigned_to.is_some() { "me".to_owned() } else { String::new() }),
            ("due", if filter.overdue_at.is_some() { "overdue".to_owned() } else { String::new() }),
            ("sort", if filter.order == FindingOrder::Newest { "newest".to_owned() } else { String::new() }),
            ("limit", listing::given(&q.limit).unwrap_or_default()),
        ];
        // The file holds every finding the filters select, not one page.
        let filters: Vec<(&str, String)> = kept.iter().filter(|(k, _)| *k != "limit").cloned().collect();
        let export_links = exports::links(&state, &ctx, tr, &exports::Links {
            list: ExportList::Findings,
            caption: "export-label",
            params: &filters,
            scope: exports::Scope::Filtered,
        })
        .await;
        let scores: Vec<(String, String)> = (1..=5).map(|n| (n.to_string(), n.to_string())).collect();
        let severities: Vec<(String, String)> = SEVERITIES.iter().map(|s| ((*s).to_owned(), label(tr, "severity", s))).collect();
        let statuses: Vec<(String, String)> = FINDING_STATUSES.iter().map(|s| ((*s).to_owned(), label(tr, "status", s))).collect();
        let area_options: Vec<(String, String)> = areas.iter().map(|a| (a.clone(), label(tr, "area", a))).collect();
        let limit = listing::given(&q.limit).unwrap_or_default();
        // Who may triage ticks findings and acts on them at once; the
        // assignees offered are the active compliance officers (each
        // finding still checks its own, see `bulk_triage`).
        let bulk_people = if allowed(&state, ctx.caller(), ctx.tenant().uuid(), obj::FINDINGS_ALL, act::WRITE).await {
            Some(
                users
                    .iter()
                    .filter(|u| u.disabled_at.is_none() && u.role == adal_domain::Role::ComplianceOfficer.as_str())
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        } else {
            None
        };
        let table = html! {
            div class="scroll" {
                table id="findings" {
                    caption { (tr.t("findings-caption")) }
                    thead { tr {
                        @if bulk_people.is_some() { th scope="col" { (tr.t("col-select")) } }
                        @for (key, num) in [("col-found", false), ("col-due", false), ("col-rule", false), ("col-concerns", false), ("col-area", false), ("col-severity", false), ("col-lxi", true), ("col-status", false)] {
                            th scope="col" class=[num.then_some("num")] { (tr.t(key)) }
                        }
                    } }
                    tbody {
                        @for f in &rows {
                            tr data-finding=(f.id) data-status=(f.status) {
                                @if bulk_people.is_some() {
                                    td class="pick" {
                                        input type="checkbox" id={ "pick-" (f.id) } name=(bulk::pick_name(f.id)) value="1"
                                            aria-label=(tr.t_args("bulk-pick", &[("rule", tr.rule_title(&f.rule_id, &f.rule_id).into()), ("found", tr.datetime(f.created_at).into())]));
                                    }
                                }
                                td { a href={ "/t/" (tenant) "/findings/" (f.id) } { (tr.datetime(f.created_at)) } }
                                (due_cell(tr, f, now))
                                td data-rule=(f.rule_id) { (tr.rule_title(&f.rule_id, &f.rule_id)) }
                                td class="concerns" { (concerns.get(&f.submission_id).map_or("—", String::as_str)) }
                                td { (label(tr, "area", &f.area)) }
                                td { span class={ "sev sev-" (f.severity) } { (label(tr, "severity", &f.severity)) } }
                                td class="num" { (f.likelihood) "×" (f.impact) }
                                td { (label(tr, "status", &f.status)) }
                            }
                        }
                    }
                }
            }
        };
        let body = html! {
            form method="get" action=(path) class="filters" aria-label=(tr.t("filters")) {
                (listing::select(tr, "severity", "col-severity", &severities, filter.severity.as_deref(), None))
                (listing::select(tr, "status", "col-status", &statuses, filter.status.as_deref(), None))
                (listing::select(tr, "area", "col-area", &area_options, filter.area.as_deref(), None))
                (listing::select(tr, "likelihood", "likelihood", &scores, Some(likelihood.as_str()), None))
                (listing::select(tr, "impact", "impact", &scores, Some(impact.as_str()), None))
                (listing::select(tr, "assigned", "col-assignee", &[("me".to_owned(), tr.t("assigned-to-me"))], filter.assigned_to.map(|_| "me"), None))
                (listing::select(tr, "due", "col-due", &[("overdue".to_owned(), tr.t("finding-overdue"))], filter.overdue_at.map(|_| "overdue"), None))
                div class="field" {
                    label for="sort" { (tr.t("findings-sort")) }
                    select id="sort" name="sort" {
                        option value="" selected[filter.order == FindingOrder::Due] { (tr.t("findings-sort-due")) }
                        option value="newest" selected[filter.order == FindingOrder::Newest] { (tr.t("findings-sort-newest")) }
                    }
                }
                (listing::input(tr, &listing::limit_input(&limit, limit_error)))
                (listing::buttons(tr, &path))
            }
            (listing::pager(tr, "findings-pager", &path, &kept, paging, rows.len(), total))
            (export_links)
            @if let Some(people) = &bulk_people {
                form method="post" action={ "/t/" (tenant) "/findings/bulk" } id="bulk" {
                    input type="hidden" name="csrf" value=(v.csrf);
                    (table)
                    (bulk::form(tr, people))
                }
            } @else {
                (table)
            }
        };
        let status = if limit_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
        show_as(&state, &v, ctx.tenant(), "findings-title", body, status).await
    }
    .await;
    finish(&v, r)
}

/// When a finding is due, and "overdue" when it is open and past it.
fn due_cell(
    tr: &crate::i18n::Tr,
    f: &evaluation::Finding,
    now: chrono::DateTime<chrono::Utc>,
) -> maud::Markup {
    let overdue = evaluation::is_overdue(f, now);
    html! {
        td class="due" data-overdue=[overdue.then_some("true")] {
            @if let Some(d) = f.due_at { (tr.date(d.date_naive())) }
            @if overdue { " " span class="sev sev-critical overdue" { (tr.t("finding-overdue")) } }
        }
    }
}

/// The finding page, with the triage forms when the user may triage.
async fn finding_page(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Uuid,
    errors: &[(&str, String)],
    status: StatusCode,
) -> PageResult {
    let tr = &v.tr;
    let c = caller(v)?;
    // A finding about a record the caller may not read is not theirs to
    // see: the service answers NotFound for it.
    let findings::TriageView {
        finding: f,
        triage: tri,
        comments,
    } = findings::triage(state, ctx, id).await?;
    let can_write = allowed(state, c, ctx.tenant().uuid(), obj::FINDINGS_ALL, act::WRITE).await;
    let handles_cases = allowed(state, c, ctx.tenant().uuid(), obj::CASES, act::WRITE).await;
    let people = users::list(&state.store, ctx.tenant()).await?;
    let name_of = |u: Uuid| {
        people
            .iter()
            .find(|p| p.id == u)
            .map_or_else(|| u.to_string(), |p| p.display_name.clone())
    };
    let department = match f.department_id {
        Some(d) => org::get_department(&state.store, ctx.tenant(), d)
            .await
            .ok()
            .map(|d| d.name),
        None => None,
    };
    // What the finding is about: the filing it was found in, who filed
    // it, and the person it concerns when the filing names one.
    let filing = adal_store::submissions::get(&state.store, ctx.tenant(), f.submission_id)
        .await
        .ok();
    // Whom the finding may go to: not everyone on the list (see
    // `findings::eligible_among`).
    let eligible = match (&filing, can_write) {
        (Some(s), true) => findings::eligible_among(state, ctx, s, people.clone()).await,
        _ => Vec::new(),
    };
    // Linked only for whoever may open the record's page.
    let visibility = adal_service::reader_visibility(state, ctx).await;
    let filing_readable = filing.as_ref().is_some_and(|s| visibility.allows(s));
    let filer = filing
        .as_ref()
        .and_then(|s| people.iter().find(|p| p.id == s.submitted_by))
        .map(|p| p.display_name.clone());
    let concerns = match filing.as_ref().and_then(|s| s.subject_iin.as_deref()) {
        Some(iin) => adal_store::people::get_by_iin(&state.store, ctx.tenant(), iin)
            .await?
            .map(|p| (p.person.id, p.person.full_name)),
        None => None,
    };
    let reads_people = allowed(state, c, ctx.tenant().uuid(), obj::PEOPLE, act::READ).await;
    let err = |name: &str| {
        errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| e.clone())
    };
    let base = format!("/t/{}/findings/{id}", ctx.tenant().uuid());
    let assigned = tri.as_ref().and_then(|t| t.assigned_to);
    let body = html! {
        dl class="facts" id="finding" data-status=(f.status) {
            dt { (tr.t("col-status")) } dd id="finding-status" { (label(tr, "status", &f.status)) }
            dt { (tr.t("col-rule")) } dd id="finding-rule" data-rule=(f.rule_id) {
                (tr.rule_title(&f.rule_id, &f.rule_id)) " " small { code { (f.rule_id) } }
                @if let Some(d) = tr.rule_text(&f.rule_id, "description") { p class="hint" id="rule-description" { (d) } }
            }
            @if let Some(s) = &filing {
                dt { (tr.t("col-filing")) } dd id="finding-filing" data-kind=(s.kind) {
                    @if filing_readable {
                        a href={ "/t/" (ctx.tenant().uuid()) "/filings/" (s.id) } { (label(tr, "kind", &s.kind)) ", " (tr.datetime(s.received_at)) }
                    } @else {
                        (label(tr, "kind", &s.kind)) ", " (tr.datetime(s.received_at))
                    }
                }
            }
            @if let Some(name) = &filer { dt { (tr.t("col-filed-by")) } dd id="finding-filed-by" { (name) } }
            @if let Some((pid, name)) = &concerns {
                dt { (tr.t("col-concerns")) }
                dd id="finding-concerns" {
                    @if reads_people { a href={ "/t/" (ctx.tenant().uuid()) "/people/" (pid) } { (name) } } @else { (name) }
                }
            }
            dt { (tr.t("col-area")) } dd { (label(tr, "area", &f.area)) }
            dt { (tr.t("col-severity")) } dd { span class={ "sev sev-" (f.severity) } { (label(tr, "severity", &f.severity)) } }
            dt { (tr.t("col-lxi")) } dd { (f.likelihood) "×" (f.impact) }
            dt { (tr.t("col-department")) } dd { (department.unwrap_or_else(|| tr.t("no-department"))) }
            dt { (tr.t("col-found")) } dd { (tr.datetime(f.created_at)) }
            @if let Some(d) = f.due_at {
                @let overdue = evaluation::is_overdue(&f, chrono::Utc::now());
                dt { (tr.t("col-due")) } dd id="finding-due" data-overdue=[overdue.then_some("true")] {
                    (tr.date(d.date_naive()))
                    @if overdue { " " span class="sev sev-critical" { (tr.t("finding-overdue")) } }
                }
            }
            dt { (tr.t("col-explanation")) } dd id="finding-explanation" { (tr.explanation(&f.rule_id, f.facts.as_deref(), &f.explanation)) }
            dt { (tr.t("col-assignee")) } dd id="assignee" { (assigned.map_or_else(|| tr.t("nobody"), name_of)) }
            @if let Some(t) = &tri {
                @if let Some(reason) = &t.reason {
                    dt { (tr.t("col-reason")) } dd id="reason" { (reason) }
                }
                @if let (Some(by), Some(at)) = (t.decided_by, t.decided_at) {
                    dt { (tr.t("col-decided")) } dd { (name_of(by)) ", " (tr.datetime(at)) }
                }
            }
        }
        @if let Some(e) = err("general") { p class="alert error" role="alert" { (e) } }
        h2 { (tr.t("comments-title")) }
        @if comments.is_empty() { p { (tr.t("comments-none")) } }
        ol class="comments" id="comments" {
            @for cm in &comments {
                li { p class="muted" { (name_of(cm.author_id)) ", " (tr.datetime(cm.created_at)) } p { (cm.body) } }
            }
        }
        @if can_write {
            section class="triage" aria-label=(tr.t("triage-title")) {
                h2 { (tr.t("triage-title")) }
                form method="post" action={ (base) "/assign" } {
                    input type="hidden" name="csrf" value=(v.csrf);
                    @let e = err("assignee");
                    div class={ "field" @if e.is_some() { " invalid" } } {
                        label for="assignee-select" { (tr.t("triage-assign-to")) }
                        select id="assignee-select" name="assignee"
                            aria-invalid=[e.is_some().then_some("true")] aria-describedby=[e.is_some().then_some("assignee-error")] {
                            option value="" { (tr.t("nobody")) }
                            @for p in &eligible {
                                option value=(p.id) selected[assigned == Some(p.id)] { (p.display_name) " (" (label(tr, "role", &p.role)) ")" }
                            }
                        }
                        p class="hint" { (tr.t("triage-assign-hint")) }
                        @if let Some(e) = e { p class="field-error" id="assignee-error" { (e) } }
                    }
                    button type="submit" { (tr.t("triage-assign")) }
                }
                form method="post" action={ (base) "/comment" } {
                    input type="hidden" name="csrf" value=(v.csrf);
                    @let e = err("body");
                    div class={ "field" @if e.is_some() { " invalid" } } {
                        label for="comment-body" { (tr.t("triage-comment")) }
                        textarea id="comment-body" name="body" rows="3" maxlength="2000" required
                            aria-invalid=[e.is_some().then_some("true")] aria-describedby=[e.is_some().then_some("comment-body-error")] {}
                        @if let Some(e) = e { p class="field-error" id="comment-body-error" { (e) } }
                    }
                    button type="submit" { (tr.t("triage-add-comment")) }
                }
                @if f.status == evaluation::OPEN {
                    form method="post" action={ (base) "/due" } id="due-form" novalidate {
                        input type="hidden" name="csrf" value=(v.csrf);
                        @let today = adal_domain::kazakhstan_today();
                        @let de = err("due_on");
                        div class={ "field" @if de.is_some() { " invalid" } } {
                            label for="due-on" { (tr.t("triage-due-on")) }
                            input type="date" id="due-on" name="due_on" required
                                min=(today.to_string()) max=((today + chrono::Duration::days(findings::MAX_DUE_DAYS)).to_string())
                                value=(f.due_at.map(|d| d.date_naive().to_string()).unwrap_or_default())
                                aria-invalid=[de.is_some().then_some("true")] aria-describedby={ "due-on-hint" @if de.is_some() { " due-on-error" } };
                            p class="hint" id="due-on-hint" { (tr.t("triage-due-on-hint")) }
                            @if let Some(e) = de { p class="field-error" id="due-on-error" { (e) } }
                        }
                        @let re = err("due_reason");
                        div class={ "field" @if re.is_some() { " invalid" } } {
                            label for="due-reason" { (tr.t("triage-due-reason")) }
                            input type="text" id="due-reason" name="reason" maxlength="2000" required
                                aria-invalid=[re.is_some().then_some("true")] aria-describedby=[re.is_some().then_some("due-reason-error")];
                            @if let Some(e) = re { p class="field-error" id="due-reason-error" { (e) } }
                        }
                        button type="submit" id="due-submit" class="secondary" { (tr.t("triage-due-submit")) }
                    }
                    form method="post" action={ (base) "/resolve" } {
                        input type="hidden" name="csrf" value=(v.csrf);
                        @let e = err("reason");
                        div class={ "field" @if e.is_some() { " invalid" } } {
                            label for="close-reason" { (tr.t("triage-reason")) }
                            textarea id="close-reason" name="reason" rows="3" maxlength="2000" required
                                aria-invalid=[e.is_some().then_some("true")] aria-describedby=[e.is_some().then_some("close-reason-error")] {}
                            @if let Some(e) = e { p class="field-error" id="close-reason-error" { (e) } }
                        }
                        div class="buttons" {
                            button type="submit" id="resolve" { (tr.t("triage-resolve")) }
                            button type="submit" id="false-positive" class="secondary" formaction={ (base) "/false-positive" } { (tr.t("triage-false-positive")) }
                        }
                    }
                } @else {
                    form method="post" action={ (base) "/reopen" } id="reopen-form" {
                        input type="hidden" name="csrf" value=(v.csrf);
                        @let e = err("reason");
                        div class={ "field" @if e.is_some() { " invalid" } } {
                            label for="reopen-reason" { (tr.t("triage-reopen-reason")) }
                            textarea id="reopen-reason" name="reason" rows="3" maxlength="2000" required
                                aria-invalid=[e.is_some().then_some("true")] aria-describedby=[e.is_some().then_some("reopen-reason-error")] {}
                            @if let Some(e) = e { p class="field-error" id="reopen-reason-error" { (e) } }
                        }
                        button type="submit" id="reopen" class="secondary" { (tr.t("triage-reopen")) }
                    }
                }
            }
        }
        @if handles_cases {
            form method="post" action={ (base) "/case" } id="finding-case" {
                input type="hidden" name="csrf" value=(v.csrf);
                p class="hint" { (tr.t("finding-case-hint")) }
                button type="submit" class="secondary" id="open-case" { (tr.t("finding-case")) }
            }
        }
        p { a href={ "/t/" (ctx.tenant().uuid()) "/findings" } { (tr.t("back-to-findings")) } }
    };
    let fr = frame(state, v, ctx.tenant()).await;
    Ok(respond(
        v,
        status,
        page(v, &fr, &tr.t("finding-title"), body),
    ))
}

#[handler]
pub(crate) async fn finding_detail(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id)): Path<(Uuid, Uuid)>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::FINDINGS_ALL, act::READ).await?;
        finding_page(&state, &v, &ctx, id, &[], StatusCode::OK).await
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn triage_action(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id, action)): Path<(Uuid, Uuid, String)>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &f, tenant, obj::FINDINGS_ALL, act::WRITE).await?;
        // Writing to a finding the caller may not read is refused as if
        // it did not exist, before the form is even looked at.
        findings::visible(&state, &ctx, id).await?;
        let note_error = |e: NoteError| match e {
            NoteError::Empty => v.tr.t("err-empty"),
            NoteError::TooLong => v.tr.t("err-too-long"),
        };
        let outcome = match action.as_str() {
            // Escalated to a case (or its case, if it was before): the
            // case is where the work goes on.
            "case" => {
                let (case, _) =
                    adal_service::reporting::escalate_finding(&state, &state.reporting, &ctx, id)
                        .await?;
                return Ok(redirect(&v, &format!("/t/{tenant}/cases/{case}")));
            }
            "assign" => {
                let who = match f
                    .get("assignee")
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                {
                    Some(s) => Some(s.parse::<Uuid>().map_err(|_| Fail::NotFound)?),
                    None => None,
                };
                match findings::assign(&state, &ctx, id, who).await {
                    Ok(()) => None,
                    // Someone who may not work on it (a form kept open while
                    // their role changed, or a hand-made post).
                    Err(adal_service::ServiceError::Invalid { details, .. }) => {
                        let code = details.first().map_or("", |d| d.code.as_str());
                        Some(("assignee", v.tr.t(bulk::assignee_error_key(code))))
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            // A due date set by hand: the day, and why.
            "due" => {
                let day = chrono::NaiveDate::parse_from_str(
                    f.get("due_on").map_or("", |d| d.trim()),
                    "%Y-%m-%d",
                );
                match (day, Note::parse(f.get("reason").map_or("", String::as_str))) {
                    (Err(_), _) => Some(("due_on", v.tr.t("err-date"))),
                    (_, Err(e)) => Some(("due_reason", note_error(e))),
                    (Ok(day), Ok(n)) => match findings::set_due(&state, &ctx, id, day, &n).await {
                        Ok(_) => None,
                        Err(adal_service::ServiceError::Invalid { .. }) => {
                            Some(("due_on", v.tr.t("err-due-range")))
                        }
                        Err(adal_service::ServiceError::Conflict(_)) => {
                            Some(("general", v.tr.t("err-already-closed")))
                        }
                        Err(e) => return Err(e.into()),
                    },
                }
            }
            "comment" => match Note::parse(f.get("body").map_or("", String::as_str)) {
                Ok(n) => {
                    findings::comment(&state, &ctx, id, &n).await?;
                    None
                }
                Err(e) => Some(("body", note_error(e))),
            },
            // Closing and reopening: a reason, and a finding already in
            // the state asked for keeps its first decision.
            "resolve" | "false-positive" | "reopen" => {
                match Note::parse(f.get("reason").map_or("", String::as_str)) {
                    Ok(n) => {
                        let (done, already) = match action.as_str() {
                            "reopen" => (
                                findings::reopen(&state, &ctx, id, &n).await.map(drop),
                                "err-already-open",
                            ),
                            "resolve" => (
                                findings::close(&state, &ctx, id, Outcome::Resolved, &n)
                                    .await
                                    .map(drop),
                                "err-already-closed",
                            ),
                            _ => (
                                findings::close(&state, &ctx, id, Outcome::FalsePositive, &n)
                                    .await
                                    .map(drop),
                                "err-already-closed",
                            ),
                        };
                        match done {
                            Ok(()) => None,
                            Err(adal_service::ServiceError::Conflict(_)) => {
                                Some(("general", v.tr.t(already)))
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                    Err(e) => Some(("reason", note_error(e))),
                }
            }
            _ => return Err(Fail::NotFound),
        };
        match outcome {
            None => Ok(redirect(&v, &format!("/t/{tenant}/findings/{id}"))),
            Some(err) => {
                finding_page(
                    &state,
                    &v,
                    &ctx,
                    id,
                    &[err],
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        }
    }
    .await;
    finish(&v, r)
}
