//! The cases' clock: reminders before a case's deadlines and notices
//! when one has passed (docs/reporting.md), by one pass over every
//! tenant's open cases at an interval. Every notice is queued once
//! (the outbox dedupes), so any number of workers may run it. And the
//! retention pass, on the same schedule helper.

use adal_store::Store;
use std::time::Duration;

pub async fn run_case_clock(
    store: Store,
    interval: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    every(interval, shutdown, || async {
        let today = adal_domain::kazakhstan_today();
        match adal_store::reports::remind_once(&store, today).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(notices = n, "case deadline notices queued"),
            Err(e) => tracing::warn!(error = %e, "the cases' clock failed; next pass will retry"),
        }
    })
    .await;
}

/// The alert digests: every `interval`, gathers each digest whose hour or
/// day has ended into the outbox (`adal_store::digests`), with links under
/// `public_url`. Safe with any number of workers: a finding joins exactly
/// one digest, in the database.
pub async fn run_digests(
    store: Store,
    public_url: String,
    interval: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    every(interval, shutdown, || async {
        match adal_store::digests::send_due(&store, chrono::Utc::now(), &public_url).await {
            Ok(r) if r.digests == 0 && r.failed_tenants == 0 => {}
            Ok(r) => tracing::info!(
                digests = r.digests,
                findings = r.findings,
                emails = r.emails,
                failed_tenants = r.failed_tenants,
                "alert digests queued"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "gathering alert digests failed; next pass will retry")
            }
        }
    })
    .await;
}

/// The retention pass: every `interval`, erases in each tenant what its
/// retention periods say has expired (docs/privacy.md), and takes registry
/// entries past their publication period out of public view. Idempotent, so any
/// number of workers may run it.
pub async fn run_retention(
    store: Store,
    interval: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    every(interval, shutdown, || async {
        let today = adal_domain::kazakhstan_today();
        match adal_store::privacy::apply_retention_everywhere(&store, today).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(erased = n, "retention pass erased expired records"),
            Err(e) => tracing::warn!(error = %e, "the retention pass failed; next pass will retry"),
        }
        // The convicted-persons registry's entries leave public view when
        // their publication period ends (docs/registry.md).
        match adal_store::registry::expire(&store, today).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                removed = n,
                "registry entries past their publication period"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "the registry's expiry failed; next pass will retry")
            }
        }
    })
    .await;
}

/// Runs `pass` now and then every `interval` until `shutdown` flips; an
/// interval of 0 never runs it.
pub(crate) async fn every<F, Fut>(
    interval: Duration,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
    pass: F,
) where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    if interval.is_zero() {
        return;
    }
    loop {
        pass().await;
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}
