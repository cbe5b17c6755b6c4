//! Dataset runs: each tenant's whole data set looked at on a schedule or
//! on request, its derived records filed, and those records handed to the
//! evaluation queue like any other.

use crate::queue::{Queue, QueueError};
use adal_domain::records::derived::DerivedKind;
use adal_sandbox::SandboxPool;
use adal_store::dataset::{self, DatasetRun, Tally};
use adal_store::{Store, StoreError, TenantId};
use std::sync::Arc;
use std::time::Duration;

/// Schedules and runs dataset runs until `shutdown` resolves. `interval`
/// zero means runs happen only when someone asks for one.
pub async fn run_dataset_jobs(
    store: Store,
    queue: Queue,
    sandbox: Arc<SandboxPool>,
    poll: Duration,
    interval: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut shutdown = shutdown;
    let mut last_scheduled: Option<std::time::Instant> = None;
    loop {
        // Scheduling reads every tenant's last run: once a minute is
        // plenty for an hourly schedule, while claiming requested runs
        // stays at the poll's pace.
        if !interval.is_zero() && last_scheduled.is_none_or(|t| t.elapsed() >= SCHEDULE_EVERY) {
            last_scheduled = Some(std::time::Instant::now());
            let every = chrono::Duration::from_std(interval).unwrap_or(chrono::Duration::hours(1));
            match dataset::schedule_due(&store, chrono::Utc::now() - every).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(tenants = n, "dataset runs scheduled"),
                Err(e) => tracing::warn!(error = %e, "scheduling dataset runs failed"),
            }
        }
        loop {
            match next(&store, &queue, &sandbox).await {
                Ok(true) => continue,
                Ok(false) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "dataset run failed; will retry");
                    break;
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// How often the loop looks for tenants due a scheduled run.
const SCHEDULE_EVERY: Duration = Duration::from_secs(60);

/// A run whose worker has not finished it after this long is taken over
/// (filing derived records again is idempotent).
const STALE_AFTER: chrono::Duration = chrono::Duration::minutes(10);

/// Claims and runs one run; false when none was waiting.
async fn next(store: &Store, queue: &Queue, sandbox: &SandboxPool) -> Result<bool, QueueError> {
    let store_err = |e: StoreError| QueueError::Backend(e.to_string());
    let Some(run) = dataset::claim_next_across_tenants(store, chrono::Utc::now() - STALE_AFTER)
        .await
        .map_err(store_err)?
    else {
        return Ok(false);
    };
    let outcome = run_one(store, sandbox, &run).await;
    if let Err(e) = &outcome {
        tracing::warn!(run = %run.id, tenant = %run.tenant_id, error = %e, "dataset run failed");
    }
    let (outcome, computed) = match outcome {
        Ok((tally, computed)) => (Ok(tally), Some(computed)),
        Err(e) => (Err(e.to_string()), None),
    };
    dataset::finish(store, &run, outcome, computed.as_ref())
        .await
        .map_err(store_err)?;
    // What the run filed waits for the evaluation queue; hand it over now
    // rather than at the sweeper's next pass.
    crate::hand_over_unqueued(store, queue).await?;
    Ok(true)
}

/// Why a dataset run stopped.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    RedFlags(#[from] crate::redflags::RedFlagsError),
}

/// Files every kind of derived record for the run's tenant, the
/// procurement red flags last (their pass runs in the sandbox); returns
/// what was filed and what the run computed besides.
pub async fn run_one(
    store: &Store,
    sandbox: &SandboxPool,
    run: &DatasetRun,
) -> Result<(Tally, serde_json::Value), DatasetError> {
    let tenant = TenantId::from_uuid(run.tenant_id);
    let today = adal_domain::kazakhstan_today();
    let mut tally = Tally::default();
    let obligations = dataset::declaration_obligations(store, tenant, today).await?;
    tally.add(
        dataset::file_derived(
            store,
            tenant,
            DerivedKind::DeclarationObligation,
            obligations,
        )
        .await?,
    );
    let givers = dataset::gift_giver_histories(store, tenant).await?;
    tally.add(dataset::file_derived(store, tenant, DerivedKind::GiftGiverHistory, givers).await?);
    let training = dataset::training_statuses(store, tenant, today).await?;
    tally.add(dataset::file_derived(store, tenant, DerivedKind::TrainingStatus, training).await?);
    let feedback = dataset::feedback_statuses(store, tenant, today).await?;
    tally.add(dataset::file_derived(store, tenant, DerivedKind::FeedbackStatus, feedback).await?);
    let cases = dataset::case_deadlines(store, tenant, today).await?;
    tally.add(dataset::file_derived(store, tenant, DerivedKind::CaseDeadline, cases).await?);
    let specs = dataset::tender_specifications(store, tenant).await?;
    tally.add(dataset::file_derived(store, tenant, DerivedKind::TenderSpecification, specs).await?);
    let governance = dataset::governance_status(store, tenant, today).await?;
    tally.add(
        dataset::file_derived(store, tenant, DerivedKind::GovernanceStatus, governance).await?,
    );
    let (flags, red_flags) = crate::redflags::run(store, sandbox, tenant).await?;
    tally.add(flags);
    tracing::info!(run = %run.id, tenant = %tenant, created = tally.created, corrected = tally.corrected, unchanged = tally.unchanged, "dataset run done");
    Ok((tally, serde_json::json!({ "red_flags": red_flags })))
}
