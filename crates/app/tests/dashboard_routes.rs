//! The dashboard's routes in-process (no browser): security headers on
//! every response, CSRF on every POST, the API's authorisation (403 inside
//! the tenant, 404 across tenants), and every page free of untranslated
//! keys in each language. The browser tests (tests/browser) cover the
//! same screens end to end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use adal_store::{TenantId, tenants, users};
use poem::Endpoint;
use poem::http::StatusCode;
use poem::test::{TestClient, TestResponse};
use std::sync::Arc;
use uuid::Uuid;

mod common;
use common::*;

fn app(w: &World) -> impl Endpoint {
    adal_api::app(
        w.state.clone(),
        adal_api::HttpOptions {
            body_limit: 256 * 1024,
            public_limit: adal_api::PublicLimit::per_minute(0),
            metrics_token: None,
            report_limits: adal_api::ReportLimits::per_hour(0, 0),
        },
        adal_web::routes(),
    )
}

fn cookie_value(r: &TestResponse, name: &str) -> Option<String> {
    r.0.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|v| v.split(';').next().unwrap_or("").to_owned())
        })
}

fn csrf_in(html: &str) -> String {
    let at = html
        .find(r#"name="csrf" value=""#)
        .expect("a form with a CSRF token");
    let rest = &html[at + r#"name="csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

fn assert_security_headers(r: &TestResponse) {
    let h = r.0.headers();
    let csp = h.get("content-security-policy").unwrap().to_str().unwrap();
    assert!(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"));
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h.get("x-content-type-options").unwrap(), "nosniff");
    assert!(h.get("referrer-policy").is_some());
}

/// Signs in; returns the Cookie header to send.
async fn sign_in<E: Endpoint>(cli: &TestClient<E>, email: &str) -> String {
    let r = cli.get("/login").send().await;
    let pre = cookie_value(&r, "adal_pre").unwrap();
    let csrf = csrf_in(&r.0.into_body().into_string().await.unwrap());
    let r = cli
        .post("/login")
        .header("cookie", format!("adal_pre={pre}"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("email", email),
            ("password", PASSWORD),
        ])
        .send()
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    format!("adal_session={}", cookie_value(&r, "adal_session").unwrap())
}

/// Issue 12, problem 5, on the dashboard: after five wrong passwords the
/// sign-in page answers 429 with Retry-After and says why, in the
/// visitor's language, even for the right password.
#[tokio::test]
async fn sign_in_is_throttled() {
    let w = world().await;
    let cli = TestClient::new(app(&w));
    let attempt = |password: &'static str| {
        let cli = &cli;
        async move {
            let r = cli.get("/login").send().await;
            let pre = cookie_value(&r, "adal_pre").unwrap();
            let csrf = csrf_in(&r.0.into_body().into_string().await.unwrap());
            cli.post("/login")
                .header("cookie", format!("adal_pre={pre}; adal_lang=ru"))
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("email", "employee@a.kz"),
                    ("password", password),
                ])
                .send()
                .await
        }
    };
    for _ in 0..5 {
        attempt("wrong")
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    let r = attempt(PASSWORD).await;
    r.assert_status(StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 =
        r.0.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
    assert!((1..=30).contains(&wait), "Retry-After {wait}");
    let body = r.0.into_body().into_string().await.unwrap();
    assert!(body.contains("Слишком много неудачных попыток"), "{body}");
    assert!(body.contains("1 минуту"), "{body}");
    // Another account still signs in.
    sign_in(&cli, "officer@a.kz").await;
}

#[tokio::test]
async fn headers_csrf_and_tenancy() {
    let w = world().await;
    let cli = TestClient::new(app(&w));

    // Headers on pages, on error pages and on assets.
    for path in [
        "/login",
        "/no/such/page",
        "/assets/app.css",
        "/assets/favicon.svg",
        "/t/not-a-uuid/overview",
    ] {
        let r = cli.get(path).send().await;
        assert_security_headers(&r);
    }
    // The tab's icon: linked from every page, and where browsers look for
    // one unasked.
    for path in ["/assets/favicon.svg", "/favicon.ico"] {
        let r = cli.get(path).send().await;
        r.assert_status_is_ok();
        r.assert_content_type("image/svg+xml");
        assert!(
            r.0.into_body()
                .into_string()
                .await
                .unwrap()
                .starts_with("<svg")
        );
    }
    let login = cli
        .get("/login")
        .send()
        .await
        .0
        .into_body()
        .into_string()
        .await
        .unwrap();
    assert!(login.contains(r#"<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">"#));
    cli.get("/no/such/page")
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    // The API is unchanged: its unknown routes still answer JSON.
    let r = cli.get("/api/v1/no-such-route").send().await;
    r.assert_status(StatusCode::NOT_FOUND);
    r.assert_content_type("application/json; charset=utf-8");

    // Sign-in without the form's CSRF token is refused, even with the
    // right password.
    let r = cli
        .post("/login")
        .form(&[("email", "officer@a.kz"), ("password", PASSWORD)])
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    assert!(cookie_value(&r, "adal_session").is_none());

    let officer = sign_in(&cli, "officer@a.kz").await;
    let employee = sign_in(&cli, "employee@a.kz").await;
    let admin = sign_in(&cli, "admin@a.kz").await;
    let (a, b) = (w.a, w.b);

    let r = cli
        .get(format!("/t/{a}/overview"))
        .header("cookie", &officer)
        .send()
        .await;
    r.assert_status_is_ok();
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains("Alpha JSC"));
    // Another tenant's screens do not exist for this user.
    for p in [
        "overview",
        "risk-map",
        "findings",
        "people",
        "gifts/new",
        "declarations/new",
        "settings",
        "dataset-runs",
        "trainings/new",
        "governance/new",
        "hr-actions/new",
        "filings/00000000-0000-7000-8000-000000000000",
        "people/00000000-0000-7000-8000-000000000000",
    ] {
        cli.get(format!("/t/{b}/{p}"))
            .header("cookie", &officer)
            .send()
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    // The employee is inside the tenant but lacks the permission; the
    // settings are the tenant admin's alone.
    for (who, p) in [
        (&employee, "overview"),
        (&employee, "risk-map"),
        (&employee, "findings"),
        (&employee, "people"),
        (&employee, "org"),
        (&employee, "settings"),
        (&employee, "hr-actions"),
        (&employee, "hr-actions/new"),
        (&employee, "procurements"),
        (&employee, "imports"),
        (&employee, "dataset-runs"),
        (&employee, "governance/new"),
        (&employee, "feedback/new"),
        (&admin, "feedback/new"),
        (&officer, "settings"),
        (&officer, "imports"),
    ] {
        cli.get(format!("/t/{a}/{p}"))
            .header("cookie", who)
            .send()
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    // Not signed in: to the sign-in page.
    let r = cli.get(format!("/t/{a}/overview")).send().await;
    r.assert_status(StatusCode::SEE_OTHER);
    r.assert_header("location", "/login");

    // A POST with a session but without its token changes nothing.
    let r = cli
        .post("/password")
        .header("cookie", &officer)
        .form(&[
            ("current", PASSWORD),
            ("new", "x".repeat(20).as_str()),
            ("confirm", "x".repeat(20).as_str()),
        ])
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);
    assert!(
        cli.get(format!("/t/{a}/overview"))
            .header("cookie", &officer)
            .send()
            .await
            .0
            .status()
            .is_success()
    );

    // Every screen, in each language, free of untranslated keys.
    for lang in ["kk", "ru", "en"] {
        for (who, p) in [
            (&officer, format!("/t/{a}/overview")),
            (&officer, format!("/t/{a}/risk-map")),
            (&officer, format!("/t/{a}/findings")),
            (&officer, format!("/t/{a}/people")),
            (&officer, format!("/t/{a}/org")),
            (&officer, "/password".to_owned()),
            (&officer, format!("/t/{a}/dataset-runs")),
            (&officer, format!("/t/{a}/feedback/new")),
            (&officer, format!("/t/{a}/governance/new")),
            (&employee, format!("/t/{a}/trainings/new")),
            (&employee, format!("/t/{a}/my")),
            (&employee, format!("/t/{a}/gifts/new")),
            (&employee, format!("/t/{a}/declarations/new")),
            (&employee, format!("/t/{a}/risk-map")),
            (&admin, format!("/t/{a}/settings")),
            (&admin, format!("/t/{a}/hr-actions")),
            (&admin, format!("/t/{a}/procurements")),
            (&admin, format!("/t/{a}/imports")),
        ] {
            let r = cli
                .get(&p)
                .header("cookie", format!("{who}; adal_lang={lang}"))
                .send()
                .await;
            let html = r.0.into_body().into_string().await.unwrap();
            assert!(
                html.contains(&format!(r#"<html lang="{lang}">"#)),
                "{p} in {lang}"
            );
            assert!(!html.contains(adal_web::MISSING), "{p} in {lang}: {html}");
        }
    }
    std::fs::remove_dir_all(&w.dir).ok();
}

async fn page_of<E: Endpoint>(cli: &TestClient<E>, cookie: &str, path: &str) -> String {
    let r = cli.get(path).header("cookie", cookie).send().await;
    r.assert_status_is_ok();
    r.0.into_body().into_string().await.unwrap()
}

/// The declaration form grows rows without script, shows the domain's
/// errors by their cells and files through the API's path; the settings
/// form stores through the API's checks with an audit entry.
#[tokio::test]
async fn declaration_and_settings_forms() {
    use adal_store::entities::audit_entry;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let w = world().await;
    let cli = TestClient::new(app(&w));
    let a = w.a;
    let employee = sign_in(&cli, "employee@a.kz").await;
    let form_path = format!("/t/{a}/declarations/new");
    let html = page_of(&cli, &employee, &form_path).await;
    let csrf = csrf_in(&html);
    assert!(!html.contains(r#"name="income.1.source""#));
    let iin = adal_domain::with_check_digit("85050530001").unwrap();
    let post = |fields: Vec<(&'static str, String)>| {
        let mut all = vec![("csrf", csrf.clone()), ("person_iin", iin.clone())];
        all.extend(fields);
        cli.post(&form_path)
            .header("cookie", &employee)
            .form(&all)
            .send()
    };
    let r = post(vec![
        ("year", "2025".into()),
        ("income.0.source", "salary".into()),
        ("income.0.payer_name", "Alpha JSC".into()),
        ("income.0.amount_kzt", "100".into()),
        ("add", "income".into()),
    ])
    .await;
    r.assert_status_is_ok();
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"name="income.1.source""#), "a second row");
    assert!(html.contains(r#"value="Alpha JSC""#), "kept");
    assert!(!html.contains("form-errors"));
    let r = post(vec![
        ("year", "2025".into()),
        ("income.rows", "2".into()),
        ("income.1.source", "salary".into()),
        ("income.1.payer_name", "Alpha JSC".into()),
        ("income.1.amount_kzt", "-100".into()),
    ])
    .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"id="d-income-1-amount_kzt-error" data-field="income.1.amount_kzt""#));
    let good = || {
        post(vec![
            ("year", "2025".into()),
            ("income.1.source", "salary".into()),
            ("income.1.payer_name", "Alpha JSC".into()),
            ("income.1.amount_kzt", "7 200 000".into()),
            ("income.rows", "2".into()),
        ])
    };
    let r = good().await;
    r.assert_status(StatusCode::SEE_OTHER);
    r.assert_header("location", format!("/t/{a}/my?filed=declaration"));
    // The API's one-per-person-and-year refusal, shown on the year.
    let r = good().await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(
        html.contains(r#"id="d-year-error" data-field="year""#),
        "{html}"
    );
    // The employee's home now has the deadline, filed.
    let html = page_of(&cli, &employee, &format!("/t/{a}/my")).await;
    assert!(html.contains(r#"id="deadline-table""#));

    let admin = sign_in(&cli, "admin@a.kz").await;
    let settings = format!("/t/{a}/settings");
    let html = page_of(&cli, &admin, &settings).await;
    let csrf = csrf_in(&html);
    // The defaults: four MCI years and a blank row.
    assert!(html.contains(r#"name="mci.rows" value="5""#), "{html}");
    let save = |year: &'static str, value: &'static str| {
        cli.post(&settings)
            .header("cookie", &admin)
            .form(&[
                ("csrf", csrf.as_str()),
                ("alert_threshold", "medium"),
                ("alert_emails", "ethics@a.kz"),
                ("mci.rows", "1"),
                ("mci.0.year", year),
                ("mci.0.value", value),
                ("due.rows", "1"),
                ("due.0.year", "2025"),
                ("due.0.value", "2026-04-30"),
            ])
            .send()
    };
    let r = save("2026", "zero").await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"id="s-mci-0-value-error""#));
    let r = save("2026", "4 400").await;
    r.assert_status(StatusCode::SEE_OTHER);
    let stored = tenants::settings_of(
        &tenants::get(&w.state.store, TenantId::from_uuid(a))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        stored.mci_by_year.get(&2026).map(String::as_str),
        Some("4400.00")
    );
    assert_eq!(stored.alert_threshold, "medium");
    assert_eq!(
        stored.declaration_due(2025).unwrap().to_string(),
        "2026-04-30"
    );
    let audited = audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(a))
        .filter(audit_entry::Column::Action.eq("tenant.settings"))
        .all(&w.state.store.connection())
        .await
        .unwrap();
    assert_eq!(audited.len(), 1);
    // The employee's deadline follows the new date.
    let html = page_of(&cli, &employee, &format!("/t/{a}/my")).await;
    assert!(html.contains("30.04.2026"), "{html}");
    // The days to answer a feedback report: preset to the value in force,
    // a bad value refused beside its input with what was typed kept.
    let html = page_of(&cli, &admin, &settings).await;
    assert!(
        html.contains(r#"name="feedback_answer_days" value="15""#),
        "{html}"
    );
    let days = |d: &'static str| {
        cli.post(&settings)
            .header("cookie", &admin)
            .form(&[
                ("csrf", csrf.as_str()),
                ("alert_threshold", "medium"),
                ("alert_emails", "ethics@a.kz"),
                ("feedback_answer_days", d),
                ("mci.rows", "1"),
                ("mci.0.year", "2026"),
                ("mci.0.value", "4400"),
            ])
            .send()
    };
    for bad in ["0", "366", "ten", "", "-3"] {
        let r = days(bad).await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.0.into_body().into_string().await.unwrap();
        assert!(
            html.contains(r#"id="s-feedback_answer_days-error""#),
            "{bad}: {html}"
        );
        assert!(html.contains(&format!(r#"name="feedback_answer_days" value="{bad}""#)));
    }
    days(" 30 ").await.assert_status(StatusCode::SEE_OTHER);
    let stored = tenants::settings_of(
        &tenants::get(&w.state.store, TenantId::from_uuid(a))
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(stored.feedback_answer_days(), 30);
    let html = page_of(&cli, &admin, &settings).await;
    assert!(html.contains(r#"name="feedback_answer_days" value="30""#));
    std::fs::remove_dir_all(&w.dir).ok();
}

/// The dataset-runs screen queues a manual run for the officer only and
/// lists it; the training, feedback and governance forms show the
/// domain's errors beside their fields and file through the API's path.
#[tokio::test]
async fn dataset_runs_and_culture_forms() {
    let w = world().await;
    let cli = TestClient::new(app(&w));
    let a = w.a;
    let officer = sign_in(&cli, "officer@a.kz").await;
    let admin = sign_in(&cli, "admin@a.kz").await;
    let employee = sign_in(&cli, "employee@a.kz").await;
    let runs = format!("/t/{a}/dataset-runs");

    // The officer sees the link and the button; the admin only reads.
    let html = page_of(&cli, &officer, &format!("/t/{a}/overview")).await;
    assert!(html.contains(&format!(r#"href="{runs}""#)));
    let html = page_of(&cli, &officer, &runs).await;
    assert!(html.contains(r#"id="no-runs""#));
    let csrf = csrf_in(&html);
    let html = page_of(&cli, &admin, &runs).await;
    assert!(
        !html.contains(r#"id="request-run""#),
        "read-only for the admin"
    );
    // Without the token nothing is queued; the admin may not ask.
    cli.post(&runs)
        .header("cookie", &officer)
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let admin_csrf = csrf_in(&page_of(&cli, &admin, &format!("/t/{a}/settings")).await);
    cli.post(&runs)
        .header("cookie", &admin)
        .form(&[("csrf", admin_csrf.as_str())])
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert!(
        adal_store::dataset::list(&w.state.store, TenantId::from_uuid(a), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let r = cli
        .post(&runs)
        .header("cookie", &officer)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    r.assert_header("location", runs.as_str());
    let listed = adal_store::dataset::list(&w.state.store, TenantId::from_uuid(a), 10)
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].trigger, adal_store::dataset::MANUAL);
    for (lang, trigger) in [("en", "Manual"), ("ru", "Вручную")] {
        let html = page_of(&cli, &format!("{officer}; adal_lang={lang}"), &runs).await;
        assert!(
            html.contains(&format!(r#"data-run="{}""#, listed[0].id)),
            "{html}"
        );
        assert!(html.contains(trigger), "{lang}");
        assert!(html.contains(&listed[0].requested_at.format("%d.%m.%Y").to_string()));
    }

    // A training with a bad IIN and too many hours: errors by the fields.
    let training = format!("/t/{a}/trainings/new");
    let html = page_of(&cli, &employee, &training).await;
    assert!(html.contains("f-topic-anti_corruption"));
    let csrf = csrf_in(&html);
    let iin = adal_domain::with_check_digit("85050530001").unwrap();
    let post = |iin: String, hours: &'static str| {
        cli.post(&training)
            .header("cookie", &employee)
            .form(&[
                ("csrf", csrf.clone()),
                ("person_iin", iin),
                ("full_name", "Nurlan Abenov".into()),
                ("course", "Basics".into()),
                ("topic", "anti_corruption".into()),
                ("completed_on", "2026-03-01".into()),
                ("provider", String::new()),
                ("hours", hours.into()),
            ])
            .send()
    };
    let r = post("123456789012".into(), "900").await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"data-pointer="/person_iin""#), "{html}");
    assert!(!html.contains(adal_web::MISSING), "{html}");
    let r = post(iin.clone(), "900").await;
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"data-pointer="/hours""#), "{html}");
    assert!(!html.contains(r#"data-pointer="/person_iin""#));
    let r = post(iin.clone(), "8").await;
    r.assert_status(StatusCode::SEE_OTHER);
    r.assert_header("location", format!("/t/{a}/my?filed=training"));
    // The same training again: the service refuses a second record of
    // the same person, topic and day (409 at the API), and the form says
    // so beside the day, in the visitor's language; before, a 500 page.
    let r = post(iin.clone(), "8").await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(
        html.contains(r#"data-pointer="/completed_on" data-codes="record.duplicate""#),
        "{html}"
    );
    assert!(!html.contains(adal_web::MISSING), "{html}");
    assert!(!html.contains(r#"id="error""#), "{html}");
    // An employee whose account is a person on file files only for
    // themselves (422 at the API); the form says so beside the IIN.
    let me = users::find_by_email(&w.state.store, "employee@a.kz")
        .await
        .unwrap()
        .unwrap();
    users::update(
        &w.state.store,
        TenantId::from_uuid(a),
        "test",
        me.id,
        users::UserChange {
            person_iin: Some(Some(adal_domain::with_check_digit("90010130002").unwrap())),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let r = post(adal_domain::with_check_digit("91020230003").unwrap(), "8").await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(
        html.contains(r#"data-pointer="/person_iin" data-codes="record.not_yours""#),
        "{html}"
    );
    assert!(!html.contains(adal_web::MISSING), "{html}");

    // Feedback: an answer dated before the report is refused at its date.
    let feedback = format!("/t/{a}/feedback/new");
    let csrf = csrf_in(&page_of(&cli, &officer, &feedback).await);
    let post = |answered_on: &'static str| {
        cli.post(&feedback)
            .header("cookie", &officer)
            .form(&[
                ("csrf", csrf.as_str()),
                ("receipt_code", "HL-2026-7"),
                ("channel", "hotline"),
                ("category", "corruption_report"),
                ("received_on", "2026-03-10"),
                ("summary", "A bribe asked for at the depot"),
                ("answered_on", answered_on),
                ("answer_summary", "Checked and passed on"),
            ])
            .send()
    };
    let r = post("2026-03-01").await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"data-pointer="/answered_on""#), "{html}");
    let r = post("2026-03-20").await;
    r.assert_status(StatusCode::SEE_OTHER);
    r.assert_header("location", format!("/t/{a}/my?filed=feedback"));

    // Governance, by the admin: an unknown measure, then a good one.
    let governance = format!("/t/{a}/governance/new");
    let csrf = csrf_in(&page_of(&cli, &admin, &governance).await);
    let post = |event: &'static str| {
        cli.post(&governance)
            .header("cookie", &admin)
            .form(&[
                ("csrf", csrf.as_str()),
                ("event", event),
                ("on", "2026-02-12"),
                ("document", "Order No. 45 of 12.02.2026"),
                ("note", ""),
            ])
            .send()
    };
    let r = post("party_thrown").await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"data-pointer="/event""#), "{html}");
    let r = post("policy_adopted").await;
    r.assert_status(StatusCode::SEE_OTHER);
    let (rows, _) = adal_store::submissions::list(
        &w.state.store,
        TenantId::from_uuid(a),
        &adal_store::submissions::ReadScope::WholeTenant,
        &adal_store::submissions::SubmissionFilter::default(),
        0,
        50,
    )
    .await
    .unwrap();
    let mut kinds: Vec<&str> = rows.iter().map(|s| s.kind.as_str()).collect();
    kinds.sort_unstable();
    assert_eq!(kinds, ["feedback_report", "governance", "training"]);
    let html = page_of(
        &cli,
        &format!("{employee}; adal_lang=en"),
        &format!("/t/{a}/my?filed=training"),
    )
    .await;
    assert!(html.contains("Your training has been recorded."));
    std::fs::remove_dir_all(&w.dir).ok();
}

/// A library of two rules, one with a declared parameter.
fn library() -> adal_store::rules::Library {
    use adal_sandbox_protocol::Severity;
    use adal_sandbox_protocol::params::{ParamSpec, ParamType};
    use adal_store::rules::RuleDefinition;
    let rule = |id: &str, area: &str| RuleDefinition {
        id: id.into(),
        title: format!("Rule {id}"),
        area: area.into(),
        guideline_section: None,
        kinds: vec!["gift".into()],
        severity: Severity::Medium,
        likelihood: 3,
        impact: 4,
        params: Default::default(),
        script: "()".into(),
        declared: Default::default(),
        fixtures: Vec::new(),
    };
    let mut limit = rule("gift-over-mci-limit", "conflict_of_interest");
    limit.declared.insert(
        "limit_mci".into(),
        ParamSpec {
            ty: ParamType::Integer,
            default: serde_json::json!(2),
            unit: Some("MCI".into()),
            description: None,
            min: Some(serde_json::json!(1)),
            max: Some(serde_json::json!(1000)),
        },
    );
    limit
        .params
        .insert("limit_mci".into(), serde_json::json!(2));
    limit.guideline_section = Some("Conflict of interest: gifts".into());
    adal_store::rules::Library {
        version: "2026.1".into(),
        rules: vec![limit, rule("other-rule", "gifts")],
    }
}

/// The rule editor: the adopted standard for readers, the parameters form
/// and the rule form for the compliance officer only, refusals beside
/// their inputs, drafts' pages with dry run and activation. No sandbox
/// runs here: what needs one says it is unavailable (the browser test
/// runs the real thing).
#[tokio::test]
async fn rule_editor() {
    use adal_store::rules;
    let mut w = world().await;
    w.state.library = Arc::new(library());
    let lib = library();
    let a = w.a;
    let store = w.state.store.clone();
    let officer_id = users::find_by_email(&store, "officer@a.kz")
        .await
        .unwrap()
        .unwrap()
        .id;
    let adoption = rules::Adoption {
        disabled: [("other-rule".to_owned(), "not our business".to_owned())].into(),
        ..Default::default()
    };
    let enabled: Vec<_> = lib.rules[..1].to_vec();
    let new_draft = || {
        rules::create_version_from(
            &store,
            TenantId::from_uuid(a),
            officer_id,
            &enabled,
            Some((&lib.version, &adoption)),
        )
    };
    new_draft().await.unwrap();
    rules::activate(&store, TenantId::from_uuid(a), "test", 1)
        .await
        .unwrap();
    let cli = TestClient::new(app(&w));
    let officer = sign_in(&cli, "officer@a.kz").await;
    let employee = sign_in(&cli, "employee@a.kz").await;
    let admin = sign_in(&cli, "admin@a.kz").await;
    let other = sign_in(&cli, "officer@b.kz").await;
    let base = format!("/t/{a}/rules");

    // The standard: rules by area with their parameters and units, the
    // disabled rule with its reason, the versions.
    let html = page_of(&cli, &officer, &base).await;
    assert!(html.contains(r#"data-area="conflict_of_interest""#));
    assert!(html.contains(r#"data-rule="gift-over-mci-limit""#));
    assert!(html.contains("limit_mci") && html.contains("MCI"));
    assert!(html.contains("3 × 4"));
    assert!(html.contains("not our business"));
    assert!(html.contains(r#"<td class="guideline">Conflict of interest: gifts</td>"#));
    assert!(html.contains(r#"data-version="1" data-status="active""#));
    // The officer may leave a rule out and enable the left-out one again.
    assert!(html.contains(r#"id="disable-submit""#));
    assert!(html.contains(r#"id="enable-other-rule""#));
    assert!(html.contains(r#"id="edit-parameters""#) && html.contains(r#"id="write-rule""#));
    assert!(
        html.contains(&format!(r#"href="/t/{a}/rules""#)),
        "in the menu"
    );
    // The tenant admin reads it without forms; the employee gets 403,
    // another tenant's officer 404.
    let html = page_of(&cli, &admin, &base).await;
    assert!(!html.contains(r#"id="edit-parameters""#));
    assert!(
        !html.contains("<form method=\"post\" action=\"/t/"),
        "no forms"
    );
    assert!(html.contains("not our business"));
    for (who, p, status) in [
        (&admin, "/parameters", StatusCode::FORBIDDEN),
        (&admin, "/new", StatusCode::FORBIDDEN),
        (&employee, "", StatusCode::FORBIDDEN),
        (&employee, "/parameters", StatusCode::FORBIDDEN),
        (&employee, "/new", StatusCode::FORBIDDEN),
        (&employee, "/v/1", StatusCode::FORBIDDEN),
        (&other, "", StatusCode::NOT_FOUND),
        (&other, "/v/1", StatusCode::NOT_FOUND),
        (&officer, "/v/9", StatusCode::NOT_FOUND),
    ] {
        cli.get(format!("{base}{p}"))
            .header("cookie", who)
            .send()
            .await
            .assert_status(status);
    }
    let html = page_of(&cli, &employee, &format!("/t/{a}/my")).await;
    assert!(!html.contains(&format!(r#"href="/t/{a}/rules""#)));

    // Parameters: a value below the minimum is refused beside its input
    // and nothing is stored.
    let form_path = format!("{base}/parameters");
    let html = page_of(&cli, &officer, &form_path).await;
    assert!(html.contains(r#"name="p.gift-over-mci-limit.limit_mci" value="2""#));
    assert!(
        !html.contains("p.other-rule."),
        "a disabled rule has no inputs"
    );
    // A library rule's parameter is labelled and explained in plain words
    // in the reader's language, its name beside.
    let en = page_of(&cli, &format!("{officer}; adal_lang=en"), &form_path).await;
    assert!(
        en.contains("Gift limit <small><code>limit_mci</code></small>"),
        "{en}"
    );
    assert!(en.contains("monthly calculation indices"));
    let ru = page_of(&cli, &format!("{officer}; adal_lang=ru"), &form_path).await;
    assert!(ru.contains("Предел стоимости подарка <small><code>limit_mci</code></small>"));
    assert!(ru.contains("месячных расчётных показателях"));
    assert!(ru.contains("(МРП)") && !ru.contains("(MCI)"));
    assert!(!ru.contains("Gift limit"));
    // The standard's table says what each library rule looks for, in the
    // reader's language.
    let ru = page_of(&cli, &format!("{officer}; adal_lang=ru"), &base).await;
    let description = adal_texts::rule_text("ru", "gift-over-mci-limit", "description").unwrap();
    assert!(ru.contains(&description), "{ru}");
    let csrf = csrf_in(&html);
    let post = |fields: Vec<(&'static str, String)>, with_csrf: bool| {
        let mut all = fields;
        if with_csrf {
            all.push(("csrf", csrf.clone()));
        }
        cli.post(&form_path)
            .header("cookie", &officer)
            .form(&all)
            .send()
    };
    let r = post(vec![("p.gift-over-mci-limit.limit_mci", "0".into())], true).await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    let input = html
        .find(r#"name="p.gift-over-mci-limit.limit_mci" value="0""#)
        .unwrap();
    let error = html
        .find(r#"id="f-gift-over-mci-limit-limit_mci-error""#)
        .unwrap();
    assert!(input < error);
    // In Kazakh, the language of a browser that asks for none.
    assert!(html.contains("Рұқсат етілген ауқымнан тыс"));
    post(vec![("p.gift-over-mci-limit.limit_mci", "5".into())], false)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // A good value needs the sandbox to compile the version: down here,
    // and the page says so.
    let r = post(vec![("p.gift-over-mci-limit.limit_mci", "5".into())], true).await;
    r.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"data-error="unavailable""#));
    assert_eq!(
        rules::list_versions(&store, TenantId::from_uuid(a))
            .await
            .unwrap()
            .len(),
        1
    );

    // Leaving a rule out and enabling one again: each refusal by its
    // input, never a 500; a good choice needs the sandbox, down here.
    let choose = |action: &'static str, fields: Vec<(&'static str, &'static str)>, who: &String| {
        let mut all: Vec<(&str, String)> =
            fields.into_iter().map(|(k, v)| (k, v.to_owned())).collect();
        all.push(("csrf", csrf.clone()));
        cli.post(format!("{base}/{action}"))
            .header("cookie", who)
            .form(&all)
            .send()
    };
    for (action, fields, expected) in [
        (
            "disable",
            vec![("rule", "gift-over-mci-limit"), ("reason", "  ")],
            r#"id="d-reason-error""#,
        ),
        (
            "disable",
            vec![("rule", "no-such-rule"), ("reason", "r")],
            r#"id="d-rule-error""#,
        ),
        (
            "disable",
            vec![("rule", ""), ("reason", "r")],
            r#"id="d-rule-error""#,
        ),
        (
            "disable",
            vec![("rule", "other-rule"), ("reason", "r")],
            r#"id="d-rule-error""#,
        ),
        (
            "enable",
            vec![("rule", "gift-over-mci-limit")],
            r#"id="enable-error""#,
        ),
        (
            "enable",
            vec![("rule", "no-such-rule")],
            r#"id="enable-error""#,
        ),
    ] {
        let r = choose(action, fields.clone(), &officer).await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.0.into_body().into_string().await.unwrap();
        assert!(html.contains(expected), "{action} {fields:?}: {html}");
        assert!(!html.contains("⚠MISSING"), "{html}");
    }
    // What was typed stays; the API's reason is in Kazakh.
    let r = choose(
        "disable",
        vec![("rule", "gift-over-mci-limit"), ("reason", "")],
        &officer,
    )
    .await;
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(
        html.contains(r#"<option value="gift-over-mci-limit" selected>"#),
        "{html}"
    );
    assert!(html.contains("Ережені алып тастау себебін көрсетіңіз."));
    let r = choose(
        "disable",
        vec![("rule", "gift-over-mci-limit"), ("reason", "no gifts here")],
        &officer,
    )
    .await;
    // The other rule is left out already: a version needs one rule.
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"id="d-rule-error""#));
    assert!(html.contains("Нұсқада кемінде бір ереже болуы керек."));
    assert!(html.contains(">no gifts here</textarea>"));
    let r = choose("enable", vec![("rule", "other-rule")], &officer).await;
    r.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"data-error="unavailable""#));
    // Only with rule_sets/write, and only with the session's token.
    let admin_csrf = csrf_in(&page_of(&cli, &admin, &base).await);
    cli.post(format!("{base}/enable"))
        .header("cookie", &admin)
        .form(&[("rule", "other-rule"), ("csrf", admin_csrf.as_str())])
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    cli.post(format!("{base}/enable"))
        .header("cookie", &officer)
        .form(&[("rule", "other-rule")])
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        rules::list_versions(&store, TenantId::from_uuid(a))
            .await
            .unwrap()
            .len(),
        1
    );

    // Writing a rule: the API's checks by their inputs, a TOML error at
    // its line.
    let new_path = format!("{base}/new");
    let html = page_of(&cli, &officer, &new_path).await;
    let csrf = csrf_in(&html);
    let r = cli
        .post(&new_path)
        .header("cookie", &officer)
        .form(&[
            ("csrf", csrf.as_str()),
            ("action", "check"),
            ("id", "Bad Id"),
            ("title", "t"),
            ("area", "gifts"),
            ("kind.gift", "on"),
            ("severity", "high"),
            ("likelihood", "3"),
            ("impact", "3"),
            ("script", "true"),
            ("fixtures", "[[fixtures]]\nname = \"x\"\nexpect =\n"),
        ])
        .send()
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"id="r-id-error""#), "{html}");
    assert!(html.contains(r#"id="r-fixtures-error""#));
    assert!(html.contains(r#"data-line="3""#));
    assert!(html.contains(r#"value="Bad Id""#), "what was typed stays");

    // A draft's page: dry run and activation for the officer, neither for
    // the admin; a refused activation is shown on the page.
    new_draft().await.unwrap();
    let v2 = format!("{base}/v/2");
    let html = page_of(&cli, &officer, &v2).await;
    assert!(html.contains(r#"id="dry-run-form""#) && html.contains(r#"id="activate-form""#));
    let csrf = csrf_in(&html);
    let html = page_of(&cli, &admin, &v2).await;
    assert!(!html.contains(r#"id="dry-run-form""#) && !html.contains(r#"id="activate-form""#));
    let r = cli
        .post(format!("{v2}/dry-run"))
        .header("cookie", &officer)
        .form(&[("csrf", csrf.as_str()), ("submissions", "lots")])
        .send()
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.0.into_body()
            .into_string()
            .await
            .unwrap()
            .contains(r#"id="rules-refused""#)
    );
    for action in ["dry-run", "activate"] {
        cli.post(format!("{v2}/{action}"))
            .header("cookie", &admin)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .assert_status(StatusCode::FORBIDDEN);
    }
    // Without the answer to its question, "Activate" only asks: which
    // version replaces which, and the form that answers it.
    let r = cli
        .post(format!("{v2}/activate"))
        .header("cookie", &officer)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await;
    r.assert_status_is_ok();
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"id="activate-confirm-form""#), "{html}");
    assert!(
        html.contains(r#"data-version="2" data-replaces="1""#),
        "{html}"
    );
    assert!(html.contains(r#"<input type="hidden" name="confirm" value="1">"#));
    assert!(!html.contains(r#"id="activate-form""#));
    assert!(!html.contains(adal_web::MISSING), "{html}");
    let still = rules::active_version(&store, TenantId::from_uuid(a))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(still.version, 1, "asking activates nothing");
    let r = cli
        .post(format!("{v2}/activate"))
        .header("cookie", &officer)
        .form(&[("csrf", csrf.as_str()), ("confirm", "1")])
        .send()
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.0.into_body()
            .into_string()
            .await
            .unwrap()
            .contains(r#"data-error="unavailable""#)
    );
    let active = rules::active_version(&store, TenantId::from_uuid(a))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(active.version, 1, "still the first version");

    // Every editor page in each language, free of untranslated keys.
    for lang in ["kk", "ru", "en"] {
        for (who, p) in [
            (&officer, base.clone()),
            (&officer, form_path.clone()),
            (&officer, new_path.clone()),
            (&officer, v2.clone()),
            (&admin, base.clone()),
        ] {
            let html = page_of(&cli, &format!("{who}; adal_lang={lang}"), &p).await;
            assert!(
                html.contains(&format!(r#"<html lang="{lang}">"#)),
                "{p} in {lang}"
            );
            assert!(!html.contains(adal_web::MISSING), "{p} in {lang}: {html}");
        }
    }
    std::fs::remove_dir_all(&w.dir).ok();
}

/// The tenant admin's forms go through the API's checks: errors beside
/// their inputs with what was typed kept, a role change takes effect at
/// once, a disabled account is signed out everywhere and cannot sign in,
/// an admin cannot demote or disable themselves, departments cannot be
/// nested inside themselves, and nobody else reaches these forms.
#[tokio::test]
async fn tenant_admin_edits_accounts_departments_positions() {
    let w = world().await;
    let cli = TestClient::new(app(&w));
    let a = w.a;
    let store = &w.state.store;
    let admin = sign_in(&cli, "admin@a.kz").await;
    let employee = sign_in(&cli, "employee@a.kz").await;
    let csrf = csrf_in(&page_of(&cli, &admin, &format!("/t/{a}/people")).await);

    // Nobody but the admin reaches these forms; another tenant is 404.
    for path in ["users/new", "departments/new", "positions/new"] {
        let r = cli
            .get(format!("/t/{a}/{path}"))
            .header("cookie", &employee)
            .send()
            .await;
        r.assert_status(StatusCode::FORBIDDEN);
        let r = cli
            .get(format!("/t/{}/{path}", w.b))
            .header("cookie", &admin)
            .send()
            .await;
        r.assert_status(StatusCode::NOT_FOUND);
    }
    let emp_csrf = csrf_in(&page_of(&cli, &employee, &format!("/t/{a}/my")).await);
    let r = cli
        .post(format!("/t/{a}/departments/new"))
        .header("cookie", &employee)
        .form(&[("csrf", emp_csrf.as_str()), ("name", "Shadow")])
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);

    // A department, a sub-department, and a loop refused.
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let mut all = vec![("csrf", csrf.clone())];
        all.extend(fields);
        cli.post(path).header("cookie", &admin).form(&all).send()
    };
    let r = post(
        format!("/t/{a}/departments/new"),
        vec![("name", "  ".into())],
    )
    .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"id="f-name-error""#), "{html}");
    post(
        format!("/t/{a}/departments/new"),
        vec![("name", "Procurement".into())],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let top = adal_store::org::list_departments(store, TenantId::from_uuid(a))
        .await
        .unwrap()[0]
        .id;
    post(
        format!("/t/{a}/departments/new"),
        vec![("name", "Tenders".into()), ("parent_id", top.to_string())],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let deps = adal_store::org::list_departments(store, TenantId::from_uuid(a))
        .await
        .unwrap();
    let sub = deps.iter().find(|d| d.name == "Tenders").unwrap();
    assert_eq!(sub.parent_id, Some(top));
    let r = post(
        format!("/t/{a}/departments/{top}"),
        vec![
            ("name", "Procurement".into()),
            ("parent_id", sub.id.to_string()),
        ],
    )
    .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"id="f-parent_id-error""#), "{html}");
    // In Kazakh, the default language: the cycle is explained, not a generic error.
    assert!(html.contains("бағынысты бөлімшесіне"), "{html}");
    assert_eq!(
        adal_store::org::get_department(store, TenantId::from_uuid(a), top)
            .await
            .unwrap()
            .parent_id,
        None,
        "nothing stored"
    );
    post(
        format!("/t/{a}/departments/{}", sub.id),
        vec![
            ("name", "Tender board".into()),
            ("parent_id", String::new()),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let moved = adal_store::org::get_department(store, TenantId::from_uuid(a), sub.id)
        .await
        .unwrap();
    assert_eq!(
        (moved.name.as_str(), moved.parent_id),
        ("Tender board", None)
    );

    // A position, then edited onto the high-risk list.
    let r = post(
        format!("/t/{a}/positions/new"),
        vec![
            ("title", "Buyer".into()),
            ("department_id", sub.id.to_string()),
            ("risk_level", "9".into()),
        ],
    )
    .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"id="f-risk_level-error""#));
    assert!(html.contains(r#"value="Buyer""#), "what was typed is kept");
    post(
        format!("/t/{a}/positions/new"),
        vec![
            ("title", "Buyer".into()),
            ("department_id", sub.id.to_string()),
            ("risk_level", "3".into()),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let p = adal_store::org::list_positions(store, TenantId::from_uuid(a))
        .await
        .unwrap()[0]
        .clone();
    assert!(!p.high_risk);
    post(
        format!("/t/{a}/positions/{}", p.id),
        vec![
            ("title", "Senior buyer".into()),
            ("department_id", sub.id.to_string()),
            ("risk_level", "5".into()),
            ("high_risk", "true".into()),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let p2 = adal_store::org::get_position(store, TenantId::from_uuid(a), p.id)
        .await
        .unwrap();
    assert_eq!(
        (p2.title.as_str(), p2.risk_level, p2.high_risk),
        ("Senior buyer", 5, true)
    );

    // A new account: errors by their inputs, then created with its role.
    let r = post(
        format!("/t/{a}/users/new"),
        vec![
            ("email", "not-an-address".into()),
            ("display_name", "Dana".into()),
            ("password", "short".into()),
            ("role", "employee".into()),
            ("person_iin", "123".into()),
        ],
    )
    .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    for f in ["email", "password", "person_iin"] {
        assert!(
            html.contains(&format!(r#"id="f-{f}-error""#)),
            "{f}: {html}"
        );
    }
    assert!(html.contains(r#"value="Dana""#));
    post(
        format!("/t/{a}/users/new"),
        vec![
            ("email", "dana@a.kz".into()),
            ("display_name", "Dana".into()),
            ("password", PASSWORD.into()),
            ("role", "employee".into()),
            ("position_id", p.id.to_string()),
        ],
    )
    .await
    .assert_status(StatusCode::SEE_OTHER);
    let dana = users::find_by_email(store, "dana@a.kz")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(dana.position_id, Some(p.id));
    let dana_session = sign_in(&cli, "dana@a.kz").await;
    let findings = format!("/t/{a}/findings");
    let r = cli
        .get(&findings)
        .header("cookie", &dana_session)
        .send()
        .await;
    r.assert_status(StatusCode::FORBIDDEN);

    // Promoted to compliance officer: the findings open at once.
    let edit = |role: &str, disabled: bool| {
        let mut f = vec![
            ("display_name", "Dana".to_owned()),
            ("role", role.to_owned()),
            ("position_id", p.id.to_string()),
        ];
        if disabled {
            f.push(("disabled", "true".into()));
        }
        post(format!("/t/{a}/users/{}", dana.id), f)
    };
    edit("compliance_officer", false)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let r = cli
        .get(&findings)
        .header("cookie", &dana_session)
        .send()
        .await;
    r.assert_status_is_ok();
    let people = page_of(&cli, &admin, &format!("/t/{a}/people?saved=1")).await;
    assert!(people.contains(r#"id="admin-saved""#));
    assert!(people.contains(r#"data-role="compliance_officer""#));

    // Disabled: the open session stops working, and signing in fails.
    edit("compliance_officer", true)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let r = cli
        .get(&findings)
        .header("cookie", &dana_session)
        .send()
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let r = cli.get("/login").send().await;
    let pre = cookie_value(&r, "adal_pre").unwrap();
    let login_csrf = csrf_in(&r.0.into_body().into_string().await.unwrap());
    let r = cli
        .post("/login")
        .header("cookie", format!("adal_pre={pre}"))
        .form(&[
            ("csrf", login_csrf.as_str()),
            ("email", "dana@a.kz"),
            ("password", PASSWORD),
        ])
        .send()
        .await;
    // The answer of a wrong password: no hint that the account exists.
    r.assert_status(StatusCode::UNAUTHORIZED);
    assert!(cookie_value(&r, "adal_session").is_none());
    assert!(
        page_of(&cli, &admin, &format!("/t/{a}/people"))
            .await
            .contains(r#"data-disabled="true""#)
    );

    // The admin cannot demote or disable themselves.
    let me = users::find_by_email(store, "admin@a.kz")
        .await
        .unwrap()
        .unwrap();
    let r = post(
        format!("/t/{a}/users/{}", me.id),
        vec![
            ("display_name", "Admin".into()),
            ("role", "employee".into()),
            ("disabled", "true".into()),
        ],
    )
    .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"id="f-role-error""#) && html.contains(r#"id="f-disabled-error""#));
    let still = users::get(store, TenantId::from_uuid(a), me.id)
        .await
        .unwrap();
    assert_eq!(still.role, "tenant_admin");
    assert!(still.disabled_at.is_none());

    // Every change is audited, with the admin as the actor.
    use adal_store::entities::audit_entry;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(a))
        .all(&store.connection())
        .await
        .unwrap();
    for action in ["user.update", "department.update", "position.update"] {
        let e = entries.iter().find(|e| e.action == action).unwrap();
        assert_eq!(e.actor, me.id.to_string(), "{action}");
    }
}

/// The code an authenticator app shows for `secret` now.
fn totp_now(secret: &str) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let t = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    t.generate(u64::try_from(chrono::Utc::now().timestamp()).unwrap())
        .to_string()
}

/// Text between `start` and the next `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html.find(start).expect("the marker in the page") + start.len();
    let rest = &html[at..];
    &rest[..rest.find(end).unwrap()]
}

/// Issue 12's second factor on the dashboard: an organisation that
/// requires it sends its officer to `/second-factor` from every tenant
/// page; the officer enrols (a wrong code keeps the secret on screen),
/// sees the recovery codes once, and from then on signing in asks for a
/// code: none or a wrong one gives the form again (401), a recovery code
/// works once. The employee, whose role is not covered, is not stopped.
#[tokio::test]
async fn second_factor_required_enrolled_and_asked_at_sign_in() {
    let w = world().await;
    let cli = TestClient::new(app(&w));
    let tenant = adal_store::tenants::get(&w.state.store, TenantId::from_uuid(w.a))
        .await
        .unwrap();
    let mut settings = adal_store::tenants::settings_of(&tenant).unwrap();
    settings.require_second_factor = Some(true);
    adal_store::tenants::update_settings(
        &w.state.store,
        TenantId::from_uuid(w.a),
        "test",
        &settings,
    )
    .await
    .unwrap();

    let employee = sign_in(&cli, "employee@a.kz").await;
    let r = cli
        .get(format!("/t/{}/gifts/new", w.a))
        .header("cookie", &employee)
        .send()
        .await;
    r.assert_status_is_ok();

    let officer = sign_in(&cli, "officer@a.kz").await;
    let r = cli
        .get(format!("/t/{}/findings", w.a))
        .header("cookie", &officer)
        .send()
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(r.0.headers().get("location").unwrap(), "/second-factor");

    let page = page_of(&cli, &officer, "/second-factor").await;
    assert!(page.contains(r#"id="second-factor-required""#), "{page}");
    assert!(page.contains(r#"data-enabled="false""#));
    let csrf = csrf_in(&page);
    let post = |fields: Vec<(&'static str, String)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields);
        cli.post("/second-factor")
            .header("cookie", &officer)
            .form(&form)
            .send()
    };
    let r = post(vec![("action", "begin".into())]).await;
    r.assert_status_is_ok();
    let page = r.0.into_body().into_string().await.unwrap();
    let secret = between(&page, r#"id="second-factor-secret">"#, "<").to_owned();
    assert_eq!(secret.len(), 32, "{secret}");

    // A wrong code: 422, the message, the same secret still shown.
    let r = post(vec![
        ("action", "confirm".into()),
        ("code", "000000".into()),
    ])
    .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.0.into_body().into_string().await.unwrap();
    assert!(page.contains(&secret));
    assert!(page.contains(r#"role="alert""#));

    let r = post(vec![
        ("action", "confirm".into()),
        ("code", totp_now(&secret)),
    ])
    .await;
    r.assert_status_is_ok();
    let page = r.0.into_body().into_string().await.unwrap();
    let codes = between(&page, r#"id="recovery-codes">"#, "</ul>");
    let recovery = between(codes, "<code>", "</code>").to_owned();
    assert_eq!(codes.matches("<li>").count(), 10);
    assert!(page.contains(r#"data-enabled="true""#));

    // Enrolled: the tenant pages open; a second visit shows no codes.
    page_of(&cli, &officer, &format!("/t/{}/findings", w.a)).await;
    let page = page_of(&cli, &officer, "/second-factor").await;
    assert!(!page.contains(&recovery));

    // Signing in now needs a code.
    let login = |code: Option<String>| {
        let cli = &cli;
        async move {
            let r = cli.get("/login").send().await;
            let pre = cookie_value(&r, "adal_pre").unwrap();
            let csrf = csrf_in(&r.0.into_body().into_string().await.unwrap());
            let mut form = vec![
                ("csrf", csrf),
                ("email", "officer@a.kz".to_owned()),
                ("password", PASSWORD.to_owned()),
            ];
            if let Some(c) = code {
                form.push(("code", c));
            }
            cli.post("/login")
                .header("cookie", format!("adal_pre={pre}"))
                .form(&form)
                .send()
                .await
        }
    };
    let r = login(None).await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    assert!(cookie_value(&r, "adal_session").is_none());
    let page = r.0.into_body().into_string().await.unwrap();
    assert!(
        page.contains(r#"value="officer@a.kz""#),
        "the email is kept"
    );
    let r = login(Some("111111".into())).await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    let r = login(Some(recovery.to_uppercase())).await;
    r.assert_status(StatusCode::SEE_OTHER);
    assert!(cookie_value(&r, "adal_session").is_some());
    let r = login(Some(recovery.clone())).await;
    r.assert_status(StatusCode::UNAUTHORIZED);

    // Every page of it is translated.
    for lang in ["kk", "ru"] {
        let r = cli
            .get("/second-factor")
            .header("cookie", format!("{officer}; adal_lang={lang}"))
            .send()
            .await;
        r.assert_status_is_ok();
        let page = r.0.into_body().into_string().await.unwrap();
        assert!(page.contains(&format!(r#"<html lang="{lang}">"#)));
        assert!(!page.contains(adal_web::MISSING), "{lang}: {page}");
    }
    std::fs::remove_dir_all(&w.dir).ok();
}

/// An account linked to a person gets the declaration form with their
/// IIN filled in and the open reporting year; once they have filed for
/// it, the form says so and presets no year (issue 16: "the declaration
/// form presets a year already filed; the IIN is not prefilled").
#[tokio::test]
async fn the_declaration_form_knows_whose_it_is_and_what_was_filed() {
    let w = world().await;
    let cli = TestClient::new(app(&w));
    let a = w.a;
    let iin = adal_domain::with_check_digit("86060640002").unwrap();
    linked_user(&w, a, "linked@a.kz", "employee", Some(iin.clone())).await;
    let cookie = sign_in(&cli, "linked@a.kz").await;
    let form_path = format!("/t/{a}/declarations/new");
    let year = chrono::Datelike::year(&adal_domain::kazakhstan_today()) - 1;
    let html = page_of(&cli, &cookie, &form_path).await;
    assert!(html.contains(&format!(r#"value="{iin}""#)), "IIN prefilled");
    assert!(
        html.contains(&format!(r#"value="{year}""#)),
        "the open year"
    );
    assert!(!html.contains(r#"id="decl-filed""#));
    let r = cli
        .post(&form_path)
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf_in(&html)),
            ("person_iin", iin.clone()),
            ("year", year.to_string()),
            ("income.0.source", "salary".into()),
            ("income.0.payer_name", "Alpha JSC".into()),
            ("income.0.amount_kzt", "100".into()),
        ])
        .send()
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let html = page_of(&cli, &cookie, &form_path).await;
    let notice = between(&html, r#"id="decl-filed""#, "</p>");
    assert!(notice.contains(&year.to_string()), "{html}");
    assert!(
        !html.contains(&format!(r#"value="{year}""#)),
        "no year preset once filed"
    );
    // Another employee, linked to nobody, gets neither.
    let other = sign_in(&cli, "employee@a.kz").await;
    let html = page_of(&cli, &other, &form_path).await;
    assert!(!html.contains(&iin));
    assert!(!html.contains(r#"id="decl-filed""#));
}

/// The gift form states the limit in force: the active rule's parameter,
/// the tenant's override included, in MCI and, with this year's MCI from
/// the settings, in tenge; nothing when no such rule is in force (issue
/// 16: "the gift form does not state the limit").
#[tokio::test]
async fn the_gift_form_states_the_limit_in_force() {
    use adal_store::rules;
    use chrono::Datelike;
    let w = world().await;
    let cli = TestClient::new(app(&w));
    let (a, store) = (w.a, w.state.store.clone());
    let tenant = TenantId::from_uuid(a);
    let employee = sign_in(&cli, "employee@a.kz").await;
    let form = format!("/t/{a}/gifts/new");
    let html = page_of(&cli, &employee, &form).await;
    assert!(!html.contains(r#"id="filing-limit""#), "no rule, no limit");

    let year = adal_domain::kazakhstan_today().year();
    let t = adal_store::tenants::get(&store, tenant).await.unwrap();
    let mut settings = adal_store::tenants::settings_of(&t).unwrap();
    settings.mci_by_year.insert(year, "4325".into());
    adal_store::tenants::update_settings(&store, tenant, "test", &settings)
        .await
        .unwrap();
    let mut lib = library().rules;
    lib[0]
        .params
        .insert("limit_mci".into(), serde_json::json!(3));
    let v = rules::create_version(&store, tenant, Uuid::nil(), &lib)
        .await
        .unwrap();
    rules::activate(&store, tenant, "test", v.version)
        .await
        .unwrap();
    let html = page_of(&cli, &employee, &form).await;
    let notice = between(&html, r#"id="filing-limit">"#, "</p>");
    // Kazakh by default: 3 MCI, 12 975,00 ₸ at 4,325 ₸ an MCI.
    assert!(notice.contains('3'), "{notice}");
    assert!(notice.contains("12\u{202f}975,00"), "{notice}");
    assert!(notice.contains(&year.to_string()), "{notice}");
}

/// The value of the hidden or visible input `name` in `html`.
fn input_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!(r#"name="{name}" value=""#))
        .expect("an input of that name");
    let rest = &html[at + format!(r#"name="{name}" value=""#).len()..];
    rest[..rest.find('"').unwrap()].to_owned()
}

/// A proof of work for the channel, as the page's script finds one.
async fn proof<E: Endpoint>(cli: &TestClient<E>) -> String {
    let r = cli.get("/api/v1/public/challenge").send().await;
    r.assert_status_is_ok();
    let v: serde_json::Value =
        serde_json::from_str(&r.0.into_body().into_string().await.unwrap()).unwrap();
    let c = v["challenge"].as_str().unwrap();
    let bits = u8::try_from(v["bits"].as_u64().unwrap()).unwrap();
    format!("{c}:{}", adal_reporting::pow::solve(c, bits))
}

/// The reporter's pages: a report filed through the form (errors by their
/// fields first, nothing lost), the receipt, the follow-up with it and a
/// message back; no cookie set on the way and no referrer sent. The case
/// screens: the organisation's compliance officer opens and answers it;
/// another organisation's officer, an employee and a forged form get
/// nothing.
#[tokio::test]
async fn the_reporters_pages_and_the_case_screens() {
    let w = world().await;
    let cli = TestClient::new(app(&w));
    let (a, b) = (w.a, w.b);
    let r = cli.get(format!("/report/{a}")).send().await;
    r.assert_status_is_ok();
    r.assert_header("referrer-policy", "no-referrer");
    assert!(cookie_value(&r, "adal_pre").is_none(), "no cookie at all");
    assert!(r.0.headers().get("set-cookie").is_none());
    cli.get(format!("/report/{}", Uuid::new_v4()))
        .send()
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let r = cli.get("/report/follow").send().await;
    r.assert_status_is_ok();
    r.assert_header("referrer-policy", "no-referrer");
    assert!(r.0.headers().get("set-cookie").is_none());
    // Refused: nothing happened, and a person's row without a name. The
    // values come back.
    let r = cli
        .post(format!("/report/{a}"))
        .form(&[
            ("what", " "),
            ("involved_2_position", "chief buyer"),
            ("lang", "en"),
        ])
        .send()
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"id="what-error""#) && html.contains(r#"id="involved_2_name-error""#));
    assert!(html.contains(r#"value="chief buyer""#));
    // Without the proof of work: refused, saying what is missing.
    let r = cli
        .post(format!("/report/{a}"))
        .form(&[("what", "a bribe"), ("lang", "en")])
        .send()
        .await;
    r.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(
        r.0.into_body()
            .into_string()
            .await
            .unwrap()
            .contains("JavaScript")
    );
    let work = proof(&cli).await;
    let r = cli
        .post(format!("/report/{a}"))
        .form(&[
            ("what", "PAGE-MARKER the buyer asked for 5%"),
            ("involved_0_name", "Ерлан Сапаров"),
            ("lang", "ru"),
            ("proof", work.as_str()),
        ])
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    assert!(r.0.headers().get("set-cookie").is_none());
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains(r#"<html lang="ru">"#), "the form's language");
    let at = html.find(r#"id="receipt" class="receipt">"#).unwrap();
    let receipt: String = html[at..]
        .split('>')
        .nth(1)
        .unwrap()
        .split('<')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(receipt.chars().filter(char::is_ascii_digit).count(), 40);
    // The same proof does not work twice.
    cli.post(format!("/report/{a}"))
        .form(&[("what", "again"), ("proof", work.as_str())])
        .send()
        .await
        .assert_status(StatusCode::BAD_REQUEST);

    // The Agency's own page: the organisation is named on it, and the
    // report goes to the Agency's channel.
    let r = cli.get("/report/agency").send().await;
    r.assert_status_is_ok();
    r.assert_header("referrer-policy", "no-referrer");
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains("Alpha JSC") && html.contains("Beta JSC"));
    assert!(
        !html.contains(r#"id="to-tenant""#),
        "no choice of channel there"
    );
    for tenant in [String::new(), Uuid::new_v4().to_string()] {
        let work = proof(&cli).await;
        let r = cli
            .post("/report/agency")
            .form(&[
                ("what", "AGENCY-PAGE the director's brother won"),
                ("tenant", tenant.as_str()),
                ("lang", "en"),
                ("proof", work.as_str()),
            ])
            .send()
            .await;
        r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.0.into_body().into_string().await.unwrap();
        assert!(html.contains(r#"id="tenant-error""#), "{html}");
        assert!(html.contains("AGENCY-PAGE"), "what was typed is kept");
    }
    let agency_reports = || async {
        use sea_orm::ConnectionTrait;
        w.state
            .store
            .connection()
            .query_one_raw(sea_orm::Statement::from_string(
                w.state.store.backend(),
                "SELECT COUNT(*) AS n FROM reports WHERE channel = 'agency'".to_owned(),
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap()
    };
    assert_eq!(agency_reports().await, 0);
    let work = proof(&cli).await;
    let r = cli
        .post("/report/agency")
        .form(&[
            ("what", "AGENCY-PAGE the director's brother won"),
            ("tenant", a.to_string().as_str()),
            ("lang", "en"),
            ("proof", work.as_str()),
        ])
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    assert_eq!(agency_reports().await, 1);

    // Following it with the receipt, then writing back with the token the
    // page carries.
    let work = proof(&cli).await;
    let r = cli
        .post("/report/follow")
        .form(&[
            ("receipt", receipt.as_str()),
            ("proof", work.as_str()),
            ("lang", "kk"),
        ])
        .send()
        .await;
    r.assert_status_is_ok();
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains("PAGE-MARKER") && html.contains(r#"data-status="received""#));
    let token = input_value(&html, "token");
    let r = cli
        .post("/report/follow/message")
        .form(&[
            ("token", token.as_str()),
            ("body", "I have the invoice too."),
        ])
        .send()
        .await;
    r.assert_status(StatusCode::CREATED);
    assert!(
        r.0.into_body()
            .into_string()
            .await
            .unwrap()
            .contains("I have the invoice too.")
    );
    let r = cli
        .post("/report/follow/message")
        .form(&[("token", "forged.token"), ("body", "hi")])
        .send()
        .await;
    r.assert_status(StatusCode::UNAUTHORIZED);
    let work = proof(&cli).await;
    cli.post("/report/follow")
        .form(&[("receipt", "1234"), ("proof", work.as_str())])
        .send()
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    // The organisation's compliance officer finds and answers it.
    let officer = sign_in(&cli, "officer@a.kz").await;
    let list = page_of(&cli, &officer, &format!("/t/{a}/cases")).await;
    let at = list.find("data-case=\"").unwrap() + "data-case=\"".len();
    let id: Uuid = list[at..at + 36].parse().unwrap();
    let case = page_of(&cli, &officer, &format!("/t/{a}/cases/{id}")).await;
    assert!(case.contains("PAGE-MARKER") && case.contains("I have the invoice too."));
    let csrf = csrf_in(&case);
    let r = cli
        .post(format!("/t/{a}/cases/{id}/message"))
        .header("cookie", &officer)
        .form(&[
            ("csrf", csrf.as_str()),
            ("body", "Thank you; we are checking."),
        ])
        .send()
        .await;
    r.assert_status(StatusCode::SEE_OTHER);
    let r = cli
        .post(format!("/t/{a}/cases/{id}/close"))
        .header("cookie", &officer)
        .form(&[("csrf", csrf.as_str()), ("outcome", "")])
        .send()
        .await;
    r.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // Without the form's token nothing changes.
    cli.post(format!("/t/{a}/cases/{id}/status"))
        .header("cookie", &officer)
        .form(&[("status", "acknowledged")])
        .send()
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let r = cli
        .post("/report/follow")
        .form(&[("token", token.as_str())])
        .send()
        .await;
    let html = r.0.into_body().into_string().await.unwrap();
    assert!(html.contains("Thank you; we are checking."));
    assert!(
        html.contains(r#"data-status="received""#),
        "the forged form changed nothing"
    );
    let stats = page_of(&cli, &officer, &format!("/t/{a}/case-statistics")).await;
    assert!(stats.contains(r#"id="stat-reports">1<"#), "{stats}");
    let r = cli
        .get(format!("/t/{a}/case-statistics.csv"))
        .header("cookie", &officer)
        .send()
        .await;
    r.assert_status_is_ok();
    r.assert_content_type("text/csv; charset=utf-8");

    // Nobody else: another organisation's officer gets 404s, the employee
    // and the administrator 403s.
    let other = sign_in(&cli, "officer@b.kz").await;
    for p in [
        format!("/t/{a}/cases"),
        format!("/t/{a}/cases/{id}"),
        format!("/t/{a}/case-statistics"),
        format!("/t/{b}/cases/{id}"),
    ] {
        cli.get(&p)
            .header("cookie", &other)
            .send()
            .await
            .assert_status(StatusCode::NOT_FOUND);
    }
    assert!(
        !page_of(&cli, &other, &format!("/t/{b}/cases"))
            .await
            .contains(&id.to_string())
    );
    for who in ["employee@a.kz", "admin@a.kz"] {
        let c = sign_in(&cli, who).await;
        for p in [format!("/t/{a}/cases"), format!("/t/{a}/cases/{id}")] {
            cli.get(&p)
                .header("cookie", &c)
                .send()
                .await
                .assert_status(StatusCode::FORBIDDEN);
        }
    }
    // Every page of it in each language, free of untranslated keys.
    for lang in ["kk", "ru", "en"] {
        for p in [
            format!("/t/{a}/cases?all=1"),
            format!("/t/{a}/cases/{id}"),
            format!("/t/{a}/case-statistics"),
        ] {
            let html = page_of(&cli, &format!("{officer}; adal_lang={lang}"), &p).await;
            assert!(html.contains(&format!(r#"<html lang="{lang}">"#)), "{p}");
            assert!(!html.contains(adal_web::MISSING), "{p} in {lang}: {html}");
        }
        for p in [
            format!("/report/{a}?lang={lang}"),
            format!("/report/agency?lang={lang}"),
            format!("/report/follow?lang={lang}"),
        ] {
            let html = cli
                .get(&p)
                .send()
                .await
                .0
                .into_body()
                .into_string()
                .await
                .unwrap();
            assert!(html.contains(&format!(r#"<html lang="{lang}">"#)), "{p}");
            assert!(!html.contains(adal_web::MISSING), "{p} in {lang}: {html}");
        }
    }
    std::fs::remove_dir_all(&w.dir).ok();
}

/// The language a signed-in person chooses is kept on their account, so
/// their emails are in it; a visitor who is not signed in only gets the
/// cookie, and a language Adal does not have changes nothing.
#[tokio::test]
async fn the_chosen_language_is_kept_on_the_account() {
    use adal_store::entities::user;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let w = world().await;
    let cli = TestClient::new(app(&w));
    let a = w.a;
    let employee = sign_in(&cli, "employee@a.kz").await;
    let lang_of = || async {
        user::Entity::find()
            .filter(user::Column::Email.eq("employee@a.kz"))
            .one(&w.state.store.connection())
            .await
            .unwrap()
            .unwrap()
            .lang
    };
    assert_eq!(lang_of().await, None);
    let csrf = csrf_in(&page_of(&cli, &employee, &format!("/t/{a}/my")).await);
    for (lang, kept) in [("ru", Some("ru")), ("xx", Some("ru")), ("kk", Some("kk"))] {
        let r = cli
            .post("/lang")
            .header("cookie", &employee)
            .form(&[("csrf", csrf.as_str()), ("lang", lang), ("back", "/")])
            .send()
            .await;
        r.assert_status(StatusCode::SEE_OTHER);
        assert_eq!(lang_of().await.as_deref(), kept, "after {lang}");
    }
}
