//! A tenant's audit log on screen (docs/audit.md): newest first, a page at
//! a time, with who did what and when, and a filter for the Agency's
//! readings, so the administrator sees who from the Agency looked at what
//! and when. Each entry links nothing: the log is the record, and its
//! proofs and checkpoints are on the API for whoever verifies it.

use crate::kit::{PageResult, authorize, finish, head, show_as};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::AppState;
use adal_store::{audit, users};
use maud::html;
use poem::http::StatusCode;
use poem::web::{Data, Path, Query};
use poem::{Request, Response, handler};
use std::collections::HashMap;
use uuid::Uuid;

/// Entries a page shows.
const PAGE: u64 = 50;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct LogQuery {
    /// `agency`: the Agency's readings only.
    only: Option<String>,
    /// Entries before this position (the next page's link).
    before: Option<String>,
}

#[handler]
pub(crate) async fn audit_page(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<LogQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::AUDIT, act::READ).await?;
        let tr = &v.tr;
        let agency_only = q.only.as_deref() == Some("agency");
        // A position that is not a number starts at the newest.
        let before = q.before.as_deref().and_then(|b| b.trim().parse::<u64>().ok());
        let entries = audit::entries(
            &state.store,
            ctx.tenant(),
            before,
            agency_only.then_some("agency.access"),
            PAGE,
        )
        .await?;
        let names: HashMap<String, String> = users::list(&state.store, ctx.tenant())
            .await?
            .into_iter()
            .map(|u| (u.id.to_string(), u.email))
            .collect();
        let path = format!("/t/{tenant}/audit");
        let next = (u64::try_from(entries.len()).unwrap_or(0) == PAGE)
            .then(|| entries.last().and_then(|e| e.seq))
            .flatten();
        let body = html! {
            p class="intro" { (tr.t("audit-intro")) }
            p class="filters" id="audit-filter" {
                @if agency_only {
                    a href=(path) { (tr.t("audit-all")) } " · " strong { (tr.t("audit-agency-only")) }
                } @else {
                    strong { (tr.t("audit-all")) } " · " a href={ (path) "?only=agency" } id="audit-agency-link" { (tr.t("audit-agency-only")) }
                }
            }
            @if entries.is_empty() {
                p id="audit-none" { (tr.t("audit-none")) }
            } @else {
                div class="scroll" {
                    table id="audit-entries" {
                        caption { (tr.t("audit-caption")) }
                        (head(tr, &[("audit-col-seq", true), ("audit-col-at", false), ("audit-col-who", false), ("audit-col-action", false), ("audit-col-object", false)]))
                        tbody {
                            @for e in &entries {
                                @let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
                                @let by = detail.get("by").and_then(serde_json::Value::as_str);
                                tr data-action=(e.action) data-seq=[e.seq] {
                                    td class="num" { @if let Some(s) = e.seq { (s) } }
                                    td { (e.at.format("%Y-%m-%d %H:%M:%S UTC")) }
                                    td {
                                        @match (by, names.get(&e.actor)) {
                                            (Some(b), _) => { (b) " " span class="muted" { "(" (tr.t("audit-agency")) ")" } }
                                            (None, Some(n)) => (n),
                                            (None, None) => span class="muted" { (e.actor) },
                                        }
                                    }
                                    td { code { (e.action) } }
                                    td { (e.object) }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(n) = next {
                p { a rel="next" id="audit-next" href={ (path) "?before=" (n) @if agency_only { "&only=agency" } } { (tr.t("pager-next")) } }
            }
        };
        show_as(&state, &v, ctx.tenant(), "audit-title", body, StatusCode::OK).await
    }
    .await;
    finish(&v, r)
}
