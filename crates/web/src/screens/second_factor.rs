//! The account's second factor: turn it on (a secret for the
//! authenticator app, confirmed with a code, then recovery codes shown
//! once), renew the recovery codes, turn it off. Where the organisation
//! requires it, a user of a covered role lands here until it is on.

use crate::kit::{Fail, Fields, Frame, PageResult, caller, finish, own_frame, page, respond};
use crate::session::Visitor;
use adal_service::second_factor as sf;
use adal_service::{AppState, ServiceError};
use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form};
use poem::{Request, Response, handler};

/// What the page shows besides the status.
enum Shown {
    Nothing,
    /// A secret to add to the app, and the confirm form.
    Enrolment(sf::Enrolment),
    /// Recovery codes, shown this once.
    Codes(Vec<String>),
}

fn code_form(v: &Visitor, action: &str, button: &str, error: Option<&str>) -> Markup {
    let tr = &v.tr;
    let id = format!("code-{action}");
    html! {
        form method="post" action="/second-factor" class="narrow" {
            input type="hidden" name="csrf" value=(v.csrf);
            input type="hidden" name="action" value=(action);
            div class={ "field" @if error.is_some() { " invalid" } } {
                label for=(id) { (tr.t("second-factor-code")) }
                input type="text" id=(id) name="code" inputmode="numeric" autocomplete="one-time-code"
                    maxlength="64" required
                    aria-invalid=[error.is_some().then_some("true")];
                @if let Some(e) = error { p class="field-error" { (e) } }
            }
            button type="submit" { (tr.t(button)) }
        }
    }
}

fn second_factor_page(
    v: &Visitor,
    frame: &Frame,
    status: sf::Status,
    shown: Shown,
    error: Option<(&str, String)>,
) -> Response {
    let tr = &v.tr;
    let err_for = |action: &str| {
        error
            .as_ref()
            .filter(|(a, _)| *a == action)
            .map(|(_, m)| m.as_str())
    };
    let body = html! {
        section id="second-factor" {
            @if status.required && !status.enabled {
                p class="alert error" role="alert" id="second-factor-required" { (tr.t("second-factor-required")) }
            }
            p id="second-factor-status" data-enabled=(status.enabled) {
                @if status.enabled {
                    (tr.t_args("second-factor-on", &[("left", status.recovery_codes_left.into())]))
                } @else {
                    (tr.t("second-factor-off"))
                }
            }
            @match &shown {
                Shown::Nothing => {}
                Shown::Enrolment(e) => {
                    p { (tr.t("second-factor-add")) }
                    p { code id="second-factor-secret" { (e.secret) } }
                    p { a id="second-factor-uri" href=(e.otpauth_uri) { (tr.t("second-factor-open-app")) } }
                    (code_form(v, "confirm", "second-factor-confirm", err_for("confirm")))
                }
                Shown::Codes(codes) => {
                    p class="alert ok" role="status" { (tr.t("second-factor-codes")) }
                    ul id="recovery-codes" { @for c in codes { li { code { (c) } } } }
                }
            }
            @if status.enabled {
                h2 { (tr.t("second-factor-renew")) }
                (code_form(v, "recovery", "second-factor-renew", err_for("recovery")))
                @if !status.required {
                    h2 { (tr.t("second-factor-disable")) }
                    (code_form(v, "disable", "second-factor-disable", err_for("disable")))
                }
            } @else if !matches!(shown, Shown::Enrolment(_)) {
                form method="post" action="/second-factor" class="narrow" {
                    input type="hidden" name="csrf" value=(v.csrf);
                    input type="hidden" name="action" value="begin";
                    button type="submit" id="second-factor-begin" { (tr.t("second-factor-begin")) }
                }
            }
        }
    };
    let status_code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    respond(
        v,
        status_code,
        page(v, frame, &tr.t("second-factor-title"), body),
    )
}

#[handler]
pub(crate) async fn second_factor_form(req: &Request, state: Data<&AppState>) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let c = caller(&v)?;
        let frame = own_frame(&state, &v).await;
        let status = sf::status(&state, c).await?;
        Ok(second_factor_page(&v, &frame, status, Shown::Nothing, None))
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn second_factor_action(
    req: &Request,
    state: Data<&AppState>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let c = caller(&v)?;
        if !v.csrf_ok(f.get("csrf").map(String::as_str)) {
            return Err(Fail::Csrf);
        }
        let frame = own_frame(&state, &v).await;
        let action = f.get("action").map_or("", String::as_str);
        let code = f.get("code").map_or("", String::as_str);
        let outcome = match action {
            "begin" => sf::begin(&state, c).await.map(Shown::Enrolment),
            "confirm" => sf::confirm(&state, c, code).await.map(Shown::Codes),
            "recovery" => sf::renew_recovery_codes(&state, c, code)
                .await
                .map(Shown::Codes),
            "disable" => sf::disable(&state, c, code).await.map(|()| Shown::Nothing),
            _ => return Err(Fail::NotFound),
        };
        match outcome {
            Ok(shown) => Ok(second_factor_page(
                &v,
                &frame,
                sf::status(&state, c).await?,
                shown,
                None,
            )),
            Err(e @ (ServiceError::Invalid { .. } | ServiceError::Conflict(_))) => {
                let message = e
                    .field_errors()
                    .first()
                    .map(|fe| crate::kit::error_text(&v.tr, fe))
                    .unwrap_or_default();
                // A wrong code at confirmation keeps the secret on screen.
                let shown = match sf::pending(&state, c).await? {
                    Some(e) if action == "confirm" => Shown::Enrolment(e),
                    _ => Shown::Nothing,
                };
                Ok(second_factor_page(
                    &v,
                    &frame,
                    sf::status(&state, c).await?,
                    shown,
                    Some((action, message)),
                ))
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    finish(&v, r)
}
