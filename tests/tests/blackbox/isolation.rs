//! The isolation matrix, generated from the OpenAPI document the running
//! service publishes: a new endpoint joins it by existing. For every
//! operation under `/tenants/{tenant_id}` and every tenant role:
//!
//! 1. tenant B's path with B's ids answers `404`, exactly as a tenant that
//!    does not exist does;
//! 2. the caller's own tenant with B's ids answers exactly as ids that do
//!    not exist do (`404`, or the `403` the role gets for that operation
//!    whatever the id);
//! 3. another employee's own records (submissions, their versions and
//!    corrections, conflict-of-interest decisions, their API tokens)
//!    answer as ids that do not exist do;
//! 4. every list and export of the caller's own tenant holds nothing of B's.
//!
//! No answer carries B's ids or names, and B's records read the same
//! before and after. Writes go with valid bodies, so a refusal comes from
//! the access check, not from the body's parser. The Agency auditor, who
//! reads every tenant, must still write nothing in B and read no asset
//! declaration. Runs on PostgreSQL + Redis and on the embedded default.

use super::records::{Tenant, coi_body, declaration_body, gift_body, hr_body, iin, tenant};
use super::{ADMIN_PASSWORD, PASSWORD};
use adal_blackbox::*;
use anyhow::{Result, bail};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// Paths outside `/tenants/{tenant_id}`, each covered elsewhere: signing
/// in and out and the caller's own account, tokens and second factor (case 3 covers
/// `DELETE /auth/tokens/{id}`), the platform's tenant list (case 4), the
/// public schemas and the public registry (its own test). A new path
/// outside a tenant fails this test until someone decides where it
/// belongs.
const OUTSIDE_TENANTS: [&str; 43] = [
    "/auth/login",
    "/auth/second-factor",
    "/auth/second-factor/confirm",
    "/auth/second-factor/recovery-codes",
    "/auth/second-factor/disable",
    "/auth/logout",
    "/me",
    "/tenants",
    "/auth/tokens",
    "/auth/tokens/{id}",
    "/schemas/{kind}",
    "/registry/convicted",
    "/registry/convicted/{id}",
    "/registry/convicted/import",
    // The feedback channel's public side: anyone may file to any tenant,
    // and a reporter reaches only the report their receipt opens
    // (tests/tests/blackbox/reporting.rs).
    "/public/challenge",
    "/public/tenants/{tenant_id}/reports",
    "/public/agency/tenants/{tenant_id}/reports",
    "/public/reports/access",
    "/public/reports/mine",
    "/public/reports/mine/messages",
    "/public/reports/mine/attachments",
    "/public/reports/mine/attachments/{attachment_id}",
    // The messaging bots' webhooks: authenticated by the platform's
    // signature or secret token, never by a tenant's token; a delivery for
    // one tenant's bot cannot reach another's (bots.rs).
    "/webhooks/whatsapp",
    "/webhooks/telegram/{tenant_id}",
    // The Agency's view of escalated cases and its own channel
    // (reporting.rs tests who reads and writes it: the Agency alone, only
    // what was escalated or reported to it, and writing only on its own).
    "/agency/cases",
    "/agency/cases/{id}",
    "/agency/cases/{id}/messages",
    "/agency/cases/{id}/attachments",
    "/agency/cases/{id}/attachments/{attachment_id}",
    // Every organisation's channel in figures: the Agency and platform
    // admins (reporting.rs tests that the organisations' roles are refused).
    "/agency/case-statistics",
    "/agency/case-statistics/csv",
    // The cartogram across tenants: the Agency and platform admins only,
    // and its public aggregate names no tenant (cartogram.rs tests both).
    "/agency/cartogram",
    "/agency/cartogram.svg",
    "/agency/cartogram.csv",
    "/agency/high-risk-positions",
    "/agency/high-risk-positions.csv",
    "/public/cartogram",
    // The Agency's summary of every tenant's annual report: the Agency and
    // platform admins only (annual.rs tests who reads it).
    "/agency/annual-reports/{year}",
    "/agency/annual-reports/{year}/csv",
    // The platform operator's: platform admins only (platform.rs tests
    // that every other role is refused).
    "/platform/tenants",
    "/platform/agency-accounts",
    "/platform/agency-accounts/{id}/disable",
    "/platform/agency-accounts/{id}/enable",
];

/// The lists a tenant exports (`/exports/{format}/{list}`): every one.
const EXPORT_LISTS: [&str; 8] = [
    "people",
    "relatives",
    "interests",
    "procurements",
    "submissions",
    "findings",
    "departments",
    "positions",
];

/// What fills a path's parameters.
#[derive(Clone, Default)]
struct Ids {
    user: String,
    department: String,
    position: String,
    ocid: String,
    version: String,
    submission: String,
    finding: String,
    coi: String,
    person: String,
    import: String,
    dataset_run: String,
    case: String,
    attachment: String,
    approval: String,
    link: String,
}

impl Ids {
    /// Ids that exist nowhere.
    fn ghost() -> Self {
        let id = || uuid::Uuid::now_v7().to_string();
        Self {
            user: id(),
            department: id(),
            position: id(),
            ocid: "ocds-nowhere-1".into(),
            version: "1".into(),
            submission: id(),
            finding: id(),
            coi: id(),
            person: id(),
            import: id(),
            dataset_run: id(),
            case: id(),
            attachment: id(),
            approval: id(),
            link: id(),
        }
    }

    /// B's record ids as they appear in answers: none may leak to A.
    fn markers(&self) -> Vec<String> {
        [
            &self.user,
            &self.department,
            &self.position,
            &self.ocid,
            &self.submission,
            &self.finding,
            &self.coi,
            &self.person,
            &self.import,
            &self.dataset_run,
            &self.case,
            &self.attachment,
            &self.approval,
            &self.link,
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .cloned()
        .collect()
    }
}

/// Whether a parameter names a record of one tenant (as opposed to a
/// version number, a kind or a list name, which mean the same anywhere).
fn is_record_id(segment_before: &str, param: &str) -> bool {
    !matches!(
        (segment_before, param),
        ("rule-sets", "version") | ("imports", "kind") | ("annual-reports", "year") | (_, "list")
    )
}

/// Fills a path template; `None` for a parameter the matrix does not know
/// (the test then fails, naming it).
fn fill(template: &str, tenant: &str, ids: &Ids, list: &str) -> Result<String> {
    let mut out = String::new();
    let mut before = "";
    for seg in template.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        let Some(param) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            out.push_str(seg);
            before = seg;
            continue;
        };
        let value = match (before, param) {
            ("tenants", "tenant_id") => tenant,
            ("users", "user_id") => &ids.user,
            ("departments", "department_id") => &ids.department,
            ("positions", "position_id") => &ids.position,
            ("procurements", "ocid") => &ids.ocid,
            ("rule-sets", "version") => &ids.version,
            ("submissions", "id") => &ids.submission,
            ("findings", "id") => &ids.finding,
            ("conflicts-of-interest", "id") => &ids.coi,
            ("people", "id") => &ids.person,
            ("imports", "id") => &ids.import,
            ("imports", "kind") => "people",
            ("dataset-runs", "id") => &ids.dataset_run,
            ("cases", "id") => &ids.case,
            ("attachments", "attachment_id") => &ids.attachment,
            ("approvals", "approval_id") => &ids.approval,
            ("links", "link_id") => &ids.link,
            ("annual-reports", "year") => "2025",
            (_, "list") => list,
            _ => bail!(
                "{template}: the isolation matrix does not know what {{{param}}} after \
                 `{before}` is; teach `fill` (tests/tests/blackbox/isolation.rs)"
            ),
        };
        out.push_str(value);
    }
    Ok(out)
}

/// The query string an operation requires (`?year=2025`), so that the
/// answer is not the parser's.
fn required_query(template: &str, op: &Value) -> Result<String> {
    let mut out = Vec::new();
    for p in op["parameters"].as_array().into_iter().flatten() {
        if p["in"] != "query" || p["required"] != true {
            continue;
        }
        match p["name"].as_str() {
            Some("year") => out.push("year=2025".to_owned()),
            other => bail!(
                "{template}: the isolation matrix has no value for the required query \
                 parameter {other:?}; add one to `required_query`"
            ),
        }
    }
    Ok(if out.is_empty() {
        String::new()
    } else {
        format!("?{}", out.join("&"))
    })
}

/// A valid request for an operation that takes a body, so that a refusal
/// is the access check's and not the parser's: content type and body.
fn valid_body(method: &str, template: &str, a: &World) -> Result<Option<(&'static str, String)>> {
    let json = |v: Value| Some(("application/json", v.to_string()));
    let tail = template
        .strip_prefix("/tenants/{tenant_id}")
        .unwrap_or(template);
    Ok(match (method, tail) {
        ("get" | "delete", _) => None,
        ("put", "/settings") => json(json!({
            "alert_threshold": "medium", "alert_emails": ["unit@alpha.kz"], "mci_by_year": {"2026": "4325"}
        })),
        ("post", "/users") => json(json!({
            "email": format!("new-{}@alpha.kz", uuid::Uuid::now_v7().simple()),
            "display_name": "New", "password": PASSWORD, "role": "employee"
        })),
        ("patch", "/users/{user_id}") => json(json!({"display_name": "Renamed"})),
        ("post", "/departments") => json(json!({"name": "Treasury"})),
        ("patch", "/departments/{department_id}") => json(json!({"name": "Renamed"})),
        ("post", "/positions") => {
            json(json!({"title": "Clerk", "risk_level": 1, "high_risk": false}))
        }
        ("patch", "/positions/{position_id}") => json(json!({"title": "Renamed"})),
        ("post", "/procurements") => json(procurement("ocds-matrix-1")),
        ("post", "/rule-sets") => json(json!({"rules": library_rules()})),
        ("post", "/rule-sets/{version}/dry-run" | "/rule-sets/{version}/activate") => {
            json(json!({}))
        }
        ("post", "/gifts" | "/submissions/{id}/corrections") => json(gift_body()),
        ("post", "/conflicts-of-interest") => json(coi_body()),
        ("post", "/asset-declarations") => json(declaration_body(2025, &iin("85010130001"))),
        ("post", "/hr-actions") => json(hr_body(&a.t.low_risk_position)),
        ("post", "/suspend") => json(json!({"reason": "Unpaid invoices"})),
        ("post", "/reactivate") => json(json!({})),
        ("post", "/screenings") => json(json!({
            "iin": iin("90011530001"), "full_name": "Marat Ospanov"
        })),
        ("post", "/trainings") => json(json!({
            "person_iin": iin("85010130001"), "full_name": "Aliya Nurlanova",
            "course": "Anti-corruption basics", "topic": "anti_corruption",
            "completed_on": "2026-02-01", "hours": 8
        })),
        ("post", "/feedback-reports") => json(json!({
            "receipt_code": "HL-9", "channel": "hotline", "category": "corruption_report",
            "received_on": "2026-02-01", "summary": "A bribe for a permit"
        })),
        ("post", "/governance-records") => json(json!({
            "event": "policy_adopted", "on": "2026-01-15", "document": "Order No. 1"
        })),
        ("post", "/conflicts-of-interest/{id}/decisions") => json(json!({
            "decision": "mitigated", "note": "Recused from the committee"
        })),
        ("post", "/people") => {
            json(json!({"iin": iin("86020230002"), "full_name": "Bolat Ermekov"}))
        }
        ("post", "/imports/{kind}") => Some((
            "text/csv",
            format!("iin,full_name\n{},Dana Aliyeva\n", iin("87030330003")),
        )),
        ("post", "/findings/{id}/assign") => json(json!({"assignee_id": null})),
        // B's ids in A's body: tested in dashboard.rs
        // (`findings_are_triaged_in_bulk`), where they are `not_found`.
        ("post", "/findings/bulk") => json(json!({
            "finding_ids": [a.ids.finding], "action": "comment", "reason": "checked"
        })),
        ("post", "/findings/{id}/comments") => json(json!({"body": "Seen"})),
        ("post", "/findings/{id}/due") => json(json!({
            "due_on": adal_domain::kazakhstan_today().to_string(), "reason": "Waiting for the bank's answer"
        })),
        (
            "post",
            "/findings/{id}/resolve" | "/findings/{id}/false-positive" | "/findings/{id}/reopen",
        ) => json(json!({"reason": "Checked"})),
        ("post", "/dataset-runs" | "/people/{id}/erasure" | "/audit/checkpoints") => {
            json(json!({}))
        }
        ("put", "/retention") => json(json!({"years": {"gift": 5}})),
        ("put", "/import-quota") => json(json!({"rows_per_day": 10})),
        ("patch", "/cases/{id}") => json(json!({"status": "under_review"})),
        ("post", "/cases/{id}/messages") => json(json!({"body": "Seen", "internal": true})),
        ("post", "/cases/{id}/recuse") => json(json!({})),
        ("post", "/cases/{id}/escalate") => {
            json(json!({"summary": "For the Agency", "include_report": false}))
        }
        ("post", "/cases/{id}/attachments") => {
            Some(("application/octet-stream", "A plain-text note.".to_owned()))
        }
        ("post", "/cases/{id}/attachments/{attachment_id}/removal") => {
            json(json!({"reason": "Not about this case"}))
        }
        ("post", "/cases/{id}/approvals/{approval_id}") => json(json!({"approve": false})),
        ("post", "/findings/{id}/case") => json(json!({})),
        ("post", "/cases/{id}/links") => json(json!({"person_id": a.ids.person})),
        _ => bail!(
            "{} {template}: the isolation matrix has no valid body for it; add one to \
             `valid_body` (tests/tests/blackbox/isolation.rs)",
            method.to_uppercase()
        ),
    })
}

fn procurement(ocid: &str) -> Value {
    json!({"ocid": ocid, "tender": {"id": "T1", "title": "Cables", "status": "active",
           "value": {"amount": 1000, "currency": "KZT"}}})
}

/// One tenant with a record of every kind and their ids.
struct World {
    t: Tenant,
    ids: Ids,
    /// The first employee's own records (for the second employee).
    own: Ids,
    /// The first employee's API token's id.
    employee_token_id: String,
}

/// The member `key` of a successful answer.
fn accepted(r: Reply, what: &str, key: &str) -> Result<String> {
    if !(200..300).contains(&r.status) {
        bail!("{what}: {} {}", r.status, r.text);
    }
    match r.body[key].as_str() {
        Some(v) => Ok(v.to_owned()),
        None => bail!("{what}: no `{key}` in {}", r.text),
    }
}

/// Fills a tenant with one record of every kind the API has ids for.
async fn populate(api: &Api, t: Tenant, tag: &str) -> Result<World> {
    let tid = t.id.clone();
    let p = |s: &str| format!("/tenants/{tid}{s}");
    let r = api
        .post(
            &t.compliance,
            &p("/rule-sets"),
            &json!({"rules": library_rules()}),
        )
        .await?;
    if r.status != 201 {
        bail!("rule set: {} {}", r.status, r.text);
    }
    let r = api
        .post(&t.compliance, &p("/rule-sets/1/activate"), &json!({}))
        .await?;
    if !(200..300).contains(&r.status) {
        bail!("activate: {} {}", r.status, r.text);
    }
    let submission = accepted(
        api.post(&t.employee, &p("/gifts"), &gift_body()).await?,
        "gift",
        "submission_id",
    )?;
    let coi = accepted(
        api.post(&t.employee, &p("/conflicts-of-interest"), &coi_body())
            .await?,
        "conflict of interest",
        "submission_id",
    )?;
    let person = accepted(
        api.post(
            &t.admin,
            &p("/people"),
            &json!({"iin": iin("80010130001"), "full_name": format!("{tag} Person")}),
        )
        .await?,
        "person",
        "id",
    )?;
    let ocid = accepted(
        api.post(
            &t.procurement,
            &p("/procurements"),
            &procurement(&format!("ocds-{tag}-1")),
        )
        .await?,
        "procurement",
        "ocid",
    )?;
    let import = accepted(
        api.upload(
            &t.hr,
            &p("/imports/people?file_name=people.csv"),
            "text/csv",
            format!("iin,full_name\n{},{tag} Imported\n", iin("81020230002")),
        )
        .await?,
        "import",
        "id",
    )?;
    let dataset_run = accepted(
        api.post(&t.compliance, &p("/dataset-runs"), &json!({}))
            .await?,
        "dataset run",
        "id",
    )?;
    // The gift is over the limit: wait for its finding, the dataset run and
    // the import, so that nothing changes B after its fingerprint is taken.
    let findings = api
        .get_until(
            &t.compliance,
            &p("/findings"),
            Duration::from_secs(60),
            "a finding",
            |b| b["items"][0]["id"].is_string(),
        )
        .await?;
    let finding = findings["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    api.get_until(
        &t.compliance,
        &p(&format!("/dataset-runs/{dataset_run}")),
        Duration::from_secs(60),
        "the dataset run done",
        |b| b["status"] == "done",
    )
    .await?;
    api.get_until(
        &t.hr,
        &p(&format!("/imports/{import}")),
        Duration::from_secs(60),
        "the import done",
        |b| b["status"] == "done",
    )
    .await?;
    // The dataset run files obligations the worker then evaluates.
    api.get_until(
        &t.compliance,
        &p("/submissions?limit=200"),
        Duration::from_secs(60),
        "every submission evaluated",
        |b| {
            b["items"]
                .as_array()
                .is_some_and(|a| a.iter().all(|s| s["status"] != "received"))
        },
    )
    .await?;
    // A report through the tenant's public channel, and its case.
    let pow = api.proof_of_work().await?;
    let r = api
        .post_public(
            &format!("/public/tenants/{tid}/reports"),
            &[("Proof-Of-Work", &pow)],
            &json!({"what": format!("{tag}: a bribe for a permit")}),
        )
        .await?;
    if r.status != 201 {
        bail!("report: {} {}", r.status, r.text);
    }
    let cases = api.get(&t.compliance, &p("/cases")).await?;
    let case = cases.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // A file on the case, and a removal of it waiting for a decision.
    let r = api
        .upload(
            &t.compliance,
            &p(&format!("/cases/{case}/attachments?name=note.txt")),
            "application/octet-stream",
            format!("{tag}: a handler's note"),
        )
        .await?;
    let attachment = accepted(r, "attachment", "id")?;
    let r = api
        .post(
            &t.compliance,
            &p(&format!("/cases/{case}/attachments/{attachment}/removal")),
            &json!({"reason": "Duplicate"}),
        )
        .await?;
    let approval = accepted(r, "removal", "id")?;
    let r = api
        .post(
            &t.compliance,
            &p(&format!("/cases/{case}/links")),
            &json!({"person_id": person}),
        )
        .await?;
    let link = accepted(r, "case link", "id")?;
    let users = api.get(&t.admin, &p("/users")).await?;
    let user = users.body["items"]
        .as_array()
        .or_else(|| users.body.as_array())
        .and_then(|a| a.iter().find(|u| u["display_name"] == "employee"))
        .and_then(|u| u["id"].as_str())
        .unwrap_or_default()
        .to_owned();
    let tokens = api.get(&t.employee, "/auth/tokens").await?;
    let employee_token_id = tokens.body[0]["id"].as_str().unwrap_or_default().to_owned();
    let ids = Ids {
        user,
        department: t.department_id.clone(),
        position: t.low_risk_position.clone(),
        ocid,
        version: "1".into(),
        submission: submission.clone(),
        finding,
        coi: coi.clone(),
        person,
        import,
        dataset_run,
        case,
        attachment,
        approval,
        link,
    };
    for (what, v) in [
        ("case", &ids.case),
        ("user", &ids.user),
        ("finding", &ids.finding),
        ("token", &employee_token_id),
    ] {
        if v.is_empty() {
            bail!("{tag}: no {what} id");
        }
    }
    let own = Ids {
        submission,
        coi,
        ..Ids::ghost()
    };
    Ok(World {
        t,
        ids,
        own,
        employee_token_id,
    })
}

/// Drops members that change by being read (a token's last use).
fn stable(mut v: Value) -> Value {
    match &mut v {
        Value::Object(m) => {
            m.remove("last_used_at");
            for x in m.values_mut() {
                *x = stable(x.take());
            }
        }
        Value::Array(a) => {
            for x in a.iter_mut() {
                *x = stable(x.take());
            }
        }
        _ => {}
    }
    v
}

/// What B's own people read of B: must not change while A tries.
async fn fingerprint(api: &Api, b: &World) -> Result<BTreeMap<String, String>> {
    let tid = &b.t.id;
    let i = &b.ids;
    let mut out = BTreeMap::new();
    for (token, path) in [
        (&b.t.admin, format!("/tenants/{tid}")),
        (&b.t.admin, format!("/tenants/{tid}/users")),
        (&b.t.admin, format!("/tenants/{tid}/departments")),
        (&b.t.admin, format!("/tenants/{tid}/positions")),
        (&b.t.admin, format!("/tenants/{tid}/people")),
        (&b.t.admin, format!("/tenants/{tid}/people/{}", i.person)),
        (&b.t.compliance, format!("/tenants/{tid}/rule-sets")),
        (&b.t.compliance, format!("/tenants/{tid}/submissions")),
        (
            &b.t.compliance,
            format!("/tenants/{tid}/submissions/{}/versions", i.submission),
        ),
        (&b.t.compliance, format!("/tenants/{tid}/findings")),
        (
            &b.t.compliance,
            format!("/tenants/{tid}/findings/{}/triage", i.finding),
        ),
        (
            &b.t.compliance,
            format!("/tenants/{tid}/conflicts-of-interest/{}/decisions", i.coi),
        ),
        (&b.t.compliance, format!("/tenants/{tid}/procurements")),
        (&b.t.compliance, format!("/tenants/{tid}/dataset-runs")),
        (&b.t.hr, format!("/tenants/{tid}/imports")),
        (&b.t.employee, "/auth/tokens".to_owned()),
    ] {
        let r = api.get(token, &path).await?;
        if r.status != 200 {
            bail!("B reads {path}: {} {}", r.status, r.text);
        }
        out.insert(path, stable(r.body).to_string());
    }
    Ok(out)
}

struct Matrix<'a> {
    api: &'a Api,
    b_markers: Vec<String>,
    requests: usize,
    /// XLSX exports whose cells case 4 read: none would mean it saw none.
    workbooks: usize,
    failures: Vec<String>,
}

impl Matrix<'_> {
    async fn send(
        &mut self,
        method: &str,
        token: &str,
        path: &str,
        body: &Option<(&'static str, String)>,
    ) -> Result<Reply> {
        self.requests += 1;
        match body {
            Some((ct, text)) if *ct != "application/json" => {
                self.api.upload(token, path, ct, text.clone()).await
            }
            Some((_, text)) => {
                self.api
                    .send(&method.to_uppercase(), token, path, text.clone())
                    .await
            }
            None => {
                self.api
                    .send(&method.to_uppercase(), token, path, String::new())
                    .await
            }
        }
    }

    /// Records a failure when an answer carries any of B's ids or names.
    fn no_leak(&mut self, what: &str, r: &Reply) {
        let leaked: Vec<&String> = self
            .b_markers
            .iter()
            .filter(|m| r.text.contains(m.as_str()))
            .collect();
        if !leaked.is_empty() {
            self.failures.push(format!(
                "{what}: leaked {leaked:?}: {} {}",
                r.status, r.text
            ));
        }
    }

    /// `probe` must answer exactly as `ghost` (same status, same error
    /// code), never a success, and, if `want` is given, with that status.
    fn same(&mut self, what: &str, probe: &Reply, ghost: &Reply, want: Option<u16>) {
        self.no_leak(what, probe);
        let bad = (200..300).contains(&probe.status)
            || probe.status >= 500
            || probe.status != ghost.status
            || probe.body["code"] != ghost.body["code"]
            || want.is_some_and(|w| probe.status != w);
        if bad {
            self.failures.push(format!(
                "{what}: {} {} (a record that does not exist: {} {})",
                probe.status, probe.text, ghost.status, ghost.text
            ));
        }
    }
}

async fn run_matrix(dep: &Deployment) -> Result<()> {
    dep.run(&["migrate"], &[]).await?;
    for (email, role) in [
        ("platform@adal.test", "platform_admin"),
        ("agency@adal.test", "agency_auditor"),
    ] {
        dep.run(
            &["create-admin", "--email", email, "--role", role],
            &[("ADAL_ADMIN_PASSWORD", ADMIN_PASSWORD)],
        )
        .await?;
    }
    let _serve = dep.spawn("serve", &["serve"])?;
    dep.wait_ready().await?;
    let api = Api::new(dep.base_url());
    let platform = api.login("platform@adal.test", ADMIN_PASSWORD).await?;
    let agency = api.login("agency@adal.test", ADMIN_PASSWORD).await?;
    let a = populate(
        &api,
        tenant(&api, &platform, "alpha", "23014000111").await?,
        "alpha",
    )
    .await?;
    let b = populate(
        &api,
        tenant(&api, &platform, "beta", "23024000222").await?,
        "beta",
    )
    .await?;
    // An asset declaration in A, for the readers who may not see one.
    let decl = accepted(
        api.post(
            &a.t.employee,
            &format!("/tenants/{}/asset-declarations", a.t.id),
            &declaration_body(2025, &iin("82030330003")),
        )
        .await?,
        "declaration",
        "submission_id",
    )?;
    let before = fingerprint(&api, &b).await?;

    let mut b_markers = b.ids.markers();
    b_markers.extend([
        b.t.id.clone(),
        "beta".to_owned(),
        b.employee_token_id.clone(),
    ]);
    let mut m = Matrix {
        api: &api,
        b_markers,
        requests: 0,
        workbooks: 0,
        failures: Vec::new(),
    };
    let roles: [(&str, &str); 5] = [
        ("tenant_admin", a.t.admin.as_str()),
        ("compliance_officer", a.t.compliance.as_str()),
        ("hr_officer", a.t.hr.as_str()),
        ("procurement_officer", a.t.procurement.as_str()),
        ("employee", a.t.employee.as_str()),
    ];
    let doc = api.get_public("/openapi.json").await?;
    let paths = doc.body["paths"]
        .as_object()
        .ok_or_else(|| anyhow::anyhow!("no paths in the OpenAPI document: {}", doc.text))?;
    let mut operations = 0;
    let nowhere = uuid::Uuid::now_v7().to_string();
    let ghost = Ids::ghost();
    for (template, ops) in paths {
        if !template.starts_with("/tenants/{tenant_id}") {
            if !OUTSIDE_TENANTS.contains(&template.as_str()) {
                m.failures.push(format!(
                    "{template}: a path outside /tenants/{{tenant_id}} the isolation matrix \
                     does not know; decide how it is isolated and add it"
                ));
            }
            continue;
        }
        let has_record_id = {
            let mut before = "";
            template.split('/').any(|seg| {
                let p = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
                let hit = p.is_some_and(|p| p != "tenant_id" && is_record_id(before, p));
                before = seg;
                hit
            })
        };
        let lists: &[&str] = if template.contains("{list}") {
            &EXPORT_LISTS
        } else {
            &["-"]
        };
        for (method, op) in ops.as_object().into_iter().flatten() {
            operations += 1;
            let query = required_query(template, op)?;
            let body = valid_body(method, template, &a)?;
            for list in lists {
                for (role, token) in roles {
                    let what = |case: &str| {
                        format!(
                            "{} {template} ({list}) as A's {role}, {case}",
                            method.to_uppercase()
                        )
                    };
                    // 1. B's tenant and ids, against a tenant that does not exist.
                    let probe = m
                        .send(
                            method,
                            token,
                            &(fill(template, &b.t.id, &b.ids, list)? + &query),
                            &body,
                        )
                        .await?;
                    let absent = m
                        .send(
                            method,
                            token,
                            &(fill(template, &nowhere, &ghost, list)? + &query),
                            &body,
                        )
                        .await?;
                    m.same(&what("B's tenant"), &probe, &absent, Some(404));
                    // 2. A's tenant with B's ids, against ids that do not exist.
                    if has_record_id {
                        let probe = m
                            .send(
                                method,
                                token,
                                &(fill(template, &a.t.id, &b.ids, list)? + &query),
                                &body,
                            )
                            .await?;
                        let absent = m
                            .send(
                                method,
                                token,
                                &(fill(template, &a.t.id, &ghost, list)? + &query),
                                &body,
                            )
                            .await?;
                        m.same(&what("B's ids in A"), &probe, &absent, None);
                    }
                    // 4. A's own lists and exports hold nothing of B's.
                    if method == "get" && !has_record_id {
                        let r = m
                            .send(
                                method,
                                token,
                                &(fill(template, &a.t.id, &a.ids, list)? + &query),
                                &None,
                            )
                            .await?;
                        // A workbook is compressed: its cells are read.
                        let r = if template.contains("/xlsx/") && r.status == 200 {
                            let path = fill(template, &a.t.id, &a.ids, list)? + &query;
                            let (_, _, bytes) = api.get_file(token, &path).await?;
                            m.workbooks += 1;
                            Reply {
                                text: xlsx_text(bytes)?,
                                ..r
                            }
                        } else {
                            r
                        };
                        m.no_leak(&what("A's own list"), &r);
                        if r.status >= 500 {
                            m.failures.push(format!(
                                "{}: {} {}",
                                what("A's own list"),
                                r.status,
                                r.text
                            ));
                        }
                    }
                }
                // 3. The second employee on the first one's own records.
                let touches_own = template.contains("/submissions/{id}")
                    || template.contains("/conflicts-of-interest/{id}");
                if touches_own {
                    let probe = m
                        .send(
                            method,
                            &a.t.employee2,
                            &(fill(template, &a.t.id, &a.own, list)? + &query),
                            &body,
                        )
                        .await?;
                    let absent = m
                        .send(
                            method,
                            &a.t.employee2,
                            &(fill(template, &a.t.id, &ghost, list)? + &query),
                            &body,
                        )
                        .await?;
                    let what =
                        format!("{} {template} as A's other employee", method.to_uppercase());
                    if (200..300).contains(&probe.status) || probe.status != absent.status {
                        m.failures.push(format!(
                            "{what}: {} {} (none: {} {})",
                            probe.status, probe.text, absent.status, absent.text
                        ));
                    }
                }
            }
        }
    }

    // Tokens are only ever their owner's: another tenant's and a colleague's
    // are as unknown as ids that never existed.
    for (role, token) in roles {
        for (whose, id) in [
            ("B's employee's", &b.employee_token_id),
            ("A's employee's", &a.employee_token_id),
        ] {
            if token == a.t.employee && whose.starts_with("A's") {
                continue;
            }
            let probe = m
                .send("delete", token, &format!("/auth/tokens/{id}"), &None)
                .await?;
            let absent = m
                .send(
                    "delete",
                    token,
                    &format!("/auth/tokens/{}", uuid::Uuid::now_v7()),
                    &None,
                )
                .await?;
            m.same(
                &format!("DELETE {whose} token as A's {role}"),
                &probe,
                &absent,
                Some(404),
            );
        }
        let r = m.send("get", token, "/tenants", &None).await?;
        m.no_leak(&format!("GET /tenants as A's {role}"), &r);
    }
    // The colleague's token still works.
    let r = api.get(&a.t.employee, "/me").await?;
    if r.status != 200 {
        m.failures.push(format!(
            "A's employee's token was revoked by someone else: {}",
            r.status
        ));
    }

    // The Agency reads every tenant but writes nothing in one, and reads no
    // asset declaration: they are the compliance unit's alone. The one POST
    // it may make is asking for a signed checkpoint of the tenant's audit
    // log, which changes none of the tenant's data and is how the Agency
    // holds the operator to what the log said (docs/audit.md).
    for (template, ops) in paths {
        if !template.starts_with("/tenants/{tenant_id}") {
            continue;
        }
        for (method, op) in ops.as_object().into_iter().flatten() {
            if method == "get" || (method == "post" && template.ends_with("/audit/checkpoints")) {
                continue;
            }
            let query = required_query(template, op)?;
            let body = valid_body(method, template, &b)?;
            let lists: &[&str] = if template.contains("{list}") {
                &EXPORT_LISTS
            } else {
                &["-"]
            };
            for list in lists {
                let r = m
                    .send(
                        method,
                        &agency,
                        &(fill(template, &b.t.id, &b.ids, list)? + &query),
                        &body,
                    )
                    .await?;
                if (200..300).contains(&r.status) || r.status >= 500 {
                    m.failures.push(format!(
                        "{} {template} as the Agency in B: {} {}",
                        method.to_uppercase(),
                        r.status,
                        r.text
                    ));
                }
            }
        }
    }
    for path in [
        format!("/tenants/{}/submissions/{decl}", a.t.id),
        format!("/tenants/{}/submissions/{decl}/versions", a.t.id),
    ] {
        for (who, token) in [
            ("the Agency", agency.as_str()),
            ("A's tenant admin", a.t.admin.as_str()),
        ] {
            let probe = m.send("get", token, &path, &None).await?;
            if probe.status != 404 {
                m.failures.push(format!(
                    "{who} reads an asset declaration {path}: {} {}",
                    probe.status, probe.text
                ));
            }
        }
    }

    // A bulk action names its findings in the body: B's finding there is
    // what an id that exists nowhere is, and B's finding is untouched (the
    // fingerprint below).
    let ghost_finding = uuid::Uuid::now_v7().to_string();
    for body in [
        json!({"action": "resolve", "reason": "closing B's"}),
        json!({"action": "comment", "reason": "commenting on B's"}),
        json!({"action": "assign", "assignee_id": null}),
    ] {
        let with = |id: &str| {
            let mut b = body.clone();
            b["finding_ids"] = json!([id]);
            b
        };
        let path = format!("/tenants/{}/findings/bulk", a.t.id);
        let probe = api
            .post(&a.t.compliance, &path, &with(&b.ids.finding))
            .await?;
        let absent = api
            .post(&a.t.compliance, &path, &with(&ghost_finding))
            .await?;
        m.requests += 2;
        let outcome = |r: &Reply| (r.status, r.body["results"][0]["outcome"].clone());
        if outcome(&probe) != (200, json!("not_found")) || outcome(&probe) != outcome(&absent) {
            m.failures.push(format!(
                "bulk {body} on B's finding in A: {} {} (an unknown id: {} {})",
                probe.status, probe.text, absent.status, absent.text
            ));
        }
        // The answer names the ids it was given, B's too: that tells the
        // caller nothing it did not send. Beyond them it must be the
        // answer to an unknown id, word for word.
        let without = |r: &Reply, id: &str| r.text.replace(id, "ID");
        if without(&probe, &b.ids.finding) != without(&absent, &ghost_finding) {
            m.failures.push(format!(
                "bulk {body} on B's finding in A differs from an unknown id: {} / {}",
                probe.text, absent.text
            ));
        }
    }

    let after = fingerprint(&api, &b).await?;
    for (path, was) in &before {
        if after.get(path) != Some(was) {
            m.failures.push(format!(
                "B's {path} changed while A tried:\nbefore {was}\nafter  {:?}",
                after.get(path)
            ));
        }
    }
    if m.workbooks == 0 {
        m.failures
            .push("no XLSX export answered A's own lists: case 4 read no workbook".into());
    }
    eprintln!(
        "isolation matrix: {operations} tenant operations, {} requests, {} workbooks, {} failures",
        m.requests,
        m.workbooks,
        m.failures.len()
    );
    if !m.failures.is_empty() {
        bail!(
            "{} isolation failures:\n{}",
            m.failures.len(),
            m.failures.join("\n")
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn isolation_matrix_on_postgres_redis() -> Result<()> {
    let db = PgDatabase::create()?;
    let smtp = Smtp::start().await?;
    let dep = Deployment::production(&db, smtp.port);
    run_matrix(&dep)
        .await
        .map_err(|e| anyhow::anyhow!("{e}\nserve log (tail):\n{}", tail(&dep.log("serve"))))
}

#[tokio::test(flavor = "multi_thread")]
async fn isolation_matrix_on_the_embedded_default() -> Result<()> {
    let dep = Deployment::embedded();
    run_matrix(&dep)
        .await
        .map_err(|e| anyhow::anyhow!("{e}\nserve log (tail):\n{}", tail(&dep.log("serve"))))
}

fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
