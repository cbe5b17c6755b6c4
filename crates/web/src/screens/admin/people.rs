//! The people of a tenant and the tenant admin's account forms.

use super::*;
use crate::i18n::Tr;
use crate::kit::{
    Fields, PageResult, SavedQuery, allowed, authorize, authorize_form, caller, error_text,
    errors_of, finish, head, redirect, role_key, show, value,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_service::{AppState, TenantCtx};
use adal_store::{org, users};
use maud::{Markup, html};
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use std::collections::HashMap;
use uuid::Uuid;

#[handler]
pub(crate) async fn people_page(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let c = caller(&v)?;
        let ctx = authorize(&state, &v, tenant, obj::USERS, act::READ).await?;
        let edit = allowed(&state, c, ctx.tenant().uuid(), obj::USERS, act::WRITE).await;
        let tr = &v.tr;
        let list = users::list(&state.store, ctx.tenant()).await?;
        let deps: HashMap<Uuid, String> = org::list_departments(&state.store, ctx.tenant())
            .await?
            .into_iter()
            .map(|d| (d.id, d.name))
            .collect();
        let pos: HashMap<Uuid, String> = org::list_positions(&state.store, ctx.tenant())
            .await?
            .into_iter()
            .map(|p| (p.id, p.title))
            .collect();
        let body = html! {
            @if q.saved.is_some() { p class="alert ok" role="status" id="admin-saved" { (tr.t("admin-saved")) } }
            @if edit {
                p { a class="button" id="new-user" href={ "/t/" (tenant) "/users/new" } { (tr.t("admin-user-new-title")) } }
            }
            div class="scroll" {
                table id="people" {
                    caption { (tr.t("people-caption")) }
                    (head(tr, &[("col-name", false), ("col-email", false), ("role-label", false), ("col-department", false), ("col-position", false), ("col-account-state", false)]))
                    tbody {
                        @for u in &list {
                            tr data-email=(u.email) {
                                th scope="row" {
                                    @if edit {
                                        a href={ "/t/" (tenant) "/users/" (u.id) } { (u.display_name) }
                                    } @else {
                                        (u.display_name)
                                    }
                                }
                                td { (u.email) }
                                td data-role=(u.role) { (tr.t(&role_key(&u.role))) }
                                td { (u.department_id.and_then(|d| deps.get(&d).cloned()).unwrap_or_default()) }
                                td { (u.position_id.and_then(|p| pos.get(&p).cloned()).unwrap_or_default()) }
                                td data-disabled=(u.disabled_at.is_some()) {
                                    (if u.disabled_at.is_some() { tr.t("account-disabled") } else { tr.t("account-active") })
                                }
                            }
                        }
                    }
                }
            }
        };
        show(&state, &v, ctx.tenant(), "people-title", body).await
    }
    .await;
    finish(&v, r)
}

pub(super) const USER_INPUTS: [&str; 8] = [
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
    let tenant = ctx.tenant().uuid();
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
    let tenant = ctx.tenant().uuid();
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

admin_handlers! {
    obj::USERS, show_user, save_user
        => new_user_form, create_user, edit_user_form, update_user;
}
