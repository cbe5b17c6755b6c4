//! Filings under load, committed in groups.
//!
//! Each filing was a transaction of its own: a commit (a WAL flush on
//! PostgreSQL), the row read back, and a queue push with its backlog check.
//! With 32 clients filing at once the API spent its time on those round
//! trips (docs/performance.md, "Ingestion"). The intake takes whatever
//! filings are waiting when a committer is free, up to [`MAX_GROUP`],
//! and stores each tenant's share of them in one transaction with one
//! queue job: the job's claim takes the batch (`claim_batch`). A filing
//! that arrives alone is committed alone, as soon as a committer is free,
//! so an idle system waits for nothing.
//!
//! A group is all or none; when it fails, its filings are stored one by
//! one, so one bad filing (a duplicate reference, a correction that lost a
//! race) fails alone and the others are stored as if filed alone.

use crate::{Queue, hand_over};
use adal_store::submissions::{self, NewSubmission, Submission};
use adal_store::{Store, StoreError, TenantId};
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc, oneshot};

/// Most filings one committer takes at once.
pub const MAX_GROUP: usize = 64;

/// Committers working in parallel: one group is committed while the next
/// gathers, on a pool of PostgreSQL connections that is larger still.
const COMMITTERS: usize = 4;

/// Filings waiting for a committer before a filer waits to hand one in.
const WAITING: usize = 1024;

struct Filing {
    tenant: TenantId,
    new: NewSubmission,
    reply: oneshot::Sender<Result<Submission, StoreError>>,
}

/// Where filings enter; cheap to clone.
#[derive(Clone)]
pub struct Intake {
    tx: mpsc::Sender<Filing>,
}

impl Intake {
    /// Starts the committers on the current Tokio runtime. They stop when
    /// every handle is dropped.
    pub fn start(store: Store, queue: Queue) -> Self {
        let (tx, rx) = mpsc::channel(WAITING);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..COMMITTERS {
            tokio::spawn(committer(store.clone(), queue.clone(), rx.clone()));
        }
        Self { tx }
    }

    /// Stores a submission with its audit entry and hands it to the queue,
    /// like [`crate::submit`], in a group with whatever else is being filed.
    /// Returns once the submission is committed.
    pub async fn submit(
        &self,
        tenant: TenantId,
        new: NewSubmission,
    ) -> Result<Submission, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.tx
            .send(Filing { tenant, new, reply })
            .await
            .map_err(|_| StoreError::shutting_down())?;
        // No answer: the intake stopped (the process is shutting down)
        // before storing it; the client may try again.
        answer.await.map_err(|_| StoreError::shutting_down())?
    }
}

async fn committer(store: Store, queue: Queue, rx: Arc<Mutex<mpsc::Receiver<Filing>>>) {
    loop {
        let group = {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else {
                return;
            };
            let mut group = vec![first];
            while group.len() < MAX_GROUP {
                match rx.try_recv() {
                    Ok(f) => group.push(f),
                    Err(_) => break,
                }
            }
            group
        };
        // By tenant, in arrival order within each: a transaction sets one
        // tenant (row-level security).
        for (tenant, filings) in crate::by_tenant(group.into_iter().map(|f| (f.tenant, f))) {
            commit(&store, &queue, tenant, filings).await;
        }
    }
}

async fn commit(store: &Store, queue: &Queue, tenant: TenantId, filings: Vec<Filing>) {
    if filings.len() > 1 {
        let news: Vec<&NewSubmission> = filings.iter().map(|f| &f.new).collect();
        match submissions::insert_group(store, tenant, &news).await {
            Ok(stored) => {
                let ids: Vec<uuid::Uuid> = stored.iter().map(|s| s.id).collect();
                // The filers are answered once their filings are
                // committed, before the queue is told: the rows are
                // durable, and a job that never gets pushed is the
                // sweeper's to make up for.
                for (f, s) in filings.into_iter().zip(stored) {
                    // A filer that gave up waiting is not told; its
                    // filing is stored all the same.
                    let _ = f.reply.send(Ok(s));
                }
                hand_over_group(store, queue, tenant, &ids).await;
                return;
            }
            Err(e) => {
                tracing::debug!(tenant_id = %tenant, error = %e, group = filings.len(), "a group of filings failed; storing them one by one");
            }
        }
    }
    for f in filings {
        let r = submissions::insert(store, tenant, f.new).await;
        let id = r.as_ref().ok().map(|s| s.id);
        let _ = f.reply.send(r);
        if let Some(id) = id {
            hand_over(store, queue, tenant, id).await;
        }
    }
}

/// One job for the group, naming its first filing: the job's claim takes
/// the tenant's waiting rows, the group's among them. When the queue does
/// not take it, every row of the group is left to the sweeper.
async fn hand_over_group(store: &Store, queue: &Queue, tenant: TenantId, ids: &[uuid::Uuid]) {
    let Some(first) = ids.first() else {
        return;
    };
    if !crate::queued(queue, tenant, *first).await {
        for id in ids {
            crate::leave_to_sweeper(store, tenant, *id).await;
        }
    }
}
