//! What the queue and intake tests share: stores, tenants, rules, a
//! worker.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use adal_config::{QueueBackend, QueueConfig, Secret};
use adal_jobs::{Evaluator, Queue, run_evaluation_worker};
use adal_sandbox::{SandboxConfig, SandboxPool};
use adal_sandbox_protocol::Severity;
use adal_store::rules::{self, RuleDefinition};
use adal_store::submissions::{self, NewSubmission};
use adal_store::{Store, TenantId, tenants};
use adal_telemetry::Metrics;
use adal_testkit::PgDatabase;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

pub const REDIS_URL: &str = "redis://127.0.0.1:6379";
pub const RULE: &str = r#"if money(submission.value_kzt) > money("100") { "big gift" }"#;

pub fn rules_binary() -> PathBuf {
    adal_testkit::rules_binary()
}

/// A scratch directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(what: &str) -> Self {
        let p = std::env::temp_dir().join(format!("adal-jobs-test-{what}-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Clone, Copy, Debug)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A fresh, migrated store. The SQLite file lives in `dir`; a PostgreSQL
/// database is created per call and left behind only if the test fails
/// (see `drop_pg`).
pub async fn store(db: Db, dir: &TempDir) -> (Store, Option<PgDatabase>) {
    match db {
        Db::Sqlite => {
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("adal.db").display());
            let store = Store::connect(&url).await.expect("open SQLite store");
            store.migrate().await.unwrap();
            (store, None)
        }
        Db::Postgres => {
            let pg = PgDatabase::create().expect("PostgreSQL must be reachable");
            let store = Store::connect(&pg.url)
                .await
                .expect("connect to the test database");
            store.migrate().await.unwrap();
            (store, Some(pg))
        }
    }
}

pub async fn drop_pg(store: Store, pg: Option<PgDatabase>) {
    store.close().await.unwrap();
    drop(pg);
}

pub fn queue_config(backend: QueueBackend, dir: &TempDir) -> QueueConfig {
    QueueConfig {
        backend,
        sqlite_path: dir.path().join("queue").join("queue.db"),
        redis_url: Secret::new(REDIS_URL),
        // Unique per test so runs and tests never see each other's jobs.
        namespace: format!("adal-jobs-test-{}", Uuid::new_v4().simple()),
    }
}

/// Deletes the test's Redis keys (best effort).
pub fn clear_redis(cfg: &QueueConfig) {
    if !matches!(cfg.backend, QueueBackend::Redis) {
        return;
    }
    let Ok(out) = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "--scan", "--pattern"])
        .arg(format!("*{}*", cfg.namespace))
        .output()
    else {
        return;
    };
    let keys: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .filter(|k| !k.is_empty())
        .collect();
    if !keys.is_empty() {
        let _ = Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "DEL"])
            .args(&keys)
            .output();
    }
}

pub fn evaluator(store: &Store, dir: &TempDir) -> Arc<Evaluator> {
    evaluator_with(store, dir, Duration::from_secs(20), 200)
}

pub fn evaluator_with(
    store: &Store,
    dir: &TempDir,
    deadline: Duration,
    batch: u64,
) -> Arc<Evaluator> {
    let work_dir = dir.path().join("sandbox");
    std::fs::create_dir_all(&work_dir).unwrap();
    let pool = SandboxPool::new(SandboxConfig {
        binary: rules_binary(),
        pool_size: 2,
        deadline,
        memory_mb: 512,
        work_dir,
    });
    Arc::new(
        Evaluator::new(store.clone(), Arc::new(pool), Metrics::new().unwrap())
            .with_batches(batch, Duration::from_secs(60)),
    )
}

pub async fn tenant(store: &Store) -> TenantId {
    let n = Uuid::new_v4().as_u128() % 1_000_000_000_000;
    let t = tenants::create(
        store,
        "platform-admin",
        tenants::NewTenant {
            name: "Queue JSC".to_owned(),
            bin: format!("{n:012}"),
            sector: "quasi_public".to_owned(),
            region: "Almaty".to_owned(),
        },
    )
    .await
    .unwrap();
    TenantId::from_uuid(t.id)
}

pub async fn activate_rule(store: &Store, tenant: TenantId, script: &str) {
    let rule = rule_definition("big_gift", "gift", Severity::High, script);
    activate(store, tenant, rule).await;
}

/// A rule for `kind` with likelihood 3 and impact 4, reading no parameters.
pub fn rule_definition(id: &str, kind: &str, severity: Severity, script: &str) -> RuleDefinition {
    RuleDefinition {
        id: id.to_owned(),
        title: id.replace(['-', '_'], " "),
        area: "conflict_of_interest".to_owned(),
        guideline_section: None,
        kinds: vec![kind.to_owned()],
        severity,
        likelihood: 3,
        impact: 4,
        params: BTreeMap::new(),
        script: script.to_owned(),
        declared: BTreeMap::new(),
        fixtures: Vec::new(),
    }
}

/// Makes a version of `rule` alone and activates it.
pub async fn activate(store: &Store, tenant: TenantId, rule: RuleDefinition) {
    let v = rules::create_version(store, tenant, Uuid::new_v4(), &[rule])
        .await
        .unwrap();
    rules::activate(store, tenant, "admin", v.version)
        .await
        .unwrap();
}

pub async fn gift(store: &Store, tenant: TenantId, value_kzt: &str) -> submissions::Submission {
    submissions::insert(store, tenant, gift_submission(value_kzt, None))
        .await
        .unwrap()
}

/// Polls `check` until it returns `Some`, failing after `limit`.
pub async fn eventually<T, F, Fut>(what: &str, limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn status_of(store: &Store, tenant: TenantId, id: Uuid) -> String {
    submissions::get(store, tenant, id).await.unwrap().status
}

pub struct RunningWorker {
    pub stop: tokio::sync::watch::Sender<bool>,
    pub handle: tokio::task::JoinHandle<Result<(), adal_jobs::QueueError>>,
}

pub fn start_worker(queue: &Queue, evaluator: Arc<Evaluator>) -> RunningWorker {
    let (stop, rx) = tokio::sync::watch::channel(false);
    let handle = tokio::spawn(run_evaluation_worker(
        queue.clone(),
        evaluator,
        format!("test-worker-{}", Uuid::new_v4()),
        2,
        rx,
    ));
    RunningWorker { stop, handle }
}

impl RunningWorker {
    pub async fn stop(self) {
        self.stop.send(true).unwrap();
        let r = tokio::time::timeout(Duration::from_secs(15), self.handle)
            .await
            .expect("the worker stops when told to")
            .expect("the worker task did not panic");
        r.expect("the worker ends without error");
    }
}

pub fn gift_submission(value_kzt: &str, supersedes: Option<Uuid>) -> NewSubmission {
    NewSubmission {
        kind: "gift".to_owned(),
        schema_version: 1,
        submitted_by: Uuid::new_v4(),
        department_id: None,
        position_id: None,
        payload: serde_json::json!({
            "direction": "received",
            "giver_name": "Alpha LLP",
            "description": "Watch",
            "value_kzt": value_kzt,
            "date": "2026-03-01",
        }),
        reference: None,
        subject_iin: None,
        supersedes,
    }
}
