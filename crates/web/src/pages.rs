//! The dashboard's pages. Each handler loads the [`Visitor`], obtains its
//! tenant through [`TenantCtx::authorize`] (the API's check), reads through
//! the store, and renders; failures become the 403/404 pages.

use crate::declare;
use crate::forms::{self, CONFLICT, GIFT};
use crate::i18n::{Lang, Tr};
use crate::layout::{
    Fail, Frame, NavItem, fail_page, head, label, page, redirect, respond, role_key,
};
use crate::listing;
use crate::session::{LANG_COOKIE, SESSION_COOKIE, Visitor, set_cookie};
use crate::{settings, trend};
use adal_authz::{act, obj};
use adal_domain::FieldError;
use adal_domain::records::culture;
use adal_service::{AppState, Caller, ServiceError, TenantCtx, heatmap};
use adal_store::evaluation::{self, FindingFilter};
use adal_store::submissions::{self, SubmissionFilter};
use adal_store::triage::{self, Note, Outcome};
use adal_store::{TenantId, declarations, org, tenants, users};
use chrono::Datelike;
use maud::{PreEscaped, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Path, Query};
use poem::{Request, Response, handler};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

pub(crate) type Fields = HashMap<String, String>;
pub(crate) type PageResult = Result<Response, Fail>;

const SEVERITIES: [&str; 4] = ["low", "medium", "high", "critical"];
const FINDING_STATUSES: [&str; 3] = ["open", "resolved", "false_positive"];

pub(crate) fn finish(v: &Visitor, r: PageResult) -> Response {
    r.unwrap_or_else(|f| fail_page(v, f))
}

pub(crate) fn caller(v: &Visitor) -> Result<&Caller, Fail> {
    v.caller.as_ref().ok_or(Fail::SignIn)
}

pub(crate) async fn authorize(
    state: &AppState,
    v: &Visitor,
    tenant: Uuid,
    o: &str,
    a: &str,
) -> Result<TenantCtx, Fail> {
    Ok(TenantCtx::authorize(state, caller(v)?, tenant, o, a).await?)
}

/// For a form's POST: signed in, the session's CSRF token, then the
/// API's permission check.
pub(crate) async fn authorize_form(
    state: &AppState,
    v: &Visitor,
    form: &Fields,
    tenant: Uuid,
    o: &str,
    a: &str,
) -> Result<TenantCtx, Fail> {
    caller(v)?;
    if !v.csrf_ok(form.get("csrf").map(String::as_str)) {
        return Err(Fail::Csrf);
    }
    authorize(state, v, tenant, o, a).await
}

pub(crate) async fn allowed(state: &AppState, c: &Caller, tenant: Uuid, o: &str, a: &str) -> bool {
    TenantCtx::authorize(state, c, tenant, o, a).await.is_ok()
}

/// The header and navigation for a page inside `tenant`: only the screens
/// this user may open are linked.
pub(crate) async fn frame(state: &AppState, v: &Visitor, tenant: TenantId) -> Frame {
    let Some(c) = &v.caller else {
        return Frame::default();
    };
    let t = tenant.0;
    let base = format!("/t/{t}");
    let mut nav = Vec::new();
    if c.role == "agency_auditor" {
        nav.push(NavItem {
            key: "nav-agency",
            href: "/agency".into(),
        });
    }
    if allowed(state, c, t, obj::RISK_MAP, act::READ).await {
        nav.push(NavItem {
            key: "nav-overview",
            href: format!("{base}/overview"),
        });
        nav.push(NavItem {
            key: "nav-risk-map",
            href: format!("{base}/risk-map"),
        });
    }
    if allowed(state, c, t, obj::FINDINGS_ALL, act::READ).await {
        nav.push(NavItem {
            key: "nav-findings",
            href: format!("{base}/findings"),
        });
    }
    if c.tenant_id == Some(t) && allowed(state, c, t, obj::SUBMISSIONS_OWN, act::READ).await {
        nav.push(NavItem {
            key: "nav-my-filings",
            href: format!("{base}/my"),
        });
    }
    if allowed(state, c, t, obj::GIFTS, act::CREATE).await {
        nav.push(NavItem {
            key: "nav-file-gift",
            href: format!("{base}/gifts/new"),
        });
    }
    if allowed(state, c, t, obj::CONFLICTS, act::CREATE).await {
        nav.push(NavItem {
            key: "nav-file-conflict",
            href: format!("{base}/conflicts/new"),
        });
    }
    for (o, key, path) in [
        (obj::TRAININGS, "nav-file-training", "trainings/new"),
        (obj::FEEDBACK_REPORTS, "nav-file-feedback", "feedback/new"),
        (obj::GOVERNANCE, "nav-file-governance", "governance/new"),
    ] {
        if allowed(state, c, t, o, act::CREATE).await {
            nav.push(NavItem {
                key,
                href: format!("{base}/{path}"),
            });
        }
    }
    if allowed(state, c, t, obj::ASSET_DECLARATIONS, act::CREATE).await {
        nav.push(NavItem {
            key: "nav-file-declaration",
            href: format!("{base}/declarations/new"),
        });
    }
    if allowed(state, c, t, obj::DATASET_RUNS, act::READ).await {
        nav.push(NavItem {
            key: "nav-dataset-runs",
            href: format!("{base}/dataset-runs"),
        });
    }
    if allowed(state, c, t, obj::RULE_SETS, act::READ).await {
        nav.push(NavItem {
            key: "nav-rules",
            href: format!("{base}/rules"),
        });
    }
    if allowed(state, c, t, obj::USERS, act::READ).await {
        nav.push(NavItem {
            key: "nav-people",
            href: format!("{base}/people"),
        });
    }
    if allowed(state, c, t, obj::ORG, act::READ).await {
        nav.push(NavItem {
            key: "nav-org",
            href: format!("{base}/org"),
        });
    }
    if allowed(state, c, t, obj::HR_ACTIONS, act::READ).await {
        nav.push(NavItem {
            key: "nav-hr-actions",
            href: format!("{base}/hr-actions"),
        });
    }
    if allowed(state, c, t, obj::PROCUREMENTS, act::READ).await {
        nav.push(NavItem {
            key: "nav-procurements",
            href: format!("{base}/procurements"),
        });
    }
    if allowed(state, c, t, obj::PEOPLE, act::WRITE).await
        || allowed(state, c, t, obj::PROCUREMENTS, act::CREATE).await
    {
        nav.push(NavItem {
            key: "nav-imports",
            href: format!("{base}/imports"),
        });
    }
    if allowed(state, c, t, obj::TENANT, act::WRITE).await {
        nav.push(NavItem {
            key: "nav-settings",
            href: format!("{base}/settings"),
        });
    }
    Frame {
        tenant_name: tenants::get(&state.store, tenant)
            .await
            .ok()
            .map(|t| t.name),
        nav,
        read_only: c.role == "agency_auditor",
    }
}

/// A page of `tenant` with its header and navigation, as 200.
pub(crate) async fn show(
    state: &AppState,
    v: &Visitor,
    tenant: TenantId,
    title_key: &str,
    body: maud::Markup,
) -> PageResult {
    show_as(state, v, tenant, title_key, body, StatusCode::OK).await
}

/// As [`show`], with `status` (422 for a page showing input errors).
pub(crate) async fn show_as(
    state: &AppState,
    v: &Visitor,
    tenant: TenantId,
    title_key: &str,
    body: maud::Markup,
    status: StatusCode,
) -> PageResult {
    let f = frame(state, v, tenant).await;
    Ok(respond(v, status, page(v, &f, &v.tr.t(title_key), body)))
}

/// Where a user lands after signing in.
async fn home_of(state: &AppState, c: &Caller) -> String {
    match c.tenant_id {
        Some(t) if allowed(state, c, t, obj::RISK_MAP, act::READ).await => {
            format!("/t/{t}/overview")
        }
        Some(t) => format!("/t/{t}/my"),
        None if c.role == "agency_auditor" => "/agency".to_owned(),
        None => "/password".to_owned(),
    }
}

// ------------------------------------------------------------ errors

/// Routing and parameter errors (an unknown path, a malformed id) as the
/// not-found page in the visitor's language.
pub(crate) fn error_page(lang: Lang, err: poem::Error) -> Response {
    let status = err.status();
    let v = Visitor {
        tr: Tr::new(lang),
        caller: None,
        csrf: String::new(),
        session_hash: None,
        set_cookies: Vec::new(),
        here: "/".into(),
    };
    if status.is_server_error() {
        fail_page(&v, Fail::Internal(err.to_string()))
    } else {
        fail_page(&v, Fail::NotFound)
    }
}

// ------------------------------------------------------------ sessions

#[handler]
pub(crate) async fn home(req: &Request, state: Data<&AppState>) -> Response {
    let v = Visitor::load(req, &state).await;
    match &v.caller {
        Some(c) => redirect(&v, &home_of(&state, c).await),
        None => redirect(&v, "/login"),
    }
}

fn login_page(v: &Visitor, email: &str, failed: bool) -> Response {
    let tr = &v.tr;
    let body = html! {
        @if failed {
            p class="alert error" role="alert" id="login-error" { (tr.t("signin-failed")) }
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
            button type="submit" { (tr.t("signin-submit")) }
        }
    };
    let status = if failed {
        StatusCode::UNAUTHORIZED
    } else {
        StatusCode::OK
    };
    respond(
        v,
        status,
        page(v, &Frame::default(), &v.tr.t("signin-title"), body),
    )
}

#[handler]
pub(crate) async fn login_form(req: &Request, state: Data<&AppState>) -> Response {
    let v = Visitor::load(req, &state).await;
    if let Some(c) = &v.caller {
        return redirect(&v, &home_of(&state, c).await);
    }
    login_page(&v, "", false)
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
    let r: PageResult = async {
        let Some(session) = adal_service::sign_in(&state, &email, &password, "dashboard").await?
        else {
            return Ok(login_page(&v, &email, true));
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
    let lang = f
        .get("lang")
        .and_then(|l| Lang::parse(l))
        .unwrap_or(v.tr.lang);
    let back = safe_back(f.get("back").map(String::as_str)).to_owned();
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
            button type="submit" { (tr.t("password-submit")) }
        }
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(v, status, page(v, frame, &tr.t("password-title"), body))
}

async fn own_frame(state: &AppState, v: &Visitor) -> Frame {
    match v.caller.as_ref().and_then(|c| c.tenant_id) {
        Some(t) => frame(state, v, TenantId(t)).await,
        None => {
            let mut f = Frame::default();
            if v.caller
                .as_ref()
                .is_some_and(|c| c.role == "agency_auditor")
            {
                f.nav.push(NavItem {
                    key: "nav-agency",
                    href: "/agency".into(),
                });
                f.read_only = true;
            }
            f
        }
    }
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
        let current = f.get("current").cloned().unwrap_or_default();
        let new = f.get("new").cloned().unwrap_or_default();
        let confirm = f.get("confirm").cloned().unwrap_or_default();
        let mut errors = Vec::new();
        let n = new.chars().count();
        if !(12..=200).contains(&n) {
            errors.push(("new", v.tr.t("password-too-short")));
        } else if new != confirm {
            errors.push(("confirm", v.tr.t("password-mismatch")));
        }
        let me = users::find_by_email(&state.store, &c.email)
            .await?
            .filter(|u| u.id == c.user_id)
            .ok_or(Fail::SignIn)?;
        let hash = me.password_hash.clone();
        let ok = tokio::task::spawn_blocking(move || {
            adal_service::verify_password(&current, Some(&hash))
        })
        .await
        .map_err(|e| Fail::Internal(e.to_string()))?;
        if !ok {
            errors.insert(0, ("current", v.tr.t("password-wrong-current")));
        }
        if !errors.is_empty() {
            return Ok(password_page(&v, &frame, &errors, false));
        }
        let hashed = tokio::task::spawn_blocking(move || adal_service::hash_password(&new))
            .await
            .map_err(|e| Fail::Internal(e.to_string()))??;
        users::set_password(&state.store, c.user_id, hashed, v.session_hash.as_deref()).await?;
        Ok(password_page(&v, &frame, &[], true))
    }
    .await;
    finish(&v, r)
}

// ------------------------------------------------------------ agency

#[handler]
pub(crate) async fn agency(req: &Request, state: Data<&AppState>) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let c = caller(&v)?;
        if c.role != "agency_auditor" {
            return Err(Fail::Forbidden);
        }
        adal_service::authorize_platform(&state, c, obj::TENANTS, act::READ).await?;
        let tr = &v.tr;
        let mut rows = Vec::new();
        for t in tenants::list_all_for_platform(&state.store).await? {
            let map = evaluation::risk_map(&state.store, TenantId(t.id)).await?;
            let high = map
                .cells
                .iter()
                .filter(|c| i32::from(c.likelihood) * i32::from(c.impact) >= 10)
                .map(|c| c.count)
                .sum::<u64>();
            let overdue =
                overdue_declarations(&state, c, TenantId(t.id), adal_domain::kazakhstan_today())
                    .await?
                    .map(|o| o.missing + o.late);
            let areas = risk_by_area(&map);
            rows.push((t, map.open_findings, high, overdue, areas));
        }
        let body = html! {
            p { (tr.t("agency-intro")) }
            div class="scroll" {
                table id="tenants" {
                    caption { (tr.t("agency-tenants")) }
                    (head(tr, &[("col-tenant", false), ("col-bin", false), ("col-region", false), ("col-open-findings", true), ("col-high-risk-findings", true), ("col-risk-by-area", false), ("col-overdue-declarations", true)]))
                    tbody {
                        @for (t, open, high, overdue, areas) in &rows {
                            tr data-tenant=(t.id) {
                                th scope="row" {
                                    a href={ "/t/" (t.id) "/overview" } { (t.name) }
                                    br;
                                    span class="muted" { (tr.t("agency-read-only-view")) }
                                }
                                td { (t.bin) }
                                td { (t.region) }
                                td class="num" data-open=(open) { (open) }
                                td class="num" { (high) }
                                td class="areas" {
                                    @if areas.is_empty() {
                                        (tr.t("agency-no-open"))
                                    } @else {
                                        ul class="area-risk" {
                                            @for a in areas {
                                                li data-area=(a.area) data-count=(a.count) data-band=(a.band.as_str()) {
                                                    span class={ "sev sev-" (a.band.as_str()) } {
                                                        (tr.t_args("agency-area-risk", &[("area", label(tr, "area", &a.area).into()), ("n", a.count.to_string().into()), ("band", label(tr, "band", a.band.as_str()).into())]))
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                                td class="num" data-overdue=[overdue] { (overdue.map(|n| n.to_string()).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        };
        let mut f = own_frame(&state, &v).await;
        f.read_only = true;
        Ok(respond(
            &v,
            StatusCode::OK,
            page(&v, &f, &tr.t("agency-title"), body),
        ))
    }
    .await;
    finish(&v, r)
}

/// One area's open findings in a tenant: how many, and the highest risk
/// band among them.
#[derive(Debug, Clone, PartialEq, Eq)]
struct AreaRisk {
    area: String,
    count: u64,
    band: heatmap::Band,
}

fn band_rank(b: heatmap::Band) -> u8 {
    match b {
        heatmap::Band::Low => 0,
        heatmap::Band::Medium => 1,
        heatmap::Band::High => 2,
        heatmap::Band::Critical => 3,
    }
}

/// The risk map's open findings by area, the riskiest first (highest band,
/// then most findings, then by name): the Agency's "risk by area".
fn risk_by_area(map: &evaluation::RiskMap) -> Vec<AreaRisk> {
    let mut by: BTreeMap<&str, (u64, heatmap::Band)> = BTreeMap::new();
    for c in &map.by_department_area {
        let band = heatmap::Band::of(c.likelihood, c.impact);
        let e = by.entry(c.area.as_str()).or_insert((0, band));
        e.0 += c.count;
        if band_rank(band) > band_rank(e.1) {
            e.1 = band;
        }
    }
    let mut out: Vec<AreaRisk> = by
        .into_iter()
        .filter(|(_, (n, _))| *n > 0)
        .map(|(area, (count, band))| AreaRisk {
            area: area.to_owned(),
            count,
            band,
        })
        .collect();
    out.sort_by(|a, b| {
        band_rank(b.band)
            .cmp(&band_rank(a.band))
            .then(b.count.cmp(&a.count))
            .then_with(|| a.area.cmp(&b.area))
    });
    out
}

// ------------------------------------------------------------ tenant screens

#[handler]
pub(crate) async fn tenant_home(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let c = caller(&v)?;
        let ctx = authorize(&state, &v, tenant, obj::TENANT, act::READ).await?;
        let to = if allowed(&state, c, ctx.tenant().0, obj::RISK_MAP, act::READ).await {
            format!("/t/{tenant}/overview")
        } else {
            format!("/t/{tenant}/my")
        };
        Ok(redirect(&v, &to))
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn overview(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RISK_MAP, act::READ).await?;
        let tr = &v.tr;
        let counts = triage::open_counts(&state.store, ctx.tenant()).await?;
        let map = evaluation::risk_map(&state.store, ctx.tenant()).await?;
        let mut by_area: BTreeMap<String, HashMap<String, u64>> = BTreeMap::new();
        let mut by_severity: HashMap<String, u64> = HashMap::new();
        for c in &counts {
            *by_area
                .entry(c.area.clone())
                .or_default()
                .entry(c.severity.clone())
                .or_default() += c.count;
            *by_severity.entry(c.severity.clone()).or_default() += c.count;
        }
        let total: u64 = counts.iter().map(|c| c.count).sum();
        let findings_href = format!("/t/{tenant}/findings");
        let today = adal_domain::kazakhstan_today();
        let times = evaluation::finding_times(
            &state.store,
            ctx.tenant(),
            trend::since(today, trend::WEEKS),
        )
        .await?;
        let weeks = trend::weeks_of(&times, today, trend::WEEKS);
        let severity_names = trend::SEVERITIES.map(|s| label(tr, "severity", s));
        let trend_svg = trend::render(
            &weeks,
            &trend::Text {
                title: &tr.t("trend-title"),
                description: &tr.t_args(
                    "trend-desc",
                    &[
                        ("weeks", trend::WEEKS.to_string().into()),
                        ("end", tr.date(today).into()),
                        ("n", weeks.iter().map(trend::Week::total).sum::<u64>().to_string().into()),
                    ],
                ),
                severities: severity_names.each_ref().map(String::as_str),
            },
        );
        let overdue = overdue_declarations(&state, ctx.caller(), ctx.tenant(), today).await?;
        let body = html! {
            section class="cards" aria-label=(tr.t("overview-summary")) {
                div class="card" {
                    p class="big" id="open-total" { (total) }
                    p { (tr.t("overview-open-findings")) }
                }
                @for s in SEVERITIES.iter().rev() {
                    div class={ "card sev-" (s) } {
                        p class="big" data-severity=(s) { (by_severity.get(*s).copied().unwrap_or(0)) }
                        p { a href={ (findings_href) "?status=open&severity=" (s) } { (label(tr, "severity", s)) } }
                    }
                }
            }
            @if let Some(o) = &overdue {
                h2 { (tr.t("overview-overdue")) }
                p { (tr.t_args("overdue-for", &[("year", o.year.to_string().into()), ("due", tr.date(o.due).into())])) }
                section class="cards" id="overdue" aria-label=(tr.t("overview-overdue")) {
                    div class="card" { p class="big" id="overdue-missing" { (o.missing) } p { (tr.t("overdue-missing")) } }
                    div class="card" { p class="big" id="overdue-late" { (o.late) } p { (tr.t("overdue-late")) } }
                }
            }
            h2 { (tr.t("overview-trend")) }
            figure id="trend" {
                (PreEscaped(trend_svg))
            }
            div class="scroll" {
                table id="trend-table" {
                    caption { (tr.t("trend-caption")) }
                    thead { tr {
                        th scope="col" { (tr.t("col-week")) }
                        @for s in trend::SEVERITIES { th scope="col" class="num" { (label(tr, "severity", s)) } }
                        th scope="col" class="num" { (tr.t("col-total")) }
                    } }
                    tbody {
                        @for w in &weeks {
                            tr data-week=(w.start.format("%Y-%m-%d")) {
                                th scope="row" { (tr.date(w.start)) }
                                @for c in w.counts { td class="num" { (c) } }
                                td class="num" { (w.total()) }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("overview-by-area")) }
            @if by_area.is_empty() {
                p id="no-open-findings" { (tr.t("overview-none-open")) }
            } @else {
                div class="scroll" {
                    table id="by-area" {
                        caption { (tr.t("overview-by-area-caption")) }
                        thead { tr {
                            th scope="col" { (tr.t("col-area")) }
                            @for s in SEVERITIES { th scope="col" class="num" { (label(tr, "severity", s)) } }
                            th scope="col" class="num" { (tr.t("col-total")) }
                        } }
                        tbody {
                            @for (area, sev) in &by_area {
                                tr {
                                    th scope="row" { a href={ (findings_href) "?status=open&area=" (area) } { (label(tr, "area", area)) } }
                                    @for s in SEVERITIES { td class="num" { (sev.get(s).copied().unwrap_or(0)) } }
                                    td class="num" { (sev.values().sum::<u64>()) }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("overview-positions")) }
            @if map.positions.is_empty() {
                p { (tr.t("overview-no-positions")) }
            } @else {
                div class="scroll" {
                    table id="positions" {
                        caption { (tr.t("overview-positions-caption")) }
                        (head(tr, &[("col-position", false), ("col-high-risk-list", false), ("col-open-findings", true), ("col-score", true)]))
                        tbody {
                            @for p in map.positions.iter().take(10) {
                                tr {
                                    th scope="row" { (p.title) }
                                    td { (if p.high_risk { tr.t("yes") } else { tr.t("no") }) }
                                    td class="num" { (p.open_findings) }
                                    td class="num" { (p.score) }
                                }
                            }
                        }
                    }
                }
            }
            p { a href={ "/t/" (tenant) "/risk-map" } { (tr.t("overview-see-risk-map")) } }
        };
        show(&state, &v, ctx.tenant(), "overview-title", body).await
    }
    .await;
    finish(&v, r)
}

/// Declarations overdue for the reporting year open now.
struct Overdue {
    year: i32,
    due: chrono::NaiveDate,
    missing: usize,
    late: usize,
}

/// `None` for a reader without the declaration status (the same check as
/// `GET /declarations/status`), or a year with no possible deadline.
async fn overdue_declarations(
    state: &AppState,
    c: &Caller,
    tenant: TenantId,
    today: chrono::NaiveDate,
) -> Result<Option<Overdue>, Fail> {
    if !allowed(state, c, tenant.0, obj::DECLARATION_STATUS, act::READ).await {
        return Ok(None);
    }
    let year = today.year() - 1;
    let settings = tenants::settings_of(&tenants::get(&state.store, tenant).await?)?;
    let Some(due) = settings.declaration_due(year) else {
        return Ok(None);
    };
    let all = declarations::status(&state.store, tenant, year, due, today).await?;
    let count = |s| all.iter().filter(|p| p.state == s).count();
    Ok(Some(Overdue {
        year,
        due,
        missing: count(declarations::State::Missing),
        late: count(declarations::State::Late),
    }))
}

#[handler]
pub(crate) async fn risk_map_page(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::RISK_MAP, act::READ).await?;
        let tr = &v.tr;
        let map = evaluation::risk_map(&state.store, ctx.tenant()).await?;
        let ranked = ranked_positions(
            &map,
            org::list_positions(&state.store, ctx.tenant()).await?,
            &org::list_departments(&state.store, ctx.tenant()).await?,
        );
        let link = |l: i16, i: i16| format!("/t/{tenant}/findings?status=open&likelihood={l}&impact={i}");
        let n = map.open_findings.to_string();
        let description = tr.t_args("risk-map-desc", &[("n", n.as_str().into())]);
        let heading = tr.t_args("risk-map-heading", &[("n", n.as_str().into())]);
        let svg = heatmap::render_with(
            &map,
            &heatmap::Text {
                title: &tr.t("risk-map-title"),
                description: &description,
                heading: &heading,
                likelihood: &tr.t("likelihood"),
                impact: &tr.t("impact"),
                cell: &|l, i, n, b| {
                    tr.t_args(
                        "risk-map-cell",
                        &[
                            ("l", l.to_string().into()),
                            ("i", i.to_string().into()),
                            ("n", n.to_string().into()),
                            ("band", label(tr, "band", b.as_str()).into()),
                        ],
                    )
                },
                link: &|l, i, n| (n > 0).then(|| link(l, i)),
            },
        );
        let body = html! {
            div class="riskmap" {
                figure id="heatmap" {
                    (PreEscaped(svg))
                    figcaption { (tr.t("risk-map-caption")) }
                }
                div class="scroll" {
                    table id="risk-cells" {
                        caption { (tr.t("risk-map-table-caption")) }
                        (head(tr, &[("likelihood", true), ("impact", true), ("col-band", false), ("col-open-findings", true)]))
                        tbody {
                            @for c in map.cells.iter().rev() {
                                tr data-likelihood=(c.likelihood) data-impact=(c.impact) {
                                    td class="num" { (c.likelihood) }
                                    td class="num" { (c.impact) }
                                    td { (label(tr, "band", heatmap::Band::of(c.likelihood, c.impact).as_str())) }
                                    td class="num" { a href=(link(c.likelihood, c.impact)) { (c.count) } }
                                }
                            }
                            @if map.cells.is_empty() {
                                tr { td colspan="4" { (tr.t("overview-none-open")) } }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("risk-map-by-department")) }
            div class="scroll" {
                table id="by-department" {
                    caption { (tr.t("risk-map-by-department-caption")) }
                    (head(tr, &[("col-department", false), ("col-area", false), ("likelihood", true), ("impact", true), ("col-open-findings", true)]))
                    tbody {
                        @for c in &map.by_department_area {
                            tr {
                                th scope="row" { (c.department.clone().unwrap_or_else(|| tr.t("no-department"))) }
                                td { (label(tr, "area", &c.area)) }
                                td class="num" { (c.likelihood) }
                                td class="num" { (c.impact) }
                                td class="num" { (c.count) }
                            }
                        }
                    }
                }
            }
            h2 { (tr.t("risk-map-positions")) }
            @if ranked.is_empty() {
                p { (tr.t("risk-map-no-positions")) }
            } @else {
                div class="scroll" {
                    table id="positions-ranked" {
                        caption { (tr.t("risk-map-positions-caption")) }
                        (head(tr, &[("col-rank", true), ("col-position", false), ("col-department", false), ("col-risk-level", true), ("col-high-risk-list", false), ("col-open-findings", true), ("col-score", true)]))
                        tbody {
                            @for (i, r) in ranked.iter().enumerate() {
                                tr data-position=(r.position.id) {
                                    td class="num" { (i + 1) }
                                    th scope="row" { (r.position.title) }
                                    td { (r.department) }
                                    td class="num" { (r.position.risk_level) }
                                    td { (if r.position.high_risk { tr.t("yes") } else { tr.t("no") }) }
                                    td class="num" { (r.open_findings) }
                                    td class="num" { (r.score) }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(at) = map.computed_at {
                p class="muted" { (tr.t("computed-at")) " " (tr.datetime(at)) }
            }
        };
        show(&state, &v, ctx.tenant(), "risk-map-title", body).await
    }
    .await;
    finish(&v, r)
}

/// A position on the risk map's ranked list.
struct RankedPosition {
    position: org::Position,
    department: String,
    open_findings: u64,
    score: i64,
}

/// The positions the compliance unit watches, riskiest first: every
/// position on the tenant's high-risk list, and every other one with open
/// findings. Ranked by the risk of their open findings (the sum of
/// likelihood x impact), then by the level the tenant gave the position,
/// so a high-risk position without findings still ranks among its peers.
fn ranked_positions(
    map: &evaluation::RiskMap,
    positions: Vec<org::Position>,
    departments: &[org::Department],
) -> Vec<RankedPosition> {
    let mut out: Vec<RankedPosition> = positions
        .into_iter()
        .filter_map(|p| {
            let risk = map.positions.iter().find(|r| r.position_id == p.id);
            let (open_findings, score) = risk.map_or((0, 0), |r| (r.open_findings, r.score));
            (p.high_risk || open_findings > 0).then(|| RankedPosition {
                department: p
                    .department_id
                    .and_then(|d| departments.iter().find(|x| x.id == d))
                    .map(|d| d.name.clone())
                    .unwrap_or_default(),
                position: p,
                open_findings,
                score,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        (b.score, b.position.risk_level, b.open_findings)
            .cmp(&(a.score, a.position.risk_level, a.open_findings))
            .then_with(|| a.position.title.cmp(&b.position.title))
    });
    out
}

#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct FindingQuery {
    severity: Option<String>,
    status: Option<String>,
    area: Option<String>,
    likelihood: Option<String>,
    impact: Option<String>,
    offset: Option<String>,
    limit: Option<String>,
}

fn empty_none(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

#[handler]
pub(crate) async fn findings_list(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<FindingQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::FINDINGS_ALL, act::READ).await?;
        let tr = &v.tr;
        let score = |s: &Option<String>| {
            empty_none(s)
                .and_then(|x| x.parse::<i16>().ok())
                .filter(|n| (1..=5).contains(n))
        };
        let filter = FindingFilter {
            severity: empty_none(&q.severity).filter(|s| SEVERITIES.contains(&s.as_str())),
            status: empty_none(&q.status).filter(|s| FINDING_STATUSES.contains(&s.as_str())),
            area: empty_none(&q.area),
            likelihood: score(&q.likelihood),
            impact: score(&q.impact),
            visible: Some(adal_service::reader_visibility(&state, &ctx).await),
            ..Default::default()
        };
        let (paging, limit_error) = listing::paging(q.offset.as_deref(), q.limit.as_deref());
        let (rows, total) = if limit_error.is_none() {
            evaluation::list_findings(&state.store, ctx.tenant(), &filter, paging.offset, paging.limit)
                .await?
        } else {
            (Vec::new(), 0)
        };
        let areas: Vec<String> = {
            let mut a: Vec<String> = triage::open_counts(&state.store, ctx.tenant())
                .await?
                .into_iter()
                .map(|c| c.area)
                .collect();
            if let Some(x) = &filter.area {
                a.push(x.clone());
            }
            a.sort();
            a.dedup();
            a
        };
        let path = format!("/t/{tenant}/findings");
        // The filters as applied (a value the list ignored is not repeated).
        let likelihood = filter.likelihood.map(|n| n.to_string()).unwrap_or_default();
        let impact = filter.impact.map(|n| n.to_string()).unwrap_or_default();
        let kept: Vec<(&str, String)> = vec![
            ("severity", filter.severity.clone().unwrap_or_default()),
            ("status", filter.status.clone().unwrap_or_default()),
            ("area", filter.area.clone().unwrap_or_default()),
            ("likelihood", likelihood.clone()),
            ("impact", impact.clone()),
            ("limit", empty_none(&q.limit).unwrap_or_default()),
        ];
        let scores: Vec<(String, String)> = (1..=5).map(|n| (n.to_string(), n.to_string())).collect();
        let severities: Vec<(String, String)> = SEVERITIES.iter().map(|s| ((*s).to_owned(), label(tr, "severity", s))).collect();
        let statuses: Vec<(String, String)> = FINDING_STATUSES.iter().map(|s| ((*s).to_owned(), label(tr, "status", s))).collect();
        let area_options: Vec<(String, String)> = areas.iter().map(|a| (a.clone(), label(tr, "area", a))).collect();
        let limit = empty_none(&q.limit).unwrap_or_default();
        let body = html! {
            form method="get" action=(path) class="filters" aria-label=(tr.t("filters")) {
                (listing::select(tr, "severity", "col-severity", &severities, filter.severity.as_deref(), None))
                (listing::select(tr, "status", "col-status", &statuses, filter.status.as_deref(), None))
                (listing::select(tr, "area", "col-area", &area_options, filter.area.as_deref(), None))
                (listing::select(tr, "likelihood", "likelihood", &scores, Some(likelihood.as_str()), None))
                (listing::select(tr, "impact", "impact", &scores, Some(impact.as_str()), None))
                (listing::input(tr, &listing::limit_input(&limit, limit_error)))
                (listing::buttons(tr, &path))
            }
            (listing::pager(tr, "findings-pager", &path, &kept, paging, rows.len(), total))
            div class="scroll" {
                table id="findings" {
                    caption { (tr.t("findings-caption")) }
                    (head(tr, &[("col-found", false), ("col-rule", false), ("col-area", false), ("col-severity", false), ("col-lxi", true), ("col-status", false)]))
                    tbody {
                        @for f in &rows {
                            tr data-finding=(f.id) data-status=(f.status) {
                                td { a href={ "/t/" (tenant) "/findings/" (f.id) } { (tr.datetime(f.created_at)) } }
                                td { (f.rule_id) }
                                td { (label(tr, "area", &f.area)) }
                                td { span class={ "sev sev-" (f.severity) } { (label(tr, "severity", &f.severity)) } }
                                td class="num" { (f.likelihood) "×" (f.impact) }
                                td { (label(tr, "status", &f.status)) }
                            }
                        }
                    }
                }
            }
        };
        let status = if limit_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
        show_as(&state, &v, ctx.tenant(), "findings-title", body, status).await
    }
    .await;
    finish(&v, r)
}

/// The finding page, with the triage forms when the user may triage.
async fn finding_page(
    state: &AppState,
    v: &Visitor,
    ctx: &TenantCtx,
    id: Uuid,
    errors: &[(&str, String)],
    status: StatusCode,
) -> PageResult {
    let tr = &v.tr;
    let c = caller(v)?;
    let f = evaluation::get_finding(&state.store, ctx.tenant(), id).await?;
    // A finding about a record the caller may not read is not theirs to see.
    let s = adal_store::submissions::get(&state.store, ctx.tenant(), f.submission_id).await?;
    if !adal_service::reader_visibility(state, ctx).await.allows(&s) {
        return Err(Fail::NotFound);
    }
    let (tri, comments) = triage::details(&state.store, ctx.tenant(), id).await?;
    let can_write = allowed(state, c, ctx.tenant().0, obj::FINDINGS_ALL, act::WRITE).await;
    let people = users::list(&state.store, ctx.tenant()).await?;
    let name_of = |u: Uuid| {
        people
            .iter()
            .find(|p| p.id == u)
            .map_or_else(|| u.to_string(), |p| p.display_name.clone())
    };
    let department = match f.department_id {
        Some(d) => org::get_department(&state.store, ctx.tenant(), d)
            .await
            .ok()
            .map(|d| d.name),
        None => None,
    };
    let err = |name: &str| {
        errors
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, e)| e.clone())
    };
    let base = format!("/t/{}/findings/{id}", ctx.tenant().0);
    let assigned = tri.as_ref().and_then(|t| t.assigned_to);
    let body = html! {
        dl class="facts" id="finding" data-status=(f.status) {
            dt { (tr.t("col-status")) } dd id="finding-status" { (label(tr, "status", &f.status)) }
            dt { (tr.t("col-rule")) } dd { (f.rule_id) }
            dt { (tr.t("col-area")) } dd { (label(tr, "area", &f.area)) }
            dt { (tr.t("col-severity")) } dd { span class={ "sev sev-" (f.severity) } { (label(tr, "severity", &f.severity)) } }
            dt { (tr.t("col-lxi")) } dd { (f.likelihood) "×" (f.impact) }
            dt { (tr.t("col-department")) } dd { (department.unwrap_or_else(|| tr.t("no-department"))) }
            dt { (tr.t("col-found")) } dd { (tr.datetime(f.created_at)) }
            dt { (tr.t("col-explanation")) } dd { (f.explanation) }
            dt { (tr.t("col-assignee")) } dd id="assignee" { (assigned.map_or_else(|| tr.t("nobody"), name_of)) }
            @if let Some(t) = &tri {
                @if let Some(reason) = &t.reason {
                    dt { (tr.t("col-reason")) } dd id="reason" { (reason) }
                }
                @if let (Some(by), Some(at)) = (t.decided_by, t.decided_at) {
                    dt { (tr.t("col-decided")) } dd { (name_of(by)) ", " (tr.datetime(at)) }
                }
            }
        }
        @if let Some(e) = err("general") { p class="alert error" role="alert" { (e) } }
        h2 { (tr.t("comments-title")) }
        @if comments.is_empty() { p { (tr.t("comments-none")) } }
        ol class="comments" id="comments" {
            @for cm in &comments {
                li { p class="muted" { (name_of(cm.author_id)) ", " (tr.datetime(cm.created_at)) } p { (cm.body) } }
            }
        }
        @if can_write {
            section class="triage" aria-label=(tr.t("triage-title")) {
                h2 { (tr.t("triage-title")) }
                form method="post" action={ (base) "/assign" } {
                    input type="hidden" name="csrf" value=(v.csrf);
                    div class="field" {
                        label for="assignee-select" { (tr.t("triage-assign-to")) }
                        select id="assignee-select" name="assignee" {
                            option value="" { (tr.t("nobody")) }
                            @for p in &people {
                                option value=(p.id) selected[assigned == Some(p.id)] { (p.display_name) " (" (label(tr, "role", &p.role)) ")" }
                            }
                        }
                    }
                    button type="submit" { (tr.t("triage-assign")) }
                }
                form method="post" action={ (base) "/comment" } {
                    input type="hidden" name="csrf" value=(v.csrf);
                    @let e = err("body");
                    div class={ "field" @if e.is_some() { " invalid" } } {
                        label for="comment-body" { (tr.t("triage-comment")) }
                        textarea id="comment-body" name="body" rows="3" maxlength="2000" required
                            aria-invalid=[e.is_some().then_some("true")] aria-describedby=[e.is_some().then_some("comment-body-error")] {}
                        @if let Some(e) = e { p class="field-error" id="comment-body-error" { (e) } }
                    }
                    button type="submit" { (tr.t("triage-add-comment")) }
                }
                @if f.status == evaluation::OPEN {
                    form method="post" action={ (base) "/resolve" } {
                        input type="hidden" name="csrf" value=(v.csrf);
                        @let e = err("reason");
                        div class={ "field" @if e.is_some() { " invalid" } } {
                            label for="close-reason" { (tr.t("triage-reason")) }
                            textarea id="close-reason" name="reason" rows="3" maxlength="2000" required
                                aria-invalid=[e.is_some().then_some("true")] aria-describedby=[e.is_some().then_some("close-reason-error")] {}
                            @if let Some(e) = e { p class="field-error" id="close-reason-error" { (e) } }
                        }
                        div class="buttons" {
                            button type="submit" id="resolve" { (tr.t("triage-resolve")) }
                            button type="submit" id="false-positive" class="secondary" formaction={ (base) "/false-positive" } { (tr.t("triage-false-positive")) }
                        }
                    }
                }
            }
        }
        p { a href={ "/t/" (ctx.tenant().0) "/findings" } { (tr.t("back-to-findings")) } }
    };
    let fr = frame(state, v, ctx.tenant()).await;
    Ok(respond(
        v,
        status,
        page(v, &fr, &tr.t("finding-title"), body),
    ))
}

#[handler]
pub(crate) async fn finding_detail(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id)): Path<(Uuid, Uuid)>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::FINDINGS_ALL, act::READ).await?;
        finding_page(&state, &v, &ctx, id, &[], StatusCode::OK).await
    }
    .await;
    finish(&v, r)
}

#[handler]
pub(crate) async fn triage_action(
    req: &Request,
    state: Data<&AppState>,
    Path((tenant, id, action)): Path<(Uuid, Uuid, String)>,
    Form(f): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(&state, &v, &f, tenant, obj::FINDINGS_ALL, act::WRITE).await?;
        evaluation::get_finding(&state.store, ctx.tenant(), id).await?;
        let me = ctx.caller().user_id;
        let note_error = |e: triage::NoteError| match e {
            triage::NoteError::Empty => v.tr.t("err-empty"),
            triage::NoteError::TooLong => v.tr.t("err-too-long"),
        };
        let outcome = match action.as_str() {
            "assign" => {
                let who = match f
                    .get("assignee")
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                {
                    Some(s) => Some(s.parse::<Uuid>().map_err(|_| Fail::NotFound)?),
                    None => None,
                };
                triage::assign(&state.store, ctx.tenant(), me, id, who).await?;
                None
            }
            "comment" => match Note::parse(f.get("body").map_or("", String::as_str)) {
                Ok(n) => {
                    triage::comment(&state.store, ctx.tenant(), me, id, &n).await?;
                    None
                }
                Err(e) => Some(("body", note_error(e))),
            },
            "resolve" | "false-positive" => {
                let outcome = if action == "resolve" {
                    Outcome::Resolved
                } else {
                    Outcome::FalsePositive
                };
                match Note::parse(f.get("reason").map_or("", String::as_str)) {
                    Ok(n) => {
                        match triage::close(&state.store, ctx.tenant(), me, id, outcome, &n).await {
                            Ok(_) => None,
                            Err(adal_store::StoreError::Conflict(_)) => {
                                Some(("general", v.tr.t("err-already-closed")))
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                    Err(e) => Some(("reason", note_error(e))),
                }
            }
            _ => return Err(Fail::NotFound),
        };
        match outcome {
            None => Ok(redirect(&v, &format!("/t/{tenant}/findings/{id}"))),
            Some(err) => {
                finding_page(
                    &state,
                    &v,
                    &ctx,
                    id,
                    &[err],
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
        }
    }
    .await;
    finish(&v, r)
}

#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct MyQuery {
    filed: Option<String>,
}

#[handler]
pub(crate) async fn my_filings(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Query(q): Query<MyQuery>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::SUBMISSIONS_OWN, act::READ).await?;
        // "My" filings are those of a member of the tenant; the Agency has
        // none here.
        if ctx.caller().tenant_id != Some(tenant) {
            return Err(Fail::NotFound);
        }
        let tr = &v.tr;
        let me = ctx.caller().user_id;
        let (subs, _) = submissions::list(
            &state.store,
            ctx.tenant(),
            &SubmissionFilter {
                // Every kind, but only the caller's own.
                visible: Some(submissions::Visibility {
                    all: Vec::new(),
                    own: obj::RECORDS.iter().map(|(k, _)| (*k).to_owned()).collect(),
                    me,
                }),
                ..Default::default()
            },
            0,
            200,
        )
        .await?;
        let (found, _) = evaluation::list_findings(
            &state.store,
            ctx.tenant(),
            &FindingFilter {
                submitted_by: Some(me),
                ..Default::default()
            },
            0,
            500,
        )
        .await?;
        let mut by_sub: HashMap<Uuid, Vec<&evaluation::Finding>> = HashMap::new();
        for f in &found {
            by_sub.entry(f.submission_id).or_default().push(f);
        }
        let can_file = allowed(&state, ctx.caller(), tenant, obj::GIFTS, act::CREATE).await;
        let deadlines = if allowed(&state, ctx.caller(), tenant, obj::ASSET_DECLARATIONS, act::CREATE).await {
            own_deadlines(&state, &ctx).await?
        } else {
            Vec::new()
        };
        let body = html! {
            @if let Some(kind) = &q.filed {
                p class="alert ok" role="status" id="filed" {
                    (tr.t(match kind.as_str() {
                        "conflict" => "conflict-filed",
                        "declaration" => "decl-filed",
                        "training" => "training-filed",
                        "feedback" => "feedback-filed",
                        "governance" => "governance-filed",
                        _ => "gift-filed",
                    }))
                }
            }
            @if !deadlines.is_empty() {
                section id="deadlines" aria-labelledby="deadlines-h" {
                    h2 id="deadlines-h" { (tr.t("deadlines-title")) }
                    div class="scroll" {
                        table id="deadline-table" {
                            caption { (tr.t("deadlines-caption")) }
                            (head(tr, &[("col-year", false), ("col-due", false), ("col-state", false), ("col-filed", false)]))
                            tbody {
                                @for d in &deadlines {
                                    tr data-year=(d.year) data-state=(d.state.as_str()) {
                                        th scope="row" { (d.year) }
                                        td class="due" { (tr.date(d.due)) }
                                        td {
                                            (tr.t(&format!("deadline-{}", d.state.as_str())))
                                            @if d.can_file_now {
                                                " · " a href={ "/t/" (tenant) "/declarations/new" } { (tr.t("deadline-file-now")) }
                                            }
                                        }
                                        td { @if let Some(at) = d.first_filed { (tr.datetime(at)) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if can_file { p { a class="button" href={ "/t/" (tenant) "/gifts/new" } { (tr.t("nav-file-gift")) } } }
            @if subs.is_empty() { p id="no-filings" { (tr.t("my-none")) } }
            ol class="filings" id="filings" {
                @for s in &subs {
                    @let payload: serde_json::Value = serde_json::from_str(&s.payload).unwrap_or_default();
                    li data-submission=(s.id) data-status=(s.status) {
                        h2 class="h3" {
                            (label(tr, "kind", &s.kind)) ": "
                            @if let Some(year) = payload.get("year").and_then(serde_json::Value::as_i64) { (year) }
                            (payload.get("description").and_then(|d| d.as_str()).unwrap_or(""))
                        }
                        dl class="facts" {
                            dt { (tr.t("col-received")) } dd { (tr.datetime(s.received_at)) }
                            dt { (tr.t("col-status")) } dd class="filing-status" { (label(tr, "status", &s.status)) }
                            @if let Some(val) = payload.get("value_kzt").and_then(|d| d.as_str()) {
                                dt { (tr.t("gift-value")) } dd { (tr.money(val)) }
                            }
                            @if let Some(d) = payload.get("date").and_then(|d| d.as_str()).and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
                                dt { (tr.t("gift-date")) } dd { (tr.date(d)) }
                            }
                        }
                        @if let Some(fs) = by_sub.get(&s.id) {
                            h3 class="h4" { (tr.t("my-findings")) }
                            ul class="my-findings" {
                                @for f in fs {
                                    li data-finding=(f.id) {
                                        span class={ "sev sev-" (f.severity) } { (label(tr, "severity", &f.severity)) }
                                        " · " (label(tr, "status", &f.status)) " · " (f.explanation)
                                    }
                                }
                            }
                        } @else if s.status == submissions::EVALUATED {
                            p class="muted" { (tr.t("my-no-findings")) }
                        }
                    }
                }
            }
        };
        show(&state, &v, ctx.tenant(), "my-title", body).await
    }
    .await;
    finish(&v, r)
}

/// One of the caller's declaration deadlines.
struct Deadline {
    year: i32,
    due: chrono::NaiveDate,
    state: declarations::State,
    first_filed: Option<chrono::DateTime<chrono::Utc>>,
    /// The year has ended and nothing is filed for it yet.
    can_file_now: bool,
}

/// The caller's declaration for the reporting year open now (the year
/// that ended last) and for the year under way, against the tenant's
/// deadlines, classified as the declaration status of the API does.
async fn own_deadlines(state: &AppState, ctx: &TenantCtx) -> Result<Vec<Deadline>, Fail> {
    let settings = tenants::settings_of(&tenants::get(&state.store, ctx.tenant()).await?)?;
    let today = adal_domain::kazakhstan_today();
    let mut out = Vec::new();
    for year in [today.year() - 1, today.year()] {
        let Some(due) = settings.declaration_due(year) else {
            continue;
        };
        let first_filed =
            declarations::first_filed_by(&state.store, ctx.tenant(), ctx.caller().user_id, year)
                .await?;
        out.push(Deadline {
            year,
            due,
            state: declarations::classify(first_filed, due, today),
            first_filed,
            can_file_now: first_filed.is_none() && year < today.year(),
        });
    }
    Ok(out)
}

/// A filing form of the dashboard: which kind it files, who may use it,
/// and how its fields become the kind's payload (the domain's checks).
struct Filing {
    kind: adal_domain::Kind,
    spec: &'static forms::FormSpec,
    /// The casbin object whose `create` the form needs.
    object: &'static str,
    intro: &'static str,
    /// The form's path below `/t/{tenant}/`.
    path: &'static str,
    /// What "my filings" says once it is filed (`?filed=`).
    filed: &'static str,
    /// Preset values of an empty form.
    defaults: &'static [(&'static str, &'static str)],
    validate: fn(&Fields, chrono::NaiveDate) -> Result<serde_json::Value, Vec<FieldError>>,
}

/// The payload of a checked record, as the API stores it.
fn payload_of<T: serde::Serialize>(
    checked: Result<T, Vec<FieldError>>,
) -> Result<serde_json::Value, Vec<FieldError>> {
    checked
        .and_then(|r| serde_json::to_value(r).map_err(|e| vec![FieldError::new("", e.to_string())]))
}

const GIFT_FILING: Filing = Filing {
    kind: adal_domain::Kind::Gift,
    spec: &GIFT,
    object: obj::GIFTS,
    intro: "gift-intro",
    path: "gifts/new",
    filed: "1",
    defaults: &[("direction", "received")],
    validate: |values, today| payload_of(forms::validate_gift(values, today)),
};

const CONFLICT_FILING: Filing = Filing {
    kind: adal_domain::Kind::ConflictOfInterest,
    spec: &CONFLICT,
    object: obj::CONFLICTS,
    intro: "conflict-intro",
    path: "conflicts/new",
    filed: "conflict",
    defaults: &[],
    validate: |values, today| payload_of(forms::validate_conflict(values, today)),
};

const TRAINING_FILING: Filing = Filing {
    kind: adal_domain::Kind::Training,
    spec: &forms::TRAINING,
    object: obj::TRAININGS,
    intro: "training-intro",
    path: "trainings/new",
    filed: "training",
    defaults: &[],
    validate: |values, today| {
        payload_of(forms::validate_flat::<culture::Training>(
            &forms::TRAINING,
            values,
            today,
        ))
    },
};

const FEEDBACK_FILING: Filing = Filing {
    kind: adal_domain::Kind::FeedbackReport,
    spec: &forms::FEEDBACK,
    object: obj::FEEDBACK_REPORTS,
    intro: "feedback-intro",
    path: "feedback/new",
    filed: "feedback",
    defaults: &[],
    validate: |values, today| {
        payload_of(forms::validate_flat::<culture::FeedbackReport>(
            &forms::FEEDBACK,
            values,
            today,
        ))
    },
};

const GOVERNANCE_FILING: Filing = Filing {
    kind: adal_domain::Kind::Governance,
    spec: &forms::GOVERNANCE,
    object: obj::GOVERNANCE,
    intro: "governance-intro",
    path: "governance/new",
    filed: "governance",
    defaults: &[],
    validate: |values, today| {
        payload_of(forms::validate_flat::<culture::GovernanceRecord>(
            &forms::GOVERNANCE,
            values,
            today,
        ))
    },
};

fn filing_page(
    filing: &Filing,
    v: &Visitor,
    frame: &Frame,
    tenant: Uuid,
    values: &Fields,
    errors: &[FieldError],
) -> Response {
    let tr = &v.tr;
    let action = format!("/t/{tenant}/{}", filing.path);
    let body = html! {
        p { (tr.t(filing.intro)) }
        (forms::render(tr, filing.spec, &action, &v.csrf, values, errors))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(v, status, page(v, frame, &tr.t(filing.spec.title), body))
}

async fn show_filing_form(
    filing: &Filing,
    req: &Request,
    state: &AppState,
    tenant: Uuid,
) -> Response {
    let v = Visitor::load(req, state).await;
    let r: PageResult = async {
        let ctx = authorize(state, &v, tenant, filing.object, act::CREATE).await?;
        let f = frame(state, &v, ctx.tenant()).await;
        let values: Fields = filing
            .defaults
            .iter()
            .map(|(k, d)| ((*k).to_owned(), (*d).to_owned()))
            .collect();
        Ok(filing_page(filing, &v, &f, tenant, &values, &[]))
    }
    .await;
    finish(&v, r)
}

/// Checks the form with the domain's rules; shows it again with each
/// error beside its field, or files the record as the API does.
async fn submit_filing(
    filing: &Filing,
    req: &Request,
    state: &AppState,
    tenant: Uuid,
    values: Fields,
) -> Response {
    let v = Visitor::load(req, state).await;
    let r: PageResult = async {
        let ctx = authorize_form(state, &v, &values, tenant, filing.object, act::CREATE).await?;
        match (filing.validate)(&values, adal_domain::kazakhstan_today()) {
            Err(errors) => {
                let f = frame(state, &v, ctx.tenant()).await;
                Ok(filing_page(filing, &v, &f, tenant, &values, &errors))
            }
            Ok(payload) => {
                match adal_service::file_record(state, &ctx, filing.kind, &payload).await {
                    Ok(_) => Ok(redirect(
                        &v,
                        &format!("/t/{tenant}/my?filed={}", filing.filed),
                    )),
                    // What only the service can tell (a second record of the
                    // same identity, a record for someone else) is shown beside
                    // its field like the form's own checks.
                    Err(
                        e @ (ServiceError::Invalid { .. }
                        | ServiceError::Malformed(_)
                        | ServiceError::Conflict(_)),
                    ) => {
                        let errors: Vec<FieldError> = e
                            .field_errors()
                            .into_iter()
                            .map(|fe| FieldError {
                                pointer: forms::form_pointer(&fe.pointer),
                                ..fe
                            })
                            .collect();
                        let f = frame(state, &v, ctx.tenant()).await;
                        Ok(filing_page(filing, &v, &f, tenant, &values, &errors))
                    }
                    Err(e) => Err(e.into()),
                }
            }
        }
    }
    .await;
    finish(&v, r)
}

/// The GET and POST handlers of a [`Filing`]: every form is the same two
/// calls with its own description.
macro_rules! filing_handlers {
    ($($show:ident, $file:ident => $filing:expr;)*) => {$(
        #[handler]
        pub(crate) async fn $show(
            req: &Request,
            state: Data<&AppState>,
            Path(tenant): Path<Uuid>,
        ) -> Response {
            show_filing_form(&$filing, req, &state, tenant).await
        }

        #[handler]
        pub(crate) async fn $file(
            req: &Request,
            state: Data<&AppState>,
            Path(tenant): Path<Uuid>,
            Form(values): Form<Fields>,
        ) -> Response {
            submit_filing(&$filing, req, &state, tenant, values).await
        }
    )*};
}

filing_handlers! {
    gift_form, file_gift => GIFT_FILING;
    conflict_form, file_conflict => CONFLICT_FILING;
    training_form, file_training => TRAINING_FILING;
    feedback_form, file_feedback => FEEDBACK_FILING;
    governance_form, file_governance => GOVERNANCE_FILING;
}

fn declaration_page(
    v: &Visitor,
    frame: &Frame,
    tenant: Uuid,
    values: &Fields,
    errors: &[declare::FormError],
) -> Response {
    let tr = &v.tr;
    let action = format!("/t/{tenant}/declarations/new");
    let body = html! {
        p { (tr.t("decl-intro")) }
        (declare::render(tr, &action, &v.csrf, values, errors))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(v, status, page(v, frame, &tr.t("decl-title"), body))
}

#[handler]
pub(crate) async fn declaration_form(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize(&state, &v, tenant, obj::ASSET_DECLARATIONS, act::CREATE).await?;
        let f = frame(&state, &v, ctx.tenant()).await;
        // The reporting year open now: the one that ended last.
        let year = adal_domain::kazakhstan_today().year() - 1;
        let values: Fields = [("year".to_owned(), year.to_string())].into();
        Ok(declaration_page(&v, &f, tenant, &values, &[]))
    }
    .await;
    finish(&v, r)
}

/// "Add a row" draws the form again with one more row in that section;
/// otherwise the declaration is checked with the domain's rules and filed
/// through the API's own path, whose refusals (a second declaration for
/// the same person and year) are shown on the form too.
#[handler]
pub(crate) async fn file_declaration(
    req: &Request,
    state: Data<&AppState>,
    Path(tenant): Path<Uuid>,
    Form(values): Form<Fields>,
) -> Response {
    let v = Visitor::load(req, &state).await;
    let r: PageResult = async {
        let ctx = authorize_form(
            &state,
            &v,
            &values,
            tenant,
            obj::ASSET_DECLARATIONS,
            act::CREATE,
        )
        .await?;
        let f = frame(&state, &v, ctx.tenant()).await;
        if let Some(section) = values.get("add").cloned() {
            let values = declare::with_row_added(values, &section);
            return Ok(declaration_page(&v, &f, tenant, &values, &[]));
        }
        let (payload, built) = match declare::validate(&values, adal_domain::kazakhstan_today()) {
            Ok(ok) => ok,
            Err(errors) => return Ok(declaration_page(&v, &f, tenant, &values, &errors)),
        };
        let refused = match adal_service::file_record(
            &state,
            &ctx,
            adal_domain::Kind::AssetDeclaration,
            &payload,
        )
        .await
        {
            Ok(_) => {
                return Ok(redirect(&v, &format!("/t/{tenant}/my?filed=declaration")));
            }
            // A second declaration for the person and year: said beside
            // the year, in the form's own words.
            Err(ServiceError::Conflict(d)) if d.code == "record.duplicate" => {
                vec![declare::FormError {
                    field: Some("year".into()),
                    error: FieldError::coded("/year", "record.duplicate", declare::EXISTS),
                }]
            }
            Err(
                e @ (ServiceError::Invalid { .. }
                | ServiceError::Malformed(_)
                | ServiceError::Conflict(_)),
            ) => declare::locate(e.field_errors(), &built.rows),
            Err(e) => return Err(e.into()),
        };
        Ok(declaration_page(&v, &f, tenant, &values, &refused))
    }
    .await;
    finish(&v, r)
}

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
        (settings::render(tr, &action, &v.csrf, values, errors))
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    respond(v, status, page(v, frame, &tr.t("settings-title"), body))
}

#[derive(Debug, serde::Deserialize, Default)]
pub(crate) struct SavedQuery {
    saved: Option<String>,
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
        let values = settings::values_of(&stored);
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
        match settings::check(&values) {
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
        let edit = allowed(&state, c, ctx.tenant().0, obj::USERS, act::WRITE).await;
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
        let edit = allowed(&state, c, ctx.tenant().0, obj::ORG, act::WRITE).await;
        let tr = &v.tr;
        let deps = org::list_departments(&state.store, ctx.tenant()).await?;
        let positions = org::list_positions(&state.store, ctx.tenant()).await?;
        let dep_name = |id: Option<Uuid>| {
            id.and_then(|d| deps.iter().find(|x| x.id == d).map(|x| x.name.clone()))
                .unwrap_or_default()
        };
        let body = html! {
            @if q.saved.is_some() { p class="alert ok" role="status" id="admin-saved" { (tr.t("admin-saved")) } }
            @if edit {
                p class="buttons" {
                    a class="button" id="new-department" href={ "/t/" (tenant) "/departments/new" } { (tr.t("admin-department-new-title")) }
                    a class="button" id="new-position" href={ "/t/" (tenant) "/positions/new" } { (tr.t("admin-position-new-title")) }
                }
            }
            h2 { (tr.t("org-departments")) }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_rank_by_findings_then_by_their_own_level() {
        let dep = org::Department {
            id: Uuid::now_v7(),
            tenant_id: Uuid::nil(),
            name: "Procurement".into(),
            parent_id: None,
        };
        let pos = |title: &str, level: i16, high: bool| org::Position {
            id: Uuid::now_v7(),
            tenant_id: Uuid::nil(),
            department_id: Some(dep.id),
            title: title.into(),
            risk_level: level,
            high_risk: high,
        };
        let (buyer, head, clerk, driver) = (
            pos("Buyer", 3, true),
            pos("Head of tenders", 5, true),
            pos("Clerk", 1, false),
            pos("Driver", 1, false),
        );
        let map = evaluation::RiskMap {
            positions: vec![evaluation::PositionRisk {
                position_id: clerk.id,
                title: "Clerk".into(),
                high_risk: false,
                open_findings: 2,
                score: 12,
            }],
            ..Default::default()
        };
        let ranked = ranked_positions(&map, vec![buyer, clerk, driver, head], &[dep]);
        let titles: Vec<_> = ranked.iter().map(|r| r.position.title.as_str()).collect();
        // Findings first; then the high-risk list by the tenant's level; a
        // low-risk position without findings is not on the list.
        assert_eq!(titles, ["Clerk", "Head of tenders", "Buyer"]);
        assert_eq!(ranked[0].department, "Procurement");
        assert_eq!((ranked[0].open_findings, ranked[0].score), (2, 12));
    }

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
    #[test]
    fn risk_by_area_sums_each_area_and_keeps_its_highest_band() {
        let cell = |area: &str, likelihood, impact, count| evaluation::DepartmentAreaCell {
            department_id: None,
            department: None,
            area: area.to_owned(),
            likelihood,
            impact,
            count,
        };
        let map = evaluation::RiskMap {
            computed_at: None,
            open_findings: 9,
            cells: vec![],
            by_department_area: vec![
                cell("gifts", 1, 1, 3),
                cell("gifts", 2, 3, 1),
                cell("hr", 4, 4, 1),
                cell("assets", 1, 2, 4),
                cell("procurement", 1, 1, 0),
            ],
            positions: vec![],
        };
        let got: Vec<(String, u64, &str)> = risk_by_area(&map)
            .into_iter()
            .map(|a| (a.area, a.count, a.band.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("hr".to_owned(), 1, "high"),
                ("gifts".to_owned(), 4, "medium"),
                ("assets".to_owned(), 4, "low"),
            ]
        );
    }
}
