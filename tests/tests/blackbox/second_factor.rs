//! Issue 12's second factor over the API, on PostgreSQL: a tenant
//! requires it of its compliance officers, who then reach only their own
//! account until it is on; codes work once; recovery codes stand in for
//! the app once each; wrong codes count as failed sign-ins; it cannot be
//! turned off while required.

use super::{
    ADMIN_PASSWORD, PASSWORD, create_agency_auditor, create_tenant, psql, start_production,
};
use anyhow::Result;
use serde_json::json;

/// The code an authenticator app shows for `secret` at `unix` seconds.
fn code_at(secret: &str, unix: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let t = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    t.generate(u64::try_from(unix).unwrap()).to_string()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test(flavor = "multi_thread")]
async fn second_factor_is_required_enrolled_used_once_and_recovered() -> Result<()> {
    let (_db, _smtp, dep, api, _) = start_production().await?;
    let _serve = dep.spawn("serve", &["serve", "--api-only"])?;
    dep.wait_ready().await?;
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let t = create_tenant(&api, &platform, "zeta", "27034000777").await?;
    let tid = &t.id;
    let email = "compliance_officer@zeta.kz";
    let login = |code: Option<String>| {
        let api = api.clone();
        async move {
            let mut body = json!({"email": email, "password": PASSWORD});
            if let Some(c) = code {
                body["code"] = json!(c);
            }
            api.send("POST", "", "/auth/login", body.to_string()).await
        }
    };

    // Off and not required: nothing changes.
    let r = api.get(&t.compliance, "/auth/second-factor").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["enabled"], false);
    assert_eq!(r.body["required"], false);

    // The tenant requires it: the officer's tenant endpoints say so; the
    // employee's role is not covered.
    let r = api
        .put(
            &t.admin,
            &format!("/tenants/{tid}/settings"),
            &json!({"alert_threshold": "high", "alert_emails": [], "mci_by_year": {"2026": "4325"},
                    "require_second_factor": true}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api.get(&t.employee, &format!("/tenants/{tid}")).await?;
    assert_eq!(
        r.body["settings"]["require_second_factor"], true,
        "{}",
        r.text
    );
    // The admin who asked for it is covered too.
    let r = api.get(&t.admin, &format!("/tenants/{tid}/users")).await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/findings"))
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(r.body["error"], "second_factor_required");
    let r = api
        .get(&t.employee, &format!("/tenants/{tid}/submissions"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api.get(&t.compliance, "/auth/second-factor").await?;
    assert_eq!(r.body["required"], true);

    // Enrolment: a secret, a wrong code refused at `/code`, the right one
    // turns it on and returns ten recovery codes.
    let r = api
        .post(&t.compliance, "/auth/second-factor", &json!(null))
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    assert!(
        r.body["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Adal:compliance_officer%40zeta.kz?secret="),
        "{}",
        r.text
    );
    let wrong = if code_at(&secret, now()) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let r = api
        .post(
            &t.compliance,
            "/auth/second-factor/confirm",
            &json!({"code": wrong}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/code");
    assert_eq!(r.body["details"][0]["code"], "second_factor.invalid");
    // The step the confirmation uses: the checks below are relative to it,
    // so they hold when a 30-second boundary passes in between.
    let confirmed_at = now();
    let r = api
        .post(
            &t.compliance,
            "/auth/second-factor/confirm",
            &json!({"code": code_at(&secret, confirmed_at)}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let recovery: Vec<String> = r.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    let r = api
        .get(&t.compliance, &format!("/tenants/{tid}/findings"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api
        .post(&t.compliance, "/auth/second-factor", &json!(null))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);

    // Signing in: no code, the code already used, then the next step's
    // code (within the allowed drift) and a recovery code once.
    let r = login(None).await?;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.body["error"], "second_factor_required");
    assert_eq!(r.body["details"][0]["pointer"], "/code");
    let r = login(Some(code_at(&secret, confirmed_at))).await?;
    assert_eq!(r.status, 401, "the used step again: {}", r.text);
    assert_eq!(r.body["error"], "second_factor_invalid");
    let r = login(Some(code_at(&secret, confirmed_at + 30))).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = login(Some(recovery[0].to_uppercase())).await?;
    assert_eq!(r.status, 200, "a recovery code: {}", r.text);
    let r = login(Some(recovery[0].clone())).await?;
    assert_eq!(r.status, 401, "a recovery code twice: {}", r.text);
    let r = api.get(&t.compliance, "/auth/second-factor").await?;
    assert_eq!(r.body["recovery_codes_left"], 9, "{}", r.text);

    // Cannot be turned off while required; once the tenant lets go, it
    // can, with a recovery code.
    let r = api
        .post(
            &t.compliance,
            "/auth/second-factor/disable",
            &json!({"code": recovery[1]}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = api
        .post(&t.admin, "/auth/second-factor", &json!(null))
        .await?;
    let admin_secret = r.body["secret"].as_str().unwrap().to_owned();
    let r = api
        .post(
            &t.admin,
            "/auth/second-factor/confirm",
            &json!({"code": code_at(&admin_secret, now())}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api
        .put(
            &t.admin,
            &format!("/tenants/{tid}/settings"),
            &json!({"alert_threshold": "high", "alert_emails": [], "mci_by_year": {"2026": "4325"},
                    "require_second_factor": false}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api
        .post(
            &t.compliance,
            "/auth/second-factor/disable",
            &json!({"code": "nonsense"}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = api
        .post(
            &t.compliance,
            "/auth/second-factor/disable",
            &json!({"code": recovery[1]}),
        )
        .await?;
    assert_eq!(r.status, 204, "{}", r.text);
    let r = login(None).await?;
    assert_eq!(r.status, 200, "off: the password alone: {}", r.text);

    // Wrong codes are failed sign-ins: the sixth locks the account.
    let r = api
        .post(&t.employee, "/auth/second-factor", &json!(null))
        .await?;
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    let r = api
        .post(
            &t.employee,
            "/auth/second-factor/confirm",
            &json!({"code": code_at(&secret, now())}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let mut last = 0;
    for _ in 0..6 {
        let r = api
            .send(
                "POST",
                "",
                "/auth/login",
                json!({"email": "employee@zeta.kz", "password": PASSWORD, "code": "nonsense"})
                    .to_string(),
            )
            .await?;
        last = r.status;
    }
    assert_eq!(last, 429, "wrong codes count as failed sign-ins");
    Ok(())
}

/// Turns the second factor on for the account behind `token`; returns
/// its secret.
async fn enrol(api: &adal_blackbox::Api, token: &str) -> Result<String> {
    let r = api.post(token, "/auth/second-factor", &json!(null)).await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let secret = r.body["secret"].as_str().unwrap().to_owned();
    let r = api
        .post(
            token,
            "/auth/second-factor/confirm",
            &json!({"code": code_at(&secret, now())}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    Ok(secret)
}

/// The operator's `require_second_factor_platform`: platform admins and
/// Agency auditors reach only their own account until theirs is on, and
/// then sign in with a code.
#[tokio::test(flavor = "multi_thread")]
async fn platform_and_agency_accounts_need_a_second_factor_when_the_operator_requires_it()
-> Result<()> {
    let (db, _smtp, mut dep, api, _) = start_production().await?;
    dep.env
        .insert("ADAL_REQUIRE_SECOND_FACTOR_PLATFORM".into(), "true".into());
    create_agency_auditor(&dep).await?;
    let serve = dep.spawn("serve", &["serve", "--api-only"])?;
    dep.wait_ready().await?;

    // Not on yet: signing in works, and only the account is open.
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    for token in [&platform, &agency] {
        let r = api.get(token, "/tenants").await?;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(r.body["error"], "second_factor_required", "{}", r.text);
        let r = api.get(token, "/auth/second-factor").await?;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["required"], true, "{}", r.text);
        let r = api.get(token, "/me").await?;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let r = api
        .post(
            &platform,
            "/tenants",
            &json!({"name": "Eta JSC", "bin": adal_blackbox::bin("27034000777"), "sector": "quasi_public",
                    "region": "astana", "admin": {"email": "admin@eta.kz", "display_name": "A", "password": PASSWORD}}),
        )
        .await?;
    assert_eq!(r.status, 403, "nothing created: {}", r.text);

    // On: the platform admin creates a tenant; the auditor, still
    // without, cannot read it, whatever its id.
    let platform_secret = enrol(&api, &platform).await?;
    let t = create_tenant(&api, &platform, "eta", "27034000777").await?;
    for path in [
        format!("/tenants/{}/findings", t.id),
        format!("/tenants/{}/findings", uuid::Uuid::now_v7()),
    ] {
        let r = api.get(&agency, &path).await?;
        assert_eq!(r.status, 403, "{path}: {}", r.text);
        assert_eq!(r.body["error"], "second_factor_required", "{}", r.text);
    }
    enrol(&api, &agency).await?;
    let r = api
        .get(&agency, &format!("/tenants/{}/findings", t.id))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api
        .get(
            &agency,
            &format!("/tenants/{}/findings", uuid::Uuid::now_v7()),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);

    // The secrets are sealed at rest: nothing of them in the database.
    let dump = std::process::Command::new("pg_dump")
        .args(["-h", "127.0.0.1", "-U", "postgres", "--data-only", &db.name])
        .output()?;
    assert!(dump.status.success());
    let dump = String::from_utf8_lossy(&dump.stdout);
    assert!(dump.contains("second_factors"), "the dump holds the table");
    assert!(!dump.contains(&platform_secret), "a secret in the dump");
    let platform_row = "(SELECT id FROM users WHERE email = 'platform@adal.test')".to_owned();
    let stored = psql(
        &db.name,
        &format!("SELECT secret FROM second_factors WHERE user_id = {platform_row}"),
    )?;
    assert!(stored.starts_with("v1:"), "{stored}");

    // A secret stored in the clear (as before sealing) is sealed at the
    // next start, and its codes still work (the sign-in below).
    psql(
        &db.name,
        &format!(
            "UPDATE second_factors SET secret = '{platform_secret}' WHERE user_id = {platform_row}"
        ),
    )?;
    drop(serve);
    let _serve = dep.spawn("serve", &["serve", "--api-only"])?;
    dep.wait_ready().await?;
    let stored = psql(
        &db.name,
        &format!("SELECT secret FROM second_factors WHERE user_id = {platform_row}"),
    )?;
    assert!(stored.starts_with("v1:"), "sealed at start: {stored}");

    // Signing in now takes a code (the next step's: the enrolment spent
    // this one), and a tenant's people are unaffected.
    let r = api
        .send(
            "POST",
            "",
            "/auth/login",
            json!({"email": "platform@adal.test", "password": ADMIN_PASSWORD}).to_string(),
        )
        .await?;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(r.body["error"], "second_factor_required", "{}", r.text);
    let r = api
        .send(
            "POST",
            "",
            "/auth/login",
            json!({"email": "platform@adal.test", "password": ADMIN_PASSWORD,
                   "code": code_at(&platform_secret, now() + 30)})
            .to_string(),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api
        .get(&t.compliance, &format!("/tenants/{}/findings", t.id))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    Ok(())
}
