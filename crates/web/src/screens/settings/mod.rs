//! The tenant admin's settings: the form ([`form`]) and its handlers.

mod form;

use crate::kit::{
    Fields, Frame, PageResult, SavedQuery, authorize, authorize_form, finish, frame, page,
    redirect, respond,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_service::AppState;
use adal_store::tenants;
use maud::html;
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use uuid::Uuid;

fn settings_page(
    v: &Visitor,
    frame: &Frame,
    tenant: Uuid,
    values: &Fields,
    errors: &[(Option<String>, FieldError)],
    saved: bool,
) -> Response {
    let tr = &v.tr;
    let action = format!("/t/{tenant}/settings");
    let body = html! {
        @if saved { p class="alert ok" role="status" id="settings-saved" { (tr.t("settings-saved")) } }
        p { (tr.t("settings-intro")) }
        (form::render(tr, &action, &v.csrf, values, errors))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(v, status, page(v, frame, &tr.t("settings-title"), body))
}

/// The tenant admin's settings: the same permission as `PUT /settings`.
#[handler]
pub(crate) async fn settings_form(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<SavedQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::TENANT, act::WRITE).await?;
        let stored = tenants::settings_of(&tenants::get(&state.store, ctx.tenant()).await?)?;
        let f = frame(&state, &v, ctx.tenant()).await;
        let values = form::values_of(&stored);
        Ok(settings_page(
            &v,
            &f,
            tenant,
            &values,
            &[],
            q.saved.is_some(),
        ))
    }
    .await;
    finish(&v, r)
}

/// Checks the form with the API's checks of `PUT /settings` and stores it
/// through the same store function, which writes the audit entry.
#[handler]
pub(crate) async fn save_settings(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &values, tenant, obj::TENANT, act::WRITE).await?;
        match form::check(&values) {
            Err(errors) => {
                let f = frame(&state, &v, ctx.tenant()).await;
                Ok(settings_page(&v, &f, tenant, &values, &errors, false))
            }
            Ok(new) => {
                tenants::update_settings(&state.store, ctx.tenant(), &ctx.actor(), &new).await?;
                Ok(redirect(&v, &format!("/t/{tenant}/settings?saved=1")))
            }
        }
    }
    .await;
    finish(&v, r)
}
