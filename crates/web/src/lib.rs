//! Adal's dashboard: server-rendered HTML for every role, served by
//! `adal serve` at `/` beside the API. Pages work without JavaScript; the
//! one small script only submits the language switcher on change. Every
//! page obtains its tenant through the API's own authorisation check
//! ([`adal_service::TenantCtx`]), so the dashboard can show nothing the API
//! would refuse, and another tenant's ids are a 404 here as there.
//!
//! # Modules and who may use whom
//!
//! - `i18n` (catalogues) and `session` (the `session::Visitor`) use
//!   no other module of the crate but `i18n`;
//! - `kit`, the toolkit (authorize, frame, render, errors, lists), uses
//!   only `i18n` and `session`;
//! - neutral modules shared by screens use only the toolkit and the
//!   base: `trend` (the weekly chart), `overdue` (overdue declarations),
//!   `report_view` (a report of the feedback channel), `exports` (the
//!   export links of the list screens, the findings list's filters),
//!   `screening_view` (registry entries and a screening's matches);
//! - `screens`: one module per screen or area; each uses the toolkit and
//!   the neutral modules, **never another screen**. What two screens need
//!   moves to the toolkit or to a neutral module;
//! - this file routes to the screens.
//!
//! So the graph has no cycle: base ← kit ← neutral ← screens ← `lib.rs`.

mod exports;
mod i18n;
mod kit;
mod overdue;
mod report_files;
mod report_view;
mod screening_view;
mod screens;
mod session;
mod trend;

pub use i18n::{Lang, MISSING, Tr};

use poem::http::{HeaderValue, header};
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route, get, handler, post};
use screens::admin::{org_chart, people};
use screens::rules::{authoring, parameters, standard, version};
use screens::{
    account, agency, annual, audit_log, cartogram, cases, datasets, declaration, export_files,
    filings, findings, my_filings, officers, overview, person, platform, record, registry, report,
    risk_map, search, second_factor, settings,
};

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

/// The proof-of-work solver of the reporting pages (the same contract as
/// the public API's, kept beside the solver's Rust twin).
#[handler]
fn pow_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../../reporting/assets/pow.js"),
    )
}

/// Solves the proof of work when a reporting form is sent.
#[handler]
fn report_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_str!("../assets/report.js"),
    )
}

/// The tab's icon: a shield with a tick, in the dashboard's accent colour.
/// Also at `/favicon.ico`, which browsers ask for on pages without a link
/// (the API's Swagger page), so that request is not a 404 in the logs.
#[handler]
fn favicon() -> Response {
    asset("image/svg+xml", include_str!("../assets/favicon.svg"))
}

fn asset(ct: &str, body: &'static str) -> Response {
    Response::builder()
        .content_type(ct)
        .header(header::CACHE_CONTROL, "public, max-age=3600")
        .body(body)
}

/// Sources scanned by the test that every catalogue key used exists.
#[cfg(test)]
pub(crate) const SOURCES_FOR_KEY_CHECK: [&str; 60] = [
    include_str!("kit/access.rs"),
    include_str!("kit/errors.rs"),
    include_str!("kit/fail.rs"),
    include_str!("kit/frame.rs"),
    include_str!("kit/listing.rs"),
    include_str!("kit/mod.rs"),
    include_str!("kit/shell.rs"),
    include_str!("exports.rs"),
    include_str!("report_view.rs"),
    include_str!("report_files.rs"),
    include_str!("screening_view.rs"),
    include_str!("screens/account.rs"),
    include_str!("screens/admin/mod.rs"),
    include_str!("screens/admin/org_chart.rs"),
    include_str!("screens/admin/people.rs"),
    include_str!("screens/agency.rs"),
    include_str!("screens/annual.rs"),
    include_str!("screens/audit_log.rs"),
    include_str!("screens/cartogram.rs"),
    include_str!("screens/cases/mod.rs"),
    include_str!("screens/cases/tenant.rs"),
    include_str!("screens/cases/agency.rs"),
    include_str!("screens/cases/statistics.rs"),
    include_str!("screens/datasets.rs"),
    include_str!("screens/declaration/form.rs"),
    include_str!("screens/declaration/mod.rs"),
    include_str!("screens/export_files.rs"),
    include_str!("screens/filings/form.rs"),
    include_str!("screens/filings/mod.rs"),
    include_str!("screens/filings/specs.rs"),
    include_str!("screens/findings/mod.rs"),
    include_str!("screens/findings/bulk.rs"),
    include_str!("screens/mod.rs"),
    include_str!("screens/my_filings.rs"),
    include_str!("screens/officers/hr.rs"),
    include_str!("screens/officers/hr_form.rs"),
    include_str!("screens/officers/imports.rs"),
    include_str!("screens/officers/mod.rs"),
    include_str!("screens/officers/procurements.rs"),
    include_str!("screens/overview.rs"),
    include_str!("screens/platform.rs"),
    include_str!("screens/person.rs"),
    include_str!("screens/record/mod.rs"),
    include_str!("screens/record/content.rs"),
    include_str!("screens/registry.rs"),
    include_str!("screens/search.rs"),
    include_str!("screens/report.rs"),
    include_str!("screens/risk_map.rs"),
    include_str!("screens/rules/authoring.rs"),
    include_str!("screens/rules/confirm.rs"),
    include_str!("screens/rules/drafts.rs"),
    include_str!("screens/rules/dry_report.rs"),
    include_str!("screens/rules/inputs.rs"),
    include_str!("screens/rules/mod.rs"),
    include_str!("screens/rules/parameters.rs"),
    include_str!("screens/rules/standard.rs"),
    include_str!("screens/rules/version.rs"),
    include_str!("screens/rules/view.rs"),
    include_str!("screens/settings/form.rs"),
    include_str!("screens/settings/mod.rs"),
];

/// The dashboard's routes, to be nested at `/`. Needs [`adal_service::AppState`]
/// in the request data.
pub fn routes() -> impl Endpoint {
    Route::new()
        .at("/", get(account::home))
        .at("/login", get(account::login_form).post(account::login))
        .at("/logout", post(account::logout))
        .at("/lang", post(account::switch_language))
        .at(
            "/password",
            get(account::password_form).post(account::change_password),
        )
        .at(
            "/second-factor",
            get(second_factor::second_factor_form).post(second_factor::second_factor_action),
        )
        .at("/registry", get(registry::registry_page))
        .at(
            "/report/follow",
            get(report::follow_page).post(report::follow),
        )
        .at(
            "/report/agency",
            get(report::agency_page).post(report::file_to_agency),
        )
        .at("/report/follow/message", post(report::write))
        .at("/report/follow/file", post(report::follow_file))
        .at("/report/follow/attach", post(report::follow_attach))
        .at(
            "/report/:tenant",
            get(report::report_page).post(report::file),
        )
        .at("/platform", get(platform::tenants))
        .at(
            "/platform/tenants/new",
            get(platform::new_tenant).post(platform::create_tenant),
        )
        .at("/platform/tenants/:id/suspend", post(platform::suspend))
        .at(
            "/platform/tenants/:id/reactivate",
            post(platform::reactivate),
        )
        .at(
            "/platform/agency-accounts",
            get(platform::accounts).post(platform::create_account),
        )
        .at(
            "/platform/agency-accounts/:id/:what",
            post(platform::set_account),
        )
        .at("/agency", get(agency::agency))
        .at("/agency/annual-reports", get(annual::summary_page))
        .at("/agency/annual-reports.csv", get(annual::summary_csv))
        .at("/agency/cartogram", get(cartogram::cartogram_page))
        .at("/agency/cases", get(cases::agency::agency_cases))
        .at(
            "/agency/case-statistics",
            get(cases::statistics::agency_statistics_page),
        )
        .at(
            "/agency/case-statistics.csv",
            get(cases::statistics::agency_statistics_csv),
        )
        .at("/agency/cases/:id", get(cases::agency::agency_case))
        .at(
            "/agency/cases/:id/files/:attachment",
            get(cases::agency::agency_download),
        )
        .at(
            "/agency/cases/:id/:action",
            post(cases::agency::agency_case_action),
        )
        .at("/agency/cartogram.csv", get(cartogram::cartogram_csv))
        .at("/t/:tenant", get(overview::tenant_home))
        .at("/t/:tenant/overview", get(overview::overview))
        .at("/t/:tenant/risk-map", get(risk_map::risk_map_page))
        .at("/t/:tenant/annual-report", get(annual::report_page))
        .at("/t/:tenant/audit", get(audit_log::audit_page))
        .at("/t/:tenant/cases", get(cases::tenant::cases_list))
        .at(
            "/t/:tenant/case-statistics",
            get(cases::statistics::statistics_page),
        )
        .at(
            "/t/:tenant/case-statistics.csv",
            get(cases::statistics::statistics_csv),
        )
        .at("/t/:tenant/cases/:id", get(cases::tenant::case_detail))
        .at("/t/:tenant/cases/:id/files", post(cases::tenant::attach))
        .at(
            "/t/:tenant/cases/:id/files/:attachment",
            get(cases::tenant::download),
        )
        .at(
            "/t/:tenant/cases/:id/:action",
            post(cases::tenant::case_action),
        )
        .at("/t/:tenant/annual-report.csv", get(annual::report_csv))
        .at("/t/:tenant/annual-report.pdf", get(annual::report_pdf))
        .at("/t/:tenant/annual-report.json", get(annual::report_json))
        .at(
            "/t/:tenant/exports/:format/:list",
            get(export_files::export_file),
        )
        .at("/t/:tenant/search", get(search::search))
        .at("/t/:tenant/findings", get(findings::findings_list))
        .at(
            "/t/:tenant/findings/bulk",
            post(findings::bulk::bulk_action),
        )
        .at("/t/:tenant/findings/:id", get(findings::finding_detail))
        .at(
            "/t/:tenant/findings/:id/:action",
            post(findings::triage_action),
        )
        .at("/t/:tenant/my", get(my_filings::my_filings))
        .at("/t/:tenant/filings/:id", get(record::record))
        .at("/t/:tenant/people/:id", get(person::person_page))
        .at("/t/:tenant/filings/:id/decision", post(record::decide))
        .at(
            "/t/:tenant/gifts/new",
            get(filings::gift_form).post(filings::file_gift),
        )
        .at(
            "/t/:tenant/conflicts/new",
            get(filings::conflict_form).post(filings::file_conflict),
        )
        .at(
            "/t/:tenant/trainings/new",
            get(filings::training_form).post(filings::file_training),
        )
        .at(
            "/t/:tenant/feedback/new",
            get(filings::feedback_form).post(filings::file_feedback),
        )
        .at(
            "/t/:tenant/governance/new",
            get(filings::governance_form).post(filings::file_governance),
        )
        .at(
            "/t/:tenant/dataset-runs",
            get(datasets::runs).post(datasets::request_run),
        )
        .at(
            "/t/:tenant/declarations/new",
            get(declaration::declaration_form).post(declaration::file_declaration),
        )
        .at(
            "/t/:tenant/settings",
            get(settings::settings_form).post(settings::save_settings),
        )
        .at("/t/:tenant/hr-actions", get(officers::hr::hr_actions))
        .at(
            "/t/:tenant/hr-actions/new",
            get(officers::hr_form::hr_action_form).post(officers::hr_form::record_hr_action),
        )
        .at(
            "/t/:tenant/screening",
            get(registry::screening_page).post(registry::screen),
        )
        .at(
            "/t/:tenant/procurements",
            get(officers::procurements::procurements),
        )
        .at(
            "/t/:tenant/imports",
            get(officers::imports::imports_list).post(officers::imports::upload_import),
        )
        .at(
            "/t/:tenant/imports/:id",
            get(officers::imports::import_detail),
        )
        .at("/t/:tenant/rules", get(standard::standard))
        .at("/t/:tenant/rules/disable", post(standard::disable_rule))
        .at("/t/:tenant/rules/enable", post(standard::enable_rule))
        .at(
            "/t/:tenant/rules/parameters",
            get(parameters::parameters).post(parameters::save_parameters),
        )
        .at(
            "/t/:tenant/rules/new",
            get(authoring::new_rule).post(authoring::rule_action),
        )
        .at("/t/:tenant/rules/v/:version", get(version::version))
        .at(
            "/t/:tenant/rules/v/:version/dry-run",
            post(version::dry_run),
        )
        .at(
            "/t/:tenant/rules/v/:version/activate",
            post(version::activate),
        )
        .at("/t/:tenant/people", get(people::people_page))
        .at(
            "/t/:tenant/users/new",
            get(people::new_user_form).post(people::create_user),
        )
        .at(
            "/t/:tenant/users/:id",
            get(people::edit_user_form).post(people::update_user),
        )
        .at("/t/:tenant/org", get(org_chart::org_page))
        .at(
            "/t/:tenant/departments/new",
            get(org_chart::new_department_form).post(org_chart::create_department),
        )
        .at(
            "/t/:tenant/departments/:id",
            get(org_chart::edit_department_form).post(org_chart::update_department),
        )
        .at(
            "/t/:tenant/positions/new",
            get(org_chart::new_position_form).post(org_chart::create_position),
        )
        .at(
            "/t/:tenant/positions/:id",
            get(org_chart::edit_position_form).post(org_chart::update_position),
        )
        .at("/assets/app.css", get(css))
        .at("/assets/app.js", get(js))
        .at("/assets/favicon.svg", get(favicon))
        .at("/assets/pow.js", get(pow_js))
        .at("/assets/report.js", get(report_js))
        .at("/favicon.ico", get(favicon))
        .around(|ep, req| async move {
            let lang = Lang::negotiate(
                session::cookie(&req, session::LANG_COOKIE).as_deref(),
                req.headers()
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            );
            let resp = match ep.call(req).await {
                Ok(r) => r.into_response(),
                Err(e) => kit::error_page(lang, e),
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
    // The reporter's pages ask for no referrer at all; they set it.
    if !h.contains_key(header::REFERRER_POLICY) {
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        // Pages carry personal data and CSRF tokens.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}
