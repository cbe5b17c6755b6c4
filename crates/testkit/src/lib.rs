//! Test support shared by the integration tests of several crates and by the
//! black-box tests: the sandbox binary, fresh databases (SQLite files and
//! PostgreSQL databases) and the harness that runs a store test on both
//! backends. Only ever a dev-dependency.

#![allow(clippy::expect_used, clippy::panic)]

use adal_store::Store;
use sea_orm::DatabaseBackend;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The PostgreSQL test server (trust auth, user postgres).
pub const PG_HOST: &str = "127.0.0.1";
pub const PG_PORT: u16 = 5432;

/// The sandbox binary: `ADAL_RULES_BIN`, or built once from the rule
/// engine's own workspace (it cannot be a dependency of this one: STACK.md,
/// trap 1). `cargo build` is a no-op when the binary is up to date.
pub fn rules_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("ADAL_RULES_BIN") {
            return PathBuf::from(p);
        }
        let engine = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules-engine");
        let status = Command::new(env!("CARGO"))
            .args(["build", "--quiet", "--bin", "adal-rules", "--manifest-path"])
            .arg(engine.join("Cargo.toml"))
            // The outer `cargo test` may set CARGO_TARGET_DIR for this
            // workspace; the engine's workspace builds into its own.
            .env_remove("CARGO_TARGET_DIR")
            .status()
            .expect("run cargo build for adal-rules");
        assert!(status.success(), "building adal-rules failed");
        engine.join("target/debug/adal-rules")
    })
    .clone()
}

/// Runs statements on the maintenance database with one `psql`, each in
/// its own transaction (`CREATE DATABASE` cannot run inside one), stopping
/// at the first that fails.
/// The role test databases are owned by and the service connects as.
pub const APP_ROLE: &str = "adal_app";

fn psql_admin(statements: &[&str]) -> std::io::Result<()> {
    let mut psql = Command::new("psql");
    psql.args(["-h", PG_HOST, "-p", &PG_PORT.to_string()])
        .args(["-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1"]);
    for sql in statements {
        psql.arg("-c").arg(sql);
    }
    let out = psql
        .output()
        .map_err(|e| std::io::Error::other(format!("running psql: {e}")))?;
    if !out.status.success() {
        return Err(std::io::Error::other(format!(
            "`{}` failed (is PostgreSQL up on {PG_HOST}:{PG_PORT}, user postgres?): {}",
            statements.join("; "),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(())
}

/// A fresh PostgreSQL database. Dropped (with any connection still open to
/// it) when this value is dropped, except while the test is panicking: a
/// failed test's database is kept for inspection and its name printed.
#[derive(Debug)]
pub struct PgDatabase {
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    /// Creates the database. Fails when PostgreSQL is not reachable: tests
    /// never skip.
    pub fn create() -> std::io::Result<Self> {
        let name = format!("adal_t_{}", uuid::Uuid::now_v7().simple());
        // A test database is thrown away: waiting for each commit's WAL
        // flush only slows the suite (migrations alone are dozens of
        // commits). Committed data still survives a clean server restart;
        // no test kills PostgreSQL itself.
        //
        // The service connects as an ordinary role, as in production
        // (docs/operations.md, "The database role"): not a superuser and
        // without BYPASSRLS, so row-level security holds in every test on
        // PostgreSQL. It owns the database and so the tables it migrates.
        psql_admin(&[
            &format!(
                "DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; \
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ),
            &format!("CREATE DATABASE {name} OWNER {APP_ROLE}"),
            &format!("ALTER DATABASE {name} SET synchronous_commit = off"),
        ])?;
        Ok(Self {
            url: format!("postgres://{APP_ROLE}@{PG_HOST}:{PG_PORT}/{name}"),
            name,
        })
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test failed: kept PostgreSQL database {}", self.name);
            return;
        }
        let _ = psql_admin(&[&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )]);
    }
}

/// The two databases the store supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database on `Backend`: a new SQLite file under the
/// temporary directory or a new PostgreSQL database. Removed on drop, kept
/// (and named on stderr) when the test panicked.
#[derive(Debug)]
pub enum TestDatabase {
    Sqlite { path: PathBuf, url: String },
    Postgres(PgDatabase),
}

impl TestDatabase {
    pub fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir()
                    .join(format!("adal-test-{}.db", uuid::Uuid::now_v7().simple()));
                let url = format!("sqlite://{}?mode=rwc", path.display());
                TestDatabase::Sqlite { path, url }
            }
            Backend::Postgres => TestDatabase::Postgres(
                PgDatabase::create()
                    .expect("PostgreSQL must be reachable at 127.0.0.1:5432 (user postgres)"),
            ),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. } => url,
            TestDatabase::Postgres(pg) => &pg.url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let TestDatabase::Sqlite { path, .. } = self {
            if std::thread::panicking() {
                eprintln!("test failed: kept SQLite database {}", path.display());
                return;
            }
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        // A PostgreSQL database is dropped by `PgDatabase`'s own Drop.
    }
}

/// A fresh, migrated store on `backend`, with the database behind it.
pub struct TestStore {
    pub store: Store,
    db: TestDatabase,
}

impl TestStore {
    pub async fn create(backend: Backend) -> Self {
        let db = TestDatabase::create(backend);
        let store = Store::connect(db.url())
            .await
            .expect("connect to the test database");
        store.migrate().await.expect("migrate the test database");
        let expected = match backend {
            Backend::Sqlite => DatabaseBackend::Sqlite,
            Backend::Postgres => DatabaseBackend::Postgres,
        };
        assert_eq!(store.backend(), expected);
        Self { store, db }
    }

    /// Closes the store's connections, then removes the database.
    pub async fn remove(self) {
        self.store.close().await.expect("close the test database");
        drop(self.db);
    }
}

/// Runs `body` on a fresh, migrated store on `backend`; the database is
/// removed when `body` returned normally, kept for inspection otherwise.
pub async fn with_store(backend: Backend, body: impl AsyncFnOnce(Store)) {
    let t = TestStore::create(backend).await;
    body(t.store.clone()).await;
    t.remove().await;
}

/// For each `async fn NAME(store: Store)` listed, a module `NAME` with two
/// tests, `sqlite` and `postgres`, each running the body on a fresh,
/// migrated database of that backend (PostgreSQL at 127.0.0.1:5432 must be
/// up: these tests fail, never skip, when it is not). The calling crate
/// needs `tokio` (with `macros` and `rt-multi-thread`) as a dependency.
#[macro_export]
macro_rules! on_both_backends {
    ($($body:ident),* $(,)?) => {$(
        mod $body {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                $crate::with_store($crate::Backend::Sqlite, super::$body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                $crate::with_store($crate::Backend::Postgres, super::$body).await;
            }
        }
    )*};
}
