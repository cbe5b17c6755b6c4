//! Search across the organisation's people, filings and findings: an IIN
//! or part of a name finds the people on file, the filings about them
//! and the findings on those filings, each part shown only to who may read
//! it (the same checks and read scope as the lists: an asset declaration
//! and its findings only to the compliance unit).

use crate::kit::{PageResult, allowed, authorize, finish, label, show_as};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::Iin;
use adal_service::AppState;
use adal_store::evaluation::{self, Finding};
use adal_store::people::{self, PeopleFilter, PersonRow};
use adal_store::submissions::{self, Submission, SubmissionFilter};
use maud::html;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A query shorter than this finds too much to be useful.
const MIN_CHARS: usize = 2;
/// Longer is not a name or an IIN.
const MAX_CHARS: usize = 100;
/// People shown (and whose filings are looked for).
const MAX_PEOPLE: u64 = 20;
/// Filings shown per person.
const MAX_FILINGS: u64 = 20;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
}

/// What a search found, as far as the reader may see.
#[derive(Default)]
struct Found {
    people: Vec<PersonRow>,
    more_people: bool,
    /// By person's IIN.
    filings: BTreeMap<String, Vec<Submission>>,
    /// By filing.
    findings: BTreeMap<Uuid, Vec<Finding>>,
}

#[handler]
pub(crate) async fn search(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<SearchQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::SUBMISSIONS_ALL, act::READ).await?;
        let tr = &v.tr;
        let c = ctx.caller();
        let t = ctx.tenant().uuid();
        let text = q.q.as_deref().map(str::trim).unwrap_or_default().to_owned();
        let chars = text.chars().count();
        let error = match chars {
            0 => None,
            n if n < MIN_CHARS => Some("search-too-short"),
            n if n > MAX_CHARS => Some("search-too-long"),
            _ => None,
        };
        let mut found = Found::default();
        if chars > 0 && error.is_none() {
            let filter = match Iin::parse(&text) {
                Ok(iin) => PeopleFilter { iin: Some(iin.to_string()), ..Default::default() },
                Err(_) => PeopleFilter { text: Some(text.clone()), ..Default::default() },
            };
            let (people, total) = people::list(&state.store, ctx.tenant(), &filter, 0, MAX_PEOPLE).await?;
            found.more_people = total > people.len() as u64;
            // An IIN typed finds the filings about it even when no one
            // with it is on file (a candidate screened before hiring).
            let mut iins: Vec<String> = people.iter().map(|p| p.iin.clone()).collect();
            if let Some(i) = &filter.iin
                && !iins.contains(i)
            {
                iins.push(i.clone());
            }
            let scope = adal_service::reader_scope(&state, &ctx).await;
            let see_findings = allowed(&state, c, t, obj::FINDINGS_ALL, act::READ).await;
            for iin in iins {
                let f = SubmissionFilter { subject_iin: Some(iin.clone()), ..Default::default() };
                let (filings, _) = submissions::list(&state.store, ctx.tenant(), &scope, &f, 0, MAX_FILINGS).await?;
                if see_findings && !filings.is_empty() {
                    let ids: Vec<Uuid> = filings.iter().map(|s| s.id).collect();
                    for finding in evaluation::findings_of_submissions(&state.store, ctx.tenant(), &ids).await? {
                        found.findings.entry(finding.submission_id).or_default().push(finding);
                    }
                }
                if !filings.is_empty() {
                    found.filings.insert(iin, filings);
                }
            }
            if allowed(&state, c, t, obj::PEOPLE, act::READ).await {
                found.people = people;
            } else {
                found.more_people = false;
            }
        }
        let hr = allowed(&state, c, t, obj::HR_ACTIONS, act::READ).await;
        let name_of = |iin: &str| found.people.iter().find(|p| p.iin == iin).map(|p| p.full_name.clone());
        let body = html! {
            form method="get" action={ "/t/" (tenant) "/search" } class="filters" role="search" aria-label=(tr.t("search-label")) {
                div class={ "field" @if error.is_some() { " invalid" } } {
                    label for="q" { (tr.t("search-label")) }
                    input type="search" id="q" name="q" value=(text) maxlength="100"
                        aria-invalid=[error.map(|_| "true")]
                        aria-describedby={ "q-hint" @if error.is_some() { " q-error" } };
                    p class="hint" id="q-hint" { (tr.t("search-hint")) }
                    @if let Some(e) = error { p class="field-error" id="q-error" { (tr.t(e)) } }
                }
                div class="buttons" { button type="submit" id="search-submit" { (tr.t("search-submit")) } }
            }
            @if chars > 0 && error.is_none() {
                @if found.people.is_empty() && found.filings.is_empty() {
                    p id="search-nothing" { (tr.t("search-nothing")) }
                }
                @if !found.people.is_empty() {
                    h2 { (tr.t("search-people")) }
                    div class="scroll" {
                        table id="search-people" {
                            caption { (tr.t("search-people")) }
                            thead { tr { th scope="col" { (tr.t("col-person")) } th scope="col" { (tr.t("col-iin")) } th scope="col" { (tr.t("search-since")) } } }
                            tbody {
                                @for p in &found.people {
                                    tr data-iin=(p.iin) {
                                        th scope="row" {
                                            a href={ "/t/" (tenant) "/people/" (p.id) } { (p.full_name) }
                                            @if hr { " " small { a href={ "/t/" (tenant) "/hr-actions?person=" (p.iin) } { (tr.t("nav-hr-actions")) } } }
                                        }
                                        td { (p.iin) }
                                        td { @if let Some(d) = p.started_on { (tr.date(d)) } }
                                    }
                                }
                            }
                        }
                    }
                    @if found.more_people { p class="hint" id="search-more" { (tr.t("search-more")) } }
                }
                @if !found.filings.is_empty() {
                    h2 { (tr.t("search-filings")) }
                    @for (iin, filings) in &found.filings {
                        div class="scroll" {
                            table class="search-filings" data-iin=(iin) {
                                caption { (name_of(iin).unwrap_or_else(|| iin.clone())) }
                                thead { tr {
                                    th scope="col" { (tr.t("col-filing")) }
                                    th scope="col" { (tr.t("col-status")) }
                                    th scope="col" { (tr.t("nav-findings")) }
                                } }
                                tbody {
                                    @for s in filings {
                                        tr data-submission=(s.id) {
                                            td { a href={ "/t/" (tenant) "/filings/" (s.id) } { (label(tr, "kind", &s.kind)) ", " (tr.datetime(s.received_at)) } }
                                            td { (label(tr, "status", &s.status)) }
                                            td {
                                                @if let Some(fs) = found.findings.get(&s.id) {
                                                    ul class="plain" {
                                                        @for f in fs {
                                                            li { a href={ "/t/" (tenant) "/findings/" (f.id) } { (tr.rule_title(&f.rule_id, &f.rule_id)) } " (" (label(tr, "status", &f.status)) ")" }
                                                        }
                                                    }
                                                } @else { "—" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        };
        let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
        show_as(&state, &v, ctx.tenant(), "search-title", body, status).await
    }
    .await;
    finish(&v, r)
}
