//! The cases' clock: reminders before a case's deadlines and notices
//! when one has passed (docs/reporting.md), by one pass over every
//! tenant's open cases at an interval. Every notice is queued once
//! (the outbox dedupes), so any number of workers may run it.

use adal_store::Store;
use std::time::Duration;

pub async fn run_case_clock(
    store: Store,
    interval: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    if interval.is_zero() {
        return;
    }
    let mut shutdown = shutdown;
    loop {
        let today = adal_domain::kazakhstan_today();
        match adal_store::reports::remind_once(&store, today).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(notices = n, "case deadline notices queued"),
            Err(e) => tracing::warn!(error = %e, "the cases' clock failed; next pass will retry"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}
