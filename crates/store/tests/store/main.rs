//! The store against real databases, in one test binary (link time): every
//! test body is written once as an `async fn(Store)` and run by
//! `adal_testkit::on_both_backends!` on a fresh SQLite file and on a fresh
//! PostgreSQL database (127.0.0.1:5432, which must be up: these tests fail,
//! never skip, when it is not).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit_log;
mod classification;
mod dataset;
mod digests;
mod privacy;
mod reports;
mod rls;
mod store;
mod triage;
