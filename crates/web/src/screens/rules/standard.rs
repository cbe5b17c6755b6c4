//! The adopted standard: the active version by area, every version, and
//! the forms that leave a library rule out or enable it again.

use super::drafts::*;
use super::view::*;
use super::{active_of, base};
use crate::kit::{
    Fields, PageResult, allowed, authorize, authorize_form, caller, error_text, finish, frame,
    page, redirect, respond,
};
use crate::session::Visitor;
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_service::{AppState, ServiceError, TenantCtx};
use adal_store::rules::{self};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use uuid::Uuid;

#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct StandardQuery {
    activated: Option<i32>,
}

/// The forms of the adopted standard as last submitted: what was typed
/// into the form that leaves a rule out and its errors, what refused an
/// enable-again button, or the sandbox being down.
#[derive(Default)]
struct Choices {
    values: Fields,
    errors: Vec<(Option<String>, FieldError)>,
    enable_error: Option<String>,
    refused: Option<Markup>,
}

async fn standard_page(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    activated: Option<i32>,
    choices: Choices,
) -> PageResult {
    let tenant = ctx.tenant().uuid();
    let writer = allowed(state, caller(v)?, tenant, obj::RULE_SETS, act::WRITE).await;
    let all = rules::list_versions(&state.store, ctx.tenant()).await?;
    let active = all.iter().find(|x| x.status == rules::ACTIVE);
    let tr = &v.tr;
    let shown_rules = match active {
        Some(a) => Some((a, rules::rules_of(a)?, rules::adoption_of(a)?)),
        None => None,
    };
    let status = if choices.refused.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else if choices.errors.is_empty() && choices.enable_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let enable = writer.then(|| EnableForms {
        action: format!("{}/enable", base(tenant)),
        csrf: &v.csrf,
        error: choices.enable_error.clone(),
    });
    let body = html! {
        @if let Some(n) = activated {
            p class="alert ok" role="status" id="rules-activated" { (tr.t_args("rules-activated", &[("version", n.into())])) }
        }
        @if let Some(m) = &choices.refused { (m) }
        @match &shown_rules {
            Some((a, defs, adoption)) => {
                h2 id="active-version" data-version=(a.version) {
                    (tr.t("rules-active")) ": " (tr.t("rules-version")) " " (a.version)
                    @if let Some(l) = &a.library_version { " · " (tr.t("rules-library")) " " (l) }
                }
                @if writer {
                    p {
                        a class="button" id="edit-parameters" href={ (base(tenant)) "/parameters" } { (tr.t("rules-edit-parameters")) }
                        " "
                        a class="button" id="write-rule" href={ (base(tenant)) "/new" } { (tr.t("rules-write-rule")) }
                    }
                }
                (rules_by_area(tr, &state.library, defs))
                (left_out(tr, &state.library, adoption.as_ref(), enable.as_ref()))
                // Only a version adopted from the library has library
                // rules to leave out.
                @if let (true, Some(ad)) = (writer, adoption.as_ref().filter(|_| a.library_version.is_some())) {
                    (disable_form(tr, &format!("{}/disable", base(tenant)), &v.csrf, &state.library, &ad.disabled, &choices.values, &choices.errors))
                }
            }
            None => p id="no-active" { (tr.t("rules-none-active")) }
        }
        h2 { (tr.t("rules-versions")) }
        (versions_table(tr, tenant, &all))
    };
    let f = frame(state, v, ctx.tenant()).await;
    Ok(respond(v, status, page(v, &f, &tr.t("rules-title"), body)))
}

/// The adopted standard: the active version by area, and every version.
#[handler]
pub(crate) async fn standard(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<StandardQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RULE_SETS, act::READ).await?;
        standard_page(&state, &v, &ctx, q.activated, Choices::default()).await
    }
    .await;
    finish(&v, r)
}

/// Makes a draft through the API's own path and opens its page; a refusal
/// is shown on the adopted standard, by the form it came from.
async fn make_choice(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    request: Result<adal_service::NewRuleSet, FieldError>,
    mut choices: Choices,
    placed: impl Fn(FieldError, &mut Choices),
) -> PageResult {
    let request = match request {
        Ok(r) => r,
        Err(e) => {
            placed(e, &mut choices);
            return standard_page(state, v, ctx, None, choices).await;
        }
    };
    match adal_service::create_version(state, ctx, request).await {
        Ok(draft) => Ok(redirect(
            v,
            &format!(
                "{}/v/{}?created=1",
                base(ctx.tenant().uuid()),
                draft.version
            ),
        )),
        Err(e @ ServiceError::Invalid { .. }) => {
            for fe in e.field_errors() {
                placed(fe, &mut choices);
            }
            standard_page(state, v, ctx, None, choices).await
        }
        Err(other) => {
            choices.refused = Some(refusal(&v.tr, other)?);
            standard_page(state, v, ctx, None, choices).await
        }
    }
}

/// What a form of the adopted standard asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Choice {
    /// Leave a library rule out, with the reason given.
    Disable,
    /// Enable again a library rule the version in force leaves out.
    Enable,
}

async fn choose(
    req: &Request,
    state: &AppState,
    tenant: Uuid,
    values: Fields,
    choice: Choice,
) -> Response {
    let v = Visitor::load(req, state).await;
    let r: PageResult = async {
        let ctx = authorize_form(state, &v, &values, tenant, obj::RULE_SETS, act::WRITE).await?;
        let active = active_of(state, &ctx).await?;
        let rule = values.get("rule").map_or("", |r| r.trim());
        let tr = &v.tr;
        match choice {
            Choice::Disable => {
                let reason = values.get("reason").map_or("", String::as_str);
                let request = disable_request(&active, rule, reason)?;
                let choices = Choices {
                    values: values.clone(),
                    ..Choices::default()
                };
                make_choice(state, &v, &ctx, request, choices, |e, c| {
                    c.errors.push((choice_field_of(&e), e));
                })
                .await
            }
            // The enable-again buttons have no input of their own: their
            // refusal is said above the table of rules left out.
            Choice::Enable => {
                let request = enable_request(&active, rule)?;
                make_choice(state, &v, &ctx, request, Choices::default(), |e, c| {
                    let text = error_text(tr, &e);
                    c.enable_error = Some(match c.enable_error.take() {
                        Some(before) => format!("{before} {text}"),
                        None => text,
                    });
                })
                .await
            }
        }
    }
    .await;
    finish(&v, r)
}

/// Leaves a library rule out, with the reason given, in a new draft.
#[handler]
pub(crate) async fn disable_rule(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(values): Form<Fields>,
) -> Response {
    choose(req, &state, tenant, values, Choice::Disable).await
}

/// Enables again, in a new draft, a library rule the version in force
/// leaves out.
#[handler]
pub(crate) async fn enable_rule(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(values): Form<Fields>,
) -> Response {
    choose(req, &state, tenant, values, Choice::Enable).await
}
