//! The evaluation queue: apalis on SQLite (its own file, never the main
//! database's pool, because apalis turns `synchronous` off on the pool it
//! is given) or on Redis.

use crate::evaluate::Evaluator;
use adal_config::{QueueBackend, QueueConfig};
use apalis::prelude::*;
use apalis_redis::RedisStorage;
use apalis_sqlite::{SqlitePool, SqliteStorage};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// "Evaluate this submission": all a job carries. The worker reads the
/// rest from the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluateSubmission {
    pub tenant_id: Uuid,
    pub submission_id: Uuid,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("queue backend: {0}")]
    Backend(String),
}

fn backend_err(e: impl std::fmt::Display) -> QueueError {
    QueueError::Backend(e.to_string())
}

#[derive(Clone)]
enum Storage {
    Sqlite(SqliteStorage<EvaluateSubmission>),
    Redis {
        storage: RedisStorage<EvaluateSubmission>,
        conn: apalis_redis::ConnectionManager,
        /// apalis-redis pushes every task into this sorted set and promotes
        /// all due ones at once in a Lua script with `unpack`, which fails
        /// past about 8,000 items ("too many results to unpack") and then
        /// keeps failing: the worker is wedged. So Adal keeps the set small.
        scheduled_key: String,
        active_key: String,
    },
}

/// Most jobs Adal leaves waiting in Redis. Beyond it, new jobs are not
/// pushed: the submission row stays `received` and the sweeper enqueues it
/// once the queue has drained. Well under apalis-redis's unpack limit.
pub const REDIS_BACKLOG_LIMIT: u64 = 4_000;

/// How often an idle worker asks the queue (Redis or SQLite) for work.
pub const POLL_INTERVAL: std::time::Duration = std::time::Duration::from_millis(200);

/// What [`Queue::enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    Pushed,
    /// The queue is full; the sweeper will enqueue it later.
    Deferred,
}

/// A handle to push jobs with; cheap to clone.
#[derive(Clone)]
pub struct Queue {
    storage: Storage,
    rows_per_job: u64,
}

impl Queue {
    pub async fn connect(cfg: &QueueConfig) -> Result<Self, QueueError> {
        let storage = match cfg.backend {
            QueueBackend::Sqlite => {
                if let Some(parent) = cfg.sqlite_path.parent() {
                    std::fs::create_dir_all(parent).map_err(backend_err)?;
                }
                let url = format!("sqlite://{}?mode=rwc", cfg.sqlite_path.display());
                let pool = SqlitePool::connect(&url).await.map_err(backend_err)?;
                SqliteStorage::setup(&pool).await.map_err(backend_err)?;
                Storage::Sqlite(SqliteStorage::new(&pool))
            }
            QueueBackend::Redis => {
                let conn = apalis_redis::connect(cfg.redis_url.expose())
                    .await
                    .map_err(backend_err)?;
                let config =
                    apalis_redis::Config::default().queue(format!("{}:evaluate", cfg.namespace));
                Storage::Redis {
                    scheduled_key: config.scheduled_jobs_set(),
                    active_key: config.active_jobs_list(),
                    storage: RedisStorage::new(conn.clone()).with_config(config),
                    conn,
                }
            }
        };
        Ok(Self {
            storage,
            rows_per_job: crate::evaluate::DEFAULT_BATCH_SIZE,
        })
    }

    /// How many waiting rows of one tenant the sweeper hands over with one
    /// job: the workers' `worker.batch_size`, since one job's claim takes
    /// that many (`submissions::claim_batch`). A worker with a smaller
    /// batch leaves the rest to the next job or, at worst, to the sweep of
    /// rows enqueued longer than the grace period: late, never lost.
    #[must_use]
    pub fn with_rows_per_job(mut self, rows: u64) -> Self {
        self.rows_per_job = rows.max(1);
        self
    }

    pub(crate) fn rows_per_job(&self) -> u64 {
        self.rows_per_job
    }

    /// Jobs waiting in Redis (scheduled plus ready); `None` for SQLite,
    /// whose queue has no such limit.
    pub async fn backlog(&self) -> Result<Option<u64>, QueueError> {
        match &self.storage {
            Storage::Sqlite(_) => Ok(None),
            Storage::Redis {
                conn,
                scheduled_key,
                active_key,
                ..
            } => {
                let mut conn = conn.clone();
                let (scheduled, active): (u64, u64) = redis::pipe()
                    .zcard(scheduled_key)
                    .llen(active_key)
                    .query_async(&mut conn)
                    .await
                    .map_err(backend_err)?;
                Ok(Some(scheduled + active))
            }
        }
    }

    pub async fn enqueue(&self, job: EvaluateSubmission) -> Result<Enqueued, QueueError> {
        match &self.storage {
            Storage::Sqlite(s) => {
                s.clone().push(job).await.map_err(backend_err)?;
                Ok(Enqueued::Pushed)
            }
            Storage::Redis { storage, .. } => {
                if self.backlog().await?.unwrap_or(0) >= REDIS_BACKLOG_LIMIT {
                    return Ok(Enqueued::Deferred);
                }
                storage.clone().push(job).await.map_err(backend_err)?;
                Ok(Enqueued::Pushed)
            }
        }
    }
}

async fn handle(
    job: EvaluateSubmission,
    evaluator: Data<Arc<Evaluator>>,
) -> Result<(), BoxDynError> {
    evaluator
        .handle(&job)
        .await
        .map(|_| ())
        .map_err(|e| Box::new(e) as BoxDynError)
}

/// Runs an evaluation worker until `shutdown` resolves. `name` must be
/// unique per process (apalis: two workers with one name are undefined).
pub async fn run_evaluation_worker(
    queue: Queue,
    evaluator: Arc<Evaluator>,
    name: String,
    concurrency: usize,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> Result<(), QueueError> {
    let mut rx = shutdown;
    let signal = async move {
        let _ = rx.changed().await;
        Ok::<(), std::io::Error>(())
    };
    // Without a poll strategy, an idle apalis worker parks until its next
    // heartbeat (30 s): a new job waited 26 s on average in our end-to-end
    // measurement (docs/performance.md). Poll often instead.
    match queue.storage {
        Storage::Sqlite(s) => WorkerBuilder::new(name)
            .backend(s.poll_with_interval(POLL_INTERVAL))
            .concurrency(concurrency)
            .data(evaluator)
            .build(handle)
            .run_until(signal)
            .await
            .map_err(backend_err),
        Storage::Redis { storage, .. } => WorkerBuilder::new(name)
            .backend(storage.poll_with_interval(POLL_INTERVAL))
            .concurrency(concurrency)
            .data(evaluator)
            .build(handle)
            .run_until(signal)
            .await
            .map_err(backend_err),
    }
}
