//! The HR and procurement officers' screens: the HR actions on file, the
//! procurements by OCID with their tenderers and suppliers, and imports
//! (upload a CSV of people, relatives or interests, or an OCDS file; see
//! its progress and the rows it rejected). Each screen asks for the same
//! permission as its API endpoint; an import is stored by the store
//! function `POST /imports/{kind}` uses, and the worker applies it.

use crate::i18n::Tr;
use crate::kit::listing;
use crate::kit::{Fail, head, label, page, redirect, respond};
use crate::kit::{Fields, PageResult, authorize, caller, finish, frame, show, show_as};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::Bin;
use adal_domain::records::hr::HrActionKind;
use adal_service::{AppState, TenantCtx};
use adal_store::procurement::{self, ProcurementFilter};
use adal_store::submissions::{self, PayloadMatch, PayloadTest, SubmissionFilter};
use adal_store::{imports, org};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Multipart, Path, Query};
use poem::{Request, Response, handler};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

/// A party of a procurement that bid or won: name, BIN, roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counterparty {
    pub name: String,
    pub bin: Option<String>,
    pub roles: Vec<String>,
}

/// The tenderers and suppliers named in a compiled release's parties.
pub fn counterparties(release: &Value) -> Vec<Counterparty> {
    release
        .get("parties")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| {
            let roles: Vec<String> = p
                .get("roles")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|r| matches!(*r, "tenderer" | "supplier"))
                .map(str::to_owned)
                .collect();
            if roles.is_empty() {
                return None;
            }
            let identifier = p.get("identifier");
            let bin = identifier
                .filter(|i| i.get("scheme").and_then(Value::as_str) == Some("KZ-BIN"))
                .and_then(|i| i.get("id"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .or_else(|| p.get("id").and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned();
            Some(Counterparty { name, bin, roles })
        })
        .collect()
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn date(tr: &Tr, iso: &str) -> String {
    chrono::NaiveDate::parse_from_str(iso.get(..10).unwrap_or(iso), "%Y-%m-%d")
        .map_or_else(|_| iso.to_owned(), |d| tr.date(d))
}

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
}

const ACTION: &[&str] = &["action"];
const FULL_NAME: &[&str] = &["person", "full_name"];
const EFFECTIVE_ON: &[&str] = &["effective_on"];

fn trimmed(s: &Option<String>) -> &str {
    s.as_deref().map_or("", str::trim)
}

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

fn error_of<'a>(errors: &[(&str, &'a str)], field: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| *f == field).map(|(_, e)| *e)
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
                &SubmissionFilter {
                    visible: Some(adal_service::reader_visibility(&state, &ctx).await),
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
        let body = html! {
            form method="get" action=(path) class="filters" id="hr-filters" aria-label=(tr.t("filters")) {
                (listing::select(tr, "action", "col-action", &actions, Some(trimmed(&q.action)), error_of(&errors, "action")))
                (listing::input(tr, &listing::Input { id: "person", label: "filter-person", kind: "text", value: trimmed(&q.person), error: error_of(&errors, "person"), hint: Some("filter-person-hint") }))
                (listing::input(tr, &listing::Input { id: "from", label: "filter-effective-from", kind: "date", value: trimmed(&q.from), error: error_of(&errors, "from"), hint: None }))
                (listing::input(tr, &listing::Input { id: "to", label: "filter-effective-to", kind: "date", value: trimmed(&q.to), error: error_of(&errors, "to"), hint: None }))
                (listing::input(tr, &listing::limit_input(trimmed(&q.limit), error_of(&errors, "limit"))))
                (listing::buttons(tr, &path))
            }
            (listing::pager(tr, "hr-pager", &path, &kept, paging, rows.len(), total))
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
                                th scope="row" { (s(&p, "/person/full_name")) }
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

/// 422 when the filters had errors, as the API answers bad input.
fn status_of(errors: &[(&str, &str)]) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// The procurements list's filters: those of
/// `GET /tenants/{t}/procurements`, as typed in the URL.
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct ProcurementQuery {
    status: Option<String>,
    buyer_id: Option<String>,
    counterparty_bin: Option<String>,
    q: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
}

/// The tender statuses of the OCDS codelist, as the index stores them.
const TENDER_STATUSES: [&str; 7] = [
    "planning",
    "planned",
    "active",
    "cancelled",
    "unsuccessful",
    "complete",
    "withdrawn",
];

/// The store filter, or the fields at fault with their error keys. The
/// BIN is checked as `GET /tenants/{t}/procurements` checks it.
fn procurement_filter(
    q: &ProcurementQuery,
) -> (ProcurementFilter, Vec<(&'static str, &'static str)>) {
    let mut errors = Vec::new();
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    let status = trimmed(&q.status);
    if !status.is_empty() && !TENDER_STATUSES.contains(&status) {
        errors.push(("status", "err-choice"));
    }
    let bin = trimmed(&q.counterparty_bin);
    if !bin.is_empty() && Bin::parse(bin).is_err() {
        errors.push(("counterparty_bin", "err-bin"));
    }
    let filter = ProcurementFilter {
        status: some(status),
        buyer_id: some(trimmed(&q.buyer_id)),
        counterparty_bin: some(bin),
        text: some(trimmed(&q.q)),
    };
    (filter, errors)
}

#[handler]
pub(crate) async fn procurements(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<ProcurementQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::PROCUREMENTS, act::READ).await?;
        let tr = &v.tr;
        let path = format!("/t/{tenant}/procurements");
        let (filter, mut errors) = procurement_filter(&q);
        let (paging, limit_error) = listing::paging(q.offset.as_deref(), q.limit.as_deref());
        if let Some(e) = limit_error {
            errors.push(("limit", e));
        }
        let (rows, total) = if errors.is_empty() {
            procurement::list(&state.store, ctx.tenant(), &filter, paging.offset, paging.limit).await?
        } else {
            (Vec::new(), 0)
        };
        let mut parties = HashMap::new();
        for p in &rows {
            let release = submissions::get(&state.store, ctx.tenant(), p.submission_id)
                .await
                .ok()
                .and_then(|s| serde_json::from_str::<Value>(&s.payload).ok())
                .unwrap_or_default();
            parties.insert(p.id, counterparties(&release));
        }
        let buyers: Vec<(String, String)> = procurement::buyers(&state.store, ctx.tenant())
            .await?
            .into_iter()
            .map(|(id, name)| {
                let shown = name.unwrap_or_else(|| id.clone());
                (id, shown)
            })
            .collect();
        let statuses: Vec<(String, String)> = TENDER_STATUSES
            .iter()
            .map(|s| ((*s).to_owned(), label(tr, "tender-status", s)))
            .collect();
        let kept = listing::kept(&[("status", &q.status), ("buyer_id", &q.buyer_id), ("counterparty_bin", &q.counterparty_bin), ("q", &q.q), ("limit", &q.limit)]);
        let body = html! {
            form method="get" action=(path) class="filters" id="procurement-filters" aria-label=(tr.t("filters")) {
                (listing::input(tr, &listing::Input { id: "q", label: "filter-procurement-text", kind: "text", value: trimmed(&q.q), error: None, hint: Some("filter-procurement-text-hint") }))
                (listing::select(tr, "status", "col-status", &statuses, Some(trimmed(&q.status)), error_of(&errors, "status")))
                (listing::select(tr, "buyer_id", "col-buyer", &buyers, filter.buyer_id.as_deref(), None))
                (listing::input(tr, &listing::Input { id: "counterparty_bin", label: "filter-counterparty-bin", kind: "text", value: trimmed(&q.counterparty_bin), error: error_of(&errors, "counterparty_bin"), hint: None }))
                (listing::input(tr, &listing::limit_input(trimmed(&q.limit), error_of(&errors, "limit"))))
                (listing::buttons(tr, &path))
            }
            (listing::pager(tr, "procurement-pager", &path, &kept, paging, rows.len(), total))
            div class="scroll" {
                table id="procurements" {
                    caption { (tr.t("proc-caption")) }
                    thead { tr {
                        th scope="col" { "OCID" }
                        th scope="col" { (tr.t("col-title")) }
                        th scope="col" { (tr.t("col-buyer")) }
                        th scope="col" { (tr.t("col-status")) }
                        th scope="col" class="num" { (tr.t("col-value")) }
                        th scope="col" { (tr.t("col-tender-end")) }
                        th scope="col" { (tr.t("col-counterparties")) }
                    } }
                    tbody {
                        @for p in &rows {
                            tr data-ocid=(p.ocid) {
                                th scope="row" { (p.ocid) }
                                td { (p.title.clone().unwrap_or_default()) }
                                td { (p.buyer_name.clone().unwrap_or_default()) }
                                td data-status=[p.status.as_deref()] { (p.status.as_deref().map(|s| label(tr, "tender-status", s)).unwrap_or_default()) }
                                td class="num" {
                                    @match (&p.value_amount, p.currency.as_deref()) {
                                        (Some(a), Some("KZT") | None) => { (tr.money(a)) }
                                        (Some(a), Some(c)) => { (a) " " (c) }
                                        (None, _) => {}
                                    }
                                }
                                td { (p.tender_end.as_deref().map(|d| date(tr, d)).unwrap_or_default()) }
                                td {
                                    ul class="parties" {
                                        @for c in parties.get(&p.id).into_iter().flatten() {
                                            li data-bin=[c.bin.as_deref()] {
                                                (c.name)
                                                @if let Some(b) = &c.bin { " (" (tr.t("col-bin")) " " (b) ")" }
                                                " · "
                                                (c.roles.iter().map(|r| label(tr, "party-role", r)).collect::<Vec<_>>().join(", "))
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
        show_as(&state, &v, ctx.tenant(), "proc-title", body, status_of(&errors)).await
    }
    .await;
    finish(&v, r)
}

/// The kinds of import `ctx`'s caller may start, as `GET /imports` lists.
async fn import_kinds(state: &AppState, ctx: &TenantCtx) -> Vec<&'static str> {
    let mut kinds = Vec::new();
    for k in adal_import::ImportKind::ALL {
        if let Some((o, a)) = adal_service::import_permission(k.as_str())
            && TenantCtx::authorize(state, ctx.caller(), ctx.tenant().0, o, a)
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
    let body = imports_body(&v.tr, v, ctx.tenant().0, &kinds, &list, error);
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

/// A form field's bytes, at most `max` of them: `None` when there were
/// more (nothing beyond `max + 1` bytes is read).
async fn read_limited(field: poem::web::Field, max: usize) -> Result<Option<Vec<u8>>, Fail> {
    use tokio::io::AsyncReadExt as _;
    let mut buf = Vec::new();
    field
        .into_async_read()
        .take(u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1))
        .read_to_end(&mut buf)
        .await
        .map_err(|_| Fail::NotFound)?;
    Ok((buf.len() <= max).then_some(buf))
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
            out.file = read_limited(field, adal_service::MAX_UPLOAD).await?;
            out.too_large = out.file.is_none();
        } else if let Some(bytes) = read_limited(field, MAX_FIELD).await? {
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
                p { a class="button" id="import-refresh" href={ "/t/" (tenant) "/imports/" (i.id) } { (tr.t("import-refresh")) } }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tenderers_and_suppliers_are_read_from_the_parties() {
        let release = serde_json::json!({
            "ocid": "ocds-1",
            "parties": [
                {"id": "buyer", "name": "Demo Energy JSC", "roles": ["buyer"]},
                {"id": "t1", "name": "Volt LLP", "roles": ["tenderer", "supplier"],
                 "identifier": {"scheme": "KZ-BIN", "id": "190540001239"}},
                {"id": "t2", "roles": ["tenderer"], "identifier": {"scheme": "XX", "id": "9"}}
            ]
        });
        assert_eq!(
            counterparties(&release),
            [
                Counterparty {
                    name: "Volt LLP".into(),
                    bin: Some("190540001239".into()),
                    roles: vec!["tenderer".into(), "supplier".into()],
                },
                Counterparty {
                    name: "t2".into(),
                    bin: None,
                    roles: vec!["tenderer".into()],
                },
            ]
        );
        assert!(counterparties(&serde_json::json!({"ocid": "x"})).is_empty());
    }
}
