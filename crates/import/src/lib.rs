//! Bulk imports. An upload is stored with its import row before the API
//! answers; a worker claims it here, checks every row with the same record
//! types the API uses, applies the valid rows in batches (each row all or
//! nothing), and reports every rejected row with its line, column and
//! reason. Importing the same file again changes nothing: rows are matched
//! by natural key (IIN, BIN and role, ocid and content).

mod csv_kinds;
pub mod pace;

use adal_domain::records::ocds::{self, CompiledRelease};
use adal_domain::records::parse_value;
use adal_store::imports::{self, Import, Progress, RowError};
use adal_store::procurement::{self, Upserted};
use adal_store::{Store, StoreError, TenantId};
use chrono::NaiveDate;
use pace::{LOCK_BUDGET, Pace};
use std::time::{Duration, Instant};

/// Most rows applied per transaction: large enough to amortise a commit,
/// small enough that progress moves and a failure loses little. Fewer go
/// in when they take longer than [`LOCK_BUDGET`] (see [`pace`]).
pub const BATCH: usize = 500;
/// OCDS releases are larger; fewer per transaction.
pub const OCDS_BATCH: usize = 100;
/// The first batch is small, so that an import of costly rows does not
/// hold the lock for long before the pace has measured them.
pub const FIRST_BATCH: usize = 50;
pub const OCDS_FIRST_BATCH: usize = 10;
/// At most this many rejected rows are kept in the report (the counts
/// stay exact).
pub const MAX_REPORTED: usize = 10_000;

/// The kinds of import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportKind {
    People,
    Relatives,
    Interests,
    Ocds,
}

impl ImportKind {
    pub const ALL: [ImportKind; 4] = [
        ImportKind::People,
        ImportKind::Relatives,
        ImportKind::Interests,
        ImportKind::Ocds,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ImportKind::People => "people",
            ImportKind::Relatives => "relatives",
            ImportKind::Interests => "interests",
            ImportKind::Ocds => "ocds",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What imports may do: each tenant's quota (the operator's protection of
/// a service the tenants share) and how long one of their transactions
/// may hold the write lock (configuration `[imports]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest file one import may carry, in bytes (at most the
    /// upload limit, 64 MiB).
    pub max_file_bytes: usize,
    /// Rows a tenant's imports may process in any 24 hours; 0: no limit.
    pub rows_per_day: u64,
    /// What each import transaction aims to stay within (see [`pace`]).
    pub lock_budget: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: MAX_FILE_BYTES,
            rows_per_day: 1_000_000,
            lock_budget: LOCK_BUDGET,
        }
    }
}

impl Limits {
    /// These limits with a tenant's own quota applied; a file is never
    /// larger than the installation allows an upload to be.
    pub fn for_tenant(self, quota: adal_store::tenants::ImportQuota) -> Limits {
        Limits {
            max_file_bytes: quota
                .max_file_bytes
                .and_then(|n| usize::try_from(n).ok())
                .map_or(self.max_file_bytes, |n| n.min(MAX_FILE_BYTES)),
            rows_per_day: quota.rows_per_day.unwrap_or(self.rows_per_day),
            lock_budget: self.lock_budget,
        }
    }
}

/// The largest file any import may carry: the upload limit.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;

/// The window the daily quota counts over.
const QUOTA_WINDOW: chrono::Duration = chrono::Duration::hours(24);

/// Rows the tenant's imports (but `except`) processed in the last 24
/// hours, and when the first of them leaves the window.
async fn rows_used(
    store: &Store,
    tenant: TenantId,
    except: Option<uuid::Uuid>,
) -> Result<(u64, chrono::DateTime<chrono::Utc>), StoreError> {
    let now = chrono::Utc::now();
    let (used, first) = imports::rows_since(store, tenant, now - QUOTA_WINDOW, except).await?;
    Ok((
        u64::try_from(used).unwrap_or(0),
        first.map_or(now, |f| f + QUOTA_WINDOW),
    ))
}

/// Why an upload is refused before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuotaRefusal {
    #[error(
        "the file is {bytes} bytes; this service takes import files of at most {limit} bytes: split it"
    )]
    TooLarge { bytes: usize, limit: usize },
    #[error(
        "this organisation's imports have processed {used} rows in the last 24 hours, its daily quota of {limit}; more can be imported in {retry_after_secs} s"
    )]
    RowsUsed {
        used: u64,
        limit: u64,
        retry_after_secs: u64,
    },
}

/// Checks an upload of `bytes` against the tenant's quota before it is
/// stored: a file over the size limit, or a tenant whose imports already
/// used the day's rows, is refused with what to do about it. (Rows are
/// counted when a worker reads the file: see [`run_once`].)
pub async fn check_upload(
    store: &Store,
    tenant: TenantId,
    limits: Limits,
    bytes: usize,
) -> Result<Result<(), QuotaRefusal>, StoreError> {
    let limits = limits.for_tenant(adal_store::tenants::import_quota(store, tenant).await?);
    if bytes > limits.max_file_bytes {
        return Ok(Err(QuotaRefusal::TooLarge {
            bytes,
            limit: limits.max_file_bytes,
        }));
    }
    if limits.rows_per_day == 0 {
        return Ok(Ok(()));
    }
    let (used, frees_at) = rows_used(store, tenant, None).await?;
    if used < limits.rows_per_day {
        return Ok(Ok(()));
    }
    Ok(Err(QuotaRefusal::RowsUsed {
        used,
        limit: limits.rows_per_day,
        retry_after_secs: u64::try_from((frees_at - chrono::Utc::now()).num_seconds())
            .unwrap_or(0)
            .max(1),
    }))
}

/// Once a worker has read a file: refuses it as a whole when its rows
/// would take the tenant past the day's quota, before any is applied, so
/// an import is never cut off halfway by the quota.
async fn check_rows(
    store: &Store,
    import: &Import,
    limits: Limits,
    rows: usize,
) -> Result<(), Failure> {
    if limits.rows_per_day == 0 {
        return Ok(());
    }
    let limit = limits.rows_per_day;
    let rows = rows as u64;
    if rows > limit {
        return Err(Failure::File(format!(
            "the file has {rows} rows; this organisation may import {limit} rows in 24 hours: split it into files of at most {limit} rows"
        )));
    }
    let tenant = TenantId::from_uuid(import.tenant_id);
    let (used, frees_at) = rows_used(store, tenant, Some(import.id)).await?;
    if used + rows <= limit {
        return Ok(());
    }
    Err(Failure::File(format!(
        "the file has {rows} rows, and this organisation's imports have processed {used} of its {limit} rows a day in the last 24 hours; nothing was imported: import the file again after {} (UTC)",
        frees_at.format("%Y-%m-%d %H:%M")
    )))
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Counts and the report as an import runs.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub progress: Progress,
    pub report: Vec<RowError>,
    /// When the progress was last written.
    written: Option<Instant>,
}

/// How often progress is written while an import runs. Batches are small
/// when rows are costly (see [`pace`]); writing the counts and the report
/// (up to [`MAX_REPORTED`] rows of it) after each would cost more than the
/// batches. Often enough for a progress bar, and far inside the five
/// minutes after which a silent import is taken over.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

impl Tally {
    /// Writes the progress (the import's heartbeat) if it was not written
    /// in the last [`PROGRESS_EVERY`]; the final counts are written when
    /// the import finishes.
    pub(crate) async fn write_progress(
        &mut self,
        store: &Store,
        id: uuid::Uuid,
    ) -> Result<(), Failure> {
        if self.written.is_some_and(|at| at.elapsed() < PROGRESS_EVERY) {
            return Ok(());
        }
        imports::progress(store, id, &self.progress, &self.report).await?;
        self.written = Some(Instant::now());
        Ok(())
    }

    pub(crate) fn reject(
        &mut self,
        row: u64,
        column: impl Into<String>,
        reason: impl Into<String>,
    ) {
        self.progress.rejected += 1;
        self.progress.processed_rows += 1;
        if self.report.len() < MAX_REPORTED {
            self.report.push(RowError {
                row,
                column: column.into(),
                reason: reason.into(),
            });
        }
    }

    pub(crate) fn applied(&mut self, changed: bool) {
        self.progress.processed_rows += 1;
        if changed {
            self.progress.accepted += 1;
        } else {
            self.progress.unchanged += 1;
        }
    }
}

/// Claims and runs one import; returns whether there was one.
pub async fn run_once(
    store: &Store,
    stale_after: Duration,
    limits: Limits,
) -> Result<bool, ImportError> {
    let stale_before = chrono::Utc::now()
        - chrono::Duration::from_std(stale_after).unwrap_or(chrono::Duration::minutes(5));
    let Some(import) = imports::claim_next_across_tenants(store, stale_before).await? else {
        return Ok(false);
    };
    let tenant = TenantId::from_uuid(import.tenant_id);
    let id = import.id;
    tracing::info!(import_id = %id, kind = %import.kind, "import started");
    let mut tally = Tally::default();
    let outcome = match adal_store::tenants::import_quota(store, tenant).await {
        Ok(quota) => apply(store, &import, &mut tally, limits.for_tenant(quota)).await,
        Err(e) => Err(Failure::Store(e)),
    };
    let error = match outcome {
        Ok(()) => None,
        Err(Failure::File(msg)) => Some(msg),
        Err(Failure::Store(e)) => {
            tracing::warn!(import_id = %id, error = %e, "import stopped by a database error");
            Some(format!(
                "stopped by a database error after {} rows; rows applied so far stay applied, and importing the file again completes it",
                tally.progress.processed_rows
            ))
        }
    };
    imports::finish(store, tenant, id, &tally.progress, &tally.report, error).await?;
    tracing::info!(import_id = %id, accepted = tally.progress.accepted, unchanged = tally.progress.unchanged, rejected = tally.progress.rejected, "import finished");
    // Red flags are statistics over all of a tenant's processes: an OCDS
    // import that changed any asks for a dataset run, so its flags are
    // evaluated without anyone starting one (or joins the run waiting).
    if ImportKind::parse(&import.kind) == Some(ImportKind::Ocds) && tally.progress.accepted > 0 {
        adal_store::dataset::request(
            store,
            tenant,
            adal_store::dataset::IMPORT,
            &format!("import/{id}"),
        )
        .await?;
    }
    Ok(true)
}

/// Runs imports until shutdown, polling for new ones. `after_import` runs
/// after each import finishes: the worker hands the records an import
/// filed to the evaluation queue there, so they are judged at once rather
/// than at the sweeper's next pass. (This crate does not know the queue.)
pub async fn run_importer<F, Fut>(
    store: Store,
    poll: Duration,
    stale_after: Duration,
    limits: Limits,
    shutdown: tokio::sync::watch::Receiver<bool>,
    after_import: F,
) where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut shutdown = shutdown;
    loop {
        match run_once(&store, stale_after, limits).await {
            Ok(true) => {
                after_import().await;
                continue;
            }
            Ok(false) => {}
            Err(e) => tracing::warn!(error = %e, "import run failed; will retry"),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = shutdown.changed() => return,
        }
    }
}

pub(crate) enum Failure {
    /// The file as a whole cannot be read (not CSV, unknown columns...).
    File(String),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

async fn apply(
    store: &Store,
    import: &Import,
    tally: &mut Tally,
    limits: Limits,
) -> Result<(), Failure> {
    let tenant = TenantId::from_uuid(import.tenant_id);
    let today = adal_domain::kazakhstan_today();
    match ImportKind::parse(&import.kind) {
        Some(ImportKind::Ocds) => apply_ocds(store, import, tenant, today, tally, limits).await,
        Some(k) => csv_kinds::apply(store, import, tenant, k, tally, limits).await,
        None => Err(Failure::File(format!(
            "unknown import kind {:?}",
            import.kind
        ))),
    }
}

async fn apply_ocds(
    store: &Store,
    import: &Import,
    tenant: TenantId,
    today: NaiveDate,
    tally: &mut Tally,
    limits: Limits,
) -> Result<(), Failure> {
    let file = imports::file(store, import.id).await?;
    let items = ocds::read_upload(file.as_bytes()).map_err(|e| Failure::File(e.to_string()))?;
    drop(file);
    tally.progress.total_rows = i64::try_from(items.len()).unwrap_or(i64::MAX);
    check_rows(store, import, limits, items.len()).await?;
    let mut pace = Pace::new(OCDS_FIRST_BATCH, OCDS_BATCH, limits.lock_budget);
    let mut rest = &items[..];
    while !rest.is_empty() {
        let (chunk, after) = rest.split_at(pace.next().min(rest.len()));
        rest = after;
        // Releases are checked before the transaction: only the writes
        // hold the lock.
        let mut valid = Vec::with_capacity(chunk.len());
        let mut rejected = Vec::new();
        for item in chunk {
            let row = item.row as u64;
            let release = match &item.release {
                Ok(v) => parse_value::<CompiledRelease>(v, today),
                Err(e) => Err(vec![e.clone()]),
            };
            match release {
                Ok(r) => valid.push(r),
                Err(errors) => rejected.push((row, errors)),
            }
        }
        let started = Instant::now();
        let seen = pace::with_retries(import.id, || {
            write_releases(store, tenant, import.created_by, &valid)
        })
        .await?;
        pace.record(chunk.len(), started.elapsed());
        for (row, errors) in rejected {
            for e in errors.iter().take(1) {
                tally.reject(row, e.pointer.clone(), e.message.clone());
            }
            if errors.len() > 1 {
                let rest: Vec<String> = errors[1..].iter().map(ToString::to_string).collect();
                if let Some(last) = tally.report.last_mut()
                    && last.row == row
                {
                    last.reason = format!("{}; also {}", last.reason, rest.join("; "));
                }
            }
        }
        for changed in seen {
            tally.applied(changed);
        }
        tally.write_progress(store, import.id).await?;
    }
    Ok(())
}

/// Writes checked releases in one transaction: whether each changed
/// anything.
async fn write_releases(
    store: &Store,
    tenant: TenantId,
    actor: uuid::Uuid,
    releases: &[CompiledRelease],
) -> Result<Vec<bool>, Failure> {
    let txn = store.begin_write_for(tenant).await?;
    let mut seen = Vec::with_capacity(releases.len());
    for r in releases {
        // Rows are released to the sweeper, which enqueues them at its
        // pace: no job pushes from inside the transaction.
        let up = procurement::upsert_in(&txn, tenant, actor, r, false).await?;
        seen.push(!matches!(up, Upserted::Unchanged(_)));
    }
    txn.commit().await.map_err(StoreError::from)?;
    Ok(seen)
}
