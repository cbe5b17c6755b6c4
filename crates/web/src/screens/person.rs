//! One person on file, `/t/{tenant}/people/{id}`: who they are (position,
//! department, employment), their declared relatives and business
//! interests, and every record about them the viewer may read, each with
//! its findings. For whoever reads the people register (`people`/`read`:
//! the compliance unit, HR, the tenant admin, the Agency); a person of
//! another tenant, or none, is the same 404.

use crate::kit::{Fail, PageResult, allowed, authorize, finish, head, label, show_as};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::AppState;
use adal_store::submissions::{self, SubmissionFilter};
use adal_store::{evaluation, org, people};
use maud::html;
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{Request, Response, handler};
use std::collections::HashMap;
use uuid::Uuid;

/// Records shown about one person, newest first.
const MAX_RECORDS: u64 = 200;

#[handler]
pub(crate) async fn person_page(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id)): Path<(Uuid, Uuid)>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::PEOPLE, act::READ).await?;
        let tr = &v.tr;
        let c = ctx.caller();
        let record = people::get(&state.store, ctx.tenant(), id)
            .await
            .map_err(|_| Fail::NotFound)?;
        let p = &record.person;
        let position = match p.position_id {
            Some(pid) => org::get_position(&state.store, ctx.tenant(), pid).await.ok(),
            None => None,
        };
        let department = match p.department_id {
            Some(d) => org::get_department(&state.store, ctx.tenant(), d).await.ok(),
            None => None,
        };
        // The records about them that the viewer may read, as the lists
        // and search show them.
        let scope = adal_service::reader_scope(&state, &ctx).await;
        let filter = SubmissionFilter {
            subject_iin: Some(p.iin.clone()),
            ..SubmissionFilter::default()
        };
        let (records, total) =
            submissions::list(&state.store, ctx.tenant(), &scope, &filter, 0, MAX_RECORDS).await?;
        let see_findings = allowed(&state, c, tenant, obj::FINDINGS_ALL, act::READ).await;
        let mut findings: HashMap<Uuid, Vec<evaluation::Finding>> = HashMap::new();
        if see_findings && !records.is_empty() {
            let ids: Vec<Uuid> = records.iter().map(|s| s.id).collect();
            for f in evaluation::findings_of_submissions(&state.store, ctx.tenant(), &ids).await? {
                findings.entry(f.submission_id).or_default().push(f);
            }
        }
        let body = html! {
            dl class="facts" id="person" data-iin=(p.iin) {
                dt { (tr.t("col-name")) } dd id="person-name" { (p.full_name) }
                dt { (tr.t("col-iin")) } dd { (p.iin) }
                dt { (tr.t("col-position")) } dd id="person-position" {
                    @match &position {
                        Some(pos) => {
                            (pos.title)
                            @if pos.high_risk { " " span class="sev sev-high" { (tr.t("person-high-risk")) } }
                        },
                        None => "—",
                    }
                }
                dt { (tr.t("col-department")) } dd { (department.map_or_else(|| tr.t("no-department"), |d| d.name)) }
                dt { (tr.t("person-employed")) } dd {
                    @if let Some(d) = p.started_on { (tr.date(d)) } @else { "…" }
                    " – "
                    @if let Some(d) = p.ended_on { (tr.date(d)) } @else { (tr.t("person-now")) }
                }
            }
            h2 { (tr.t("person-relatives")) }
            @if record.relatives.is_empty() {
                p id="person-relatives-none" { (tr.t("person-none-declared")) }
            } @else {
                div class="scroll" {
                    table id="person-relatives" {
                        (head(tr, &[("col-name", false), ("rec-relation", false), ("col-iin", false)]))
                        tbody {
                            @for r in &record.relatives {
                                tr { td { (r.full_name) } td { (label(tr, "conflict-party-relation", &r.relation)) } td { (r.iin.as_deref().unwrap_or("—")) } }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("person-interests")) }
            @if record.interests.is_empty() {
                p id="person-interests-none" { (tr.t("person-none-declared")) }
            } @else {
                div class="scroll" {
                    table id="person-interests" {
                        (head(tr, &[("person-company", false), ("rec-bin", false), ("rec-role", false), ("person-share", true)]))
                        tbody {
                            @for i in &record.interests {
                                tr {
                                    td { (i.company_name) } td { (i.company_bin) }
                                    td { (label(tr, "person-interest-role", &i.role)) }
                                    td class="num" { @if let Some(s) = &i.share_percent { (s) " %" } @else { "—" } }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("person-records")) }
            @if records.is_empty() {
                p id="person-records-none" { (tr.t("person-records-none")) }
            } @else {
                div class="scroll" {
                    table id="person-records" {
                        (head(tr, &[("col-filing", false), ("col-status", false), ("nav-findings", false)]))
                        tbody {
                            @for s in &records {
                                tr data-submission=(s.id) data-kind=(s.kind) {
                                    td { a href={ "/t/" (tenant) "/filings/" (s.id) } { (label(tr, "kind", &s.kind)) ", " (tr.datetime(s.received_at)) } }
                                    td { (label(tr, "status", &s.status)) }
                                    td {
                                        @match findings.get(&s.id) {
                                            Some(fs) => ul class="plain" {
                                                @for f in fs {
                                                    li { a href={ "/t/" (tenant) "/findings/" (f.id) } { (tr.rule_title(&f.rule_id, &f.rule_id)) } " (" (label(tr, "status", &f.status)) ")" }
                                                }
                                            },
                                            None => "—",
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if total > records.len() as u64 { p class="hint" { (tr.t("search-more")) } }
            }
        };
        show_as(&state, &v, ctx.tenant(), "person-title", body, StatusCode::OK).await
    }
    .await;
    finish(&v, r)
}
