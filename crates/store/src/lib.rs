//! Adal's storage. Every function that touches tenant data takes the
//! [`TenantId`] first and filters by it; the deliberate cross-tenant
//! functions say so in their names (`*_across_tenants`). Lists of
//! submissions and findings also take a [`submissions::ReadScope`].
//!
//! The entities and the raw connection are this crate's own: no other
//! crate can query a table around these functions. Tests that must reach
//! under them (tampering with the audit chain to see it caught) enable
//! the `test-support` feature, which only dev-dependencies do; CI checks
//! the `adal` binary without it.

pub mod annual;
pub mod attachments;
pub mod audit;
pub mod bots;
pub mod cartogram;
mod case_clock;
pub mod case_links;
pub mod classification;
pub mod coi;
pub mod dataset;
pub mod declarations;
pub mod digests;
#[cfg(feature = "test-support")]
pub mod entities;
#[cfg(not(feature = "test-support"))]
pub(crate) mod entities;
pub mod evaluation;
pub mod imports;
pub mod org;
pub mod outbox;
pub mod people;
pub mod policy;
pub mod privacy;
pub mod procurement;
mod recording;
pub mod registry;
pub mod reports;
pub mod rules;
pub mod sealing;
pub mod second_factor;
pub mod submissions;
pub mod tenants;
pub mod throttle;
pub mod triage;
pub mod users;

pub use adal_domain::TenantId;

use adal_migrations::MigratorTrait;
use sea_orm::{ConnectOptions, Database, DatabaseBackend, DbErr, SqlErr};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the string names what clashed.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl StoreError {
    /// The process is shutting down and no longer takes work for the
    /// database: [`StoreError::is_unavailable`], so a client may retry.
    pub fn shutting_down() -> Self {
        StoreError::Db(DbErr::ConnectionAcquire(
            sea_orm::ConnAcquireErr::ConnectionClosed,
        ))
    }

    /// Whether the database could not be reached or could not take the
    /// work now (no connection, a pool timeout, SQLite's busy lock, a
    /// PostgreSQL server shutting down or starting): the request may
    /// succeed if retried, so front doors answer "unavailable", not
    /// "internal".
    pub fn is_unavailable(&self) -> bool {
        let StoreError::Db(e) = self else {
            return false;
        };
        match e {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
            DbErr::Exec(sea_orm::RuntimeErr::SqlxError(x))
            | DbErr::Query(sea_orm::RuntimeErr::SqlxError(x)) => sqlx_unavailable(x),
            _ => false,
        }
    }

    /// Whether PostgreSQL gave up this transaction to let a concurrent one
    /// through (a deadlock, a serialization failure): nothing was written,
    /// and running the same transaction again normally succeeds.
    pub fn is_transient_conflict(&self) -> bool {
        let StoreError::Db(e) = self else {
            return false;
        };
        match e {
            DbErr::Exec(sea_orm::RuntimeErr::SqlxError(x))
            | DbErr::Query(sea_orm::RuntimeErr::SqlxError(x)) => matches!(
                &**x,
                sea_orm::sqlx::Error::Database(d)
                    if matches!(d.code().as_deref(), Some("40P01" | "40001"))
            ),
            _ => false,
        }
    }

    /// Turns unique-constraint violations into [`StoreError::Conflict`]
    /// instead of checking first and racing.
    pub(crate) fn from_insert(e: DbErr, what: &str) -> Self {
        match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::Conflict(what.to_owned()),
            _ => StoreError::Db(e),
        }
    }
}

/// The sqlx errors that mean "not now" rather than "wrong".
fn sqlx_unavailable(e: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error as E;
    match e {
        E::Io(_) | E::Tls(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed => true,
        E::Protocol(_) => true,
        E::Database(d) => matches!(
            d.code().as_deref(),
            // SQLite: SQLITE_BUSY and SQLITE_LOCKED (and their extended
            // codes, whose low byte is the primary code).
            Some("5" | "6" | "261" | "262" | "517" | "773")
            // PostgreSQL: admin_shutdown, crash_shutdown,
            // cannot_connect_now, too_many_connections, and the
            // connection exception class.
            | Some("57P01" | "57P02" | "57P03" | "53300" | "08000" | "08003" | "08006" | "08001" | "08004")
        ),
        _ => false,
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The database handle shared by the API and the workers.
#[derive(Clone, Debug)]
pub struct Store {
    db: sea_orm::DatabaseConnection,
    /// On SQLite, whose turn it is to write (see [`Store::begin_write`]).
    write_turn: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
    /// The keys personal data is sealed under (see [`sealing`]); without
    /// them declarations are stored in the clear, as in the store's own
    /// tests, and a sealed value cannot be opened.
    data_keys: Option<std::sync::Arc<sealing::DataKeys>>,
    /// The keys the audit logs' checkpoints are signed with (see
    /// [`audit::LogKeys`]); without them the logs are sequenced and verified
    /// but not signed.
    log_keys: Option<std::sync::Arc<audit::LogKeys>>,
}

/// How long a write waits for its turn on SQLite before it is given up as
/// unavailable: the busy timeout, which it replaces for transactions.
const WRITE_TURN_TIMEOUT: Duration = Duration::from_secs(10);

/// A transaction that writes; on SQLite it also holds the process's write
/// turn until it commits or is dropped. Used as a connection (`&txn`) like
/// the transaction it wraps.
pub struct WriteTxn {
    txn: sea_orm::DatabaseTransaction,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTxn {
    pub async fn commit(self) -> std::result::Result<(), DbErr> {
        self.txn.commit().await
    }
}

impl std::ops::Deref for WriteTxn {
    type Target = sea_orm::DatabaseTransaction;

    fn deref(&self) -> &Self::Target {
        &self.txn
    }
}

#[async_trait::async_trait]
impl sea_orm::ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.txn.get_database_backend()
    }

    async fn execute_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> std::result::Result<sea_orm::ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }

    async fn execute_unprepared(
        &self,
        sql: &str,
    ) -> std::result::Result<sea_orm::ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }

    async fn query_one_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> std::result::Result<Option<sea_orm::QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }

    async fn query_all_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> std::result::Result<Vec<sea_orm::QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.txn.is_mock_connection()
    }
}

/// Whose rows a statement may see. On PostgreSQL the tables that belong
/// to a tenant have row-level security (migration `row_level_security`):
/// a statement sees a tenant's rows only when the transaction it runs in
/// set that tenant (or all tenants), and nothing otherwise, so a query
/// that forgot its own `tenant_id` filter still cannot read another
/// tenant. SQLite has no such thing; there the queries' filters are the
/// only wall (STACK.md, trap 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Tenant(TenantId),
    AllTenants,
}

impl Scope {
    /// Sets the scope for the rest of `txn` (PostgreSQL; a no-op on
    /// SQLite). `set_config(..., true)` is `SET LOCAL`: it ends with the
    /// transaction, so a pooled connection never carries it to the next.
    async fn set_on<C: sea_orm::ConnectionTrait>(self, txn: &C) -> std::result::Result<(), DbErr> {
        if txn.get_database_backend() != DatabaseBackend::Postgres {
            return Ok(());
        }
        let (tenant, scope) = match self {
            Scope::Tenant(t) => (t.uuid().to_string(), ""),
            Scope::AllTenants => (String::new(), "all"),
        };
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT set_config('adal.tenant', $1, true), set_config('adal.scope', $2, true)",
            [tenant.into(), scope.into()],
        ))
        .await?;
        Ok(())
    }
}

/// A connection bound to a [`Scope`]: see [`Store::scoped`].
pub struct Conn<'a> {
    db: &'a sea_orm::DatabaseConnection,
    scope: Scope,
    /// On SQLite, the process's write turn (see [`Store::begin_write_for`]),
    /// which a single writing statement takes too.
    write_turn: Option<&'a std::sync::Arc<tokio::sync::Mutex<()>>>,
}

/// Whether `sql` changes the database (rather than only reading it).
fn writes(sql: &str) -> bool {
    let head = sql.trim_start().get(..6).unwrap_or_default();
    ["INSERT", "UPDATE", "DELETE"]
        .iter()
        .any(|w| head.eq_ignore_ascii_case(w))
}

impl Conn<'_> {
    /// On SQLite, waits for the write turn before a statement that writes,
    /// so that a single write (a token's last use, a throttle count, an
    /// outbox mark) queues fairly behind transactions, as they queue
    /// behind each other, instead of retrying against SQLite's lock until
    /// a long import's batches leave a gap. `None` for reads and on
    /// PostgreSQL.
    async fn turn_for(
        &self,
        sql: &str,
    ) -> std::result::Result<Option<tokio::sync::MutexGuard<'_, ()>>, DbErr> {
        match self.write_turn {
            Some(m) if writes(sql) => tokio::time::timeout(WRITE_TURN_TIMEOUT, m.lock())
                .await
                .map(Some)
                .map_err(|_| DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout)),
            _ => Ok(None),
        }
    }

    fn postgres(&self) -> bool {
        self.db.get_database_backend() == DatabaseBackend::Postgres
    }

    /// A transaction with the scope set, for one statement.
    async fn begin(&self) -> std::result::Result<sea_orm::DatabaseTransaction, DbErr> {
        use sea_orm::TransactionTrait;
        let txn = self.db.begin().await?;
        self.scope.set_on(&txn).await?;
        Ok(txn)
    }
}

/// The body of each of [`Conn`]'s statement methods: on SQLite the pool
/// runs `$call` (after the write turn when `$sql` writes); on PostgreSQL a
/// transaction of its own does, the scope set first.
macro_rules! in_scope {
    ($conn:expr, $sql:expr, $c:ident => $call:expr) => {{
        if !$conn.postgres() {
            let _turn = $conn.turn_for($sql).await?;
            let $c = $conn.db;
            return $call.await;
        }
        let txn = $conn.begin().await?;
        let out = {
            let $c = &txn;
            $call.await?
        };
        txn.commit().await?;
        Ok(out)
    }};
}

#[async_trait::async_trait]
impl sea_orm::ConnectionTrait for Conn<'_> {
    fn get_database_backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    async fn execute_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> std::result::Result<sea_orm::ExecResult, DbErr> {
        in_scope!(self, &stmt.sql, c => c.execute_raw(stmt))
    }

    async fn execute_unprepared(
        &self,
        sql: &str,
    ) -> std::result::Result<sea_orm::ExecResult, DbErr> {
        in_scope!(self, sql, c => c.execute_unprepared(sql))
    }

    async fn query_one_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> std::result::Result<Option<sea_orm::QueryResult>, DbErr> {
        // `INSERT ... RETURNING` is a query that writes: `turn_for` reads
        // the statement, not the method.
        in_scope!(self, &stmt.sql, c => c.query_one_raw(stmt))
    }

    async fn query_all_raw(
        &self,
        stmt: sea_orm::Statement,
    ) -> std::result::Result<Vec<sea_orm::QueryResult>, DbErr> {
        in_scope!(self, &stmt.sql, c => c.query_all_raw(stmt))
    }

    fn support_returning(&self) -> bool {
        self.db.support_returning()
    }

    fn is_mock_connection(&self) -> bool {
        self.db.is_mock_connection()
    }
}

impl Store {
    /// Connects to `sqlite://path?mode=rwc` or `postgres://...`.
    ///
    /// SQLite gets WAL, a busy timeout and foreign keys: it allows one writer
    /// at a time, and without a timeout a second writer fails at once.
    pub async fn connect(url: &str) -> Result<Self> {
        let mut opt = ConnectOptions::new(url.to_owned());
        opt.sqlx_logging(false)
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(10));
        if url.starts_with("sqlite:") {
            use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
            opt.max_connections(8).map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .create_if_missing(true)
            });
        } else {
            opt.max_connections(20);
        }
        let db = Database::connect(opt).await?;
        let write_turn = (db.get_database_backend() == DatabaseBackend::Sqlite)
            .then(|| std::sync::Arc::new(tokio::sync::Mutex::new(())));
        Ok(Self {
            db,
            write_turn,
            data_keys: None,
            log_keys: None,
        })
    }

    /// This store with the keys personal data is sealed under. Every
    /// process of one installation must be given the same keys.
    pub fn with_data_keys(mut self, keys: sealing::DataKeys) -> Self {
        self.data_keys = Some(std::sync::Arc::new(keys));
        self
    }

    /// This store with the keys audit checkpoints are signed with.
    pub fn with_log_keys(mut self, keys: audit::LogKeys) -> Self {
        self.log_keys = Some(std::sync::Arc::new(keys));
        self
    }

    pub(crate) fn log_keys(&self) -> Option<&audit::LogKeys> {
        self.log_keys.as_deref()
    }

    pub(crate) fn data_keys(&self) -> Option<&sealing::DataKeys> {
        self.data_keys.as_deref()
    }

    /// Applies pending migrations.
    pub async fn migrate(&self) -> Result<()> {
        adal_migrations::Migrator::up(&self.db, None).await?;
        Ok(())
    }

    /// Starts a transaction that will write. On SQLite it takes the write
    /// lock at `BEGIN` (IMMEDIATE): a deferred transaction that reads first
    /// and then writes fails at once with "database is locked" when another
    /// writer got in between, and the busy timeout does not help there.
    ///
    /// On SQLite it first waits for the process's write turn, first come
    /// first served. SQLite's own lock is not fair: a writer that finds it
    /// taken sleeps and tries again (up to 100 ms apart), and a writer that
    /// commits and begins again at once (an import's next batch) takes it
    /// back before the sleeper wakes, so a gift filed during an import
    /// waited seconds for a gap (docs/performance.md, "Imports beside other
    /// writes"). In turn, every writer of the process waits for at most the
    /// transactions that asked before it.
    pub async fn begin_write_for(&self, tenant: TenantId) -> Result<WriteTxn> {
        self.begin_write(Scope::Tenant(tenant)).await
    }

    /// [`Store::begin_write_for`] for work that spans tenants (the
    /// platform's, the worker's sweeps): row-level security lets it see
    /// and write every tenant's rows.
    pub async fn begin_write_across(&self) -> Result<WriteTxn> {
        self.begin_write(Scope::AllTenants).await
    }

    async fn begin_write(&self, scope: Scope) -> Result<WriteTxn> {
        use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
        let turn = match &self.write_turn {
            Some(m) => Some(
                tokio::time::timeout(WRITE_TURN_TIMEOUT, m.clone().lock_owned())
                    .await
                    .map_err(|_| {
                        StoreError::Db(DbErr::ConnectionAcquire(sea_orm::ConnAcquireErr::Timeout))
                    })?,
            ),
            None => None,
        };
        let opts = if self.backend() == DatabaseBackend::Sqlite {
            TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            }
        } else {
            TransactionOptions::default()
        };
        let txn = self.db.begin_with_options(opts).await?;
        scope.set_on(&txn).await?;
        Ok(WriteTxn { txn, _turn: turn })
    }

    /// A connection whose queries see only `tenant`'s rows on PostgreSQL
    /// (row-level security, the second wall behind every query's own
    /// tenant filter). Each statement runs in a transaction of its own that
    /// first sets the tenant; inside a write transaction, use the
    /// transaction.
    pub(crate) fn scoped(&self, tenant: TenantId) -> Conn<'_> {
        Conn {
            db: &self.db,
            scope: Scope::Tenant(tenant),
            write_turn: self.write_turn.as_ref(),
        }
    }

    /// A connection for work that spans tenants: the platform's, the
    /// Agency's, signing in (a token or an email names no tenant), the
    /// worker's sweeps and queues.
    pub(crate) fn across_tenants(&self) -> Conn<'_> {
        Conn {
            db: &self.db,
            scope: Scope::AllTenants,
            write_turn: self.write_turn.as_ref(),
        }
    }

    /// A connection that sees every tenant's rows, for tests that read or
    /// change the database behind the store's back (`test-support`).
    #[cfg(feature = "test-support")]
    pub fn connection(&self) -> Conn<'_> {
        self.across_tenants()
    }

    /// The pool itself, whose queries on PostgreSQL see no tenant's rows
    /// (`test-support`: the test that row-level security holds).
    #[cfg(feature = "test-support")]
    pub fn unscoped(&self) -> &sea_orm::DatabaseConnection {
        &self.db
    }

    /// Closes the pool's connections (before a test database is dropped,
    /// or at shutdown).
    pub async fn close(&self) -> Result<()> {
        Ok(self.db.clone().close().await?)
    }

    pub fn backend(&self) -> DatabaseBackend {
        self.db.get_database_backend()
    }

    /// On PostgreSQL, whether row-level security applies to the role the
    /// store connected as: not when it is a superuser or has `BYPASSRLS`
    /// (the tenant wall then rests on the queries' filters alone). `None`
    /// on SQLite, which has none.
    pub async fn row_security_applies(&self) -> Result<Option<bool>> {
        use sea_orm::ConnectionTrait;
        if self.backend() != DatabaseBackend::Postgres {
            return Ok(None);
        }
        let row = self
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                DatabaseBackend::Postgres,
                "SELECT NOT (rolsuper OR rolbypassrls) FROM pg_roles WHERE rolname = current_user",
            ))
            .await?;
        Ok(Some(match row {
            Some(r) => r.try_get_by_index::<bool>(0)?,
            None => false,
        }))
    }

    /// A cheap query that proves the database answers (for `/readyz`).
    pub async fn ping(&self) -> Result<()> {
        self.db.ping().await?;
        Ok(())
    }
}

/// `column + 1`, for counting in the database rather than read-modify-write.
/// (`ExprTrait` is imported here only: in scope module-wide, its `min` and
/// `max` would shadow the integers'.)
pub(crate) fn plus_one(column: impl sea_orm::sea_query::IntoColumnRef) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::ExprTrait;
    sea_orm::sea_query::Expr::col(column).add(1)
}

pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

pub(crate) fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

#[cfg(test)]
mod write_detection {
    use super::writes;

    #[test]
    fn statements_that_write_are_told_from_reads() {
        for sql in [
            "INSERT INTO t VALUES (1)",
            "  update t SET a = 1",
            "DELETE FROM t",
            "INSERT INTO t VALUES (1) RETURNING id",
        ] {
            assert!(writes(sql), "{sql}");
        }
        for sql in ["SELECT 1", "", "WITH", "  select * from t"] {
            assert!(!writes(sql), "{sql}");
        }
    }
}
