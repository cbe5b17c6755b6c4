//! The tenant admin's forms for accounts, departments and positions. Each
//! form becomes the API's request type and goes through the function
//! behind the API's endpoint (`adal_service::accounts`), so the dashboard
//! checks and stores exactly what `POST`/`PATCH /users`, `/departments`
//! and `/positions` would, and the API's JSON pointers name the inputs
//! (`/department_id` is the input `department_id`).
//!
//! [`people`] holds the people list and the account forms, [`org_chart`] the
//! organisation chart and the department and position forms; this module
//! the inputs and error placement they share.

use crate::i18n::Tr;
use crate::kit::{Fail, page, respond};
use crate::kit::{Fields, PageResult, frame};
use crate::kit::{error_summary, error_text, errors_of, orphans, value};
use crate::session::Visitor;
use adal_domain::{FieldError, Role};
use adal_service::accounts::{
    self, DepartmentPatch, NewDepartment, NewPosition, NewUserRequest, Patch, PositionPatch,
    UserPatch,
};
use adal_service::{AppState, ServiceError, TenantCtx};
use adal_store::org;
use maud::{Markup, html};
use poem::http::StatusCode;

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

fn maybe<T>(v: Option<T>) -> Patch<T> {
    v.map_or(Patch::Clear, Patch::Set)
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

// After the macro: a `macro_rules!` is seen only by what follows it.
pub(crate) mod org_chart;
pub(crate) mod people;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::people::USER_INPUTS;
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
            assert!(
                crate::kit::errors::error_key(&e).is_some(),
                "no key for {m:?}"
            );
        }
        let e = FieldError::new("/email", "must be an email address");
        assert_eq!(crate::kit::errors::error_key(&e), Some("err-email-one"));
    }
}
