//! Bulk imports. An upload is stored with its import row before the API
//! answers; a worker claims it here, checks every row with the same record
//! types the API uses, applies the valid rows in batches (each row all or
//! nothing), and reports every rejected row with its line, column and
//! reason. Importing the same file again changes nothing: rows are matched
//! by natural key (IIN, BIN and role, ocid and content).

mod csv_kinds;

use adal_domain::records::ocds::{self, CompiledRelease};
use adal_domain::records::parse_value;
use adal_store::imports::{self, Import, Progress, RowError};
use adal_store::procurement::{self, Upserted};
use adal_store::{Store, StoreError, TenantId};
use chrono::NaiveDate;
use std::time::Duration;

/// Rows applied per transaction: large enough to amortise a commit, small
/// enough that progress moves and a failure loses little.
pub const BATCH: usize = 500;
/// OCDS releases are larger; fewer per transaction.
pub const OCDS_BATCH: usize = 100;
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
}

impl Tally {
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
pub async fn run_once(store: &Store, stale_after: Duration) -> Result<bool, ImportError> {
    let stale_before = chrono::Utc::now()
        - chrono::Duration::from_std(stale_after).unwrap_or(chrono::Duration::minutes(5));
    let Some(import) = imports::claim_next_across_tenants(store, stale_before).await? else {
        return Ok(false);
    };
    let tenant = TenantId::from_uuid(import.tenant_id);
    let id = import.id;
    tracing::info!(import_id = %id, kind = %import.kind, "import started");
    let mut tally = Tally::default();
    let outcome = apply(store, &import, &mut tally).await;
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
    shutdown: tokio::sync::watch::Receiver<bool>,
    after_import: F,
) where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut shutdown = shutdown;
    loop {
        match run_once(&store, stale_after).await {
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

async fn apply(store: &Store, import: &Import, tally: &mut Tally) -> Result<(), Failure> {
    let tenant = TenantId::from_uuid(import.tenant_id);
    let today = adal_domain::kazakhstan_today();
    match ImportKind::parse(&import.kind) {
        Some(ImportKind::Ocds) => apply_ocds(store, import, tenant, today, tally).await,
        Some(k) => csv_kinds::apply(store, import, tenant, k, tally).await,
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
) -> Result<(), Failure> {
    let items =
        ocds::read_upload(import.file.as_bytes()).map_err(|e| Failure::File(e.to_string()))?;
    tally.progress.total_rows = i64::try_from(items.len()).unwrap_or(i64::MAX);
    for chunk in items.chunks(OCDS_BATCH) {
        // A batch PostgreSQL rolled back to break a deadlock with the
        // evaluation or a dataset run wrote nothing: it is run again, a
        // few times, before the import stops.
        let mut attempt = 0;
        let (seen, rejected) = loop {
            match apply_ocds_batch(store, import, tenant, today, chunk).await {
                Err(Failure::Store(e)) if e.is_transient_conflict() && attempt < BATCH_ATTEMPTS => {
                    attempt += 1;
                    tracing::info!(import_id = %import.id, attempt, error = %e, "import batch rolled back; running it again");
                    tokio::time::sleep(std::time::Duration::from_millis(50 * u64::from(attempt)))
                        .await;
                }
                other => break other?,
            }
        };
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
        imports::progress(store, import.id, &tally.progress, &tally.report).await?;
    }
    Ok(())
}

/// Times a batch is tried when PostgreSQL rolls it back for a deadlock.
const BATCH_ATTEMPTS: u32 = 5;

/// One batch of an OCDS import in one transaction: whether each applied
/// release changed anything, and the rows refused with their errors.
#[allow(clippy::type_complexity)]
async fn apply_ocds_batch(
    store: &Store,
    import: &Import,
    tenant: TenantId,
    today: NaiveDate,
    chunk: &[ocds::Item],
) -> Result<(Vec<bool>, Vec<(u64, Vec<adal_domain::FieldError>)>), Failure> {
    let txn = store.begin_write().await?;
    let mut seen = Vec::new();
    let mut rejected = Vec::new();
    for item in chunk {
        let row = item.row as u64;
        let release = match &item.release {
            Ok(v) => parse_value::<CompiledRelease>(v, today),
            Err(e) => Err(vec![e.clone()]),
        };
        match release {
            Ok(r) => {
                // Rows are released to the sweeper, which enqueues them
                // at its pace: no job pushes from inside the transaction.
                let up = procurement::upsert_in(&txn, tenant, import.created_by, &r, false).await?;
                seen.push(!matches!(up, Upserted::Unchanged(_)));
            }
            Err(errors) => rejected.push((row, errors)),
        }
    }
    txn.commit().await.map_err(StoreError::from)?;
    Ok((seen, rejected))
}
