//! Signing in and out, the language switch, the password, and where a
//! user lands.

use crate::i18n::Lang;
use crate::kit::{
    Fail, Fields, Frame, PageResult, caller, fail_page, finish, own_frame, page, redirect, respond,
};
use crate::session::{LANG_COOKIE, SESSION_COOKIE, Visitor, set_cookie};
use adal_service::AppState;
use adal_store::users;
use maud::html;
use poem::http::StatusCode;
use poem::web::{Data, Form};
use poem::{Request, Response, handler};

#[handler]
pub(crate) async fn home(req: &Request, state: Data<&AppState>) -> Response {
    let v = Visitor::load(req, &state).await;
    match &v.caller {
        Some(c) => redirect(&v, &crate::kit::home_of(&state, c).await),
        None => redirect(&v, "/login"),
    }
}

/// Why the sign-in page is shown again.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Again {
    No,
    Failed,
    /// The password was right; the account needs its second factor's
    /// code (`wrong`: the one given was not good).
    Code {
        wrong: bool,
    },
    /// Too many failed sign-ins: wait this many seconds.
    Throttled(u64),
    /// The password was right, but the organisation is suspended.
    Suspended,
}

fn login_page(v: &Visitor, email: &str, again: Again) -> Response {
    let tr = &v.tr;
    let body = html! {
        @match again {
            Again::No => {}
            Again::Failed => {
                p class="alert error" role="alert" id="login-error" { (tr.t("signin-failed")) }
            }
            Again::Code { wrong } => {
                p class="alert error" role="alert" id="login-error" {
                    (tr.t(if wrong { "signin-code-wrong" } else { "signin-code-needed" }))
                }
            }
            Again::Suspended => {
                p class="alert error" role="alert" id="login-error" data-suspended="true" { (tr.t("signin-suspended")) }
            }
            Again::Throttled(secs) => {
                p class="alert error" role="alert" id="login-error" data-retry-after=(secs) {
                    (tr.t_args("signin-throttled", &[("minutes", secs.div_ceil(60).into())]))
                }
            }
        }
        form method="post" action="/login" class="narrow" {
            input type="hidden" name="csrf" value=(v.csrf);
            div class="field" {
                label for="email" { (tr.t("signin-email")) }
                input type="email" id="email" name="email" value=(email) autocomplete="username" required autofocus;
            }
            div class="field" {
                label for="password" { (tr.t("signin-password")) }
                input type="password" id="password" name="password" autocomplete="current-password" required;
            }
            div class="field" {
                label for="code" { (tr.t("signin-code")) }
                input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code"
                    maxlength="64" autofocus[matches!(again, Again::Code { .. })];
            }
            button type="submit" { (tr.t("signin-submit")) }
        }
        p { a href="/registry" id="registry-link" { (tr.t("signin-registry-link")) } }
    };
    let status = match again {
        Again::No => StatusCode::OK,
        Again::Failed | Again::Code { .. } => StatusCode::UNAUTHORIZED,
        Again::Suspended => StatusCode::FORBIDDEN,
        Again::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
    };
    let mut resp = respond(
        v,
        status,
        page(v, &Frame::default(), &v.tr.t("signin-title"), body),
    );
    if let Again::Throttled(secs) = again
        && let Ok(h) = poem::http::HeaderValue::from_str(&secs.to_string())
    {
        resp.headers_mut()
            .insert(poem::http::header::RETRY_AFTER, h);
    }
    resp
}

#[handler]
pub(crate) async fn login_form(req: &Request, state: Data<&AppState>) -> Response {
    let v = Visitor::load(req, &state).await;
    if let Some(c) = &v.caller {
        return redirect(&v, &crate::kit::home_of(&state, c).await);
    }
    login_page(&v, "", Again::No)
}

#[handler]
pub(crate) async fn login(
    req: &Request,
    state: Data<&AppState>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    if !v.csrf_ok(f.get("csrf").map(String::as_str)) {
        return fail_page(&v, Fail::Csrf);
    }
    let email = f.get("email").cloned().unwrap_or_default();
    let password = f.get("password").cloned().unwrap_or_default();
    let code = f.get("code").cloned().unwrap_or_default();
    let r: PageResult = async {
        let client = req
            .remote_addr()
            .as_socket_addr()
            .map(|a| a.ip().to_string());
        let session = match adal_service::sign_in(
            &state,
            &email,
            &password,
            Some(&code),
            "dashboard",
            client.as_deref(),
        )
        .await
        {
            Ok(Some(s)) => s,
            Ok(None) => return Ok(login_page(&v, &email, Again::Failed)),
            Err(e @ adal_service::ServiceError::Invalid { .. })
                if e.field_errors()
                    .iter()
                    .any(|fe| fe.code == adal_service::auth::TENANT_SUSPENDED) =>
            {
                return Ok(login_page(&v, &email, Again::Suspended));
            }
            Err(e @ adal_service::ServiceError::Invalid { .. }) => {
                let wrong = e
                    .field_errors()
                    .iter()
                    .any(|fe| fe.code == "second_factor.invalid");
                return Ok(login_page(&v, &email, Again::Code { wrong }));
            }
            Err(adal_service::ServiceError::TooManyRequests { retry_after_secs }) => {
                return Ok(login_page(&v, &email, Again::Throttled(retry_after_secs)));
            }
            Err(e) => return Err(e.into()),
        };
        let token = session.token;
        let mut v2 = v.clone();
        v2.set_cookies.push(set_cookie(
            SESSION_COOKIE,
            &token,
            adal_service::SESSION_HOURS * 3600,
        ));
        Ok(redirect(&v2, "/"))
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn logout(
    req: &Request,
    state: Data<&AppState>,
    Form(f): Form<Fields>,
) -> Response {
    let mut v = Visitor::load(req, &state).await;
    if !v.csrf_ok(f.get("csrf").map(String::as_str)) {
        return fail_page(&v, Fail::Csrf);
    }
    if let Some(h) = &v.session_hash
        && let Err(e) = users::revoke_token(&state.store, h).await
    {
        return fail_page(&v, Fail::Internal(e.to_string()));
    }
    v.set_cookies.push(set_cookie(SESSION_COOKIE, "", 0));
    redirect(&v, "/login")
}

#[handler]
pub(crate) async fn switch_language(
    req: &Request,
    state: Data<&AppState>,
    Form(f): Form<Fields>,
) -> Response {
    let mut v = Visitor::load(req, &state).await;
    if !v.csrf_ok(f.get("csrf").map(String::as_str)) {
        return fail_page(&v, Fail::Csrf);
    }
    let chosen = f.get("lang").and_then(|l| Lang::parse(l));
    let lang = chosen.unwrap_or(v.tr.lang);
    let back = safe_back(f.get("back").map(String::as_str)).to_owned();
    // Signed in: the account keeps the choice too, so the emails sent to
    // this person (alerts, notices) are in it. A failure to keep it costs
    // only that, and the page still switches.
    if let (Some(c), Some(lang)) = (&v.caller, chosen)
        && let Err(e) = adal_store::users::set_lang(&state.store, c.user_id, lang.code()).await
    {
        tracing::warn!(error = %e, "could not keep the account's language");
    }
    v.set_cookies
        .push(set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600));
    redirect(&v, &back)
}

/// Where to go back to after switching language: only a path on this
/// site, never an open redirect (`//evil.example`, `/\\evil.example`, or
/// anything with a scheme goes to `/`).
fn safe_back(back: Option<&str>) -> &str {
    match back {
        Some(b)
            if b.starts_with('/')
                && !b.starts_with("//")
                && !b.contains('\\')
                && !b.chars().any(char::is_control) =>
        {
            b
        }
        _ => "/",
    }
}

fn password_page(v: &Visitor, frame: &Frame, errors: &[(&str, String)], done: bool) -> Response {
    let tr = &v.tr;
    let err = |name: &str| {
        errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| e.clone())
    };
    let field = |name: &'static str, key: &str, auto: &str| {
        let e = err(name);
        let err_id = format!("{name}-error");
        html! {
            div class={ "field" @if e.is_some() { " invalid" } } {
                label for=(name) { (tr.t(key)) }
                input type="password" id=(name) name=(name) autocomplete=(auto) required
                    aria-invalid=[e.is_some().then_some("true")]
                    aria-describedby=[e.is_some().then_some(&err_id)];
                @if let Some(e) = e { p class="field-error" id=(err_id) { (e) } }
            }
        }
    };
    let body = html! {
        @if done { p class="alert ok" role="status" id="password-changed" { (tr.t("password-changed")) } }
        form method="post" action="/password" class="narrow" {
            input type="hidden" name="csrf" value=(v.csrf);
            (field("current", "password-current", "current-password"))
            (field("new", "password-new", "new-password"))
            (field("confirm", "password-confirm", "new-password"))
            div class="field" {
                label {
                    input type="checkbox" id="revoke_api" name="revoke_api" value="1";
                    " " (tr.t("password-revoke-api"))
                }
            }
            button type="submit" { (tr.t("password-submit")) }
        }
        p { a href="/second-factor" id="second-factor-link" { (tr.t("second-factor-title")) } }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(v, status, page(v, frame, &tr.t("password-title"), body))
}

#[handler]
pub(crate) async fn password_form(req: &Request, state: Data<&AppState>) -> Response {
    let v = Visitor::load(req, &state).await;
    if v.caller.is_none() {
        return redirect(&v, "/login");
    }
    let f = own_frame(&state, &v).await;
    password_page(&v, &f, &[], false)
}

#[handler]
pub(crate) async fn change_password(
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
        let field = |name: &str| f.get(name).map_or("", String::as_str);
        // The checks are the service's; each refusal goes beside its input
        // in the visitor's language, by its code.
        match adal_service::auth::change_own_password(
            &state,
            c,
            field("current"),
            field("new"),
            field("confirm"),
            field("revoke_api") == "1",
        )
        .await
        {
            Ok(()) => {}
            Err(e @ adal_service::ServiceError::Invalid { .. }) => {
                let errors: Vec<(&str, String)> = e
                    .field_errors()
                    .iter()
                    .map(|fe| match fe.code.as_ref() {
                        "password.wrong" => ("current", v.tr.t("password-wrong-current")),
                        "password.mismatch" => ("confirm", v.tr.t("password-mismatch")),
                        _ => ("new", v.tr.t("password-too-short")),
                    })
                    .collect();
                return Ok(password_page(&v, &frame, &errors, false));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(password_page(&v, &frame, &[], true))
    }
    .await;
    finish(&v, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_switch_goes_back_only_to_our_own_paths() {
        assert_eq!(
            safe_back(Some("/t/x/risk-map?status=open")),
            "/t/x/risk-map?status=open"
        );
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "evil",
            "/a\r\nSet-Cookie: x=1",
            "",
        ] {
            assert_eq!(safe_back(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_back(None), "/");
    }
}
