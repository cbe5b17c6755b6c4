//! What the in-process tests of the app share: two tenants on SQLite
//! with an `AppState` as `adal serve` builds it (no sandbox started), and
//! their accounts.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use adal_authz::Authz;
use adal_service::AppState;
use adal_store::{Store, TenantId, tenants, users};
use std::sync::Arc;
use uuid::Uuid;

pub const PASSWORD: &str = "a-long-enough-password";

pub struct World {
    pub dir: std::path::PathBuf,
    pub state: AppState,
    pub a: Uuid,
    pub b: Uuid,
}

pub async fn user(w: &World, t: Uuid, email: &str, role: &str) {
    linked_user(w, t, email, role, None).await;
}

/// An account of `role` in tenant `t`, linked to the person with
/// `person_iin` when given.
pub async fn linked_user(w: &World, t: Uuid, email: &str, role: &str, person_iin: Option<String>) {
    let u = users::create(
        &w.state.store,
        Some(TenantId::from_uuid(t)),
        "test",
        users::NewUser {
            email: email.into(),
            display_name: email.into(),
            password_hash: adal_service::hash_password(PASSWORD).unwrap(),
            role: role.into(),
            department_id: None,
            position_id: None,
            person_iin,
        },
    )
    .await
    .unwrap();
    w.state
        .authz
        .assign(
            &u.id.to_string(),
            adal_domain::Role::parse(role).unwrap(),
            &t.to_string(),
        )
        .await
        .unwrap();
}

pub async fn world() -> World {
    let dir = std::env::temp_dir().join(format!("adal-web-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}/a.sqlite?mode=rwc", dir.display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let authz = Authz::load(store.clone()).await.unwrap();
    let mut qc = adal_config::Config::default().queue;
    qc.sqlite_path = dir.join("q.sqlite");
    let queue = adal_jobs::Queue::connect(&qc).await.unwrap();
    // Never started: no page of these tests evaluates anything.
    let sandbox = Arc::new(adal_sandbox::SandboxPool::new(
        adal_sandbox::SandboxConfig {
            binary: dir.join("no-sandbox-here"),
            pool_size: 1,
            deadline: std::time::Duration::from_secs(1),
            memory_mb: 64,
            work_dir: dir.clone(),
        },
    ));
    let mut ids = Vec::new();
    for (name, bin) in [("Alpha JSC", "000000000001"), ("Beta JSC", "000000000002")] {
        let t = tenants::create(
            &store,
            "test",
            tenants::NewTenant {
                name: name.into(),
                bin: bin.into(),
                sector: "quasi_public".into(),
                region: "astana".into(),
            },
        )
        .await
        .unwrap();
        ids.push(t.id);
    }
    let state = AppState {
        intake: adal_jobs::Intake::start(store.clone(), queue.clone()),
        store,
        authz,
        queue,
        sandbox,
        metrics: adal_telemetry::Metrics::new().unwrap(),
        // The dashboard's routes do not read the rule library.
        library: std::sync::Arc::new(adal_store::rules::Library::default()),
        reporting: std::sync::Arc::new(
            adal_service::reporting::ReportingKeys::ephemeral(
                &adal_service::reporting::ReportingSettings {
                    pow_bits: 4,
                    receipt_hash: adal_reporting::receipt::ReceiptHashParams::cheap_for_tests(),
                    ..Default::default()
                },
            )
            .unwrap(),
        ),
        import_limits: adal_import::Limits::default(),
        platform_second_factor: false,
        pdf_font: None,
    };
    let w = World {
        dir,
        state,
        a: ids[0],
        b: ids[1],
    };
    user(&w, w.a, "officer@a.kz", "compliance_officer").await;
    user(&w, w.a, "employee@a.kz", "employee").await;
    user(&w, w.a, "admin@a.kz", "tenant_admin").await;
    user(&w, w.b, "officer@b.kz", "compliance_officer").await;
    w
}
