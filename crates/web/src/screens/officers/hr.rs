//! The HR actions on file, filtered as `GET /hr-actions` filters them.

use super::{date, error_of, s, status_of, trimmed};
use crate::exports::{self, Links, Scope};
use crate::kit::listing;
use crate::kit::{PageResult, allowed, authorize, caller, finish, show_as};
use crate::kit::{head, label};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::records::hr::HrActionKind;
use adal_service::AppState;
use adal_service::export::ExportList;
use adal_store::org;
use adal_store::submissions::{self, PayloadMatch, PayloadTest, SubmissionFilter};
use maud::html;
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// The HR actions list's filters, as typed in the URL.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct HrQuery {
    action: Option<String>,
    /// An IIN, or part of the person's name.
    person: Option<String>,
    /// Effective from and to (ISO dates, both included).
    from: Option<String>,
    to: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
    /// `1` after the form recorded an action.
    recorded: Option<String>,
}

const ACTION: &[&str] = &["action"];
const FULL_NAME: &[&str] = &["person", "full_name"];
const EFFECTIVE_ON: &[&str] = &["effective_on"];

/// The submission filter for the HR actions list, or the fields at fault
/// with their error keys.
fn hr_filter(
    q: &HrQuery,
) -> (
    Vec<PayloadMatch>,
    Option<String>,
    Vec<(&'static str, &'static str)>,
) {
    let mut matches = Vec::new();
    let mut iin = None;
    let mut errors = Vec::new();
    let action = trimmed(&q.action);
    if !action.is_empty() {
        match HrActionKind::parse(action) {
            Ok(a) => matches.push(PayloadMatch {
                path: ACTION,
                test: PayloadTest::Equals(a.as_str().to_owned()),
            }),
            Err(_) => errors.push(("action", "err-choice")),
        }
    }
    let person = trimmed(&q.person);
    if !person.is_empty() {
        // Names hold no digits: digits are an IIN, matched exactly.
        if person.bytes().all(|b| b.is_ascii_digit()) {
            match adal_domain::Iin::parse(person) {
                Ok(i) => iin = Some(i.to_string()),
                Err(_) => errors.push(("person", "err-iin")),
            }
        } else {
            matches.push(PayloadMatch {
                path: FULL_NAME,
                test: PayloadTest::Contains(person.to_owned()),
            });
        }
    }
    let date = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    let (from, to) = (trimmed(&q.from), trimmed(&q.to));
    let from_d = (!from.is_empty()).then(|| date(from));
    let to_d = (!to.is_empty()).then(|| date(to));
    for (field, d, test) in [
        (
            "from",
            from_d,
            PayloadTest::AtLeast as fn(String) -> PayloadTest,
        ),
        ("to", to_d, PayloadTest::AtMost),
    ] {
        match d {
            None => {}
            Some(None) => errors.push((field, "err-date")),
            Some(Some(d)) => matches.push(PayloadMatch {
                path: EFFECTIVE_ON,
                test: test(d.format("%Y-%m-%d").to_string()),
            }),
        }
    }
    if let (Some(Some(f)), Some(Some(t))) = (from_d, to_d)
        && t < f
    {
        errors.push(("to", "err-before"));
    }
    (matches, iin, errors)
}

#[handler]
pub(crate) async fn hr_actions(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<HrQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::HR_ACTIONS, act::READ).await?;
        let tr = &v.tr;
        let path = format!("/t/{tenant}/hr-actions");
        let (matches, iin, mut errors) = hr_filter(&q);
        let (paging, limit_error) = listing::paging(q.offset.as_deref(), q.limit.as_deref());
        if let Some(e) = limit_error {
            errors.push(("limit", e));
        }
        // Bad input lists nothing, as the API would refuse it.
        let (rows, total) = if errors.is_empty() {
            submissions::list(
                &state.store,
                ctx.tenant(),
                &adal_service::reader_scope(&state, &ctx).await,
                &SubmissionFilter {
                    kind: Some(adal_domain::Kind::HrAction.as_str().to_owned()),
                    subject_iin: iin,
                    payload: matches,
                    ..Default::default()
                },
                paging.offset,
                paging.limit,
            )
            .await?
        } else {
            (Vec::new(), 0)
        };
        let positions: HashMap<String, String> = org::list_positions(&state.store, ctx.tenant())
            .await?
            .into_iter()
            .map(|p| (p.id.to_string(), p.title))
            .collect();
        let kept = listing::kept(&[("action", &q.action), ("person", &q.person), ("from", &q.from), ("to", &q.to), ("limit", &q.limit)]);
        let actions: Vec<(String, String)> = HrActionKind::ALL
            .iter()
            .map(|a| (a.as_str().to_owned(), label(tr, "hr-action", a.as_str())))
            .collect();
        // The HR actions are submissions of one kind; the filters on their
        // payload are not carried into the file, and its links say so.
        let kind = [("kind", adal_domain::Kind::HrAction.as_str().to_owned())];
        let export_links = exports::links(&state, &ctx, tr, &Links { list: ExportList::Submissions, caption: "export-label", params: &kind, scope: Scope::WholeDespiteFilters }).await;
        let may_record = allowed(&state, caller(&v)?, tenant, obj::HR_ACTIONS, act::CREATE).await;
        let body = html! {
            @if q.recorded.as_deref() == Some("1") {
                p class="alert ok" role="status" id="hr-recorded" { (tr.t("hr-recorded")) }
            }
            @if may_record {
                p { a class="button" href={ (path) "/new" } id="hr-new" { (tr.t("hr-new")) } }
            }
            form method="get" action=(path) class="filters" id="hr-filters" aria-label=(tr.t("filters")) {
                (listing::select(tr, "action", "col-action", &actions, Some(trimmed(&q.action)), error_of(&errors, "action")))
                (listing::input(tr, &listing::Input { id: "person", label: "filter-person", kind: "text", value: trimmed(&q.person), error: error_of(&errors, "person"), hint: Some("filter-person-hint") }))
                (listing::input(tr, &listing::Input { id: "from", label: "filter-effective-from", kind: "date", value: trimmed(&q.from), error: error_of(&errors, "from"), hint: None }))
                (listing::input(tr, &listing::Input { id: "to", label: "filter-effective-to", kind: "date", value: trimmed(&q.to), error: error_of(&errors, "to"), hint: None }))
                (listing::input(tr, &listing::limit_input(trimmed(&q.limit), error_of(&errors, "limit"))))
                (listing::buttons(tr, &path))
            }
            (listing::pager(tr, "hr-pager", &path, &kept, paging, rows.len(), total))
            (export_links)
            div class="scroll" {
                table id="hr-actions" {
                    caption { (tr.t("hr-caption")) }
                    (head(tr, &[("col-effective", false), ("col-action", false), ("col-name", false), ("col-iin", false), ("col-position", false), ("col-screening", false), ("col-status", false)]))
                    tbody {
                        @for sub in &rows {
                            @let p: Value = serde_json::from_str(&sub.payload).unwrap_or_default();
                            tr data-submission=(sub.id) data-action=(s(&p, "/action")) {
                                td { (date(tr, s(&p, "/effective_on"))) }
                                td { (label(tr, "hr-action", s(&p, "/action"))) }
                                th scope="row" { a href={ "/t/" (tenant) "/filings/" (sub.id) } { (s(&p, "/person/full_name")) } }
                                td { (s(&p, "/person/iin")) }
                                td { (positions.get(s(&p, "/position_id")).cloned().unwrap_or_default()) }
                                td { @match p.pointer("/screening/result").and_then(Value::as_str) {
                                    Some(r) => (label(tr, "screening", r)),
                                    None => (tr.t("screening-none")),
                                } }
                                td { (label(tr, "status", &sub.status)) }
                            }
                        }
                    }
                }
            }
        };
        show_as(&state, &v, ctx.tenant(), "hr-title", body, status_of(&errors)).await
    }
    .await;
    finish(&v, r)
}
