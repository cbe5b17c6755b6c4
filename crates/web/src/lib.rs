//! Adal's dashboard: server-rendered HTML for every role, served by
//! `adal serve` at `/` beside the API. Pages work without JavaScript; the
//! one small script only submits the language switcher on change. Every
//! page obtains its tenant through the API's own authorisation check
//! ([`adal_service::TenantCtx`]), so the dashboard can show nothing the API
//! would refuse, and another tenant's ids are a 404 here as there.

mod admin;
mod authoring;
mod datasets;
mod declare;
mod editor;
mod forms;
mod i18n;
mod layout;
mod listing;
mod officers;
mod pages;
mod session;
mod settings;
mod trend;

pub use i18n::{Lang, MISSING, Tr};

use poem::http::{HeaderValue, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler, post};

/// The Content-Security-Policy of every dashboard response: our own files
/// only, no inline script or style, no framing, forms post only to us.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

#[handler]
fn css() -> Response {
    asset("text/css; charset=utf-8", include_str!("../assets/app.css"))
}

#[handler]
fn js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/app.js"),
    )
}

fn asset(ct: &str, body: &'static str) -> Response {
    Response::builder()
        .content_type(ct)
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(body)
}

/// Sources scanned by the test that every catalogue key used exists.
#[cfg(test)]
pub(crate) const SOURCES_FOR_KEY_CHECK: [&str; 9] = [
    include_str!("admin.rs"),
    include_str!("authoring.rs"),
    include_str!("editor.rs"),
    include_str!("pages.rs"),
    include_str!("officers.rs"),
    include_str!("declare.rs"),
    include_str!("settings.rs"),
    include_str!("layout.rs"),
    include_str!("forms.rs"),
];

/// The dashboard's routes, to be nested at `/`. Needs [`adal_service::AppState`]
/// in the request data.
pub fn routes() -> impl Endpoint {
    Route::new()
        .at("/", get(pages::home))
        .at("/login", get(pages::login_form).post(pages::login))
        .at("/logout", post(pages::logout))
        .at("/lang", post(pages::switch_language))
        .at(
            "/password",
            get(pages::password_form).post(pages::change_password),
        )
        .at("/agency", get(pages::agency))
        .at("/t/:tenant", get(pages::tenant_home))
        .at("/t/:tenant/overview", get(pages::overview))
        .at("/t/:tenant/risk-map", get(pages::risk_map_page))
        .at("/t/:tenant/findings", get(pages::findings_list))
        .at("/t/:tenant/findings/:id", get(pages::finding_detail))
        .at(
            "/t/:tenant/findings/:id/:action",
            post(pages::triage_action),
        )
        .at("/t/:tenant/my", get(pages::my_filings))
        .at(
            "/t/:tenant/gifts/new",
            get(pages::gift_form).post(pages::file_gift),
        )
        .at(
            "/t/:tenant/conflicts/new",
            get(pages::conflict_form).post(pages::file_conflict),
        )
        .at(
            "/t/:tenant/trainings/new",
            get(pages::training_form).post(pages::file_training),
        )
        .at(
            "/t/:tenant/feedback/new",
            get(pages::feedback_form).post(pages::file_feedback),
        )
        .at(
            "/t/:tenant/governance/new",
            get(pages::governance_form).post(pages::file_governance),
        )
        .at(
            "/t/:tenant/dataset-runs",
            get(datasets::runs).post(datasets::request_run),
        )
        .at(
            "/t/:tenant/declarations/new",
            get(pages::declaration_form).post(pages::file_declaration),
        )
        .at(
            "/t/:tenant/settings",
            get(pages::settings_form).post(pages::save_settings),
        )
        .at("/t/:tenant/hr-actions", get(officers::hr_actions))
        .at("/t/:tenant/procurements", get(officers::procurements))
        .at(
            "/t/:tenant/imports",
            get(officers::imports_list).post(officers::upload_import),
        )
        .at("/t/:tenant/imports/:id", get(officers::import_detail))
        .at("/t/:tenant/rules", get(editor::standard))
        .at("/t/:tenant/rules/disable", post(editor::disable_rule))
        .at("/t/:tenant/rules/enable", post(editor::enable_rule))
        .at(
            "/t/:tenant/rules/parameters",
            get(editor::parameters).post(editor::save_parameters),
        )
        .at(
            "/t/:tenant/rules/new",
            get(authoring::new_rule).post(authoring::rule_action),
        )
        .at("/t/:tenant/rules/v/:version", get(editor::version))
        .at("/t/:tenant/rules/v/:version/dry-run", post(editor::dry_run))
        .at(
            "/t/:tenant/rules/v/:version/activate",
            post(editor::activate),
        )
        .at("/t/:tenant/people", get(pages::people_page))
        .at(
            "/t/:tenant/users/new",
            get(admin::new_user_form).post(admin::create_user),
        )
        .at(
            "/t/:tenant/users/:id",
            get(admin::edit_user_form).post(admin::update_user),
        )
        .at("/t/:tenant/org", get(pages::org_page))
        .at(
            "/t/:tenant/departments/new",
            get(admin::new_department_form).post(admin::create_department),
        )
        .at(
            "/t/:tenant/departments/:id",
            get(admin::edit_department_form).post(admin::update_department),
        )
        .at(
            "/t/:tenant/positions/new",
            get(admin::new_position_form).post(admin::create_position),
        )
        .at(
            "/t/:tenant/positions/:id",
            get(admin::edit_position_form).post(admin::update_position),
        )
        .at("/assets/app.css", get(css))
        .at("/assets/app.js", get(js))
        .around(|ep, req| async move {
            let lang = Lang::negotiate(
                session::cookie(&req, session::LANG_COOKIE).as_deref(),
                req.headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            );
            let resp = match ep.call(req).await {
                Ok(r) => r.into_response(),
                Err(e) => pages::error_page(lang, e),
            };
            Ok(with_security_headers(resp))
        })
}

fn with_security_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages carry personal data and CSRF tokens.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}
