//! Background work. Queue jobs are hints, the database row is the truth
//! (STACK.md, trap 2): a job only names a submission; evaluation starts by
//! reading the row and does nothing if it has already advanced, and the
//! sweeper re-enqueues rows a lost job left `received`.

mod audit;
mod cases;
mod dataset;
mod evaluate;
mod intake;
mod queue;
pub mod redflags;

pub use audit::{run_audit_sequencer, run_checkpoints};
pub use cases::{run_case_clock, run_digests, run_retention};
pub use dataset::{DatasetError, run_dataset_jobs, run_one as run_dataset};

pub use evaluate::{BatchReads, EvaluationError, Evaluator, Handled, RuleContext};
pub use intake::{Intake, MAX_GROUP};
pub use queue::{
    Enqueued, EvaluateSubmission, Queue, QueueError, REDIS_BACKLOG_LIMIT, run_evaluation_worker,
};

use adal_store::Store;
use adal_telemetry::Metrics;
use std::sync::Arc;
use std::time::Duration;

/// Re-enqueues submissions still `received` after `stale_after`, every
/// `interval`, until `shutdown` resolves.
pub async fn run_sweeper(
    store: Store,
    queue: Queue,
    interval: Duration,
    stale_after: Duration,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut shutdown = shutdown;
    loop {
        match sweep_once(&store, &queue, stale_after).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(requeued = n, "sweeper re-enqueued stale submissions"),
            Err(e) => tracing::warn!(error = %e, "sweep failed; will retry"),
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// The one way a submission enters: the row is stored (with its audit
/// entry, in one transaction), then handed to the evaluation queue. From
/// the commit on nothing is lost: if the queue is full or down, the row is
/// marked for the sweeper below, which enqueues it at its next pass.
pub async fn submit(
    store: &Store,
    queue: &Queue,
    tenant: adal_store::TenantId,
    new: adal_store::submissions::NewSubmission,
) -> Result<adal_store::submissions::Submission, adal_store::StoreError> {
    let s = adal_store::submissions::insert(store, tenant, new).await?;
    hand_over(store, queue, tenant, s.id).await;
    Ok(s)
}

/// How long a filing waits for the queue before leaving its submission to
/// the sweeper. Without it, a filing made while Redis was unreachable took
/// 7.6 s (the client's reconnect attempts; `tests/tests/blackbox/faults.rs`)
/// although the submission was already stored.
pub const HAND_OVER_TIMEOUT: Duration = Duration::from_secs(1);

/// Hands a committed submission to the queue, or, when the queue refuses
/// it or does not answer within [`HAND_OVER_TIMEOUT`], marks it for the
/// sweeper. Never fails: a row the sweeper cannot be told about is still
/// swept once its grace period is over. (A push cut short by the timeout
/// may still land; the sweeper then pushes it again, and evaluation is
/// idempotent.)
pub async fn hand_over(store: &Store, queue: &Queue, tenant: adal_store::TenantId, id: uuid::Uuid) {
    if !queued(queue, tenant, id).await {
        leave_to_sweeper(store, tenant, id).await;
    }
}

/// Pushes a job naming `id`, waiting at most [`HAND_OVER_TIMEOUT`];
/// whether the queue took it.
pub(crate) async fn queued(queue: &Queue, tenant: adal_store::TenantId, id: uuid::Uuid) -> bool {
    let queued = tokio::time::timeout(
        HAND_OVER_TIMEOUT,
        queue.enqueue(EvaluateSubmission {
            tenant_id: tenant.uuid(),
            submission_id: id,
        }),
    )
    .await;
    match &queued {
        Ok(Ok(Enqueued::Pushed)) => return true,
        Ok(Err(e)) => {
            tracing::warn!(submission_id = %id, error = %e, "enqueue failed; the sweeper will pick it up");
        }
        Err(_) => {
            tracing::warn!(submission_id = %id, "the queue did not answer in time; the sweeper will pick it up");
        }
        Ok(Ok(_)) => {}
    }
    false
}

/// Marks a committed submission for the sweeper, which hands it over at
/// its next pass.
pub(crate) async fn leave_to_sweeper(store: &Store, tenant: adal_store::TenantId, id: uuid::Uuid) {
    if let Err(e) = adal_store::submissions::mark_not_enqueued(store, tenant, id).await {
        tracing::warn!(submission_id = %id, error = %e, "could not mark the submission for the sweeper; it will be swept after the grace period");
    }
}

/// One sweep; returns how many submissions were (re-)enqueued.
///
/// First the rows the queue refused, in batches until none are left or the
/// queue is full, so a backlog drains as fast as the workers take it. Then
/// the rows enqueued more than `stale_after` ago and still `received`, but
/// only when the queue holds nothing: while jobs wait, an old row may just
/// be waiting its turn, and pushing it again would put duplicates ahead of
/// new work. (The SQLite queue reports no backlog; there the grace period
/// alone decides.)
pub async fn sweep_once(
    store: &Store,
    queue: &Queue,
    stale_after: Duration,
) -> Result<usize, QueueError> {
    use adal_store::submissions::Sweep;
    let mut total = drain(store, queue, || Sweep::Unqueued).await?;
    if matches!(queue.backlog().await?, None | Some(0)) {
        let grace =
            chrono::Duration::from_std(stale_after).unwrap_or(chrono::Duration::seconds(60));
        total += drain(store, queue, || {
            Sweep::EnqueuedBefore(chrono::Utc::now() - grace)
        })
        .await?;
    }
    Ok(total)
}

/// Hands every submission that was filed without being enqueued (by an
/// import, say) to the evaluation queue; returns how many. The sweeper
/// does the same on its own schedule; this is for a caller that has just
/// filed such records and wants them judged now.
pub async fn hand_over_unqueued(store: &Store, queue: &Queue) -> Result<usize, QueueError> {
    drain(store, queue, || adal_store::submissions::Sweep::Unqueued).await
}

/// Enqueues pages of `which` until a page comes back short or the queue is
/// full; stamps what it pushed. A page's rows go out one job per
/// [`Queue::rows_per_job`] rows of a tenant, naming the first of them:
/// the job's claim takes the tenant's oldest waiting rows, so one job
/// stands for the batch (and a job per row would mostly find its row
/// taken by an earlier batch).
pub(crate) async fn drain(
    store: &Store,
    queue: &Queue,
    which: impl Fn() -> adal_store::submissions::Sweep,
) -> Result<usize, QueueError> {
    const BATCH: u64 = 500;
    let store_err = |e: adal_store::StoreError| QueueError::Backend(e.to_string());
    let per_job = usize::try_from(queue.rows_per_job()).unwrap_or(usize::MAX);
    let mut total = 0;
    loop {
        let page = adal_store::submissions::sweep_page_across_tenants(store, which(), BATCH)
            .await
            .map_err(store_err)?;
        let fetched = page.len();
        let mut pushed = Vec::with_capacity(fetched);
        let mut full = false;
        'tenants: for (tenant, rows) in by_tenant(page) {
            for chunk in rows.chunks(per_job) {
                let Some(first) = chunk.first() else { continue };
                let r = queue
                    .enqueue(EvaluateSubmission {
                        tenant_id: tenant.uuid(),
                        submission_id: *first,
                    })
                    .await?;
                if r == Enqueued::Deferred {
                    full = true;
                    break 'tenants;
                }
                pushed.extend_from_slice(chunk);
            }
        }
        adal_store::submissions::mark_enqueued(store, &pushed)
            .await
            .map_err(store_err)?;
        total += pushed.len();
        if full || (fetched as u64) < BATCH {
            return Ok(total);
        }
    }
}

/// `items` by tenant: the tenants in order of first appearance, each one's
/// items in their order. (A page or a group holds few tenants, so a list
/// is searched rather than a map built.)
pub(crate) fn by_tenant<T>(
    items: impl IntoIterator<Item = (adal_store::TenantId, T)>,
) -> Vec<(adal_store::TenantId, Vec<T>)> {
    let mut out: Vec<(adal_store::TenantId, Vec<T>)> = Vec::new();
    for (tenant, item) in items {
        match out.iter_mut().find(|(t, _)| *t == tenant) {
            Some((_, v)) => v.push(item),
            None => out.push((tenant, vec![item])),
        }
    }
    out
}

/// Drains the outbox until `shutdown` resolves: a full batch is followed
/// by the next one at once, otherwise the mailer looks again after
/// `interval`.
pub async fn run_mailer(
    store: Store,
    mailer: Arc<dyn adal_mail::Mailer>,
    from: String,
    metrics: Metrics,
    interval: Duration,
    how: adal_mail::Delivery,
    shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut shutdown = shutdown;
    loop {
        let mut more = false;
        match adal_mail::deliver_due(&store, mailer.as_ref(), &from, how).await {
            Ok(r) => {
                for (label, n) in [
                    ("sent", r.sent),
                    ("failed", r.failed),
                    ("dead", r.dead),
                    ("lost", r.lost),
                ] {
                    metrics.mail.with_label_values(&[label]).inc_by(n as u64);
                }
                for secs in &r.sent_after_secs {
                    metrics.mail_latency.observe(*secs);
                }
                more = r.claimed() as u64 >= how.batch;
            }
            Err(e) => tracing::warn!(error = %e, "outbox delivery failed; will retry"),
        }
        if more && !*shutdown.borrow() {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = shutdown.changed() => return,
        }
    }
}
