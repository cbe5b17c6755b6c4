//! The audit logs' sequencer and checkpoint schedule (docs/audit.md). Both
//! are safe to run in any number of workers: the sequencer takes each log's
//! lock, and a checkpoint of a size already signed is not signed again.

use adal_store::{Store, audit};
use std::time::Duration;

/// Every `interval`, gives the audit entries written since the last pass
/// their places in their tenants' logs.
pub async fn run_audit_sequencer(
    store: Store,
    interval: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    crate::cases::every(interval, shutdown, || async {
        if let Err(e) = audit::integrate_pending(&store).await {
            tracing::warn!(error = %e, "the audit sequencer failed; next pass will retry");
        }
    })
    .await;
}

/// Every `interval`, signs a checkpoint of every tenant log that grew and
/// deposits it in the platform's log.
pub async fn run_checkpoints(
    store: Store,
    interval: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    crate::cases::every(interval, shutdown, || async {
        match audit::checkpoint_grown(&store).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(signed = n, "audit checkpoints signed and deposited"),
            Err(e) => tracing::warn!(error = %e, "audit checkpoints failed; next pass will retry"),
        }
    })
    .await;
}
