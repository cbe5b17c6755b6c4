//! Black-box tests of issue 3: every kind of record filed, validated,
//! corrected and read by role; people, CSV and OCDS imports and exports,
//! on PostgreSQL + Redis with the API and the worker as separate
//! processes. A few tests, each its own deployment.

use adal_blackbox::*;
use anyhow::Result;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

pub(crate) const ADMIN_PASSWORD: &str = "platform-admin-password";
pub(crate) const PASSWORD: &str = "a-long-enough-password";

pub(crate) struct Running {
    pub(crate) db: PgDatabase,
    _smtp: Smtp,
    pub(crate) dep: Deployment,
    pub(crate) api: Api,
    pub(crate) platform: String,
    _serve: tokio::process::Child,
    _worker: tokio::process::Child,
}

async fn start() -> Result<Running> {
    start_with(&[]).await
}

/// [`start`] with some settings changed (`ADAL_...` variables).
pub(crate) async fn start_with(env: &[(&str, &str)]) -> Result<Running> {
    let db = PgDatabase::create()?;
    let smtp = Smtp::start().await?;
    let mut dep = Deployment::production(&db, smtp.port);
    for (k, v) in env {
        dep.env.insert((*k).to_owned(), (*v).to_owned());
    }
    dep.run(&["migrate"], &[]).await?;
    dep.run(
        &["create-admin", "--email", "platform@adal.test"],
        &[("ADAL_ADMIN_PASSWORD", ADMIN_PASSWORD)],
    )
    .await?;
    // Before the API starts: it loads the access policy once.
    crate::create_agency_auditor(&dep).await?;
    let serve = dep.spawn("serve", &["serve", "--api-only"])?;
    let worker = dep.spawn("worker", &["worker"])?;
    dep.wait_ready().await?;
    let api = Api::new(dep.base_url());
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    Ok(Running {
        db,
        _smtp: smtp,
        dep,
        api,
        platform,
        _serve: serve,
        _worker: worker,
    })
}

/// A tenant with one user per role (two employees), a department and two
/// positions (one on the high-risk list).
pub(crate) struct Tenant {
    pub(crate) id: String,
    pub(crate) admin: String,
    pub(crate) compliance: String,
    pub(crate) hr: String,
    pub(crate) procurement: String,
    pub(crate) employee: String,
    pub(crate) employee2: String,
    pub(crate) department_id: String,
    pub(crate) high_risk_position: String,
    pub(crate) low_risk_position: String,
}

pub(crate) async fn tenant(
    api: &Api,
    platform: &str,
    tag: &str,
    bin_prefix: &str,
) -> Result<Tenant> {
    let r = api
        .post(
            platform,
            "/tenants",
            &json!({
                "name": format!("{tag} JSC"),
                "bin": bin(bin_prefix),
                "sector": "quasi_public",
                "region": "karaganda",
                "admin": {"email": format!("admin@{tag}.kz"), "display_name": "Admin", "password": PASSWORD}
            }),
        )
        .await?;
    assert_eq!(r.status, 201, "create tenant: {}", r.text);
    let id = r.body["tenant"]["id"].as_str().unwrap().to_owned();
    let admin = api.login(&format!("admin@{tag}.kz"), PASSWORD).await?;
    let d = api
        .post(
            &admin,
            &format!("/tenants/{id}/departments"),
            &json!({"name": "Procurement"}),
        )
        .await?;
    assert_eq!(d.status, 201, "{}", d.text);
    let department_id = d.body["id"].as_str().unwrap().to_owned();
    let mut positions = Vec::new();
    for (title, risk, high) in [("Buyer", 4, true), ("Clerk", 1, false)] {
        let p = api
            .post(
                &admin,
                &format!("/tenants/{id}/positions"),
                &json!({"title": title, "department_id": department_id, "risk_level": risk, "high_risk": high}),
            )
            .await?;
        assert_eq!(p.status, 201, "{}", p.text);
        positions.push(p.body["id"].as_str().unwrap().to_owned());
    }
    let mut tokens = std::collections::HashMap::new();
    for (name, role) in [
        ("compliance", "compliance_officer"),
        ("hr", "hr_officer"),
        ("procurement", "procurement_officer"),
        ("employee", "employee"),
        ("employee2", "employee"),
    ] {
        let email = format!("{name}@{tag}.kz");
        let r = api
            .post(
                &admin,
                &format!("/tenants/{id}/users"),
                &json!({
                    "email": email, "display_name": name, "password": PASSWORD, "role": role,
                    "department_id": department_id, "position_id": positions[1]
                }),
            )
            .await?;
        assert_eq!(r.status, 201, "create {name}: {}", r.text);
        tokens.insert(name, api.login(&email, PASSWORD).await?);
    }
    Ok(Tenant {
        id,
        admin,
        compliance: tokens["compliance"].clone(),
        hr: tokens["hr"].clone(),
        procurement: tokens["procurement"].clone(),
        employee: tokens["employee"].clone(),
        employee2: tokens["employee2"].clone(),
        department_id,
        high_risk_position: positions[0].clone(),
        low_risk_position: positions[1].clone(),
    })
}

/// A valid IIN from its first eleven digits.
pub(crate) fn iin(first_eleven: &str) -> String {
    adal_domain::with_check_digit(first_eleven).expect("prefix has a check digit")
}

/// The same identifier with a wrong check digit.
fn wrong_check_digit(id: &str) -> String {
    let mut s = id.to_owned();
    let last = s.pop().unwrap();
    let bad = if last == '0' { '1' } else { '0' };
    s.push(bad);
    s
}

pub(crate) fn gift_body() -> Value {
    json!({
        "direction": "received",
        "giver_name": "  Kazakh Transformer Service LLP  ",
        "giver_bin": bin("20054000077"),
        "description": "Smart watch",
        "value_kzt": "180000.50",
        "date": "2026-02-10",
        "occasion": "Contract signing",
        "decision": "handed_over"
    })
}

pub(crate) fn coi_body() -> Value {
    json!({
        "situation": "shareholding",
        "description": "I hold shares in a supplier",
        "parties": [{"name": "Jetisu Build LLP", "bin": bin("12044000123")}],
        "arose_on": "2026-03-01",
        "proposed_resolution": "divestment"
    })
}

pub(crate) fn declaration_body(year: i32, person_iin: &str) -> Value {
    json!({
        "year": year,
        "person_iin": person_iin,
        "real_estate": [{"kind": "apartment", "address": "Astana, Mangilik El 10", "acquired_on": "2019-05-01", "value_kzt": "35000000"}],
        "accounts": [{"bank_name": "Halyk Bank", "currency": "KZT", "balance_kzt": "1200000.25"}],
        "income": [{"source": "salary", "payer_name": "Qarmet JSC", "payer_bin": bin("19034000123"), "amount_kzt": "9600000"}]
    })
}

pub(crate) fn hr_body(position_id: &str) -> Value {
    json!({
        "action": "hiring",
        "person": {"iin": iin("95020240001"), "full_name": "Dana Aliyeva"},
        "position_id": position_id,
        "effective_on": "2026-04-01",
        "decided_on": "2026-03-20",
        "decision_makers": [{"full_name": "Marat Ospanov", "role": "head of department", "relation_to_subject": "parent"}]
    })
}

/// Applies `edit` to a copy of `body`.
fn with(body: &Value, edit: impl FnOnce(&mut Value)) -> Value {
    let mut b = body.clone();
    edit(&mut b);
    b
}

/// Posts `body` and asserts the status and the first error's pointer.
async fn rejects(
    api: &Api,
    token: &str,
    path: &str,
    body: &Value,
    status: u16,
    pointer: &str,
    what: &str,
) -> Result<()> {
    let r = api.post(token, path, body).await?;
    assert_eq!(r.status, status, "{what}: {}", r.text);
    let pointers: Vec<&str> = r.body["details"]
        .as_array()
        .map(|d| d.iter().filter_map(|e| e["pointer"].as_str()).collect())
        .unwrap_or_default();
    assert!(
        pointers.contains(&pointer),
        "{what}: expected pointer {pointer}, got {}",
        r.text
    );
    Ok(())
}

/// Every class of bad input for a kind, each answered with its status and
/// the pointer of the field.
async fn bad_inputs(
    api: &Api,
    token: &str,
    path: &str,
    cases: Vec<(&str, Value, u16, &str)>,
) -> Result<()> {
    let r = api
        .send("POST", token, path, "{\"a\": [1, 2".to_owned())
        .await?;
    assert_eq!(r.status, 400, "malformed JSON on {path}: {}", r.text);
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("malformed JSON")
    );
    for (what, body, status, pointer) in cases {
        rejects(
            api,
            token,
            path,
            &body,
            status,
            pointer,
            &format!("{path} {what}"),
        )
        .await?;
    }
    Ok(())
}

fn long_text() -> String {
    "x".repeat(2001)
}

/// Acceptance, every class of bad input, corrections, visibility by role,
/// schemas, high-risk hiring, the disclosure workflow and the declaration
/// status, for every kind filed as a submission.
#[tokio::test(flavor = "multi_thread")]
async fn every_kind_is_validated_versioned_and_visible_by_role() -> Result<()> {
    let run = start().await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "qarmet", "19034000123").await?;
    let other = tenant(api, &run.platform, "kegoc", "04034000157").await?;
    let tid = &t.id;
    let employee_iin = iin("85050540001");

    // --- Acceptance: 202 and the payload stored as normalised. ---------
    let gifts = format!("/tenants/{tid}/gifts");
    let r = api.post(&t.employee, &gifts, &gift_body()).await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let gift_id = r.body["submission_id"].as_str().unwrap().to_owned();
    let s = api
        .get(
            &t.employee,
            &format!("/tenants/{tid}/submissions/{gift_id}"),
        )
        .await?;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(s.body["kind"], "gift");
    assert_eq!(s.body["schema_version"], 2);
    let mut expected = gift_body();
    expected["giver_name"] = json!("Kazakh Transformer Service LLP");
    assert_eq!(s.body["payload"], expected, "{}", s.text);

    let cois = format!("/tenants/{tid}/conflicts-of-interest");
    let r = api.post(&t.employee, &cois, &coi_body()).await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let coi_id = r.body["submission_id"].as_str().unwrap().to_owned();
    let s = api
        .get(&t.employee, &format!("/tenants/{tid}/submissions/{coi_id}"))
        .await?;
    assert_eq!(s.body["payload"], coi_body(), "{}", s.text);

    let decls = format!("/tenants/{tid}/asset-declarations");
    let r = api
        .post(&t.employee, &decls, &declaration_body(2025, &employee_iin))
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let decl_id = r.body["submission_id"].as_str().unwrap().to_owned();
    let s = api
        .get(
            &t.employee,
            &format!("/tenants/{tid}/submissions/{decl_id}"),
        )
        .await?;
    // Stored normalised: money with two decimals, every list present.
    let mut expected = declaration_body(2025, &employee_iin);
    expected["real_estate"][0]["value_kzt"] = json!("35000000.00");
    expected["income"][0]["amount_kzt"] = json!("9600000.00");
    for list in ["vehicles", "securities", "liabilities"] {
        expected[list] = json!([]);
    }
    assert_eq!(s.body["payload"], expected, "{}", s.text);
    assert_eq!(s.body["reference"], format!("2025:{employee_iin}"));
    assert_eq!(s.body["subject_iin"], json!(employee_iin));
    // One declaration per person and year: the second is a 409.
    let r = api
        .post(&t.employee, &decls, &declaration_body(2025, &employee_iin))
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);

    let hrs = format!("/tenants/{tid}/hr-actions");
    let r = api
        .post(&t.hr, &hrs, &hr_body(&t.low_risk_position))
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let hr_id = r.body["submission_id"].as_str().unwrap().to_owned();
    let s = api
        .get(&t.hr, &format!("/tenants/{tid}/submissions/{hr_id}"))
        .await?;
    assert_eq!(s.body["payload"], hr_body(&t.low_risk_position));

    // --- Every class of bad input, per kind. ---------------------------
    let g = gift_body();
    bad_inputs(
        api,
        &t.employee,
        &gifts,
        vec![
            (
                "unknown field",
                with(&g, |b| b["colour"] = json!("red")),
                400,
                "/colour",
            ),
            (
                "wrong type",
                with(&g, |b| b["value_kzt"] = json!(5)),
                400,
                "/value_kzt",
            ),
            (
                "missing field",
                with(&g, |b| {
                    b.as_object_mut().unwrap().remove("date");
                }),
                400,
                "/date",
            ),
            (
                "bad BIN",
                with(&g, |b| {
                    b["giver_bin"] = json!(wrong_check_digit(&bin("20054000077")))
                }),
                422,
                "/giver_bin",
            ),
            (
                "three decimals",
                with(&g, |b| b["value_kzt"] = json!("10.125")),
                422,
                "/value_kzt",
            ),
            (
                "future date",
                with(&g, |b| b["date"] = json!("2099-01-01")),
                422,
                "/date",
            ),
            (
                "enum",
                with(&g, |b| b["direction"] = json!("sideways")),
                422,
                "/direction",
            ),
            (
                "too long",
                with(&g, |b| b["description"] = json!(long_text())),
                422,
                "/description",
            ),
            (
                "cross-field",
                with(&g, |b| b["direction"] = json!("given")),
                422,
                "/receiver_name",
            ),
        ],
    )
    .await?;
    let c = coi_body();
    bad_inputs(
        api,
        &t.employee,
        &cois,
        vec![
            ("unknown field", with(&c, |b| b["parties"][0]["age"] = json!(3)), 400, "/parties/0/age"),
            ("wrong type", with(&c, |b| b["parties"] = json!("Jetisu")), 400, "/parties"),
            ("bad IIN", with(&c, |b| b["parties"][0] = json!({"name": "Aigerim", "iin": wrong_check_digit(&iin("90011530001"))})), 422, "/parties/0/iin"),
            ("future date", with(&c, |b| b["arose_on"] = json!("2099-01-01")), 422, "/arose_on"),
            ("enum", with(&c, |b| b["situation"] = json!("friendship")), 422, "/situation"),
            ("too long", with(&c, |b| b["description"] = json!(long_text())), 422, "/description"),
            ("cross-field", with(&c, |b| {
                b["situation"] = json!("relative_in_procurement");
                b["parties"][0] = json!({"name": "Aigerim", "relation": "sibling"});
            }), 422, "/procurement_ocid"),
        ],
    )
    .await?;
    let d = declaration_body(2024, &employee_iin);
    bad_inputs(
        api,
        &t.employee,
        &decls,
        vec![
            (
                "unknown field",
                with(&d, |b| b["yacht"] = json!(true)),
                400,
                "/yacht",
            ),
            (
                "wrong type",
                with(&d, |b| b["year"] = json!("2024")),
                400,
                "/year",
            ),
            (
                "bad IIN",
                with(&d, |b| {
                    b["person_iin"] = json!(wrong_check_digit(&employee_iin))
                }),
                422,
                "/person_iin",
            ),
            (
                "three decimals",
                with(&d, |b| b["income"][0]["amount_kzt"] = json!("1.001")),
                422,
                "/income/0/amount_kzt",
            ),
            (
                "future date",
                with(&d, |b| {
                    b["real_estate"][0]["acquired_on"] = json!("2099-01-01")
                }),
                422,
                "/real_estate/0/acquired_on",
            ),
            (
                "enum",
                with(&d, |b| b["real_estate"][0]["kind"] = json!("castle")),
                422,
                "/real_estate/0/kind",
            ),
            (
                "too long",
                with(&d, |b| b["real_estate"][0]["address"] = json!(long_text())),
                422,
                "/real_estate/0/address",
            ),
            (
                "cross-field",
                with(&d, |b| {
                    b["income"][0]["payer_iin"] = json!(iin("70010130001"))
                }),
                422,
                "/income/0/payer_iin",
            ),
            (
                "year not ended",
                with(&d, |b| b["year"] = json!(2026)),
                422,
                "/year",
            ),
        ],
    )
    .await?;
    let h = hr_body(&t.low_risk_position);
    bad_inputs(
        api,
        &t.hr,
        &hrs,
        vec![
            (
                "unknown field",
                with(&h, |b| b["salary"] = json!("1")),
                400,
                "/salary",
            ),
            (
                "wrong type",
                with(&h, |b| b["decision_makers"] = json!({})),
                400,
                "/decision_makers",
            ),
            (
                "bad IIN",
                with(&h, |b| b["person"]["iin"] = json!("950202400010")),
                422,
                "/person/iin",
            ),
            (
                "future date",
                with(&h, |b| {
                    b["decided_on"] = json!("2099-01-01");
                    b["effective_on"] = json!("2099-02-01");
                }),
                422,
                "/decided_on",
            ),
            (
                "enum",
                with(&h, |b| b["action"] = json!("secondment")),
                422,
                "/action",
            ),
            (
                "too long",
                with(&h, |b| {
                    b["action"] = json!("dismissal");
                    b["reason"] = json!(long_text());
                }),
                422,
                "/reason",
            ),
            (
                "cross-field",
                with(&h, |b| b["action"] = json!("dismissal")),
                422,
                "/reason",
            ),
            (
                "unknown position",
                with(&h, |b| b["position_id"] = json!(t.department_id)),
                422,
                "/position_id",
            ),
        ],
    )
    .await?;

    // Hiring into a high-risk position needs the screening done.
    let risky = hr_body(&t.high_risk_position);
    rejects(
        api,
        &t.hr,
        &hrs,
        &risky,
        422,
        "/screening",
        "unscreened high-risk hire",
    )
    .await?;
    let screened = with(
        &risky,
        |b| b["screening"] = json!({"completed_on": "2026-03-15", "checks": ["convicted_registry", "relatives"], "result": "clear"}),
    );
    let r = api.post(&t.hr, &hrs, &screened).await?;
    assert_eq!(r.status, 202, "{}", r.text);

    // Procurement through the API: created, then unchanged, then corrected.
    let procs = format!("/tenants/{tid}/procurements");
    let release = json!({"ocid": "ocds-t-1", "tender": {"id": "T1", "title": "Cables", "status": "active", "value": {"amount": 1000, "currency": "KZT"}},
        "parties": [{"id": "s1", "name": "Supplier", "identifier": {"scheme": "KZ-BIN", "id": bin("20054000077")}, "roles": ["tenderer"]}]});
    let r = api.post(&t.procurement, &procs, &release).await?;
    assert_eq!(
        (r.status, r.body["outcome"].as_str()),
        (202, Some("created")),
        "{}",
        r.text
    );
    let r = api.post(&t.procurement, &procs, &release).await?;
    assert_eq!(r.body["outcome"], "unchanged", "{}", r.text);
    let r = api
        .post(
            &t.procurement,
            &procs,
            &with(&release, |b| b["tender"]["status"] = json!("complete")),
        )
        .await?;
    assert_eq!(r.body["outcome"], "corrected", "{}", r.text);
    bad_inputs(
        api,
        &t.procurement,
        &procs,
        vec![
            ("missing ocid", json!({"tender": {}}), 400, "/ocid"),
            (
                "bad BIN",
                with(&release, |b| {
                    b["parties"][0]["identifier"]["id"] =
                        json!(wrong_check_digit(&bin("20054000077")))
                }),
                422,
                "/parties/0/identifier/id",
            ),
            (
                "negative amount",
                with(&release, |b| b["tender"]["value"]["amount"] = json!(-1)),
                422,
                "/tender/value/amount",
            ),
        ],
    )
    .await?;
    let r = api.post(&t.employee, &procs, &release).await?;
    assert_eq!(
        r.status, 403,
        "an employee files no procurement: {}",
        r.text
    );

    // --- Corrections: a new version, both kept and linked. -------------
    let corrected = with(&gift_body(), |b| b["value_kzt"] = json!("200000"));
    let r = api
        .post(
            &t.employee,
            &format!("/tenants/{tid}/submissions/{gift_id}/corrections"),
            &corrected,
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let gift2 = r.body["submission_id"].as_str().unwrap().to_owned();
    let old = api
        .get(
            &t.employee,
            &format!("/tenants/{tid}/submissions/{gift_id}"),
        )
        .await?;
    let new = api
        .get(&t.employee, &format!("/tenants/{tid}/submissions/{gift2}"))
        .await?;
    assert_eq!(old.body["superseded_by"], json!(gift2), "{}", old.text);
    assert_eq!(new.body["supersedes"], json!(gift_id), "{}", new.text);
    assert_eq!(new.body["payload"]["value_kzt"], "200000.00");
    assert_eq!(old.body["payload"]["value_kzt"], "180000.50");
    let v = api
        .get(
            &t.employee,
            &format!("/tenants/{tid}/submissions/{gift2}/versions"),
        )
        .await?;
    let ids: Vec<&str> = v
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [gift_id.as_str(), gift2.as_str()], "{}", v.text);
    let listed = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/submissions?kind=gift"),
        )
        .await?;
    let ids: Vec<&str> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [gift2.as_str()],
        "the old version is hidden: {}",
        listed.text
    );
    let listed = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/submissions?kind=gift&include_superseded=true"),
        )
        .await?;
    assert_eq!(listed.body["total"], 2, "{}", listed.text);
    // The new version is evaluated like any other.
    api.get_until(
        &t.employee,
        &format!("/tenants/{tid}/submissions/{gift2}"),
        Duration::from_secs(30),
        "the correction evaluated",
        |b| b["status"] == "evaluated",
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}\nworker log:\n{}", run.dep.log("worker")))?;
    // Only the current version can be corrected; a bad correction is a 422.
    let r = api
        .post(
            &t.employee,
            &format!("/tenants/{tid}/submissions/{gift_id}/corrections"),
            &corrected,
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("already corrected"), "{}", r.text);
    rejects(
        api,
        &t.employee,
        &format!("/tenants/{tid}/submissions/{gift2}/corrections"),
        &with(&corrected, |b| b["date"] = json!("2099-01-01")),
        422,
        "/date",
        "bad correction",
    )
    .await?;
    // Another employee cannot correct (or see) it.
    let r = api
        .post(
            &t.employee2,
            &format!("/tenants/{tid}/submissions/{gift2}/corrections"),
            &corrected,
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    // The declaration is corrected the same way, keeping its reference.
    let r = api
        .post(
            &t.employee,
            &format!("/tenants/{tid}/submissions/{decl_id}/corrections"),
            &with(&declaration_body(2025, &employee_iin), |b| {
                b["accounts"][0]["balance_kzt"] = json!("1300000")
            }),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let decl2 = r.body["submission_id"].as_str().unwrap().to_owned();
    let r = api
        .post(
            &t.employee,
            &format!("/tenants/{tid}/submissions/{decl_id}/corrections"),
            &declaration_body(2025, &employee_iin),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert!(r.text.contains("already corrected"), "{}", r.text);

    // --- Visibility by role. -------------------------------------------
    let ids_of = |r: &Reply| -> Vec<String> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let subs = format!("/tenants/{tid}/submissions");
    let r = api.post(&t.employee2, &gifts, &gift_body()).await?;
    assert_eq!(r.status, 202);
    let gift_of_2 = r.body["submission_id"].as_str().unwrap().to_owned();
    let mine = api.get(&t.employee, &subs).await?;
    let mine = ids_of(&mine);
    assert!(mine.contains(&gift2) && mine.contains(&decl2) && mine.contains(&coi_id));
    assert!(
        !mine.contains(&gift_of_2) && !mine.contains(&hr_id),
        "{mine:?}"
    );
    let theirs = ids_of(&api.get(&t.employee2, &subs).await?);
    assert_eq!(theirs, std::slice::from_ref(&gift_of_2));
    let r = api.get(&t.employee2, &format!("{subs}/{gift2}")).await?;
    assert_eq!(r.status, 404, "another employee's gift: {}", r.text);
    // Asset declarations: the person and the compliance unit, not the admin.
    let r = api.get(&t.admin, &format!("{subs}/{decl2}")).await?;
    assert_eq!(r.status, 404, "admin reads a declaration: {}", r.text);
    let all = ids_of(&api.get(&t.admin, &format!("{subs}?limit=200")).await?);
    assert!(
        all.contains(&gift2) && all.contains(&hr_id) && !all.contains(&decl2),
        "{all:?}"
    );
    let r = api
        .get(&t.admin, &format!("{subs}?kind=asset_declaration"))
        .await?;
    assert!(
        r.body["items"].as_array().is_none_or(|a| a.is_empty()),
        "{}",
        r.text
    );
    let r = api.get(&t.compliance, &format!("{subs}/{decl2}")).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    // HR actions: the HR officer files them, an employee cannot.
    let r = api
        .post(&t.employee, &hrs, &hr_body(&t.low_risk_position))
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = api.get(&t.hr, &format!("{subs}/{hr_id}")).await?;
    assert_eq!(r.status, 200);
    // Another tenant learns nothing.
    for path in [
        format!("{subs}/{gift2}"),
        format!("{subs}/{gift2}/versions"),
        format!("{subs}/{decl2}"),
    ] {
        let r = api.get(&other.compliance, &path).await?;
        assert!(matches!(r.status, 403 | 404), "{path}: {}", r.text);
    }
    let other_subs = format!("/tenants/{}/submissions", other.id);
    for id in [&gift2, &decl2, &hr_id] {
        let r = api
            .get(&other.compliance, &format!("{other_subs}/{id}"))
            .await?;
        assert_eq!(r.status, 404, "cross-tenant read: {}", r.text);
    }
    let r = api
        .post(
            &other.employee,
            &format!("/tenants/{}/submissions/{gift2}/corrections", other.id),
            &corrected,
        )
        .await?;
    assert_eq!(r.status, 404, "cross-tenant correction: {}", r.text);

    // --- Schemas: public, one per kind, closed objects. ----------------
    for kind in [
        "gift",
        "conflict_of_interest",
        "asset_declaration",
        "hr_action",
        "person",
    ] {
        let r = api.get_public(&format!("/schemas/{kind}")).await?;
        assert_eq!(r.status, 200, "{kind}: {}", r.text);
        assert_eq!(r.body["additionalProperties"], false, "{kind}: {}", r.text);
        assert!(
            r.body["$id"]
                .as_str()
                .unwrap()
                .starts_with(&format!("urn:adal:schema:{kind}:v"))
        );
        assert!(r.body["properties"].is_object(), "{kind}");
    }
    let r = api.get_public("/schemas/procurement").await?;
    assert_eq!(r.status, 200);
    assert!(
        r.body["required"]
            .as_array()
            .unwrap()
            .contains(&json!("ocid")),
        "{}",
        r.text
    );
    let r = api.get_public("/schemas/gift").await?;
    assert!(
        r.body["required"]
            .as_array()
            .unwrap()
            .contains(&json!("value_kzt"))
    );
    let r = api.get_public("/schemas/horse").await?;
    assert_eq!(r.status, 404, "{}", r.text);

    // --- The disclosure workflow. --------------------------------------
    let decisions = format!("/tenants/{tid}/conflicts-of-interest/{coi_id}/decisions");
    let r = api
        .post(
            &t.employee,
            &decisions,
            &json!({"decision": "no_conflict", "note": "mine"}),
        )
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = api
        .post(
            &t.compliance,
            &decisions,
            &json!({"decision": "maybe", "note": "x"}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/decision");
    let r = api
        .post(
            &t.compliance,
            &decisions,
            &json!({"decision": "divestment", "note": "Sell the shares within 30 days"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["decision"], "divestment");
    let read = api.get(&t.employee, &decisions).await?;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.body[0]["note"], "Sell the shares within 30 days");
    assert!(read.body[0]["decided_by"].is_string() && read.body[0]["decided_at"].is_string());
    let r = api.get(&t.employee2, &decisions).await?;
    assert_eq!(r.status, 404, "{}", r.text);
    // No one decides on their own disclosure: another officer does.
    let r = api.post(&t.compliance, &cois, &coi_body()).await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let own = r.body["submission_id"].as_str().unwrap().to_owned();
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/conflicts-of-interest/{own}/decisions"),
            &json!({"decision": "no_conflict", "note": "mine, and fine"}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    assert_eq!(
        r.body["details"][0]["code"], "decision.own_disclosure",
        "{}",
        r.text
    );
    let r = api
        .post(
            &other.compliance,
            &format!(
                "/tenants/{}/conflicts-of-interest/{coi_id}/decisions",
                other.id
            ),
            &json!({"decision": "recusal", "note": "x"}),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/conflicts-of-interest/{gift2}/decisions"),
            &json!({"decision": "recusal", "note": "x"}),
        )
        .await?;
    assert_eq!(r.status, 404, "a decision on a gift: {}", r.text);

    // --- Declaration status: on time, late, missing. -------------------
    for (n, (who, prefix)) in [
        ("Employee One", "85050540001"),
        ("Employee Two", "86060640002"),
        ("Never Filed", "87070740003"),
    ]
    .iter()
    .enumerate()
    {
        let r = api
            .post(
                &t.admin,
                &format!("/tenants/{tid}/people"),
                &json!({"iin": iin(prefix), "full_name": who}),
            )
            .await?;
        assert_eq!(r.status, 201, "person {n}: {}", r.text);
    }
    // 2025's deadline has passed (filings now are late); 2024's is far away.
    let r = api
        .put(
            &t.admin,
            &format!("/tenants/{tid}/settings"),
            &json!({"alert_threshold": "medium", "alert_emails": [], "mci_by_year": {"2026": "4325"},
                    "declaration_due_by_year": {"2025": "2026-03-31", "2024": "2030-12-31"}}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = api
        .post(
            &t.employee2,
            &decls,
            &declaration_body(2024, &iin("86060640002")),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    // A correction cannot turn another year's declaration into a second
    // one for 2024: a correction keeps its record's person and year.
    let r = api
        .post(
            &t.employee2,
            &decls,
            &declaration_body(2023, &iin("86060640002")),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let d2023 = r.body["submission_id"].as_str().unwrap().to_owned();
    let r = api
        .post(
            &t.employee2,
            &format!("/tenants/{tid}/submissions/{d2023}/corrections"),
            &declaration_body(2024, &iin("86060640002")),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/year", "{}", r.text);
    // Correcting a declaration within its own year is fine.
    let r = api
        .post(
            &t.employee2,
            &format!("/tenants/{tid}/submissions/{d2023}/corrections"),
            &with(&declaration_body(2023, &iin("86060640002")), |b| {
                b["accounts"] = json!([])
            }),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let st = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/declarations/status?year=2025"),
        )
        .await?;
    assert_eq!(st.status, 200, "{}", st.text);
    assert_eq!(
        (
            st.body["late"].as_u64(),
            st.body["missing"].as_u64(),
            st.body["on_time"].as_u64()
        ),
        (Some(1), Some(2), Some(0)),
        "{}",
        st.text
    );
    assert_eq!(st.body["due_on"], "2026-03-31");
    let state_of = |b: &Value, who: &str| -> String {
        b["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["iin"] == who)
            .unwrap()["state"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(state_of(&st.body, &employee_iin), "late");
    assert_eq!(state_of(&st.body, &iin("87070740003")), "missing");
    let st = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/declarations/status?year=2024"),
        )
        .await?;
    assert_eq!(
        state_of(&st.body, &iin("86060640002")),
        "on_time",
        "{}",
        st.text
    );
    assert_eq!(state_of(&st.body, &iin("87070740003")), "not_yet_due");
    let st = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/declarations/status?year=2025&state_filter=missing"),
        )
        .await?;
    assert!(
        st.body["people"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["state"] == "missing"),
        "{}",
        st.text
    );
    let r = api
        .get(
            &t.employee,
            &format!("/tenants/{tid}/declarations/status?year=2025"),
        )
        .await?;
    assert_eq!(r.status, 403);
    let r = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/declarations/status?year=1900"),
        )
        .await?;
    assert_eq!(r.status, 422);
    Ok(())
}

pub(crate) fn csv_upload_path(tid: &str, kind: &str, file: &str) -> String {
    format!(
        "/tenants/{tid}/imports/{kind}?file_name={}",
        query_escape(file)
    )
}

/// Percent-encodes a query value (file names hold `+` and spaces).
fn query_escape(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Uploads a file and waits for its import to finish; returns the import.
pub(crate) async fn import(
    run: &Running,
    token: &str,
    tid: &str,
    kind: &str,
    file: &str,
    ct: &str,
    body: String,
) -> Result<Value> {
    let (api, dep) = (&run.api, &run.dep);
    let r = api
        .upload(token, &csv_upload_path(tid, kind, file), ct, body)
        .await?;
    assert_eq!(r.status, 202, "{file}: {}", r.text);
    assert_eq!(r.body["file_name"], file);
    let id = r.body["id"].as_str().unwrap().to_owned();
    api.get_until(
        token,
        &format!("/tenants/{tid}/imports/{id}"),
        Duration::from_secs(300),
        "the import finished",
        |b| b["status"] == "done" || b["status"] == "failed",
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}\nworker log:\n{}", dep.log("worker")))
}

pub(crate) fn counts(i: &Value) -> (i64, i64, i64) {
    (
        i["accepted"].as_i64().unwrap(),
        i["unchanged"].as_i64().unwrap(),
        i["rejected"].as_i64().unwrap(),
    )
}

/// People through the API and CSV imports with a per-row report; exports.
#[tokio::test(flavor = "multi_thread")]
async fn people_imports_with_row_reports_and_exports() -> Result<()> {
    let run = start().await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "samruk", "08044000145").await?;
    let tid = &t.id;
    let people = format!("/tenants/{tid}/people");

    // The people API: created, the same again unchanged, a correction
    // replaces the relatives.
    let person = json!({
        "iin": iin("85050540001"), "full_name": "Serik Abdiuly", "department_id": t.department_id,
        "position_id": t.high_risk_position, "started_on": "2020-01-15",
        "relatives": [{"relation": "parent", "full_name": "Abdi Serikuly", "iin": iin("60010130001")}],
        "interests": [{"company_bin": bin("12044000123"), "company_name": "Jetisu Build", "role": "shareholder", "share_percent": "25"}]
    });
    let r = api.post(&t.hr, &people, &person).await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let pid = r.body["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["relatives"][0]["full_name"], "Abdi Serikuly");
    let r = api.post(&t.hr, &people, &person).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], json!(pid));
    let updated_at = r.body["updated_at"].clone();
    let r2 = api.post(&t.hr, &people, &person).await?;
    assert_eq!(
        r2.body["updated_at"], updated_at,
        "unchanged: nothing written"
    );
    let corrected = with(&person, |b| {
        b["relatives"] = json!([{"relation": "spouse", "full_name": "Aigerim Serikova"}]);
    });
    let r = api.post(&t.hr, &people, &corrected).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let got = api.get(&t.compliance, &format!("{people}/{pid}")).await?;
    assert_eq!(got.status, 200, "{}", got.text);
    let rel = got.body["relatives"].as_array().unwrap();
    assert_eq!(rel.len(), 1, "{}", got.text);
    assert_eq!(rel[0]["relation"], "spouse");
    assert_eq!(got.body["interests"][0]["share_percent"], "25");
    bad_inputs(
        api,
        &t.hr,
        &people,
        vec![
            (
                "unknown field",
                with(&person, |b| b["nickname"] = json!("S")),
                400,
                "/nickname",
            ),
            (
                "wrong type",
                with(&person, |b| b["relatives"] = json!("none")),
                400,
                "/relatives",
            ),
            (
                "bad IIN",
                with(&person, |b| {
                    b["iin"] = json!(wrong_check_digit(&iin("85050540001")))
                }),
                422,
                "/iin",
            ),
            (
                "three decimals",
                with(&person, |b| {
                    b["interests"][0]["share_percent"] = json!("2.125")
                }),
                422,
                "/interests/0/share_percent",
            ),
            (
                "enum",
                with(&person, |b| {
                    b["relatives"][0]["relation"] = json!("neighbour")
                }),
                422,
                "/relatives/0/relation",
            ),
            (
                "too long",
                with(&person, |b| b["full_name"] = json!("x".repeat(301))),
                422,
                "/full_name",
            ),
            (
                "cross-field",
                with(&person, |b| b["interests"][0]["role"] = json!("director")),
                422,
                "/interests/0/share_percent",
            ),
            (
                "unknown department",
                with(&person, |b| {
                    b["department_id"] = json!(t.high_risk_position)
                }),
                422,
                "/department_id",
            ),
        ],
    )
    .await?;
    let r = api.post(&t.employee, &people, &person).await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = api
        .get(
            &run.platform,
            &format!(
                "/tenants/{}/people/{pid}",
                "00000000-0000-0000-0000-000000000000"
            ),
        )
        .await?;
    assert!(matches!(r.status, 403 | 404), "{}", r.text);

    // A CSV of people: two good rows, a bad IIN, an unknown department,
    // a duplicate IIN. Each bad row is reported; the good ones applied.
    let (a, b) = (iin("90011530001"), iin("91021540002"));
    let bad_iin = wrong_check_digit(&iin("92031230003"));
    let csv = format!(
        "iin,full_name,department,position,started_on\n\
         {a},Aliya Nurlanova,Procurement,Buyer,2021-02-01\n\
         {bad_iin},Bad Check,Procurement,,\n\
         {b},Bolat Ermekov,Treasury,,\n\
         {a},Aliya Again,,,\n\
         {b2},Bolat Ermekov,procurement,clerk,\n",
        b2 = b
    );
    let i = import(
        &run,
        &t.hr,
        tid,
        "people",
        "people.csv",
        "text/csv",
        csv.clone(),
    )
    .await?;
    assert_eq!(i["status"], "done", "{i}");
    assert_eq!(i["total_rows"], 5);
    assert_eq!(counts(&i), (2, 0, 3), "{i}");
    let report = i["report"].as_array().unwrap();
    let find = |row: u64| {
        report
            .iter()
            .find(|e| e["row"] == row)
            .unwrap_or_else(|| panic!("no report of row {row}: {i}"))
    };
    assert_eq!(find(3)["column"], "iin");
    assert!(
        find(3)["reason"].as_str().unwrap().contains("check digit"),
        "{i}"
    );
    assert_eq!(find(4)["column"], "department");
    assert!(find(4)["reason"].as_str().unwrap().contains("Treasury"));
    assert_eq!(find(5)["column"], "iin");
    assert!(
        find(5)["reason"].as_str().unwrap().contains("line 2"),
        "{i}"
    );
    let got = api.get(&t.compliance, &format!("{people}?iin={a}")).await?;
    assert_eq!(got.body["total"], 1, "{}", got.text);
    assert_eq!(
        got.body["items"][0]["department_id"],
        json!(t.department_id)
    );
    assert_eq!(
        got.body["items"][0]["position_id"],
        json!(t.high_risk_position)
    );

    // Importing the same file again changes nothing.
    let again = import(&run, &t.hr, tid, "people", "people.csv", "text/csv", csv).await?;
    assert_eq!(counts(&again), (0, 2, 3), "{again}");

    // Relatives and interests of those people.
    let rel_csv = format!(
        "person_iin,relation,full_name,iin\n\
         {a},spouse,Nurlan Nurlanov,{s}\n\
         {a},cousin,Someone,\n\
         {unknown},child,Nobody,\n",
        s = iin("89010130004"),
        unknown = iin("93010130005")
    );
    let i = import(
        &run,
        &t.hr,
        tid,
        "relatives",
        "relatives.csv",
        "text/csv",
        rel_csv.clone(),
    )
    .await?;
    assert_eq!(counts(&i), (1, 0, 2), "{i}");
    let report = i["report"].as_array().unwrap();
    assert!(
        report
            .iter()
            .any(|e| e["row"] == 3 && e["column"] == "relation"),
        "{i}"
    );
    assert!(
        report
            .iter()
            .any(|e| e["row"] == 4 && e["column"] == "person_iin"),
        "{i}"
    );
    let again = import(
        &run,
        &t.hr,
        tid,
        "relatives",
        "relatives.csv",
        "text/csv",
        rel_csv,
    )
    .await?;
    assert_eq!(counts(&again), (0, 1, 2), "{again}");
    let int_csv = format!(
        "person_iin,company_bin,company_name,role,share_percent\n\
         {a},{c},Steppe Trade LLP,founder,50\n\
         {a},{badbin},Wrong LLP,director,\n",
        c = bin("15044000321"),
        badbin = wrong_check_digit(&bin("15044000321"))
    );
    let i = import(
        &run,
        &t.hr,
        tid,
        "interests",
        "interests.csv",
        "text/csv",
        int_csv,
    )
    .await?;
    assert_eq!(counts(&i), (1, 0, 1), "{i}");
    assert_eq!(i["report"][0]["column"], "company_bin", "{i}");
    let got = api.get(&t.compliance, &format!("{people}?iin={a}")).await?;
    let aid = got.body["items"][0]["id"].as_str().unwrap().to_owned();
    let full = api.get(&t.compliance, &format!("{people}/{aid}")).await?;
    assert_eq!(
        full.body["relatives"][0]["relation"], "spouse",
        "{}",
        full.text
    );
    assert_eq!(
        full.body["interests"][0]["share_percent"], "50",
        "{}",
        full.text
    );

    // An unknown column fails the file as a whole.
    let i = import(
        &run,
        &t.hr,
        tid,
        "people",
        "typo.csv",
        "text/csv",
        format!("iin,ful_name\n{a},X\n"),
    )
    .await?;
    assert_eq!(i["status"], "failed", "{i}");
    assert!(i["error"].as_str().unwrap().contains("ful_name"), "{i}");
    assert_eq!(counts(&i), (0, 0, 0));
    // Unknown import kinds and people imports by an employee are refused.
    let r = api
        .upload(
            &t.hr,
            &csv_upload_path(tid, "horses", "h.csv"),
            "text/csv",
            "a\n1\n".into(),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api
        .upload(
            &t.employee,
            &csv_upload_path(tid, "people", "p.csv"),
            "text/csv",
            "iin,full_name\n".into(),
        )
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let list = api.get(&t.hr, &format!("/tenants/{tid}/imports")).await?;
    assert_eq!(list.body["total"], 6, "{}", list.text);

    // Exports: CSV and JSON of the same rows.
    let csv = api
        .get(&t.admin, &format!("/tenants/{tid}/exports/csv/people"))
        .await?;
    assert_eq!(csv.status, 200, "{}", csv.text);
    let json_rows = api
        .get(&t.admin, &format!("/tenants/{tid}/exports/json/people"))
        .await?;
    let json_rows = json_rows.body.as_array().unwrap().clone();
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(
        lines[0],
        "iin,full_name,department_id,position_id,started_on,ended_on"
    );
    assert_eq!(lines.len() - 1, json_rows.len());
    assert_eq!(json_rows.len(), 3, "{json_rows:?}");
    for (line, row) in lines[1..].iter().zip(&json_rows) {
        assert!(
            line.starts_with(&format!(
                "{},{}",
                row["iin"].as_str().unwrap(),
                row["full_name"].as_str().unwrap()
            )),
            "{line} vs {row}"
        );
    }
    // Submissions export what the caller may read.
    for body in [
        gift_body(),
        with(&gift_body(), |b| b["value_kzt"] = json!("5")),
    ] {
        let r = api
            .post(&t.employee, &format!("/tenants/{tid}/gifts"), &body)
            .await?;
        assert_eq!(r.status, 202, "{}", r.text);
    }
    let csv = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/exports/csv/submissions?kind=gift"),
        )
        .await?;
    let json_rows = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/exports/json/submissions?kind=gift"),
        )
        .await?;
    let json_rows = json_rows.body.as_array().unwrap().clone();
    assert_eq!(json_rows.len(), 2, "{json_rows:?}");
    let mut rdr_ids: Vec<String> = csv
        .text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    let mut json_ids: Vec<String> = json_rows
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    rdr_ids.sort();
    json_ids.sort();
    assert_eq!(rdr_ids, json_ids);
    assert!(json_rows.iter().all(|r| r["kind"] == "gift"));
    let payload: Value = serde_json::from_str(json_rows[0]["payload"].as_str().unwrap())?;
    assert_eq!(payload["giver_name"], "Kazakh Transformer Service LLP");
    let mine = api
        .get(
            &t.employee2,
            &format!("/tenants/{tid}/exports/json/submissions"),
        )
        .await?;
    assert_eq!(mine.body.as_array().map(Vec::len), Some(0), "{}", mine.text);
    let r = api
        .get(&t.admin, &format!("/tenants/{tid}/exports/csv/horses"))
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    Ok(())
}

/// Every JSON-lines file of the conformance suite as an import, a release
/// package merged by ocid, and the procurement list's filters.
#[tokio::test(flavor = "multi_thread")]
async fn ocds_imports_conformance_files_packages_and_filters() -> Result<()> {
    // The sweeper passes once at start and then not for an hour, so the
    // imported processes can reach the rules only if the importer hands
    // them to the queue itself.
    let run = start_with(&[("ADAL_WORKER__SWEEP_INTERVAL_SECS", "3600")]).await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "kazatom", "04064000179").await?;
    let tid = &t.id;

    let dir = repo_root().join("../shared/conformance/cardinal/indicators");
    let mut files: Vec<_> = std::fs::read_dir(&dir)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "conformance files in {}", dir.display());
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let body = std::fs::read_to_string(f)?;
        let lines = body.lines().filter(|l| !l.trim().is_empty()).count() as i64;
        let i = import(
            &run,
            &t.procurement,
            tid,
            "ocds",
            &name,
            "application/x-ndjson",
            body,
        )
        .await?;
        assert_eq!(i["status"], "done", "{name}: {i}");
        let (acc, unch, rej) = counts(&i);
        assert_eq!(rej, 0, "{name}: {i}");
        assert_eq!(acc + unch, lines, "{name}: {i}");
    }
    let evaluated = api
        .get_until(
            &t.compliance,
            &format!("/tenants/{tid}/submissions?kind=procurement&status=received&limit=1"),
            Duration::from_secs(60),
            "every imported process evaluated without the sweeper",
            |b| b["total"].as_u64() == Some(0),
        )
        .await?;
    assert_eq!(evaluated["total"], 0);
    let all = api
        .get(
            &t.compliance,
            &format!("/tenants/{tid}/submissions?kind=procurement&status=evaluated&limit=1"),
        )
        .await?;
    assert!(all.body["total"].as_u64() >= Some(10), "{}", all.text);

    // A release package: two releases of one ocid merged into one process.
    let supplier = bin("20054000077");
    let pkg = json!({
        "uri": "https://example.kz/pkg", "version": "1.1", "publishedDate": "2026-03-01T00:00:00Z",
        "releases": [
            {"ocid": "ocds-kz-merge-1", "id": "r1", "date": "2026-02-01T00:00:00Z", "tag": ["tender"],
             "buyer": {"id": "b1", "name": "Kazatomprom"},
             "tender": {"id": "T1", "title": "Uranium hexafluoride transport", "status": "active", "value": {"amount": 5000000, "currency": "KZT"}}},
            {"ocid": "ocds-kz-merge-1", "id": "r2", "date": "2026-03-01T00:00:00Z", "tag": ["award"],
             "parties": [{"id": "s1", "name": "Trans LLP", "identifier": {"scheme": "KZ-BIN", "id": supplier}, "roles": ["supplier"]}],
             "tender": {"status": "complete"},
             "awards": [{"id": "a1", "status": "active", "suppliers": [{"id": "s1"}]}]}
        ]
    });
    let i = import(
        &run,
        &t.procurement,
        tid,
        "ocds",
        "package.json",
        "application/json",
        pkg.to_string(),
    )
    .await?;
    assert_eq!(i["status"], "done", "{i}");
    assert_eq!(counts(&i), (1, 0, 0), "{i}");
    let p = api
        .get(
            &t.procurement,
            &format!("/tenants/{tid}/procurements/ocds-kz-merge-1"),
        )
        .await?;
    assert_eq!(p.status, 200, "{}", p.text);
    assert_eq!(
        p.body["title"], "Uranium hexafluoride transport",
        "{}",
        p.text
    );
    assert_eq!(p.body["status"], "complete");
    assert_eq!(p.body["buyer_name"], "Kazatomprom");
    assert_eq!(p.body["counterparty_bins"], json!([supplier]));
    let sid = p.body["submission_id"].as_str().unwrap();
    let s = api
        .get(&t.compliance, &format!("/tenants/{tid}/submissions/{sid}"))
        .await?;
    assert_eq!(s.body["payload"]["awards"][0]["id"], "a1", "{}", s.text);
    assert_eq!(s.body["payload"]["tender"]["id"], "T1");
    // The same package again changes nothing.
    let i = import(
        &run,
        &t.procurement,
        tid,
        "ocds",
        "package.json",
        "application/json",
        pkg.to_string(),
    )
    .await?;
    assert_eq!(counts(&i), (0, 1, 0), "{i}");
    // A line that is not JSON, or a bad BIN, is reported; the rest applied.
    let lines = format!(
        "{{\"ocid\":\"ocds-kz-ok\",\"tender\":{{\"status\":\"planning\",\"title\":\"Pens\"}}}}\nnot json\n{{\"ocid\":\"ocds-kz-bad\",\"parties\":[{{\"id\":\"x\",\"identifier\":{{\"scheme\":\"KZ-BIN\",\"id\":\"{}\"}}}}]}}\n",
        wrong_check_digit(&supplier)
    );
    let i = import(
        &run,
        &t.procurement,
        tid,
        "ocds",
        "mixed.jsonl",
        "application/x-ndjson",
        lines,
    )
    .await?;
    assert_eq!(counts(&i), (1, 0, 2), "{i}");
    let report = i["report"].as_array().unwrap();
    assert!(report.iter().any(|e| e["row"] == 2), "{i}");
    assert!(
        report
            .iter()
            .any(|e| e["row"] == 3 && e["column"] == "/parties/0/identifier/id"),
        "{i}"
    );

    // The list's filters.
    let by_bin = list(
        api,
        &t.procurement,
        tid,
        &format!("?counterparty_bin={supplier}"),
    )
    .await?;
    assert_eq!(by_bin["total"], 1, "{by_bin}");
    assert_eq!(by_bin["items"][0]["ocid"], "ocds-kz-merge-1");
    let planning = list(api, &t.procurement, tid, "?status=planning").await?;
    assert!(
        planning["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["ocid"] == "ocds-kz-ok")
    );
    assert!(
        planning["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "planning"),
        "{planning}"
    );
    let by_buyer = list(api, &t.procurement, tid, "?buyer_id=b1").await?;
    assert_eq!(by_buyer["total"], 1, "{by_buyer}");
    let by_text = list(api, &t.procurement, tid, "?q=hexafluoride").await?;
    assert_eq!(by_text["total"], 1, "{by_text}");
    // Issue 12, problem 9: `%` and `_` are letters in a search, not
    // wildcards (both used to match every procurement).
    for wild in ["%25", "%25%25", "hexa_luoride"] {
        let r = list(api, &t.procurement, tid, &format!("?q={wild}")).await?;
        assert_eq!(r["total"], 0, "?q={wild}: {r}");
    }
    // `_` finds the processes that have an underscore (the conformance
    // files' ocids do), not every one.
    let all = list(api, &t.procurement, tid, "").await?;
    let under = list(api, &t.procurement, tid, "?q=_").await?;
    assert!(under["total"].as_u64() < all["total"].as_u64(), "{under}");
    for p in under["items"].as_array().unwrap() {
        let text = format!("{} {} {}", p["ocid"], p["title"], p["buyer_name"]);
        assert!(text.contains('_'), "{text}");
    }
    let page = list(api, &t.procurement, tid, "?limit=2&offset=1").await?;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["offset"], 1);
    let r = api
        .get(
            &t.procurement,
            &format!("/tenants/{tid}/procurements?counterparty_bin=123"),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = api
        .get(&t.employee, &format!("/tenants/{tid}/procurements"))
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = api
        .get(&t.procurement, &format!("/tenants/{tid}/procurements/nope"))
        .await?;
    assert_eq!(r.status, 404);
    Ok(())
}

/// `GET /procurements?QUERY`, which must succeed.
async fn list(api: &Api, token: &str, tid: &str, query: &str) -> Result<Value> {
    let r = api
        .get(token, &format!("/tenants/{tid}/procurements{query}"))
        .await?;
    assert_eq!(r.status, 200, "{query}: {}", r.text);
    Ok(r.body)
}

/// `n` distinct valid IINs.
fn generated_iins(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut seen = std::collections::HashSet::new();
    let mut serial = 0u32;
    while out.len() < n {
        serial += 1;
        // Born on a day of 1970-1997, 1900s; the serial makes it unique.
        let day = serial % 28 + 1;
        let month = (serial / 28) % 12 + 1;
        let year = 70 + (serial / 336) % 28;
        let prefix = format!("{year:02}{month:02}{day:02}3{:04}", serial % 10_000);
        if let Some(i) = adal_domain::with_check_digit(&prefix)
            && seen.insert(i.clone())
        {
            out.push(i);
        }
    }
    out
}

fn rows_per_second(i: &Value, rows: i64) -> f64 {
    let t = |k: &str| chrono::DateTime::parse_from_rfc3339(i[k].as_str().unwrap()).unwrap();
    let secs = (t("finished_at") - t("started_at"))
        .as_seconds_f64()
        .max(0.001);
    rows as f64 / secs
}

/// The bulk figure: 10,000 people as CSV and 1,000 tenders as
/// OCDS JSON lines, through the API and the worker into PostgreSQL.
#[tokio::test(flavor = "multi_thread")]
async fn imports_ten_thousand_people_and_a_thousand_tenders() -> Result<()> {
    let run = start().await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "ktz", "02044000115").await?;
    let tid = &t.id;

    let iins = generated_iins(10_000);
    let mut csv = String::from("iin,full_name,department,position,started_on\n");
    for (n, i) in iins.iter().enumerate() {
        csv.push_str(&format!(
            "{i},Employee {n},Procurement,Clerk,2020-01-{:02}\n",
            n % 28 + 1
        ));
    }
    let started = Instant::now();
    let people = import(
        &run,
        &t.hr,
        tid,
        "people",
        "people-10k.csv",
        "text/csv",
        csv,
    )
    .await?;
    let people_wall = started.elapsed();
    assert_eq!(people["status"], "done", "{people}");
    assert_eq!(counts(&people), (10_000, 0, 0), "{}", people["report"]);
    let listed = api
        .get(&t.compliance, &format!("/tenants/{tid}/people?limit=1"))
        .await?;
    assert_eq!(listed.body["total"], 10_000);
    // A `%` or `_` in the name search matches itself, not everyone.
    for wild in ["%25", "_"] {
        let r = api
            .get(&t.compliance, &format!("/tenants/{tid}/people?q={wild}"))
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["total"], 0, "?q={wild}: {}", r.text);
    }

    let supplier = bin("20054000077");
    let mut lines = String::new();
    for n in 0..1000 {
        lines.push_str(&json!({
            "ocid": format!("ocds-kz-load-{n:05}"),
            "buyer": {"id": "ktz", "name": "KTZ"},
            "parties": [{"id": "s", "name": "Supplier", "identifier": {"scheme": "KZ-BIN", "id": supplier}, "roles": ["tenderer"]}],
            "tender": {"id": format!("T-{n}"), "title": format!("Tender {n}"), "status": "active",
                       "value": {"amount": 1000 + n, "currency": "KZT"}, "procurementMethod": "open"},
            "bids": {"details": [{"id": "b", "status": "valid", "tenderers": [{"id": "s"}], "value": {"amount": 900 + n, "currency": "KZT"}}]}
        }).to_string());
        lines.push('\n');
    }
    let started = Instant::now();
    let tenders = import(
        &run,
        &t.procurement,
        tid,
        "ocds",
        "tenders-1k.jsonl",
        "application/x-ndjson",
        lines,
    )
    .await?;
    let tenders_wall = started.elapsed();
    assert_eq!(tenders["status"], "done", "{tenders}");
    assert_eq!(counts(&tenders), (1_000, 0, 0), "{}", tenders["report"]);
    let listed = api
        .get(
            &t.procurement,
            &format!("/tenants/{tid}/procurements?counterparty_bin={supplier}&limit=1"),
        )
        .await?;
    assert_eq!(listed.body["total"], 1_000);

    println!(
        "bulk import (debug build): people 10000 rows, {:.0} rows/s (worker), {:.1} s upload to done; \
         tenders 1000 rows, {:.0} rows/s (worker), {:.1} s upload to done",
        rows_per_second(&people, 10_000),
        people_wall.as_secs_f64(),
        rows_per_second(&tenders, 1_000),
        tenders_wall.as_secs_f64(),
    );
    Ok(())
}

/// The tenant's compliance unit adopts the whole library as its first
/// rule-set version, with `overrides` (rule → parameter → value), and
/// activates it.
pub(crate) async fn adopt_library(api: &Api, t: &Tenant, overrides: Value) -> Result<()> {
    let tid = &t.id;
    let lib = api
        .get(&t.compliance, &format!("/tenants/{tid}/library"))
        .await?;
    let version = lib.body["version"].as_str().unwrap().to_owned();
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/rule-sets"),
            &json!({"library_version": version, "overrides": overrides}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/rule-sets/1/activate"),
            &json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    Ok(())
}

/// Polls a dataset run until it ends; returns it.
async fn run_dataset(api: &Api, token: &str, tid: &str) -> Result<Value> {
    let r = api
        .post(token, &format!("/tenants/{tid}/dataset-runs"), &json!({}))
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["id"].as_str().unwrap().to_owned();
    api.get_until(
        token,
        &format!("/tenants/{tid}/dataset-runs/{id}"),
        Duration::from_secs(60),
        "the dataset run to end",
        |b| b["status"] == "done" || b["status"] == "failed",
    )
    .await
}

/// The open findings of `rule` in the tenant, as the compliance unit sees
/// them, once `ready` holds for them.
async fn findings_of(
    api: &Api,
    token: &str,
    tid: &str,
    rule: &str,
    ready: impl Fn(&[Value]) -> bool,
) -> Result<Vec<Value>> {
    let rule = rule.to_owned();
    let body = api
        .get_until(
            token,
            &format!("/tenants/{tid}/findings?limit=200"),
            Duration::from_secs(60),
            "findings of a rule",
            |b| {
                let of: Vec<Value> = b["items"]
                    .as_array()
                    .map(|a| a.iter().filter(|f| f["rule_id"] == rule).cloned().collect())
                    .unwrap_or_default();
                ready(&of)
            },
        )
        .await?;
    Ok(body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .cloned()
        .collect())
}

/// Issues 3 and 4: facts of the whole data set. A declaration that never
/// came is a finding of a dataset run; when it arrives, the next run
/// corrects the derived record and that finding closes. Repeated small
/// gifts from one giver are a pattern no single gift shows. Runs are
/// idempotent, and only the compliance unit asks for them.
#[tokio::test(flavor = "multi_thread")]
async fn dataset_runs_find_missing_declarations_and_repeated_gifts() -> Result<()> {
    let run = start().await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "tengiz", "05034000189").await?;
    let other = tenant(api, &run.platform, "zhaik", "06044000195").await?;
    let tid = t.id.clone();
    adopt_library(api, &t, json!({})).await?;

    // Two reporting years back, whatever today is, the deadline (31 May of
    // the next year) has passed.
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive()) - 2;
    let absent = iin("88030350001");
    let r = api
        .post(
            &t.hr,
            &format!("/tenants/{tid}/people"),
            &json!({"iin": absent, "full_name": "Yerlan Absent", "department_id": t.department_id,
                    "position_id": t.high_risk_position, "started_on": "2020-01-15"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);

    // Only the compliance unit asks for a run; another tenant's compliance
    // unit does not learn that this tenant's runs exist.
    let r = api
        .post(
            &t.employee,
            &format!("/tenants/{tid}/dataset-runs"),
            &json!({}),
        )
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let first = run_dataset(api, &t.compliance, &tid).await?;
    assert_eq!(first["status"], "done", "{first}");
    assert!(first["created"].as_i64().unwrap() >= 3, "{first}");
    let r = api
        .get(
            &other.compliance,
            &format!(
                "/tenants/{tid}/dataset-runs/{}",
                first["id"].as_str().unwrap()
            ),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = api
        .get(
            &other.compliance,
            &format!(
                "/tenants/{}/dataset-runs/{}",
                other.id,
                first["id"].as_str().unwrap()
            ),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);

    let year_text = year.to_string();
    let missing = findings_of(api, &t.compliance, &tid, "declaration-missing", |f| {
        f.iter().any(|f| {
            let e = f["explanation"].as_str().unwrap_or_default();
            e.contains(&absent) && e.contains(&format!("for {year_text} "))
        })
    })
    .await?;
    let finding = missing
        .iter()
        .find(|f| {
            f["explanation"]
                .as_str()
                .unwrap()
                .contains(&format!("for {year} "))
        })
        .unwrap();
    assert_eq!(finding["severity"], "high", "{finding}");
    assert_eq!(finding["status"], "open", "{finding}");
    // On the person's department and position, so it is on the risk map
    // where they work.
    assert_eq!(
        finding["department_id"],
        json!(t.department_id),
        "{finding}"
    );
    let finding_id = finding["id"].as_str().unwrap().to_owned();
    // Not the employee's: a derived record is nobody's own filing.
    let mine = api
        .get(&t.employee, &format!("/tenants/{tid}/findings"))
        .await?;
    assert!(!mine.text.contains("declaration-missing"), "{}", mine.text);

    // A second run over the same data writes nothing.
    let again = run_dataset(api, &t.compliance, &tid).await?;
    assert_eq!(again["status"], "done", "{again}");
    assert_eq!(
        (again["created"].clone(), again["corrected"].clone()),
        (json!(0), json!(0)),
        "{again}"
    );

    // The declaration arrives (late); the next run corrects the derived
    // record, and the finding about the old version closes by itself.
    let r = api
        .post(
            &t.employee,
            &format!("/tenants/{tid}/asset-declarations"),
            &declaration_body(year, &absent),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let after = run_dataset(api, &t.compliance, &tid).await?;
    assert_eq!(after["corrected"], 1, "{after}");
    let closed = api
        .get_until(
            &t.compliance,
            &format!("/tenants/{tid}/findings/{finding_id}/triage"),
            Duration::from_secs(60),
            "the missing-declaration finding to close",
            |b| b["status"] == "resolved",
        )
        .await?;
    assert!(
        closed["reason"].as_str().unwrap().contains("corrected"),
        "{closed}"
    );
    assert!(closed["decided_by"].is_null(), "{closed}");

    // Issue 12, problem 3: the late declaration's own finding is as
    // private as the declaration. The compliance unit comments on it; the
    // tenant admin learns nothing of it, neither from the finding nor from
    // its triage, and cannot write to it.
    let late = findings_of(api, &t.compliance, &tid, "declaration-filed-late", |f| {
        !f.is_empty()
    })
    .await?;
    let late_id = late[0]["id"].as_str().unwrap().to_owned();
    let late_path = format!("/tenants/{tid}/findings/{late_id}");
    let r = api
        .post(
            &t.compliance,
            &format!("{late_path}/comments"),
            &json!({"body": "asked for the bank statements"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let r = api
        .get(&t.compliance, &format!("{late_path}/triage"))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.text.contains("bank statements"), "{}", r.text);
    for path in [late_path.clone(), format!("{late_path}/triage")] {
        let r = api.get(&t.admin, &path).await?;
        assert_eq!(r.status, 404, "admin reads {path}: {}", r.text);
        assert!(!r.text.contains("bank statements"), "{}", r.text);
    }
    for (action, body) in [
        ("comments", json!({"body": "seen"})),
        ("assign", json!({"assignee_id": null})),
        ("resolve", json!({"reason": "fine"})),
    ] {
        let r = api
            .post(&t.admin, &format!("{late_path}/{action}"), &body)
            .await?;
        assert!(
            matches!(r.status, 403 | 404),
            "admin {action} on a declaration's finding: {}",
            r.text
        );
    }

    // Three small gifts from one giver within a year, to two people.
    for (who, date) in [
        (&t.employee, "2026-01-10"),
        (&t.employee2, "2026-02-10"),
        (&t.employee, "2026-03-10"),
    ] {
        let body = with(&gift_body(), |b| {
            b["date"] = json!(date);
            b["value_kzt"] = json!("12000");
        });
        let r = api
            .post(who, &format!("/tenants/{tid}/gifts"), &body)
            .await?;
        assert_eq!(r.status, 202, "{}", r.text);
    }
    let gifts = run_dataset(api, &t.compliance, &tid).await?;
    assert!(gifts["created"].as_i64().unwrap() >= 1, "{gifts}");
    let repeated = findings_of(
        api,
        &t.compliance,
        &tid,
        "repeated-gifts-from-one-giver",
        |f| !f.is_empty(),
    )
    .await?;
    let e = repeated[0]["explanation"].as_str().unwrap();
    assert!(
        e.contains("3 gifts") && e.contains("36,000.00") && e.contains("2 of"),
        "{e}"
    );

    // Culture, transparency and governance: the organisation (quasi-public)
    // has recorded no policy, compliance unit or risk assessment, its
    // high-risk employee no training; a report to its hotline waits past
    // the deadline.
    for rule in [
        "no-anti-corruption-policy",
        "no-compliance-unit",
        "no-recent-risk-assessment",
        "high-risk-staff-without-training",
    ] {
        findings_of(api, &t.compliance, &tid, rule, |f| {
            f.iter().any(|f| f["status"] == "open")
        })
        .await?;
    }
    let today = chrono::Utc::now().date_naive();
    let days_ago = |n: i64| (today - chrono::Duration::days(n)).to_string();
    for (event, on) in [
        ("policy_adopted", days_ago(400)),
        ("compliance_unit_established", days_ago(300)),
        ("risk_assessment_completed", days_ago(30)),
    ] {
        let r = api
            .post(
                &t.compliance,
                &format!("/tenants/{tid}/governance-records"),
                &json!({"event": event, "on": on, "document": "Order No. 1"}),
            )
            .await?;
        assert_eq!(r.status, 202, "{}", r.text);
    }
    // Only the organisation's admin and compliance unit record measures.
    let r = api
        .post(
            &t.employee,
            &format!("/tenants/{tid}/governance-records"),
            &json!({"event": "policy_adopted", "on": days_ago(1), "document": "x"}),
        )
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = api
        .post(
            &t.hr,
            &format!("/tenants/{tid}/trainings"),
            &json!({"person_iin": absent, "full_name": "Yerlan Absent", "course": "Anti-corruption basics",
                    "topic": "anti_corruption", "completed_on": days_ago(10), "hours": 8}),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    // A correction cannot turn it into another training: the refusal
    // names the member that moved it and what a training's identity is.
    let training = r.body["submission_id"].as_str().unwrap().to_owned();
    let r = api
        .post(
            &t.hr,
            &format!("/tenants/{tid}/submissions/{training}/corrections"),
            &json!({"person_iin": absent, "full_name": "Yerlan Absent", "course": "Anti-corruption basics",
                    "topic": "ethics", "completed_on": days_ago(10), "hours": 8}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/topic", "{}", r.text);
    assert!(r.text.contains("person, topic and day"), "{}", r.text);
    // A bad report is refused at its field; a good one, unanswered for 30
    // days against the default 15, is overdue at the next run.
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/feedback-reports"),
            &json!({"receipt_code": "HL-7", "channel": "hotline", "category": "corruption_report",
                    "received_on": days_ago(30), "summary": "A bribe for a permit", "answered_on": days_ago(31)}),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(
        r.body["details"][0]["pointer"], "/answered_on",
        "{}",
        r.text
    );
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/feedback-reports"),
            &json!({"receipt_code": "HL-7", "channel": "hotline", "category": "corruption_report",
                    "received_on": days_ago(30), "summary": "A bribe for a permit"}),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let culture = run_dataset(api, &t.compliance, &tid).await?;
    assert_eq!(culture["status"], "done", "{culture}");
    let late = findings_of(
        api,
        &t.compliance,
        &tid,
        "feedback-not-answered-in-time",
        |f| !f.is_empty(),
    )
    .await?;
    assert_eq!(late[0]["severity"], "high", "{}", late[0]);
    assert!(
        late[0]["explanation"].as_str().unwrap().contains("HL-7"),
        "{}",
        late[0]
    );
    for rule in [
        "no-anti-corruption-policy",
        "no-compliance-unit",
        "no-recent-risk-assessment",
        "high-risk-staff-without-training",
    ] {
        findings_of(api, &t.compliance, &tid, rule, |f| {
            !f.is_empty() && f.iter().all(|f| f["status"] == "resolved")
        })
        .await?;
    }

    // The runs are listed for the compliance unit, newest first.
    let runs = api
        .get(&t.compliance, &format!("/tenants/{tid}/dataset-runs"))
        .await?;
    assert_eq!(runs.status, 200, "{}", runs.text);
    assert_eq!(runs.body[0]["id"], culture["id"], "{}", runs.text);
    assert_eq!(runs.body.as_array().unwrap().len(), 5, "{}", runs.text);
    Ok(())
}

/// An account may be a person on file (by IIN): what its owner files about
/// themselves carries their person, and they declare only for themselves.
#[tokio::test(flavor = "multi_thread")]
async fn accounts_linked_to_people_file_for_themselves() -> Result<()> {
    let run = start().await?;
    let api = &run.api;
    let t = tenant(api, &run.platform, "altyn", "07054000123").await?;
    let tid = t.id.clone();
    let mine = iin("91021540002");
    let users = format!("/tenants/{tid}/users");
    let account = |email: &str, person_iin: Value| {
        json!({"email": email, "display_name": "Linked", "password": PASSWORD,
               "role": "employee", "person_iin": person_iin})
    };
    // A bad IIN is refused at its field.
    let r = api
        .post(
            &t.admin,
            &users,
            &account("bad@altyn.kz", json!(wrong_check_digit(&mine))),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/person_iin", "{}", r.text);
    let r = api
        .post(&t.admin, &users, &account("linked@altyn.kz", json!(mine)))
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["person_iin"], json!(mine), "{}", r.text);
    // One account per person.
    let r = api
        .post(&t.admin, &users, &account("twin@altyn.kz", json!(mine)))
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/person_iin", "{}", r.text);
    let linked = api.login("linked@altyn.kz", PASSWORD).await?;

    // Someone else's declaration: refused. Their own: filed, about them.
    let other_person = iin("92031650003");
    let r = api
        .post(
            &linked,
            &format!("/tenants/{tid}/asset-declarations"),
            &declaration_body(2025, &other_person),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    assert_eq!(r.body["details"][0]["pointer"], "/person_iin", "{}", r.text);
    let r = api
        .post(
            &linked,
            &format!("/tenants/{tid}/asset-declarations"),
            &declaration_body(2025, &mine),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    // The compliance unit may file for anyone.
    let r = api
        .post(
            &t.compliance,
            &format!("/tenants/{tid}/asset-declarations"),
            &declaration_body(2025, &other_person),
        )
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);

    // A gift filed by the linked account is about its person; one filed by
    // an unlinked account is about nobody on file.
    let r = api
        .post(&linked, &format!("/tenants/{tid}/gifts"), &gift_body())
        .await?;
    assert_eq!(r.status, 202, "{}", r.text);
    let id = r.body["submission_id"].as_str().unwrap().to_owned();
    let s = api
        .get(&linked, &format!("/tenants/{tid}/submissions/{id}"))
        .await?;
    assert_eq!(s.body["subject_iin"], json!(mine), "{}", s.text);
    let r = api
        .post(&t.employee, &format!("/tenants/{tid}/gifts"), &gift_body())
        .await?;
    let id = r.body["submission_id"].as_str().unwrap().to_owned();
    let s = api
        .get(&t.employee, &format!("/tenants/{tid}/submissions/{id}"))
        .await?;
    assert!(s.body["subject_iin"].is_null(), "{}", s.text);

    // A person's procurements: where they sit on the committee, where a
    // company they hold shares in bids, where their declared sibling sits
    // on the committee; not an unrelated one.
    let sibling = iin("93041760004");
    let company = bin("20054000077");
    let r = api
        .post(
            &t.hr,
            &format!("/tenants/{tid}/people"),
            &json!({"iin": mine, "full_name": "Linked Person",
                    "relatives": [{"relation": "sibling", "full_name": "Sibling", "iin": sibling}],
                    "interests": [{"company_bin": company, "company_name": "Supplier LLP", "role": "shareholder", "share_percent": "10"}]}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let person_id = r.body["id"].as_str().unwrap().to_owned();
    let procs = format!("/tenants/{tid}/procurements");
    let committee = |ocid: &str, member: &str| {
        json!({"ocid": ocid, "tender": {"id": "T", "title": "Cables", "status": "active",
               "committee": [{"name": "Member", "iin": member, "role": "member"}]}})
    };
    for release in [
        committee("ocds-p-1", &mine),
        committee("ocds-p-2", &sibling),
        committee("ocds-p-3", &iin("94051830005")),
        json!({"ocid": "ocds-p-4", "tender": {"id": "T", "title": "Poles", "status": "active"},
               "parties": [{"id": "s1", "name": "Supplier LLP", "identifier": {"scheme": "KZ-BIN", "id": company}, "roles": ["tenderer"]}]}),
    ] {
        let r = api.post(&t.procurement, &procs, &release).await?;
        assert_eq!(r.status, 202, "{}", r.text);
    }
    let path = format!("/tenants/{tid}/people/{person_id}/procurements");
    let r = api.get(&t.compliance, &path).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let found: Vec<(String, String)> = r
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["procurement"]["ocid"].as_str().unwrap().to_owned(),
                p["involvement"][0]["by"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("ocds-p-1".to_owned(), "named".to_owned()),
            ("ocds-p-2".to_owned(), "relative".to_owned()),
            ("ocds-p-4".to_owned(), "interest".to_owned()),
        ],
        "{}",
        r.text
    );
    // People and procurements both: HR reads people but not procurements.
    let r = api.get(&t.hr, &path).await?;
    assert_eq!(r.status, 403, "{}", r.text);
    let r = api.get(&t.employee, &path).await?;
    assert_eq!(r.status, 403, "{}", r.text);
    Ok(())
}
