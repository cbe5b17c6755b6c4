//! The platform operator's screens (docs/platform.md): every tenant with
//! its status and usage, suspending and reactivating one with a reason,
//! creating a tenant with its first administrator, and the Agency's
//! accounts. Each action goes through `adal_service::platform`, as the API
//! does, so the checks and the audit entries are the same.

use crate::i18n::Tr;
use crate::kit::{
    Fail, Fields, Frame, PageResult, caller, error_text, finish, head, label, own_frame, page,
    redirect, respond,
};
use crate::session::Visitor;
use adal_domain::{FieldError, Region, Role, Sector};
use adal_service::{AppState, ServiceError, platform};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use uuid::Uuid;

/// Inputs and the errors beside them: (input name, message).
type Errors = Vec<(String, String)>;

/// A platform admin, or the page that says this is not for them.
fn operator(v: &Visitor) -> Result<(), Fail> {
    if caller(v)?.role != Role::PlatformAdmin {
        return Err(Fail::Forbidden);
    }
    Ok(())
}

/// For a form's POST: a platform admin with the session's CSRF token.
fn operator_form(v: &Visitor, f: &Fields) -> Result<(), Fail> {
    operator(v)?;
    if !v.csrf_ok(f.get("csrf").map(String::as_str)) {
        return Err(Fail::Csrf);
    }
    Ok(())
}

/// The service's refusal placed by its inputs (`/admin/email` is the
/// input `admin_email`); anything else is the error page.
fn placed(tr: &Tr, e: ServiceError) -> Result<Errors, Fail> {
    match e {
        ServiceError::Invalid { .. } | ServiceError::Conflict(_) => Ok(e
            .field_errors()
            .iter()
            .map(|fe: &FieldError| {
                (
                    fe.pointer.trim_start_matches('/').replace('/', "_"),
                    error_text(tr, fe),
                )
            })
            .collect()),
        other => Err(other.into()),
    }
}

fn error_of<'a>(errors: &'a Errors, name: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, m)| m.as_str())
}

fn get<'a>(f: &'a Fields, name: &str) -> &'a str {
    f.get(name).map_or("", String::as_str)
}

/// A labelled input with its error beside it.
fn input(tr: &Tr, f: &Fields, errors: &Errors, name: &str, label_key: &str, kind: &str) -> Markup {
    let error = error_of(errors, name);
    let err_id = format!("{name}-error");
    html! {
        div class="field" {
            label for=(name) { (tr.t(label_key)) }
            input type=(kind) id=(name) name=(name)
                value=[(kind != "password").then(|| get(f, name).trim())]
                autocomplete=(if kind == "password" { "new-password" } else { "off" })
                aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())];
            @if let Some(m) = error { p class="field-error" id=(err_id) { (m) } }
        }
    }
}

fn choice(
    tr: &Tr,
    f: &Fields,
    errors: &Errors,
    name: &str,
    label_key: &str,
    options: &[(String, String)],
) -> Markup {
    let error = error_of(errors, name);
    let err_id = format!("{name}-error");
    html! {
        div class="field" {
            label for=(name) { (tr.t(label_key)) }
            select id=(name) name=(name) aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| err_id.as_str())] {
                @for (v, text) in options {
                    option value=(v) selected[get(f, name) == v] { (text) }
                }
            }
            @if let Some(m) = error { p class="field-error" id=(err_id) { (m) } }
        }
    }
}

async fn screen(
    state: &AppState,
    v: &Visitor,
    status: StatusCode,
    title_key: &str,
    body: Markup,
) -> PageResult {
    let f: Frame = own_frame(state, v).await;
    Ok(respond(v, status, page(v, &f, &v.tr.t(title_key), body)))
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

/// What the last action did, as the list says it.
fn done_key(d: &Done) -> Option<&'static str> {
    match d.done.as_deref() {
        Some("created") => Some("platform-done-created"),
        Some("suspended") => Some("platform-done-suspended"),
        Some("reactivated") => Some("platform-done-reactivated"),
        Some("account") => Some("platform-done-account"),
        Some("disabled") => Some("platform-done-disabled"),
        Some("enabled") => Some("platform-done-enabled"),
        _ => None,
    }
}

/// The tenants list; `failed` is the tenant whose suspension was refused,
/// with the reason typed and the error.
async fn tenants_page(
    state: &AppState,
    v: &Visitor,
    done: Option<&'static str>,
    failed: Option<(Uuid, &Fields, &Errors)>,
) -> PageResult {
    let c = caller(v)?;
    let tr = &v.tr;
    let all = platform::tenants_with_usage(state, c).await?;
    let date = |d: chrono::DateTime<chrono::Utc>| d.format("%Y-%m-%d").to_string();
    let body = html! {
        @if let Some(k) = done { p class="alert ok" role="status" id="platform-done" { (tr.t(k)) } }
        p { a href="/platform/tenants/new" id="new-tenant" { (tr.t("platform-new-tenant")) } }
        div class="scroll" {
            table id="platform-tenants" {
                caption { (tr.t("platform-tenants-caption")) }
                (head(tr, &[("platform-col-tenant", false), ("platform-col-status", false), ("platform-col-accounts", true), ("platform-col-people", true), ("platform-col-filings", true), ("platform-col-filings-30", true), ("platform-col-open", true), ("platform-col-last", false), ("platform-col-action", false)]))
                tbody {
                    @for (t, u) in &all {
                        @let suspended = t.suspended_at.is_some();
                        tr data-tenant=(t.id) data-status=(if suspended { "suspended" } else { "active" }) {
                            th scope="row" {
                                (t.name) br;
                                span class="muted" { (t.bin) " · " (label(tr, "region", &t.region)) " · " (label(tr, "sector", &t.sector)) }
                            }
                            td {
                                @if let Some(at) = t.suspended_at {
                                    strong { (tr.t("platform-suspended")) } " " (date(at)) br;
                                    span class="muted" { (t.suspended_reason.as_deref().unwrap_or("")) }
                                } @else {
                                    (tr.t("platform-active"))
                                }
                            }
                            td class="num" { (u.active_accounts) " / " (u.accounts) }
                            td class="num" { (u.people) }
                            td class="num" { (u.submissions) }
                            td class="num" { (u.submissions_last_30_days) }
                            td class="num" { (u.open_findings) }
                            td { @match u.last_filed_at { Some(d) => (date(d)), None => "—" } }
                            td {
                                @if suspended {
                                    form method="post" action={ "/platform/tenants/" (t.id) "/reactivate" } class="inline" {
                                        input type="hidden" name="csrf" value=(v.csrf);
                                        button type="submit" class="secondary" { (tr.t("platform-reactivate")) }
                                    }
                                } @else {
                                    @let (values, errors) = match failed {
                                        Some((id, f, e)) if id == t.id => (Some(f), Some(e)),
                                        _ => (None, None),
                                    };
                                    @let error = errors.and_then(|e| error_of(e, "reason"));
                                    form method="post" action={ "/platform/tenants/" (t.id) "/suspend" } class="inline suspend" {
                                        input type="hidden" name="csrf" value=(v.csrf);
                                        label for={ "reason-" (t.id) } { (tr.t("platform-reason")) }
                                        input type="text" id={ "reason-" (t.id) } name="reason" maxlength="500"
                                            value=(values.map_or("", |f| get(f, "reason")))
                                            aria-invalid=[error.map(|_| "true")];
                                        button type="submit" class="secondary" { (tr.t("platform-suspend")) }
                                        @if let Some(m) = error { p class="field-error" id="reason-error" { (m) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        p class="muted" { (tr.t("platform-suspend-hint")) }
    };
    let status = if failed.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    screen(state, v, status, "platform-title", body).await
}

#[handler]
pub(crate) async fn tenants(
    req: &Request,
    state: Data<&AppState>,
    Query(d): Query<Done>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        operator(&v)?;
        tenants_page(&state, &v, done_key(&d), None).await
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn suspend(
    req: &Request,
    state: Data<&AppState>,
    Path(id): Path<Uuid>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        operator_form(&v, &f)?;
        match platform::suspend(&state, caller(&v)?, id, get(&f, "reason")).await {
            Ok(_) => Ok(redirect(&v, "/platform?done=suspended")),
            Err(e) => {
                let errors = placed(&v.tr, e)?;
                tenants_page(&state, &v, None, Some((id, &f, &errors))).await
            }
        }
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn reactivate(
    req: &Request,
    state: Data<&AppState>,
    Path(id): Path<Uuid>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        operator_form(&v, &f)?;
        platform::reactivate(&state, caller(&v)?, id).await?;
        Ok(redirect(&v, "/platform?done=reactivated"))
    }
    .await;
    finish(&v, r)
}

async fn tenant_form(state: &AppState, v: &Visitor, f: &Fields, errors: &Errors) -> PageResult {
    let tr = &v.tr;
    let regions: Vec<(String, String)> = Region::ALL
        .iter()
        .map(|r| (r.as_str().to_owned(), label(tr, "region", r.as_str())))
        .collect();
    let sectors: Vec<(String, String)> = Sector::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), label(tr, "sector", s.as_str())))
        .collect();
    let body = html! {
        @if !errors.is_empty() { div class="alert error" role="alert" id="form-errors" { (tr.t("form-has-errors")) } }
        form method="post" action="/platform/tenants/new" class="filing narrow" id="tenant-form" novalidate {
            input type="hidden" name="csrf" value=(v.csrf);
            fieldset {
                legend { (tr.t("platform-organisation")) }
                (input(tr, f, errors, "name", "platform-name", "text"))
                (input(tr, f, errors, "bin", "platform-bin", "text"))
                (choice(tr, f, errors, "sector", "platform-sector", &sectors))
                (choice(tr, f, errors, "region", "annual-region", &regions))
            }
            fieldset {
                legend { (tr.t("platform-first-admin")) }
                (input(tr, f, errors, "admin_email", "col-email", "email"))
                (input(tr, f, errors, "admin_display_name", "col-name", "text"))
                (input(tr, f, errors, "admin_password", "admin-password", "password"))
            }
            button type="submit" id="tenant-submit" { (tr.t("platform-create")) }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    screen(state, v, status, "platform-new-tenant", body).await
}

#[handler]
pub(crate) async fn new_tenant(req: &Request, state: Data<&AppState>) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        operator(&v)?;
        tenant_form(&state, &v, &Fields::new(), &Errors::new()).await
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn create_tenant(
    req: &Request,
    state: Data<&AppState>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        operator_form(&v, &f)?;
        let new = platform::NewTenantInput {
            name: get(&f, "name").to_owned(),
            bin: get(&f, "bin").trim().to_owned(),
            sector: get(&f, "sector").to_owned(),
            region: get(&f, "region").to_owned(),
            admin_email: get(&f, "admin_email").trim().to_owned(),
            admin_display_name: get(&f, "admin_display_name").to_owned(),
            // Passwords are taken as typed: spaces may be part of one.
            admin_password: get(&f, "admin_password").to_owned(),
        };
        match platform::create_tenant(&state, caller(&v)?, new).await {
            Ok(_) => Ok(redirect(&v, "/platform?done=created")),
            Err(e) => {
                let errors = placed(&v.tr, e)?;
                tenant_form(&state, &v, &f, &errors).await
            }
        }
    }
    .await;
    finish(&v, r)
}

async fn accounts_page(
    state: &AppState,
    v: &Visitor,
    done: Option<&'static str>,
    f: &Fields,
    errors: &Errors,
) -> PageResult {
    let tr = &v.tr;
    let all = platform::agency_accounts(state, caller(v)?).await?;
    let body = html! {
        @if let Some(k) = done { p class="alert ok" role="status" id="platform-done" { (tr.t(k)) } }
        p class="intro" { (tr.t("platform-agency-intro")) }
        div class="scroll" {
            table id="agency-accounts" {
                caption { (tr.t("platform-agency-caption")) }
                (head(tr, &[("col-email", false), ("col-name", false), ("platform-col-status", false), ("platform-col-action", false)]))
                tbody {
                    @for u in &all {
                        @let disabled = u.disabled_at.is_some();
                        tr data-account=(u.id) data-status=(if disabled { "disabled" } else { "active" }) {
                            th scope="row" { (u.email) }
                            td { (u.display_name) }
                            td { (tr.t(if disabled { "platform-account-disabled" } else { "platform-active" })) }
                            td {
                                form method="post" action={ "/platform/agency-accounts/" (u.id) (if disabled { "/enable" } else { "/disable" }) } class="inline" {
                                    input type="hidden" name="csrf" value=(v.csrf);
                                    button type="submit" class="secondary" { (tr.t(if disabled { "platform-enable" } else { "platform-disable" })) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (tr.t("platform-new-account")) }
        @if !errors.is_empty() { div class="alert error" role="alert" id="form-errors" { (tr.t("form-has-errors")) } }
        form method="post" action="/platform/agency-accounts" class="filing narrow" id="account-form" novalidate {
            input type="hidden" name="csrf" value=(v.csrf);
            (input(tr, f, errors, "email", "col-email", "email"))
            (input(tr, f, errors, "display_name", "col-name", "text"))
            (input(tr, f, errors, "password", "admin-password", "password"))
            button type="submit" id="account-submit" { (tr.t("platform-create-account")) }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    screen(state, v, status, "platform-agency-title", body).await
}

#[handler]
pub(crate) async fn accounts(
    req: &Request,
    state: Data<&AppState>,
    Query(d): Query<Done>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        operator(&v)?;
        accounts_page(&state, &v, done_key(&d), &Fields::new(), &Errors::new()).await
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn create_account(
    req: &Request,
    state: Data<&AppState>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        operator_form(&v, &f)?;
        let new = platform::NewAgencyAccount {
            email: get(&f, "email").trim().to_owned(),
            display_name: get(&f, "display_name").to_owned(),
            password: get(&f, "password").to_owned(),
        };
        match platform::create_agency_account(&state, caller(&v)?, new).await {
            Ok(_) => Ok(redirect(&v, "/platform/agency-accounts?done=account")),
            Err(e) => {
                let errors = placed(&v.tr, e)?;
                accounts_page(&state, &v, None, &f, &errors).await
            }
        }
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn set_account(
    req: &Request,
    state: Data<&AppState>,
    Path((id, what)): Path<(Uuid, String)>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        operator_form(&v, &f)?;
        let disabled = match what.as_str() {
            "disable" => true,
            "enable" => false,
            _ => return Err(Fail::NotFound),
        };
        platform::set_agency_account_disabled(&state, caller(&v)?, id, disabled).await?;
        Ok(redirect(
            &v,
            if disabled {
                "/platform/agency-accounts?done=disabled"
            } else {
                "/platform/agency-accounts?done=enabled"
            },
        ))
    }
    .await;
    finish(&v, r)
}

#[cfg(test)]
mod tests {
    use super::{Done, done_key};

    #[test]
    fn only_known_outcomes_are_announced() {
        let d = |s: &str| Done {
            done: Some(s.to_owned()),
        };
        assert_eq!(done_key(&d("suspended")), Some("platform-done-suspended"));
        assert_eq!(done_key(&d("<script>")), None);
        assert_eq!(done_key(&Done::default()), None);
    }
}
