//! The form that makes a draft with new parameter values.

use super::drafts::*;
use super::view::*;
use super::{active_of, base};
use crate::kit::{
    Fields, Frame, PageResult, authorize, authorize_form, finish, frame, page, redirect, respond,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_service::{AppState, ServiceError};
use adal_store::rules::{self, Library};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path};
use poem::{Request, Response, handler};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What the parameters page shows besides the frame.
struct ParamsView<'a> {
    lib: &'a Library,
    disabled: &'a BTreeMap<String, String>,
    values: &'a Fields,
    errors: &'a [(Option<String>, FieldError)],
    refused: Option<Markup>,
}

fn parameters_page(v: &Visitor, f: &Frame, tenant: Uuid, view: ParamsView<'_>) -> Response {
    let ParamsView {
        lib,
        disabled,
        values,
        errors,
        refused,
    } = view;
    let tr = &v.tr;
    let status = if refused.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = html! {
        @if let Some(m) = refused { (m) }
        p { (tr.t("rules-parameters-intro")) }
        (parameters_form(tr, &format!("{}/parameters", base(tenant)), &v.csrf, lib, disabled, values, errors))
    };
    respond(v, status, page(v, f, &tr.t("rules-parameters-title"), body))
}
/// The form that makes a draft with new parameter values.
#[handler]
pub(crate) async fn parameters(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RULE_SETS, act::WRITE).await?;
        let active = active_of(&state, &ctx).await?;
        let disabled = rules::adoption_of(&active)?.unwrap_or_default().disabled;
        let values = values_of(&rules::rules_of(&active)?);
        let f = frame(&state, &v, ctx.tenant()).await;
        Ok(parameters_page(
            &v,
            &f,
            tenant,
            ParamsView {
                lib: &state.library,
                disabled: &disabled,
                values: &values,
                errors: &[],
                refused: None,
            },
        ))
    }
    .await;
    finish(&v, r)
}

/// Makes the draft through the API's own path; its refusals come back
/// beside their inputs.
#[handler]
pub(crate) async fn save_parameters(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &values, tenant, obj::RULE_SETS, act::WRITE).await?;
        let active = active_of(&state, &ctx).await?;
        let request = new_rule_set(&state.library, &active, &values)?;
        let disabled = request.disabled.clone();
        match adal_service::create_version(&state, &ctx, request).await {
            Ok(draft) => Ok(redirect(
                &v,
                &format!("{}/v/{}?created=1", base(tenant), draft.version),
            )),
            Err(e @ ServiceError::Invalid { .. }) => {
                let errors: Vec<(Option<String>, FieldError)> = e
                    .field_errors()
                    .into_iter()
                    .map(|fe| (field_of(&fe.pointer), fe))
                    .collect();
                let f = frame(&state, &v, ctx.tenant()).await;
                Ok(parameters_page(
                    &v,
                    &f,
                    tenant,
                    ParamsView {
                        lib: &state.library,
                        disabled: &disabled,
                        values: &values,
                        errors: &errors,
                        refused: None,
                    },
                ))
            }
            // The sandbox that compiles the scripts is down: say so and
            // keep what was typed.
            Err(other) => {
                let m = refusal(&v.tr, other)?;
                let f = frame(&state, &v, ctx.tenant()).await;
                Ok(parameters_page(
                    &v,
                    &f,
                    tenant,
                    ParamsView {
                        lib: &state.library,
                        disabled: &disabled,
                        values: &values,
                        errors: &[],
                        refused: Some(m),
                    },
                ))
            }
        }
    }
    .await;
    finish(&v, r)
}
