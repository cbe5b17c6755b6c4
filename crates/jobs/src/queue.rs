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
    Redis(RedisStorage<EvaluateSubmission>),
}

/// A handle to push jobs with; cheap to clone.
#[derive(Clone)]
pub struct Queue {
    storage: Storage,
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
                Storage::Redis(RedisStorage::new(conn).with_config(config))
            }
        };
        Ok(Self { storage })
    }

    pub async fn enqueue(&self, job: EvaluateSubmission) -> Result<(), QueueError> {
        match &self.storage {
            Storage::Sqlite(s) => s.clone().push(job).await.map_err(backend_err),
            Storage::Redis(s) => s.clone().push(job).await.map_err(backend_err),
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
    match queue.storage {
        Storage::Sqlite(s) => WorkerBuilder::new(name)
            .backend(s)
            .concurrency(concurrency)
            .data(evaluator)
            .build(handle)
            .run_until(signal)
            .await
            .map_err(backend_err),
        Storage::Redis(s) => WorkerBuilder::new(name)
            .backend(s)
            .concurrency(concurrency)
            .data(evaluator)
            .build(handle)
            .run_until(signal)
            .await
            .map_err(backend_err),
    }
}
