//! The tenant admin's forms for accounts, departments and positions. Each
//! form becomes the API's request type and goes through the function
//! behind the API's endpoint (`adal_service::accounts`), so the dashboard
//! checks and stores exactly what `POST`/`PATCH /users`, `/departments`
//! and `/positions` would, and the API's JSON pointers name the inputs
//! (`/department_id` is the input `department_id`).

use crate::forms::{error_summary, error_text, errors_of, orphans, value};
use crate::i18n::Tr;
use crate::layout::{Fail, page, redirect, respond, role_key};
use crate::pages::{Fields, PageResult, authorize, authorize_form, finish, frame};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::{FieldError, Role};
use adal_service::accounts::{
    self, DepartmentPatch, NewDepartment, NewPosition, NewUserRequest, Patch, PositionPatch,
    UserPatch,
};
use adal_service::{AppState, ServiceError, TenantCtx};
use adal_store::{org, users};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};

use uuid::Uuid;

/// An error beside the input it is about; `None` when no input of the
/// form holds that member.
type Errors = Vec<(Option<String>, FieldError)>;

/// Roles a tenant admin may grant, in the order the form offers them.
fn tenant_roles() -> impl Iterator<Item = &'static str> {
    Role::ALL
        .iter()
        .filter(|r| r.is_tenant_role())
        .map(|r| r.as_str())
}

/// The API's 422 as errors by input; anything else is the error page.
/// `inputs` are the names of the form's inputs; a pointer to anything
/// else goes in the summary above the form.
fn located(e: ServiceError, inputs: &[&str]) -> Result<Errors, Fail> {
    match e {
        ServiceError::Invalid { .. } | ServiceError::Malformed(_) | ServiceError::Conflict(_) => {
            Ok(e.field_errors()
                .into_iter()
                .map(|fe| {
                    let name = fe.pointer.trim_start_matches('/').to_owned();
                    let at = inputs.contains(&name.as_str()).then_some(name);
                    (at, fe)
                })
                .collect())
        }
        other => Err(other.into()),
    }
}

/// An optional id from a `<select>`: blank is "none", anything else must
/// be an id (a tampered value is reported beside the select).
fn optional_id(values: &Fields, name: &str, errors: &mut Errors) -> Option<Uuid> {
    let v = value(values, name);
    if v.is_empty() {
        return None;
    }
    match Uuid::parse_str(v) {
        Ok(id) => Some(id),
        Err(_) => {
            errors.push((
                Some(name.to_owned()),
                FieldError::new(format!("/{name}"), "unknown value"),
            ));
            None
        }
    }
}

fn checked(values: &Fields, name: &str) -> bool {
    values.contains_key(name)
}

/// Renders one labelled input with its hint and errors. `control` draws
/// the input itself from its id, `aria-invalid` and `aria-describedby`.
fn field(
    tr: &Tr,
    name: &str,
    label_key: &str,
    hint_key: Option<&str>,
    errors: &Errors,
    control: impl FnOnce(&str, Option<&str>, Option<String>) -> Markup,
) -> Markup {
    let id = format!("f-{name}");
    let errs = errors_of(errors, name);
    let invalid = (!errs.is_empty()).then_some("true");
    let mut described = Vec::new();
    if hint_key.is_some() {
        described.push(format!("{id}-hint"));
    }
    if invalid.is_some() {
        described.push(format!("{id}-error"));
    }
    let described = (!described.is_empty()).then(|| described.join(" "));
    html! {
        div class={ "field" @if invalid.is_some() { " invalid" } } {
            label for=(id) { (tr.t(label_key)) }
            (control(&id, invalid, described))
            @if let Some(h) = hint_key { p class="hint" id={ (id) "-hint" } { (tr.t(h)) } }
            @if invalid.is_some() {
                p class="field-error" id={ (id) "-error" } { @for e in &errs { (error_text(tr, e)) " " } }
            }
        }
    }
}

fn text(
    tr: &Tr,
    values: &Fields,
    errors: &Errors,
    name: &str,
    label_key: &str,
    kind: &str,
    autocomplete: &str,
) -> Markup {
    field(
        tr,
        name,
        label_key,
        None,
        errors,
        |id, invalid, described| {
            html! {
                input type=(kind) id=(id) name=(name) value=(value(values, name)) autocomplete=(autocomplete)
                    aria-invalid=[invalid] aria-describedby=[described];
            }
        },
    )
}

fn select(
    tr: &Tr,
    values: &Fields,
    errors: &Errors,
    name: &str,
    label_key: &str,
    options: &[(String, String)],
) -> Markup {
    let chosen = value(values, name);
    field(
        tr,
        name,
        label_key,
        None,
        errors,
        |id, invalid, described| {
            html! {
                select id=(id) name=(name) aria-invalid=[invalid] aria-describedby=[described] {
                    @for (v, l) in options {
                        option value=(v) selected[chosen == v.as_str()] { (l) }
                    }
                }
            }
        },
    )
}

fn checkbox(values: &Fields, tr: &Tr, name: &str, label_key: &str, hint_key: &str) -> Markup {
    let id = format!("f-{name}");
    html! {
        div class="field check" {
            input type="checkbox" id=(id) name=(name) value="true" checked[checked(values, name)]
                aria-describedby={ (id) "-hint" };
            label class="choice" for=(id) { (tr.t(label_key)) }
            p class="hint" id={ (id) "-hint" } { (tr.t(hint_key)) }
        }
    }
}

/// The options of a department `<select>`, with "none" first.
async fn department_options(
    state: &AppState,
    ctx: &TenantCtx,
    tr: &Tr,
    except: Option<Uuid>,
) -> Result<Vec<(String, String)>, Fail> {
    let mut out = vec![(String::new(), tr.t("admin-none"))];
    out.extend(
        org::list_departments(&state.store, ctx.tenant())
            .await?
            .into_iter()
            .filter(|d| Some(d.id) != except)
            .map(|d| (d.id.to_string(), d.name)),
    );
    Ok(out)
}

async fn position_options(
    state: &AppState,
    ctx: &TenantCtx,
    tr: &Tr,
) -> Result<Vec<(String, String)>, Fail> {
    let mut out = vec![(String::new(), tr.t("admin-none"))];
    out.extend(
        org::list_positions(&state.store, ctx.tenant())
            .await?
            .into_iter()
            .map(|p| (p.id.to_string(), p.title)),
    );
    Ok(out)
}

/// Answers a form: 200 when it is fresh, 422 when it carries errors.
async fn form_page(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    title_key: &str,
    errors: &Errors,
    body: Markup,
) -> PageResult {
    let f = frame(state, v, ctx.tenant()).await;
    let lost = orphans(&v.tr, errors);
    let body = html! {
        (error_summary(&v.tr, !errors.is_empty(), &lost))
        (body)
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(respond(v, status, page(v, &f, &v.tr.t(title_key), body)))
}

// ------------------------------------------------------------ accounts

const USER_INPUTS: [&str; 8] = [
    "email",
    "display_name",
    "password",
    "role",
    "department_id",
    "position_id",
    "person_iin",
    "disabled",
];

async fn user_form(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    user: Option<&users::User>,
    values: &Fields,
    errors: &Errors,
) -> PageResult {
    let tr = &v.tr;
    let tenant = ctx.tenant().0;
    let roles: Vec<(String, String)> = tenant_roles()
        .map(|r| (r.to_owned(), tr.t(&role_key(r))))
        .collect();
    let deps = department_options(state, ctx, tr, None).await?;
    let pos = position_options(state, ctx, tr).await?;
    let (action, title) = match user {
        Some(u) => (
            format!("/t/{tenant}/users/{}", u.id),
            "admin-user-edit-title",
        ),
        None => (format!("/t/{tenant}/users/new"), "admin-user-new-title"),
    };
    let body = html! {
        form method="post" action=(action) class="filing narrow" id="user-form" novalidate {
            input type="hidden" name="csrf" value=(v.csrf);
            @if let Some(u) = user {
                p { (tr.t("col-email")) ": " strong id="user-email" { (u.email) } }
            } @else {
                (text(tr, values, errors, "email", "col-email", "email", "off"))
            }
            (text(tr, values, errors, "display_name", "col-name", "text", "off"))
            (select(tr, values, errors, "role", "role-label", &roles))
            (select(tr, values, errors, "department_id", "col-department", &deps))
            (select(tr, values, errors, "position_id", "col-position", &pos))
            (field(tr, "person_iin", "admin-person-iin", Some("admin-person-iin-hint"), errors, |id, invalid, described| html! {
                input type="text" inputmode="numeric" maxlength="12" id=(id) name="person_iin"
                    value=(value(values, "person_iin")) autocomplete="off"
                    aria-invalid=[invalid] aria-describedby=[described];
            }))
            (field(tr, "password", if user.is_some() { "admin-new-password" } else { "admin-password" },
                Some(if user.is_some() { "admin-new-password-hint" } else { "admin-password-hint" }), errors,
                |id, invalid, described| html! {
                input type="password" id=(id) name="password" autocomplete="new-password"
                    aria-invalid=[invalid] aria-describedby=[described];
            }))
            @if user.is_some() {
                (checkbox(values, tr, "disabled", "admin-disabled", "admin-disabled-hint"))
                (field_errors(tr, errors, "disabled"))
            }
            button type="submit" id="user-submit" { (tr.t("admin-save")) }
        }
    };
    form_page(state, v, ctx, title, errors, body).await
}

/// Errors about an input drawn without [`field`] (the checkbox).
fn field_errors(tr: &Tr, errors: &Errors, name: &str) -> Markup {
    html! {
        @for e in errors_of(errors, name) {
            p class="field-error" id={ "f-" (name) "-error" } { (error_text(tr, e)) }
        }
    }
}

fn user_values(u: &users::User) -> Fields {
    let mut v = Fields::new();
    v.insert("display_name".into(), u.display_name.clone());
    v.insert("role".into(), u.role.clone());
    if let Some(d) = u.department_id {
        v.insert("department_id".into(), d.to_string());
    }
    if let Some(p) = u.position_id {
        v.insert("position_id".into(), p.to_string());
    }
    if let Some(i) = &u.person_iin {
        v.insert("person_iin".into(), i.clone());
    }
    if u.disabled_at.is_some() {
        v.insert("disabled".into(), "true".into());
    }
    v
}

fn optional_text(values: &Fields, name: &str) -> Option<String> {
    Some(value(values, name))
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn maybe<T>(v: Option<T>) -> Patch<T> {
    v.map_or(Patch::Clear, Patch::Set)
}

async fn show_user(state: &AppState, v: &Visitor, ctx: &TenantCtx, id: Option<Uuid>) -> PageResult {
    match id {
        Some(id) => {
            let u = users::get(&state.store, ctx.tenant(), id).await?;
            user_form(state, v, ctx, Some(&u), &user_values(&u), &Errors::new()).await
        }
        None => {
            let mut values = Fields::new();
            values.insert("role".into(), "employee".into());
            user_form(state, v, ctx, None, &values, &Errors::new()).await
        }
    }
}

/// Creates (`id` is `None`) or changes an account through the API's
/// functions; on errors, the form again with them.
async fn save_user(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Option<Uuid>,
    values: &Fields,
) -> PageResult {
    let tenant = ctx.tenant().0;
    let mut errors = Errors::new();
    let department_id = optional_id(values, "department_id", &mut errors);
    let position_id = optional_id(values, "position_id", &mut errors);
    if errors.is_empty() {
        // Passwords are taken as typed: spaces may be part of one.
        let password = values.get("password").cloned().unwrap_or_default();
        let saved = match id {
            None => {
                let req = NewUserRequest {
                    email: value(values, "email").to_owned(),
                    display_name: value(values, "display_name").to_owned(),
                    password,
                    role: value(values, "role").to_owned(),
                    department_id,
                    position_id,
                    person_iin: optional_text(values, "person_iin"),
                };
                accounts::create_user(state, ctx, req).await
            }
            Some(id) => {
                let patch = UserPatch {
                    display_name: Some(value(values, "display_name").to_owned()),
                    role: Some(value(values, "role").to_owned()),
                    department_id: maybe(department_id),
                    position_id: maybe(position_id),
                    person_iin: maybe(optional_text(values, "person_iin")),
                    password: Some(password).filter(|p| !p.is_empty()),
                    disabled: Some(checked(values, "disabled")),
                };
                accounts::update_user(state, ctx, id, patch).await
            }
        };
        match saved {
            Ok(_) => return Ok(redirect(v, &format!("/t/{tenant}/people?saved=1"))),
            Err(e) => errors = located(e, &USER_INPUTS)?,
        }
    }
    // Read only to draw the form again (the API read it to check); a
    // missing account is the not-found page.
    let user = match id {
        Some(id) => Some(users::get(&state.store, ctx.tenant(), id).await?),
        None => None,
    };
    user_form(state, v, ctx, user.as_ref(), values, &errors).await
}

// ------------------------------------------------------------ departments

const DEPARTMENT_INPUTS: [&str; 2] = ["name", "parent_id"];

async fn department_form(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Option<Uuid>,
    values: &Fields,
    errors: &Errors,
) -> PageResult {
    let tr = &v.tr;
    let tenant = ctx.tenant().0;
    let parents = department_options(state, ctx, tr, id).await?;
    let (action, title) = match id {
        Some(id) => (
            format!("/t/{tenant}/departments/{id}"),
            "admin-department-edit-title",
        ),
        None => (
            format!("/t/{tenant}/departments/new"),
            "admin-department-new-title",
        ),
    };
    let body = html! {
        form method="post" action=(action) class="filing narrow" id="department-form" novalidate {
            input type="hidden" name="csrf" value=(v.csrf);
            (text(tr, values, errors, "name", "col-department", "text", "off"))
            (select(tr, values, errors, "parent_id", "col-parent", &parents))
            button type="submit" id="department-submit" { (tr.t("admin-save")) }
        }
    };
    form_page(state, v, ctx, title, errors, body).await
}

async fn show_department(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Option<Uuid>,
) -> PageResult {
    let mut values = Fields::new();
    if let Some(id) = id {
        let d = org::get_department(&state.store, ctx.tenant(), id).await?;
        values.insert("name".into(), d.name);
        if let Some(p) = d.parent_id {
            values.insert("parent_id".into(), p.to_string());
        }
    }
    department_form(state, v, ctx, id, &values, &Errors::new()).await
}

async fn save_department(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Option<Uuid>,
    values: &Fields,
) -> PageResult {
    let mut errors = Errors::new();
    let parent_id = optional_id(values, "parent_id", &mut errors);
    if errors.is_empty() {
        let name = value(values, "name").to_owned();
        let saved = match id {
            None => {
                accounts::create_department(state, ctx, NewDepartment { name, parent_id }).await
            }
            Some(id) => {
                let patch = DepartmentPatch {
                    name: Some(name),
                    parent_id: maybe(parent_id),
                };
                accounts::update_department(state, ctx, id, patch).await
            }
        };
        match saved {
            Ok(_) => return Ok(redirect(v, &format!("/t/{}/org?saved=1", ctx.tenant().0))),
            Err(e) => errors = located(e, &DEPARTMENT_INPUTS)?,
        }
    }
    // The API checks that it exists; here it is read only when the form
    // is drawn again, so a missing one is still the not-found page.
    if let Some(id) = id {
        org::get_department(&state.store, ctx.tenant(), id).await?;
    }
    department_form(state, v, ctx, id, values, &errors).await
}

// ------------------------------------------------------------ positions

const POSITION_INPUTS: [&str; 4] = ["title", "department_id", "risk_level", "high_risk"];

async fn position_form(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Option<Uuid>,
    values: &Fields,
    errors: &Errors,
) -> PageResult {
    let tr = &v.tr;
    let tenant = ctx.tenant().0;
    let deps = department_options(state, ctx, tr, None).await?;
    let levels: Vec<(String, String)> = (1..=5)
        .map(|l| {
            (
                l.to_string(),
                tr.t_args("admin-risk-level-option", &[("n", l.to_string().into())]),
            )
        })
        .collect();
    let (action, title) = match id {
        Some(id) => (
            format!("/t/{tenant}/positions/{id}"),
            "admin-position-edit-title",
        ),
        None => (
            format!("/t/{tenant}/positions/new"),
            "admin-position-new-title",
        ),
    };
    let body = html! {
        form method="post" action=(action) class="filing narrow" id="position-form" novalidate {
            input type="hidden" name="csrf" value=(v.csrf);
            (text(tr, values, errors, "title", "col-position", "text", "off"))
            (select(tr, values, errors, "department_id", "col-department", &deps))
            (select(tr, values, errors, "risk_level", "col-risk-level", &levels))
            (checkbox(values, tr, "high_risk", "col-high-risk-list", "admin-high-risk-hint"))
            button type="submit" id="position-submit" { (tr.t("admin-save")) }
        }
    };
    form_page(state, v, ctx, title, errors, body).await
}

/// The risk level from its `<select>`: a number 1 to 5, or an error
/// beside the select for anything else (only a tampered form sends that).
fn risk_level(values: &Fields, errors: &mut Errors) -> i16 {
    match value(values, "risk_level").parse::<i16>() {
        Ok(l) => l,
        Err(_) => {
            errors.push((
                Some("risk_level".into()),
                FieldError::new("/risk_level", "must be 1 to 5"),
            ));
            0
        }
    }
}

async fn show_position(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Option<Uuid>,
) -> PageResult {
    let mut values = Fields::new();
    values.insert("risk_level".into(), "1".into());
    if let Some(id) = id {
        let p = org::get_position(&state.store, ctx.tenant(), id).await?;
        values.insert("title".into(), p.title);
        values.insert("risk_level".into(), p.risk_level.to_string());
        if let Some(d) = p.department_id {
            values.insert("department_id".into(), d.to_string());
        }
        if p.high_risk {
            values.insert("high_risk".into(), "true".into());
        }
    }
    position_form(state, v, ctx, id, &values, &Errors::new()).await
}

async fn save_position(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Option<Uuid>,
    values: &Fields,
) -> PageResult {
    let mut errors = Errors::new();
    let department_id = optional_id(values, "department_id", &mut errors);
    let risk_level = risk_level(values, &mut errors);
    if errors.is_empty() {
        let (title, high_risk) = (
            value(values, "title").to_owned(),
            checked(values, "high_risk"),
        );
        let saved = match id {
            None => {
                let req = NewPosition {
                    title,
                    department_id,
                    risk_level,
                    high_risk,
                };
                accounts::create_position(state, ctx, req).await
            }
            Some(id) => {
                let patch = PositionPatch {
                    title: Some(title),
                    department_id: maybe(department_id),
                    risk_level: Some(risk_level),
                    high_risk: Some(high_risk),
                };
                accounts::update_position(state, ctx, id, patch).await
            }
        };
        match saved {
            Ok(_) => return Ok(redirect(v, &format!("/t/{}/org?saved=1", ctx.tenant().0))),
            Err(e) => errors = located(e, &POSITION_INPUTS)?,
        }
    }
    // The API checks that it exists; here it is read only when the form
    // is drawn again, so a missing one is still the not-found page.
    if let Some(id) = id {
        org::get_position(&state.store, ctx.tenant(), id).await?;
    }
    position_form(state, v, ctx, id, values, &errors).await
}

// ------------------------------------------------------------ handlers

/// The four handlers of an admin form: the blank form and its POST, the
/// filled form of one item and its POST. Each obtains the tenant through
/// the API's check for `$obj`/`write`; the POSTs check the CSRF token.
macro_rules! admin_handlers {
    ($($obj:expr, $show:ident, $save:ident => $new:ident, $create:ident, $edit:ident, $update:ident;)*) => {$(
        #[handler]
        pub(crate) async fn $new(
            req: &Request,
            state: Data<&AppState>,
            Path(tenant): Path<Uuid>,
        ) -> Response {
            let v = Visitor::load(req, &state).await;
            let r = async {
                let ctx = authorize(&state, &v, tenant, $obj, act::WRITE).await?;
                $show(&state, &v, &ctx, None).await
            }
            .await;
            finish(&v, r)
        }

        #[handler]
        pub(crate) async fn $create(
            req: &Request,
            state: Data<&AppState>,
            Path(tenant): Path<Uuid>,
            Form(values): Form<Fields>,
        ) -> Response {
            let v = Visitor::load(req, &state).await;
            let r = async {
                let ctx = authorize_form(&state, &v, &values, tenant, $obj, act::WRITE).await?;
                $save(&state, &v, &ctx, None, &values).await
            }
            .await;
            finish(&v, r)
        }

        #[handler]
        pub(crate) async fn $edit(
            req: &Request,
            state: Data<&AppState>,
            Path((tenant, id)): Path<(Uuid, Uuid)>,
        ) -> Response {
            let v = Visitor::load(req, &state).await;
            let r = async {
                let ctx = authorize(&state, &v, tenant, $obj, act::WRITE).await?;
                $show(&state, &v, &ctx, Some(id)).await
            }
            .await;
            finish(&v, r)
        }

        #[handler]
        pub(crate) async fn $update(
            req: &Request,
            state: Data<&AppState>,
            Path((tenant, id)): Path<(Uuid, Uuid)>,
            Form(values): Form<Fields>,
        ) -> Response {
            let v = Visitor::load(req, &state).await;
            let r = async {
                let ctx = authorize_form(&state, &v, &values, tenant, $obj, act::WRITE).await?;
                $save(&state, &v, &ctx, Some(id), &values).await
            }
            .await;
            finish(&v, r)
        }
    )*};
}

admin_handlers! {
    obj::USERS, show_user, save_user
        => new_user_form, create_user, edit_user_form, update_user;
    obj::ORG, show_department, save_department
        => new_department_form, create_department, edit_department_form, update_department;
    obj::ORG, show_position, save_position
        => new_position_form, create_position, edit_position_form, update_position;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_offers_every_tenant_role_and_no_platform_role() {
        let roles: Vec<_> = tenant_roles().collect();
        assert!(roles.contains(&"tenant_admin") && roles.contains(&"employee"));
        assert!(!roles.contains(&"agency_auditor") && !roles.contains(&"platform_admin"));
    }

    #[test]
    fn api_pointers_land_on_their_inputs_and_the_rest_in_the_summary() {
        let e = ServiceError::invalid(vec![
            FieldError::new("/department_id", accounts::NO_DEPARTMENT),
            FieldError::new("/somewhere_else", "odd"),
        ]);
        let errors = located(e, &USER_INPUTS).unwrap();
        assert_eq!(errors[0].0.as_deref(), Some("department_id"));
        assert_eq!(errors[1].0, None);
        assert!(matches!(
            located(ServiceError::forbidden(), &USER_INPUTS),
            Err(Fail::Forbidden)
        ));
    }

    #[test]
    fn every_message_of_these_forms_has_a_catalogue_key() {
        for m in [
            accounts::NOT_YOURSELF,
            accounts::NO_DEPARTMENT,
            accounts::NO_POSITION,
            accounts::PERSON_TAKEN,
            accounts::EMAIL_TAKEN,
            accounts::NOT_A_TENANT_ROLE,
            adal_store::org::DEPARTMENT_CYCLE,
            "must be 12 to 200 characters",
            "must be 1 to 5",
            "unknown value",
        ] {
            let e = FieldError::new("/x", m);
            assert!(crate::forms::error_key(&e).is_some(), "no key for {m:?}");
        }
        let e = FieldError::new("/email", "must be an email address");
        assert_eq!(crate::forms::error_key(&e), Some("err-email-one"));
    }
}
