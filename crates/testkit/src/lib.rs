//! Test support shared by the integration tests of several crates. Only
//! ever a dev-dependency.

#![allow(clippy::expect_used, clippy::panic)]

use sea_orm::{ConnectionTrait, Database};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The maintenance database on the test server (trust auth).
pub const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// The sandbox binary: `ADAL_RULES_BIN`, or built once from the rule
/// engine's own workspace (it cannot be a dependency of this one: STACK.md,
/// trap 1).
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

/// Creates a fresh PostgreSQL database; returns its name and URL. Fails
/// loudly when PostgreSQL is not reachable: tests never skip.
pub async fn create_postgres_database() -> (String, String) {
    let name = format!("adal_t_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(PG_ADMIN)
        .await
        .expect("PostgreSQL must be reachable at 127.0.0.1:5432 (user postgres)");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    let _ = admin.close().await;
    let url = format!("postgres://postgres@127.0.0.1:5432/{name}");
    (name, url)
}

/// Drops a database made by [`create_postgres_database`], closing any
/// connection still open to it.
pub async fn drop_postgres_database(name: &str) {
    let admin = Database::connect(PG_ADMIN)
        .await
        .expect("PostgreSQL must be reachable at 127.0.0.1:5432 (user postgres)");
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .expect("drop test database");
}
