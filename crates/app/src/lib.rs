//! Start-up shared by every subcommand of `adal`: one path builds the
//! running service for the binary and for the tests.

pub mod library;
pub mod seed;

use adal_authz::Authz;
use adal_config::Config;
use adal_jobs::{Evaluator, Queue};
use adal_sandbox::{SandboxConfig, SandboxPool};
use adal_service::AppState;
use adal_service::reporting::{Kek, ReportingKeys, ReportingSettings};
use adal_store::Store;
use adal_telemetry::Metrics;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Finds the `adal-rules` sandbox binary: the configured path, next to this
/// executable, or the rule engine's own build output in a source checkout.
pub fn sandbox_binary(cfg: &Config) -> Result<PathBuf> {
    // Absolute, because the sandbox runs in its own working directory.
    let absolute = |p: &Path| {
        std::fs::canonicalize(p).with_context(|| format!("sandbox binary {}", p.display()))
    };
    if !cfg.sandbox.binary.as_os_str().is_empty() {
        return absolute(&cfg.sandbox.binary);
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        candidates.push(exe.with_file_name("adal-rules"));
    }
    for profile in ["release", "debug"] {
        candidates.push(PathBuf::from(format!(
            "crates/rules-engine/target/{profile}/adal-rules"
        )));
    }
    for c in &candidates {
        if c.is_file() {
            return absolute(c);
        }
    }
    bail!(
        "the adal-rules sandbox binary was not found (looked at {}); build it with \
         `cargo build --release --manifest-path crates/rules-engine/Cargo.toml` \
         or set ADAL_SANDBOX__BINARY",
        candidates
            .iter()
            .map(|c| c.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// The feedback channel's keys: `reporting.key` and `reporting.secret`
/// (or their `_FILE` variables); either left empty is read from the data
/// directory, where the first start writes a random one (mode 0600), so
/// the embedded setup works untouched. Several processes on PostgreSQL
/// must be given the same values: each would otherwise make its own.
pub fn reporting_keys(config: &Config) -> Result<ReportingKeys> {
    let r = &config.reporting;
    let key = secret_or_file(r.key.expose(), &config.data_dir.join("reporting.key"), 32)?;
    let kek = Kek::from_file_contents(&key).context("reporting.key")?;
    let secret = secret_or_file(
        r.secret.expose(),
        &config.data_dir.join("reporting.secret"),
        32,
    )?;
    let settings = ReportingSettings {
        pow_bits: r.pow_bits,
        challenge_ttl: Duration::from_secs(r.challenge_ttl_secs),
        acknowledge_days: r.acknowledge_days,
        feedback_days: r.feedback_days,
        ..ReportingSettings::default()
    };
    let keys = ReportingKeys::new(kek, secret.trim().as_bytes(), &settings)
        .context("reporting")?
        .with_bots(bot_settings(config)?);
    let previous = r.previous_key.expose().trim();
    Ok(if previous.is_empty() {
        keys
    } else {
        keys.with_previous(Kek::from_file_contents(previous).context("reporting.previous_key")?)
    })
}

/// The messaging bots as configured (`reporting.whatsapp`,
/// `reporting.telegram`; docs/reporting.md, "Messaging bots"). A tenant id
/// that is not a UUID stops the start with the setting named.
fn bot_settings(config: &Config) -> Result<adal_service::reporting::bots::BotSettings> {
    use adal_service::reporting::bots::{BotSettings, TelegramBot, WhatsAppBot};
    let r = &config.reporting;
    let tenant = |s: &str, setting: &str| -> Result<adal_domain::TenantId> {
        uuid::Uuid::parse_str(s.trim())
            .map(adal_domain::TenantId::from_uuid)
            .with_context(|| format!("{setting}: {s:?} is not a tenant id (a UUID)"))
    };
    let wa = &r.whatsapp;
    let whatsapp = if wa.app_secret.expose().trim().is_empty() && wa.numbers.is_empty() {
        None
    } else {
        let mut numbers = std::collections::HashMap::new();
        for (number, t) in &wa.numbers {
            numbers.insert(
                number.clone(),
                tenant(t, &format!("reporting.whatsapp.numbers.{number}"))?,
            );
        }
        Some(WhatsAppBot {
            app_secret: wa.app_secret.expose().trim().to_owned(),
            verify_token: wa.verify_token.expose().trim().to_owned(),
            access_token: wa.access_token.expose().trim().to_owned(),
            api_base: wa.api_base.clone(),
            numbers,
        })
    };
    let mut telegram = std::collections::HashMap::new();
    for (t, bot) in &r.telegram.bots {
        let (secret_token, bot_token) = bot.secrets()?;
        telegram.insert(
            tenant(t, "reporting.telegram.bots")?,
            TelegramBot {
                secret_token: secret_token.expose().trim().to_owned(),
                bot_token: bot_token.expose().trim().to_owned(),
                api_base: r.telegram.api_base.clone(),
            },
        );
    }
    Ok(BotSettings {
        whatsapp,
        telegram,
        idle: Duration::from_secs(r.bot_idle_secs.max(60)),
        public_url: config.public_url.clone(),
    })
}

/// The audit logs' signing keys (docs/audit.md).
pub fn log_keys(config: &Config, reporting: &ReportingKeys) -> Result<adal_store::audit::LogKeys> {
    let agency = config.reporting.agency_key.expose().trim();
    let seed: Option<[u8; 32]> = if agency.is_empty() {
        None
    } else {
        use base64::Engine as _;
        let bytes = hex::decode(agency)
            .ok()
            .or_else(|| base64::engine::general_purpose::STANDARD.decode(agency).ok())
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .context("reporting.agency_key: the Agency's Ed25519 seed is 32 bytes, as 64 hex characters or base64")?;
        Some(bytes)
    };
    reporting
        .log_keys(&config.public_url, seed.as_ref())
        .context("the audit logs' keys")
}

/// `value`, or the content of `path`, written there first (random, `len`
/// bytes as hex) when it does not exist. Several processes may start at
/// once on one data directory (`adal serve` and `adal worker`): each
/// writes its candidate to a file of its own and links it into place,
/// which fails if another got there first, so every process reads the
/// same complete key and none a half-written one.
fn secret_or_file(value: &str, path: &Path, len: usize) -> Result<String> {
    if !value.trim().is_empty() {
        return Ok(value.trim().to_owned());
    }
    let read = |p: &Path| -> Result<String> {
        let s = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        let s = s.trim().to_owned();
        if s.is_empty() {
            bail!("{} is empty", p.display());
        }
        Ok(s)
    };
    if path.exists() {
        return read(path);
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut bytes = vec![0u8; len];
    rand::fill(&mut bytes[..]);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let candidate = path.with_extension(format!(
        "new-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    {
        use std::io::Write;
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let mut f = opts
            .open(&candidate)
            .with_context(|| format!("creating {}", candidate.display()))?;
        f.write_all(hex.as_bytes())
            .and_then(|()| f.sync_all())
            .with_context(|| format!("writing {}", candidate.display()))?;
    }
    let linked = std::fs::hard_link(&candidate, path);
    let _ = std::fs::remove_file(&candidate);
    match linked {
        Ok(()) => {
            tracing::warn!(path = %path.display(), "generated a reporting key; keep it (and back it up apart from the database): reports cannot be read without it");
            Ok(hex)
        }
        // Another process of the same setup linked its key first: use it.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path),
        Err(e) => Err(e).with_context(|| format!("creating {}", path.display())),
    }
}

/// The font for PDF documents: the configured one, which must be readable
/// (a wrong path is a mistake to stop on), or else a system font; with
/// neither, PDF exports are off and the log says why.
fn pdf_font(config: &Config) -> Result<Option<adal_pdf::Font>> {
    let configured = config.pdf_font.trim();
    if !configured.is_empty() {
        return Ok(Some(
            adal_pdf::Font::from_file(Path::new(configured)).context("pdf_font")?,
        ));
    }
    match adal_pdf::Font::find(None) {
        Ok(f) => Ok(Some(f)),
        Err(e) => {
            tracing::warn!(error = %e, "PDF exports are off");
            Ok(None)
        }
    }
}

/// The connected parts of a running Adal.
pub struct Service {
    pub config: Config,
    pub store: Store,
    pub authz: Authz,
    pub queue: Queue,
    /// Where filings enter (committed in groups under load).
    pub intake: adal_jobs::Intake,
    pub sandbox: Arc<SandboxPool>,
    pub metrics: Metrics,
    /// The standard library of rules this build ships.
    pub library: Arc<adal_store::rules::Library>,
    pub reporting: Arc<ReportingKeys>,
    /// The font PDF documents are set in, if the machine has one.
    pub pdf_font: Option<adal_pdf::Font>,
}

impl Service {
    pub async fn connect(config: Config) -> Result<Self> {
        if config.is_sqlite() {
            std::fs::create_dir_all(&config.data_dir)
                .with_context(|| format!("creating {}", config.data_dir.display()))?;
        }
        let reporting = Arc::new(reporting_keys(&config)?);
        let store = Store::connect(config.database_url.expose())
            .await
            .context("connecting to the database")?
            .with_data_keys(reporting.data_keys())
            .with_log_keys(log_keys(&config, &reporting)?);
        store.migrate().await.context("applying migrations")?;
        if store.row_security_applies().await? == Some(false) {
            tracing::warn!(
                "the database role is a superuser or has BYPASSRLS: row-level security does not \
                 apply, and the tenant wall rests on the queries alone; connect as an ordinary \
                 role (docs/operations.md, \"The database role\")"
            );
        }
        let authz = Authz::load(store.clone())
            .await
            .context("loading authorisation policy")?;
        let queue = Queue::connect(&config.queue)
            .await
            .context("connecting to the queue")?
            .with_rows_per_job(config.worker.batch_size);
        let work_dir = config.data_dir.join("sandbox");
        std::fs::create_dir_all(&work_dir)
            .with_context(|| format!("creating {}", work_dir.display()))?;
        let sandbox = Arc::new(SandboxPool::new(SandboxConfig {
            binary: sandbox_binary(&config)?,
            pool_size: config.sandbox.processes,
            deadline: Duration::from_millis(config.sandbox.deadline_ms),
            memory_mb: config.sandbox.memory_mb,
            work_dir,
        }));
        let metrics = Metrics::new().context("creating metrics")?;
        let library = Arc::new(library::embedded().context("reading the embedded rule library")?);
        // Second-factor secrets stored in the clear (before they were
        // sealed) are sealed now; a failure here is a key that opens none
        // of them, which the log names.
        let resealed = adal_service::reporting::account_secrets::seal_plain(&store, &reporting)
            .await
            .map_err(|e| anyhow::anyhow!("sealing second-factor secrets: {e}"))?;
        if resealed > 0 {
            tracing::info!(resealed, "second-factor secrets sealed under reporting.key");
        }
        let pdf_font = pdf_font(&config)?;
        let intake = adal_jobs::Intake::start(store.clone(), queue.clone());
        Ok(Self {
            pdf_font,
            config,
            intake,
            store,
            authz,
            queue,
            sandbox,
            metrics,
            library,
            reporting,
        })
    }

    pub fn state(&self) -> AppState {
        AppState {
            store: self.store.clone(),
            authz: self.authz.clone(),
            queue: self.queue.clone(),
            intake: self.intake.clone(),
            sandbox: self.sandbox.clone(),
            metrics: self.metrics.clone(),
            library: self.library.clone(),
            reporting: self.reporting.clone(),
            import_limits: self.import_limits(),
            platform_second_factor: self.config.require_second_factor_platform,
            pdf_font: self.pdf_font.clone(),
        }
    }

    /// The configured import limits; a file is never larger than an upload
    /// may be, whatever the configuration says.
    fn import_limits(&self) -> adal_import::Limits {
        let c = &self.config.imports;
        adal_import::Limits {
            max_file_bytes: c.max_file_bytes.min(adal_service::MAX_UPLOAD),
            rows_per_day: c.rows_per_day,
            lock_budget: Duration::from_millis(c.lock_budget_ms.clamp(1, 10_000)),
        }
    }

    /// The API's guards, as configured.
    pub fn http_options(&self) -> adal_api::HttpOptions {
        adal_api::HttpOptions {
            body_limit: self.config.max_body_bytes,
            public_limit: adal_api::PublicLimit::per_minute(self.config.public_requests_per_minute),
            metrics_token: self.metrics_token(),
            report_limits: adal_api::ReportLimits::per_hour(
                self.config.reporting.reports_per_hour_per_tenant,
                self.config.reporting.reports_per_hour,
            ),
        }
    }

    fn metrics_token(&self) -> Option<String> {
        Some(self.config.metrics_token.expose().trim().to_owned()).filter(|t| !t.is_empty())
    }

    /// Serves `/healthz`, `/readyz` and `/metrics` on `worker.listen`
    /// (when set) until `shutdown` flips: the worker's own address.
    pub async fn serve_ops(&self, shutdown: tokio::sync::watch::Receiver<bool>) -> Result<()> {
        use poem::{Server, listener::TcpListener};
        let listen = self.config.worker.listen.trim().to_owned();
        if listen.is_empty() {
            return Ok(());
        }
        let ops = adal_api::ops(self.state(), self.metrics_token());
        tracing::info!(listen = %listen, "serving the worker's probes and metrics");
        let mut rx = shutdown;
        Server::new(TcpListener::bind(listen.clone()))
            .run_with_graceful_shutdown(
                ops,
                async move {
                    let _ = rx.changed().await;
                },
                Some(Duration::from_secs(5)),
            )
            .await
            .with_context(|| format!("serving probes on {listen}"))
    }

    /// Serves HTTP until `shutdown` flips.
    pub async fn serve(&self, shutdown: tokio::sync::watch::Receiver<bool>) -> Result<()> {
        use poem::{Server, listener::TcpListener};
        let app = adal_api::app(self.state(), self.http_options(), adal_web::routes());
        let listener = TcpListener::bind(self.config.listen.clone());
        tracing::info!(listen = %self.config.listen, "serving HTTP");
        let mut rx = shutdown;
        // Other processes may change role assignments: reload the policy
        // now and then (decisions are cached between reloads).
        let authz = self.authz.clone();
        let mut reload_rx = rx.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(30)) => {
                        if let Err(e) = authz.reload().await {
                            tracing::warn!(error = %e, "policy reload failed");
                        }
                    }
                    _ = reload_rx.changed() => return,
                }
            }
        });
        Server::new(listener)
            .run_with_graceful_shutdown(
                app,
                async move {
                    let _ = rx.changed().await;
                },
                Some(Duration::from_secs(10)),
            )
            .await
            .context("HTTP server")
    }

    /// Runs the evaluation worker, the sweeper and the mailer until
    /// `shutdown` flips.
    pub async fn work(&self, shutdown: tokio::sync::watch::Receiver<bool>) -> Result<()> {
        let w = &self.config.worker;
        let evaluator = Arc::new(
            Evaluator::new(
                self.store.clone(),
                self.sandbox.clone(),
                self.metrics.clone(),
            )
            .with_batches(w.batch_size, Duration::from_secs(w.claim_lease_secs))
            .with_public_url(&self.config.public_url),
        );
        let mailer: Arc<dyn adal_mail::Mailer> = Arc::from(
            adal_mail::from_config(
                &self.config.smtp,
                u32::try_from(w.mail_concurrency).unwrap_or(u32::MAX),
            )
            .context("configuring mail")?,
        );
        let sweeper = tokio::spawn(adal_jobs::run_sweeper(
            self.store.clone(),
            self.queue.clone(),
            Duration::from_secs(w.sweep_interval_secs),
            Duration::from_secs(w.stale_after_secs),
            shutdown.clone(),
        ));
        // Imports: claimed from their table, one at a time per worker; a
        // worker that dies mid-import leaves a stale heartbeat, and another
        // takes the import over after five minutes (re-applying is
        // idempotent).
        let (store, queue) = (self.store.clone(), self.queue.clone());
        let importer = tokio::spawn(adal_import::run_importer(
            self.store.clone(),
            Duration::from_secs(1),
            Duration::from_secs(300),
            self.import_limits(),
            shutdown.clone(),
            move || {
                let (store, queue) = (store.clone(), queue.clone());
                async move {
                    // A failure here loses nothing: the rows stay
                    // unqueued and the sweeper hands them over later.
                    match adal_jobs::hand_over_unqueued(&store, &queue).await {
                        Ok(n) if n > 0 => tracing::info!(
                            enqueued = n,
                            "imported records handed to the evaluation queue"
                        ),
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "could not enqueue imported records; the sweeper will")
                        }
                    }
                }
            },
        ));
        let datasets = tokio::spawn(adal_jobs::run_dataset_jobs(
            self.store.clone(),
            self.queue.clone(),
            self.sandbox.clone(),
            Duration::from_secs(2),
            Duration::from_secs(w.dataset_interval_secs),
            shutdown.clone(),
        ));
        let case_clock = tokio::spawn(adal_jobs::run_case_clock(
            self.store.clone(),
            Duration::from_secs(self.config.reporting.clock_interval_secs),
            shutdown.clone(),
        ));
        // Alert digests, on the mailer's cadence: the query is cheap, and
        // a period's digest leaves soon after the period ends.
        let digests = tokio::spawn(adal_jobs::run_digests(
            self.store.clone(),
            self.config.public_url.clone(),
            Duration::from_secs(w.mail_interval_secs),
            shutdown.clone(),
        ));
        let retention = tokio::spawn(adal_jobs::run_retention(
            self.store.clone(),
            Duration::from_secs(w.retention_interval_secs),
            shutdown.clone(),
        ));
        let sequencer = tokio::spawn(adal_jobs::run_audit_sequencer(
            self.store.clone(),
            Duration::from_millis(w.audit_sequence_interval_ms),
            shutdown.clone(),
        ));
        let checkpoints = tokio::spawn(adal_jobs::run_checkpoints(
            self.store.clone(),
            Duration::from_secs(w.checkpoint_interval_secs),
            shutdown.clone(),
        ));
        let retry = adal_store::outbox::RetryPolicy {
            base_secs: i64::try_from(w.mail_retry_base_secs).unwrap_or(5),
            max_secs: i64::try_from(w.mail_retry_max_secs).unwrap_or(3600),
            max_attempts: i32::try_from(w.mail_max_attempts).unwrap_or(i32::MAX),
        };
        // The messaging bots: their inbox and outbox, on the mail's retry
        // policy.
        let bots = tokio::spawn(adal_service::reporting::bots::run(
            self.state(),
            Duration::from_millis(self.config.reporting.bot_poll_ms.max(50)),
            retry,
            shutdown.clone(),
        ));
        let mail = tokio::spawn(adal_jobs::run_mailer(
            self.store.clone(),
            mailer,
            self.config.smtp.from.clone(),
            self.metrics.clone(),
            Duration::from_secs(w.mail_interval_secs),
            adal_mail::Delivery {
                concurrency: w.mail_concurrency,
                // Bounded, so no setting can overflow chrono's range.
                lease: chrono::Duration::seconds(
                    i64::try_from(w.mail_lease_secs.clamp(1, 86_400)).unwrap_or(86_400),
                ),
                retry,
                ..adal_mail::Delivery::default()
            },
            shutdown.clone(),
        ));
        // A worker that stops on a backend error (Redis restarting, a poll
        // that fails) is started again under a new name, so one bad moment
        // does not leave the process up but idle.
        let mut rx = shutdown.clone();
        let result = loop {
            let name = format!(
                "adal-evaluate-{}-{}",
                std::process::id(),
                uuid::Uuid::now_v7().simple()
            );
            tracing::info!(worker = %name, "starting worker");
            let r = adal_jobs::run_evaluation_worker(
                self.queue.clone(),
                evaluator.clone(),
                name,
                w.concurrency,
                shutdown.clone(),
            )
            .await;
            if *rx.borrow() {
                break r;
            }
            match r {
                Ok(()) => tracing::warn!("worker stopped; restarting"),
                Err(e) => tracing::error!(error = %e, "worker failed; restarting in 5 s"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                _ = rx.changed() => break Ok(()),
            }
        };
        let _ = sweeper.await;
        let _ = importer.await;
        let _ = datasets.await;
        let _ = case_clock.await;
        let _ = retention.await;
        let _ = digests.await;
        let _ = sequencer.await;
        let _ = checkpoints.await;
        let _ = mail.await;
        let _ = bots.await;
        result.context("evaluation worker")
    }
}

/// A watch channel that flips on Ctrl-C or SIGTERM.
pub fn shutdown_signal() -> tokio::sync::watch::Receiver<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                    Ok(t) => t,
                    Err(_) => {
                        let _ = ctrl_c.await;
                        let _ = tx.send(true);
                        return;
                    }
                };
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
        tracing::info!("shutting down");
        let _ = tx.send(true);
    });
    rx
}

/// Reads a password from the environment variable `var`, or the first line
/// of standard input.
pub fn read_password(var: &str) -> Result<String> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_starting_together_share_one_complete_key() {
        let dir = std::env::temp_dir().join(format!("adal-key-race-{}", uuid::Uuid::new_v4()));
        let path = dir.join("reporting.key");
        let keys: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..16)
                .map(|_| s.spawn(|| secret_or_file("", &path, 32).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(
            keys.iter().all(|k| k.len() == 64 && *k == keys[0]),
            "{keys:?}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), keys[0]);
        // Only the key is left in the directory.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        assert_eq!(secret_or_file(" given ", &path, 32).unwrap(), "given");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
