//! The organisation chart and the tenant admin's department and position
//! forms.

use super::*;
use crate::exports::{self, Links, Scope};
use crate::kit::{
    Fields, PageResult, SavedQuery, allowed, authorize, authorize_form, caller, finish, head,
    redirect, show, value,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_service::export::ExportList;
use adal_service::{AppState, TenantCtx};
use adal_store::org;
use maud::html;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use uuid::Uuid;

#[handler]
pub(crate) async fn org_page(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let c = caller(&v)?;
        let ctx = authorize(&state, &v, tenant, obj::ORG, act::READ).await?;
        let edit = allowed(&state, c, ctx.tenant().uuid(), obj::ORG, act::WRITE).await;
        let tr = &v.tr;
        let deps = org::list_departments(&state.store, ctx.tenant()).await?;
        let positions = org::list_positions(&state.store, ctx.tenant()).await?;
        let dep_name = |id: Option<Uuid>| {
            id.and_then(|d| deps.iter().find(|x| x.id == d).map(|x| x.name.clone()))
                .unwrap_or_default()
        };
        let export_of = |list, caption| Links { list, caption, params: &[], scope: Scope::Whole };
        let departments_export = exports::links(&state, &ctx, tr, &export_of(ExportList::Departments, "export-departments")).await;
        let positions_export = exports::links(&state, &ctx, tr, &export_of(ExportList::Positions, "export-positions")).await;
        let body = html! {
            @if q.saved.is_some() { p class="alert ok" role="status" id="admin-saved" { (tr.t("admin-saved")) } }
            @if edit {
                p class="buttons" {
                    a class="button" id="new-department" href={ "/t/" (tenant) "/departments/new" } { (tr.t("admin-department-new-title")) }
                    a class="button" id="new-position" href={ "/t/" (tenant) "/positions/new" } { (tr.t("admin-position-new-title")) }
                }
            }
            h2 { (tr.t("org-departments")) }
            (departments_export)
            div class="scroll" {
                table id="departments" {
                    caption { (tr.t("org-departments")) }
                    thead { tr { th scope="col" { (tr.t("col-department")) } th scope="col" { (tr.t("col-parent")) } } }
                    tbody {
                        @for d in &deps {
                            tr {
                                th scope="row" {
                                    @if edit { a href={ "/t/" (tenant) "/departments/" (d.id) } { (d.name) } } @else { (d.name) }
                                }
                                td { (dep_name(d.parent_id)) }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("org-positions")) }
            (positions_export)
            div class="scroll" {
                table id="positions" {
                    caption { (tr.t("org-positions")) }
                    (head(tr, &[("col-position", false), ("col-department", false), ("col-risk-level", true), ("col-high-risk-list", false)]))
                    tbody {
                        @for p in &positions {
                            tr {
                                th scope="row" {
                                    @if edit { a href={ "/t/" (tenant) "/positions/" (p.id) } { (p.title) } } @else { (p.title) }
                                }
                                td { (dep_name(p.department_id)) }
                                td class="num" { (p.risk_level) }
                                td { (if p.high_risk { tr.t("yes") } else { tr.t("no") }) }
                            }
                        }
                    }
                }
            }
        };
        show(&state, &v, ctx.tenant(), "org-title", body).await
    }
    .await;
    finish(&v, r)
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
    let tenant = ctx.tenant().uuid();
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
            Ok(_) => {
                return Ok(redirect(
                    v,
                    &format!("/t/{}/org?saved=1", ctx.tenant().uuid()),
                ));
            }
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
    let tenant = ctx.tenant().uuid();
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
            Ok(_) => {
                return Ok(redirect(
                    v,
                    &format!("/t/{}/org?saved=1", ctx.tenant().uuid()),
                ));
            }
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

admin_handlers! {
    obj::ORG, show_department, save_department
        => new_department_form, create_department, edit_department_form, update_department;
    obj::ORG, show_position, save_position
        => new_position_form, create_position, edit_position_form, update_position;
}
