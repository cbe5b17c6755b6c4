//! The demo tenant, for a first look: `adal demo` seeds it once (it is
//! found again by its BIN) and then serves.

use crate::Service;
use adal_domain::{Role, with_check_digit};
use adal_store::{TenantId, org, procurement, rules, submissions, tenants, users};
use anyhow::{Context, Result, bail};
use chrono::Datelike;

/// Every demo account signs in with this password. Demo data only.
pub const DEMO_PASSWORD: &str = "adal-demo-password";

pub struct DemoAccounts {
    pub tenant_id: uuid::Uuid,
    pub accounts: Vec<(String, String)>,
}

fn bin(prefix: &str) -> Result<String> {
    with_check_digit(prefix).context("demo BIN without a check digit")
}

async fn user(
    svc: &Service,
    tenant: Option<TenantId>,
    email: &str,
    name: &str,
    role: Role,
    department_id: Option<uuid::Uuid>,
    position_id: Option<uuid::Uuid>,
) -> Result<uuid::Uuid> {
    let hash = adal_service::hash_password(DEMO_PASSWORD)
        .map_err(|e| anyhow::anyhow!("hashing the demo password: {e:?}"))?;
    let u = users::create(
        &svc.store,
        tenant,
        "demo",
        users::NewUser {
            email: email.to_owned(),
            display_name: name.to_owned(),
            password_hash: hash,
            role: role.as_str().to_owned(),
            department_id,
            position_id,
            person_iin: None,
        },
    )
    .await?;
    let domain = match (tenant, role) {
        (Some(t), _) => t.to_string(),
        (None, Role::PlatformAdmin) => adal_authz::PLATFORM_DOMAIN.to_owned(),
        (None, _) => "*".to_owned(),
    };
    svc.authz.assign(&u.id.to_string(), role, &domain).await?;
    Ok(u.id)
}

/// Seeds the demo tenant unless it exists; returns its id and accounts.
pub async fn seed_demo(svc: &Service) -> Result<DemoAccounts> {
    let demo_bin = bin("26014000001")?;
    let accounts = vec![
        ("platform@adal.demo".to_owned(), "platform_admin".to_owned()),
        (
            "auditor@agency.demo".to_owned(),
            "agency_auditor".to_owned(),
        ),
        ("admin@demo.kz".to_owned(), "tenant_admin".to_owned()),
        (
            "compliance@demo.kz".to_owned(),
            "compliance_officer".to_owned(),
        ),
        (
            "procurement@demo.kz".to_owned(),
            "procurement_officer".to_owned(),
        ),
        ("hr@demo.kz".to_owned(), "hr_officer".to_owned()),
        ("employee@demo.kz".to_owned(), "employee".to_owned()),
    ];
    if let Some(t) = tenants::list_all_for_platform(&svc.store)
        .await?
        .into_iter()
        .find(|t| t.bin == demo_bin)
    {
        return Ok(DemoAccounts {
            tenant_id: t.id,
            accounts,
        });
    }
    user(
        svc,
        None,
        "platform@adal.demo",
        "Platform Operator",
        Role::PlatformAdmin,
        None,
        None,
    )
    .await?;
    let auditor = user(
        svc,
        None,
        "auditor@agency.demo",
        "Agency Auditor",
        Role::AgencyAuditor,
        None,
        None,
    )
    .await?;
    registry_entries(svc, auditor).await?;
    let t = tenants::create(
        &svc.store,
        "demo",
        tenants::NewTenant {
            name: "Demo Energy JSC".into(),
            bin: demo_bin,
            sector: "quasi_public".into(),
            region: "astana".into(),
        },
    )
    .await?;
    let tenant = TenantId::from_uuid(t.id);
    let mut settings = tenants::settings_of(&t)?;
    settings.alert_threshold = "medium".into();
    settings.alert_emails = vec!["compliance-unit@demo.kz".into()];
    tenants::update_settings(&svc.store, tenant, "demo", &settings).await?;

    let procurement_dept =
        org::create_department(&svc.store, tenant, "demo", "Procurement".into(), None).await?;
    let finance =
        org::create_department(&svc.store, tenant, "demo", "Finance".into(), None).await?;
    let buyer = org::create_position(
        &svc.store,
        tenant,
        "demo",
        org::NewPosition {
            department_id: Some(procurement_dept.id),
            title: "Procurement specialist".into(),
            risk_level: 4,
            high_risk: true,
        },
    )
    .await?;
    let accountant = org::create_position(
        &svc.store,
        tenant,
        "demo",
        org::NewPosition {
            department_id: Some(finance.id),
            title: "Accountant".into(),
            risk_level: 2,
            high_risk: false,
        },
    )
    .await?;
    user(
        svc,
        Some(tenant),
        "admin@demo.kz",
        "Aigerim Tenant-Admin",
        Role::TenantAdmin,
        Some(finance.id),
        Some(accountant.id),
    )
    .await?;
    let compliance = user(
        svc,
        Some(tenant),
        "compliance@demo.kz",
        "Daniyar Compliance",
        Role::ComplianceOfficer,
        None,
        None,
    )
    .await?;
    user(
        svc,
        Some(tenant),
        "hr@demo.kz",
        "Madina HR",
        Role::HrOfficer,
        None,
        None,
    )
    .await?;
    let procurement_officer = user(
        svc,
        Some(tenant),
        "procurement@demo.kz",
        "Saule Procurement",
        Role::ProcurementOfficer,
        Some(procurement_dept.id),
        Some(buyer.id),
    )
    .await?;
    let employee = user(
        svc,
        Some(tenant),
        "employee@demo.kz",
        "Nurlan Employee",
        Role::Employee,
        Some(procurement_dept.id),
        Some(buyer.id),
    )
    .await?;

    let supplier = bin("19054000123")?;
    let today = adal_domain::kazakhstan_today();
    // An open tender in which the gift giver below is a bidder.
    let employee_iin = with_check_digit("85050530001").context("demo IIN")?;
    // The employee's account is the person on file (seeded below): their
    // gifts reach the rules with their father and their shareholding.
    users::link_person(&svc.store, tenant, "demo", employee, Some(&employee_iin)).await?;
    // Ten days to bid, and one bid: the red flags R003 (short submission
    // period) and R018 (single bid) fire on it at the first dataset run.
    let period = |days: i64| format!("{}T09:00:00+05:00", today + chrono::Duration::days(days));
    let release = serde_json::json!({
        "ocid": "ocds-demo-2026-001",
        "buyer": {"id": "demo-buyer", "name": "Demo Energy JSC"},
        "parties": [
            {"id": "demo-buyer", "name": "Demo Energy JSC", "roles": ["buyer", "procuringEntity"]},
            {"id": "kts", "name": "Kazakh Transformer Service LLP",
             "identifier": {"scheme": "KZ-BIN", "id": supplier}, "roles": ["tenderer"]}
        ],
        "tender": {
            "id": "DEMO-2026-001", "title": "Transformer maintenance", "status": "active",
            "procurementMethod": "open", "value": {"amount": 25000000, "currency": "KZT"},
            "tenderPeriod": {"startDate": period(-5), "endDate": period(5)},
            "numberOfTenderers": 1,
            "procuringEntity": {"id": "demo-buyer", "name": "Demo Energy JSC"},
            // The employee sits on the committee and holds shares in the
            // bidder (declared below): what the committee rule is for.
            "committee": [{"name": "Nurlan Employee", "iin": employee_iin, "role": "member"}]
        },
        "bids": {"details": [{"id": "bid-1", "status": "valid", "tenderers": [{"id": "kts"}],
                              "value": {"amount": 24000000, "currency": "KZT"}}]}
    });
    let release = procurement::parse(&release, today)
        .map_err(|e| anyhow::anyhow!("demo procurement: {e:?}"))?;
    let tender = procurement::upsert(&svc.store, tenant, procurement_officer, &release)
        .await?
        .submission_id();

    // The demo adopts the standard as shipped, as a tenant would on day one.
    let lib = &svc.library;
    let sources: Vec<_> = lib.rules.iter().map(|d| d.to_source()).collect();
    let errors = svc.sandbox.check(&sources).await?;
    if !errors.is_empty() {
        bail!("the rule library does not compile: {errors:?}");
    }
    let v = rules::create_version_from(
        &svc.store,
        tenant,
        compliance,
        &lib.rules,
        Some((&lib.version, &rules::Adoption::default())),
    )
    .await?;
    rules::activate(&svc.store, tenant, "demo", v.version).await?;

    for (giver, giver_bin, what, value, date) in [
        (
            "Kazakh Transformer Service LLP",
            Some(supplier.as_str()),
            "Smart watch",
            "180000.00",
            "2026-02-10",
        ),
        ("A friend", None, "Flowers", "6000.00", "2026-03-08"),
        // Two more from the bidder: each small, together a pattern the
        // dataset rule on repeated gifts finds.
        (
            "Kazakh Transformer Service LLP",
            Some(supplier.as_str()),
            "Calendar and pen set",
            "9000.00",
            "2026-01-05",
        ),
        (
            "Kazakh Transformer Service LLP",
            Some(supplier.as_str()),
            "Dinner invitation",
            "25000.00",
            "2026-09-15",
        ),
    ] {
        let gift = adal_domain::GiftDeclaration::validate(
            adal_domain::GiftInput {
                direction: "received".into(),
                giver_name: giver.into(),
                giver_bin: giver_bin.map(str::to_owned),
                description: what.into(),
                value_kzt: value.into(),
                date: date.into(),
                occasion: "Demo data".into(),
            },
            today,
        )
        .map_err(|e| anyhow::anyhow!("demo gift: {e:?}"))?;
        let payload = serde_json::to_value(&gift)?;
        adal_jobs::submit(
            &svc.store,
            &svc.queue,
            tenant,
            submissions::NewSubmission {
                kind: adal_domain::Kind::Gift.as_str().into(),
                schema_version: adal_domain::Kind::Gift.schema_version(),
                submitted_by: employee,
                department_id: Some(procurement_dept.id),
                position_id: Some(buyer.id),
                payload,
                reference: None,
                subject_iin: None,
                supersedes: None,
            },
        )
        .await?;
    }
    records(svc, tenant, employee, buyer.id, &supplier, today).await?;
    // Evaluated once the people it names are on file.
    adal_jobs::hand_over(&svc.store, &svc.queue, tenant, tender).await;
    // Look at the whole data set once now rather than in an hour: the
    // demo person's missing declarations and the bidder's repeated gifts
    // are findings of the dataset rules.
    adal_store::dataset::request(&svc.store, tenant, adal_store::dataset::MANUAL, "demo").await?;
    Ok(DemoAccounts {
        tenant_id: t.id,
        accounts,
    })
}

/// Two fictional entries of the convicted-persons registry, so that the
/// public search and the HR screening have something to find: one with an
/// IIN, one known by name only. The demo's people are not among them.
async fn registry_entries(svc: &Service, auditor: uuid::Uuid) -> Result<()> {
    use adal_domain::{ConvictedPerson, ConvictedPersonFields};
    let today = adal_domain::kazakhstan_today();
    let iin = with_check_digit("90011530001").context("demo IIN")?;
    let entries = [
        ConvictedPersonFields {
            full_name: "Оспанов Марат Серикович",
            iin: Some(&iin),
            date_of_birth: Some("1990-01-15"),
            offence_article: "366 part 2",
            convicted_on: "2024-03-01",
            court: "Specialised inter-district criminal court of Astana",
            applies_until: Some("2032-03-01"),
            workplace: Some("Akimat of a district of Astana (fictional)"),
            position_held: Some("Head of the land relations department"),
            offence_description: Some("Accepting a bribe for allocating a land plot"),
            case_number: Some("7199-24-00-1/15"),
            ruling_in_force_on: Some("2024-04-02"),
            punishment: Some("imprisonment"),
            punishment_term: Some("5 years"),
            source: Some("Demo data: a fictional entry"),
        },
        ConvictedPersonFields {
            full_name: "Ахметова Сауле Маратовна",
            offence_article: "367",
            convicted_on: "2023-10-12",
            court: "Almaty city court",
            workplace: Some("A state hospital (fictional)"),
            position_held: Some("Chief accountant"),
            offence_description: Some("Giving a bribe to a public official"),
            ruling_in_force_on: Some("2023-11-14"),
            punishment: Some("fine"),
            punishment_term: Some("2,000 MCI"),
            source: Some("Demo data: a fictional entry"),
            ..Default::default()
        },
    ];
    for fields in entries {
        let entry = ConvictedPerson::parse(fields, today)
            .map_err(|e| anyhow::anyhow!("demo registry entry: {e:?}"))?;
        adal_store::registry::create(&svc.store, auditor, &entry).await?;
    }
    Ok(())
}

/// One record of every other kind, so that each of the demo's screens and
/// rules has something to show: a person with a relative and an interest,
/// a hiring decided by the new hire's father, a declaration with a debt to
/// the bidder, and a disclosure with no mitigation proposed.
async fn records(
    svc: &Service,
    tenant: TenantId,
    filer: uuid::Uuid,
    position: uuid::Uuid,
    supplier: &str,
    today: chrono::NaiveDate,
) -> Result<()> {
    use adal_domain::Kind;
    let employee_iin = with_check_digit("85050530001").context("demo IIN")?;
    let father_iin = with_check_digit("60010130002").context("demo IIN")?;
    let hire_iin = with_check_digit("98070740003").context("demo IIN")?;
    let person = serde_json::json!({
        "iin": employee_iin, "full_name": "Nurlan Employee", "position_id": position,
        "started_on": "2021-03-01",
        "relatives": [{"relation": "parent", "full_name": "Bolat Employee", "iin": father_iin}],
        "interests": [{"company_bin": supplier, "company_name": "Kazakh Transformer Service LLP", "role": "shareholder", "share_percent": "5"}]
    });
    let person: adal_domain::records::person::Person =
        adal_domain::records::parse_value(&person, today)
            .map_err(|e| anyhow::anyhow!("demo person: {e:?}"))?;
    adal_store::people::put(&svc.store, tenant, filer, &person).await?;
    let last_year = today.year() - 1;
    let filings = [
        (
            Kind::HrAction,
            serde_json::json!({
                "action": "hiring", "person": {"iin": hire_iin, "full_name": "Aruzhan Bolatkyzy"},
                "position_id": position, "effective_on": today.to_string(), "decided_on": today.to_string(),
                "decision_makers": [{"full_name": "Bolat Employee", "iin": father_iin, "role": "head of procurement", "relation_to_subject": "parent"}],
                "screening": {"completed_on": today.to_string(), "checks": ["convicted_registry", "relatives"], "result": "concerns", "note": "Father heads the department"}
            }),
            Some(hire_iin.clone()),
            None,
        ),
        (
            Kind::AssetDeclaration,
            serde_json::json!({
                "year": last_year, "person_iin": employee_iin,
                "real_estate": [{"kind": "apartment", "address": "Astana, Mangilik El 10", "value_kzt": "42000000.00"}],
                "liabilities": [{"kind": "private_loan", "creditor_name": "Kazakh Transformer Service LLP", "creditor_bin": supplier, "amount_kzt": "3000000.00"}],
                "income": [{"source": "salary", "payer_name": "Demo Energy JSC", "amount_kzt": "7200000.00"}]
            }),
            Some(employee_iin.clone()),
            Some(adal_store::declarations::reference(
                last_year,
                &employee_iin,
            )),
        ),
        (
            Kind::ConflictOfInterest,
            serde_json::json!({
                "situation": "relative_in_procurement",
                "description": "My father's former colleague directs a bidder in the transformer tender",
                "parties": [{"name": "Bolat Employee", "iin": father_iin, "relation": "parent"}],
                "procurement_ocid": "ocds-demo-2026-001", "arose_on": today.to_string(),
                "proposed_resolution": "no_conflict"
            }),
            None,
            None,
        ),
    ];
    for (kind, payload, subject_iin, reference) in filings {
        let payload = kind
            .normalise(&payload, today)
            .map_err(|e| anyhow::anyhow!("demo {}: {e:?}", kind.as_str()))?;
        adal_jobs::submit(
            &svc.store,
            &svc.queue,
            tenant,
            submissions::NewSubmission {
                kind: kind.as_str().into(),
                schema_version: kind.schema_version(),
                submitted_by: filer,
                department_id: None,
                position_id: Some(position),
                payload,
                reference,
                subject_iin,
                supersedes: None,
            },
        )
        .await?;
    }
    Ok(())
}
