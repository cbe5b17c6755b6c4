//! Imports: upload a CSV of people, relatives or interests, or an OCDS
//! file; see its progress and the rows it rejected.

use crate::exports::{self, Links, Scope};
use crate::i18n::Tr;
use crate::kit::{Fail, head, label, page, redirect, respond};
use crate::kit::{Fields, PageResult, authorize, caller, finish, frame, show};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::export::ExportList;
use adal_service::{AppState, TenantCtx};
use adal_store::imports;
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Multipart, Path};
use poem::{Request, Response, handler};
use uuid::Uuid;

/// The kinds of import `ctx`'s caller may start, as `GET /imports` lists.
async fn import_kinds(state: &AppState, ctx: &TenantCtx) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    for k in adal_import::ImportKind::ALL {
        if let Some((o, a)) = adal_service::import_permission(k.as_str())
            && TenantCtx::authorize(state, ctx.caller(), ctx.tenant().uuid(), o, a)
                .await
                .is_ok()
        {
            kinds.push(k.as_str());
        }
    }
    kinds
}

fn imports_body(
    tr: &Tr,
    v: &Visitor,
    tenant: Uuid,
    kinds: &[&str],
    list: &[imports::ImportStatus],
    error: Option<&str>,
) -> Markup {
    let err_id = "i-file-error";
    html! {
        p { (tr.t("imports-intro")) }
        form method="post" action={ "/t/" (tenant) "/imports" } enctype="multipart/form-data" class="filing narrow" {
            input type="hidden" name="csrf" value=(v.csrf);
            div class="field" {
                label for="i-kind" { (tr.t("imports-kind")) }
                select id="i-kind" name="kind" {
                    @for k in kinds { option value=(k) { (tr.t(&format!("import-kind-{k}"))) } }
                }
            }
            div class={ "field" @if error.is_some() { " invalid" } } {
                label for="i-file" { (tr.t("imports-file")) }
                input type="file" id="i-file" name="file" accept=".csv,.json,.jsonl,text/csv,application/json" required
                    aria-invalid=[error.is_some().then_some("true")]
                    aria-describedby={ "i-file-hint" @if error.is_some() { " " (err_id) } };
                p class="hint" id="i-file-hint" { (tr.t("imports-file-hint")) }
                @if let Some(e) = error { p class="field-error" id=(err_id) { (tr.t(e)) } }
            }
            button type="submit" id="import-submit" { (tr.t("imports-submit")) }
        }
        h2 { (tr.t("imports-recent")) }
        @if list.is_empty() { p id="no-imports" { (tr.t("imports-none")) } }
        @else {
            div class="scroll" {
                table id="imports" {
                    caption { (tr.t("imports-caption")) }
                    (head(tr, &[("col-received", false), ("imports-kind", false), ("col-file", false), ("col-status", false), ("col-accepted", true), ("col-unchanged", true), ("col-rejected", true)]))
                    tbody {
                        @for i in list {
                            tr data-import=(i.id) data-status=(i.status) {
                                td { a href={ "/t/" (tenant) "/imports/" (i.id) } { (tr.datetime(i.created_at)) } }
                                td { (tr.t(&format!("import-kind-{}", i.kind))) }
                                td { (i.file_name) }
                                td { (label(tr, "import-status", &i.status)) }
                                td class="num" { (i.accepted) }
                                td class="num" { (i.unchanged) }
                                td class="num" { (i.rejected) }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn imports_page(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    error: Option<&str>,
) -> PageResult {
    let kinds = import_kinds(state, ctx).await;
    if kinds.is_empty() {
        return Err(Fail::Forbidden);
    }
    let (list, _) = imports::list(&state.store, ctx.tenant(), &kinds, 0, 50).await?;
    let mut body = imports_body(&v.tr, v, ctx.tenant().uuid(), &kinds, &list, error);
    // What the imports fill, exported beside them (to those who read it).
    let mut exported = Vec::new();
    for (list, caption) in [
        (ExportList::People, "export-people"),
        (ExportList::Relatives, "export-relatives"),
        (ExportList::Interests, "export-interests"),
    ] {
        let l = Links {
            list,
            caption,
            params: &[],
            scope: Scope::Whole,
        };
        exported.push(exports::links(state, ctx, &v.tr, &l).await);
    }
    body = html! { (body) @for e in &exported { (e) } };
    let f = frame(state, v, ctx.tenant()).await;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok(respond(
        v,
        status,
        page(v, &f, &v.tr.t("imports-title"), body),
    ))
}

#[handler]
pub(crate) async fn imports_list(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::TENANT, act::READ).await?;
        imports_page(&state, &v, &ctx, None).await
    }
    .await;
    finish(&v, r)
}

/// What the upload form sent.
#[derive(Default)]
struct UploadForm {
    fields: Fields,
    file_name: Option<String>,
    /// `None` when no file came, or it was larger than the API takes.
    file: Option<Vec<u8>>,
    too_large: bool,
}

/// The small fields beside the file (the CSRF token, the kind).
const MAX_FIELD: usize = 1024;

async fn read_upload(mut m: Multipart) -> Result<UploadForm, Fail> {
    let mut out = UploadForm::default();
    while let Some(field) = m.next_field().await.map_err(|_| Fail::NotFound)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            out.file_name = field.file_name().map(str::to_owned);
            // The limit of `POST /imports/{kind}`.
            out.file = crate::kit::read_field(field, adal_service::MAX_UPLOAD).await?;
            out.too_large = out.file.is_none();
        } else if let Some(bytes) = crate::kit::read_field(field, MAX_FIELD).await? {
            out.fields
                .insert(name, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(out)
}

/// Stores the file as `POST /imports/{kind}` does; the worker applies it.
#[handler]
pub(crate) async fn upload_import(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    m: Multipart,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        caller(&v)?;
        let form = read_upload(m).await?;
        if !v.csrf_ok(form.fields.get("csrf").map(String::as_str)) {
            return Err(Fail::Csrf);
        }
        let kind = form.fields.get("kind").cloned().unwrap_or_default();
        let (o, a) = adal_service::import_permission(&kind).ok_or(Fail::NotFound)?;
        let ctx = authorize(&state, &v, tenant, o, a).await?;
        if form.too_large {
            return imports_page(&state, &v, &ctx, Some("err-file-too-large")).await;
        }
        let file = match form.file.filter(|f| !f.is_empty()) {
            None => return imports_page(&state, &v, &ctx, Some("err-file-empty")).await,
            Some(f) => match String::from_utf8(f) {
                Ok(text) => text,
                Err(_) => return imports_page(&state, &v, &ctx, Some("err-file-utf8")).await,
            },
        };
        match adal_import::check_upload(&state.store, ctx.tenant(), state.import_limits, file.len())
            .await?
        {
            Ok(()) => {}
            Err(adal_import::QuotaRefusal::TooLarge { .. }) => {
                return imports_page(&state, &v, &ctx, Some("err-file-too-large")).await;
            }
            Err(adal_import::QuotaRefusal::RowsUsed { .. }) => {
                return imports_page(&state, &v, &ctx, Some("err-import-quota")).await;
            }
        }
        let name = form
            .file_name
            .as_deref()
            .and_then(|n| adal_domain::Name::parse(n).ok())
            .map_or_else(|| format!("{kind}.upload"), |n| n.as_str().to_owned());
        let i = imports::create(
            &state.store,
            ctx.tenant(),
            ctx.caller().user_id,
            &kind,
            &name,
            file,
        )
        .await?;
        Ok(redirect(&v, &format!("/t/{tenant}/imports/{}", i.id)))
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn import_detail(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id)): Path<(Uuid, Uuid)>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::TENANT, act::READ).await?;
        let i = imports::get(&state.store, ctx.tenant(), id).await?;
        // Someone who may not import this kind does not see the import.
        let (o, a) = adal_service::import_permission(&i.kind).ok_or(Fail::NotFound)?;
        authorize(&state, &v, tenant, o, a)
            .await
            .map_err(|_| Fail::NotFound)?;
        let tr = &v.tr;
        let finished = i.status == imports::DONE || i.status == imports::FAILED;
        let body = html! {
            dl class="facts" id="import" data-status=(i.status) {
                dt { (tr.t("imports-kind")) } dd { (tr.t(&format!("import-kind-{}", i.kind))) }
                dt { (tr.t("col-file")) } dd { (i.file_name) }
                dt { (tr.t("col-status")) } dd id="import-status" { (label(tr, "import-status", &i.status)) }
                dt { (tr.t("col-progress")) } dd {
                    progress id="import-progress" max=(i.total_rows.max(1)) value=(i.processed_rows) {}
                    " " (tr.t_args("import-rows", &[("done", i.processed_rows.to_string().into()), ("total", i.total_rows.to_string().into())]))
                }
                dt { (tr.t("col-accepted")) } dd id="import-accepted" { (i.accepted) }
                dt { (tr.t("col-unchanged")) } dd { (i.unchanged) }
                dt { (tr.t("col-rejected")) } dd id="import-rejected" { (i.rejected) }
            }
            @if let Some(e) = &i.error { p class="alert error" role="alert" id="import-error" { (tr.t("import-failed")) " " (e) } }
            @if !finished {
                p data-refresh="3" { a class="button" id="import-refresh" href={ "/t/" (tenant) "/imports/" (i.id) } { (tr.t("import-refresh")) } }
            }
            h2 { (tr.t("import-report")) }
            @if i.report.is_empty() {
                p id="import-no-errors" { (tr.t(if finished { "import-no-errors" } else { "import-not-yet" })) }
            } @else {
                div class="scroll" {
                    table id="import-report" {
                        caption { (tr.t("import-report-caption")) }
                        (head(tr, &[("col-row", true), ("col-column", false), ("col-reason", false)]))
                        tbody {
                            @for e in &i.report {
                                tr data-row=(e.row) data-column=(e.column) {
                                    td class="num" { (e.row) }
                                    td { (e.column) }
                                    td { (e.reason) }
                                }
                            }
                        }
                    }
                }
            }
            p { a href={ "/t/" (tenant) "/imports" } { (tr.t("imports-back")) } }
        };
        show(&state, &v, ctx.tenant(), "import-title", body).await
    }
    .await;
    finish(&v, r)
}
