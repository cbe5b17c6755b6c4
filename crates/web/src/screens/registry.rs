//! The registry of persons convicted of corruption offences on screen
//! (docs/registry.md): the public search anyone may use without signing
//! in, as on the Agency's portal, and the HR officer's screening of a
//! candidate, with each match's score and reason.
//!
//! The public page lists only what a search finds, a page at a time:
//! a name (any spelling, any parts) or an exact IIN is needed, and pages
//! hold [`PUBLIC_PAGE`] entries, so the page is no way to download the
//! registry wholesale. The API's rate limit for anonymous clients covers
//! it too (`/registry` in `adal_api::limits`).

use crate::i18n::Tr;
use crate::kit::{
    Fields, Frame, PageResult, authorize, authorize_form, finish, head, listing, page, respond,
    show_as,
};
use crate::screening_view::{entry_cells, matches_table};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::AppState;
use adal_service::screening::{self, Candidate};
use adal_store::registry::{self, Search};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use uuid::Uuid;

/// Entries per page of the public search.
const PUBLIC_PAGE: u64 = 20;

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct SearchQuery {
    name: Option<String>,
    iin: Option<String>,
    offset: Option<String>,
}

fn trimmed(s: &Option<String>) -> &str {
    s.as_deref().map_or("", str::trim)
}

/// The search the form asks for (checked as the API checks it), or the
/// key of each field's error; `None` when nothing was asked yet.
fn search_of(q: &SearchQuery) -> Result<Option<Search>, Vec<(&'static str, &'static str)>> {
    let s = screening::registry_search(q.name.as_deref(), q.iin.as_deref()).map_err(|errors| {
        errors
            .iter()
            .map(|e| match (e.pointer.as_str(), e.code.as_ref()) {
                ("/iin", _) => ("iin", "err-iin"),
                (_, "text.too_long") => ("name", "err-too-long"),
                _ => ("name", "registry-err-name"),
            })
            .collect::<Vec<_>>()
    })?;
    Ok((s.name.is_some() || s.iin.is_some()).then_some(s))
}

fn error_of(errors: &[(&'static str, &'static str)], field: &str) -> Option<&'static str> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, k)| *k)
}

#[handler]
pub(crate) async fn registry_page(
    req: &Request,
    state: Data<&AppState>,
    Query(q): Query<SearchQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let tr = &v.tr;
        let (paging, _) = listing::paging(q.offset.as_deref(), None);
        let paging = listing::Paging {
            offset: paging.offset,
            limit: PUBLIC_PAGE,
        };
        let (search, errors) = match search_of(&q) {
            Ok(s) => (s, Vec::new()),
            Err(e) => (None, e),
        };
        let found = match &search {
            Some(s) => Some(registry::search(&state.store, s, paging.offset, paging.limit).await?),
            None => None,
        };
        let kept = listing::kept(&[("name", &q.name), ("iin", &q.iin)]);
        let body = html! {
            p class="intro" { (tr.t("registry-intro")) }
            form method="get" action="/registry" class="filters" id="registry-search" role="search" {
                (listing::input(tr, &listing::Input { id: "name", label: "registry-name", kind: "text", value: trimmed(&q.name), error: error_of(&errors, "name"), hint: Some("registry-name-hint") }))
                (listing::input(tr, &listing::Input { id: "iin", label: "col-iin", kind: "text", value: trimmed(&q.iin), error: error_of(&errors, "iin"), hint: Some("registry-iin-hint") }))
                div class="buttons" { button type="submit" id="registry-submit" { (tr.t("registry-search")) } }
            }
            @match &found {
                None => {
                    @if errors.is_empty() { p class="muted" id="registry-ask" { (tr.t("registry-ask")) } }
                }
                Some((rows, total)) => {
                    (listing::pager(tr, "registry-pager", "/registry", &kept, paging, rows.len(), *total))
                    @if rows.is_empty() {
                        p id="registry-none" { (tr.t("registry-none")) }
                    } @else {
                        div class="scroll" {
                            table id="registry-results" {
                                caption { (tr.t("registry-caption")) }
                                (head(tr, &[("col-name", false), ("col-iin", false), ("registry-col-workplace", false), ("registry-col-offence", false), ("registry-col-ruling", false), ("registry-col-punishment", false), ("registry-col-until", false)]))
                                tbody {
                                    @for e in rows {
                                        tr data-entry=(e.id) {
                                            th scope="row" { (e.full_name) }
                                            (entry_cells(tr, e))
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            p class="muted" id="registry-source" { (tr.t("registry-footnote")) }
        };
        let status = if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let title = tr.t("registry-title");
        Ok(respond(&v, status, page(&v, &Frame::default(), &title, body)))
    }
    .await;
    finish(&v, r)
}

fn screening_form(
    tr: &Tr,
    v: &Visitor,
    path: &str,
    f: &Fields,
    errors: &[(&'static str, &'static str)],
) -> Markup {
    let value = |k: &str| f.get(k).map_or("", |s| s.trim());
    html! {
        p class="intro" { (tr.t("screening-intro")) }
        form method="post" action=(path) class="filters" id="screening-form" {
            input type="hidden" name="csrf" value=(v.csrf);
            (listing::input(tr, &listing::Input { id: "iin", label: "col-iin", kind: "text", value: value("iin"), error: error_of(errors, "iin"), hint: None }))
            (listing::input(tr, &listing::Input { id: "full_name", label: "col-name", kind: "text", value: value("full_name"), error: error_of(errors, "full_name"), hint: Some("registry-name-hint") }))
            div class="buttons" { button type="submit" id="screening-submit" { (tr.t("screening-check")) } }
        }
    }
}

#[handler]
pub(crate) async fn screening_page(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::HR_ACTIONS, act::CREATE).await?;
        let path = format!("/t/{tenant}/screening");
        let body = screening_form(&v.tr, &v, &path, &Fields::new(), &[]);
        show_as(
            &state,
            &v,
            ctx.tenant(),
            "screening-title",
            body,
            StatusCode::OK,
        )
        .await
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn screen(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &f, tenant, obj::HR_ACTIONS, act::CREATE).await?;
        let tr = &v.tr;
        let path = format!("/t/{tenant}/screening");
        let get = |k: &str| f.get(k).map_or("", String::as_str);
        let (body, status) = match Candidate::parse(get("iin"), get("full_name")) {
            Ok(candidate) => {
                let found = screening::screen(&state.store, &ctx, &candidate).await?;
                let body = html! {
                    (screening_form(tr, &v, &path, &f, &[]))
                    (matches_table(tr, &found))
                };
                (body, StatusCode::OK)
            }
            Err(field_errors) => {
                let errors: Vec<(&'static str, &'static str)> = field_errors
                    .iter()
                    .map(|e| match e.pointer.as_str() {
                        "/iin" => ("iin", "err-iin"),
                        _ if e.message.starts_with("must be at most") => {
                            ("full_name", "err-too-long")
                        }
                        _ => ("full_name", "registry-err-name"),
                    })
                    .collect();
                (
                    screening_form(tr, &v, &path, &f, &errors),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
        };
        show_as(&state, &v, ctx.tenant(), "screening-title", body, status).await
    }
    .await;
    finish(&v, r)
}

#[cfg(test)]
mod tests {
    use super::{SearchQuery, search_of};

    fn q(name: &str, iin: &str) -> SearchQuery {
        SearchQuery {
            name: Some(name.to_owned()),
            iin: Some(iin.to_owned()),
            offset: None,
        }
    }

    #[test]
    fn the_public_search_needs_a_name_or_an_iin_and_checks_both() {
        assert!(matches!(search_of(&q("", " ")), Ok(None)));
        let s = search_of(&q(" Оспанов ", "")).unwrap().unwrap();
        assert_eq!(s.name.as_deref(), Some("Оспанов"));
        let s = search_of(&q("", "900115300013")).unwrap().unwrap();
        assert_eq!(
            s.iin.map(|i| i.as_str().to_owned()).as_deref(),
            Some("900115300013")
        );
        assert_eq!(
            search_of(&q("123", "")).unwrap_err(),
            [("name", "registry-err-name")]
        );
        assert_eq!(
            search_of(&q(&"а".repeat(301), "12")).unwrap_err(),
            [("name", "err-too-long"), ("iin", "err-iin")]
        );
    }
}
