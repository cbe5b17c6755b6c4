//! Configuration, in increasing precedence: built-in defaults (the embedded
//! SQLite setup), a TOML file, then `ADAL_*` environment variables (`__`
//! separates levels: `ADAL_SMTP__HOST`). Any secret can instead be read
//! from a file named by the same variable with `_FILE` appended
//! (`ADAL_DATABASE_URL_FILE`), as Kubernetes secrets are mounted.
//!
//! Secrets are wrapped in [`Secret`], whose `Debug` never shows the value,
//! so logging the configuration is safe.

use figment::{
    Figment,
    providers::{Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration: {0}")]
    Invalid(#[from] Box<figment::Error>),
    #[error("cannot read secret file {path} (from {var}): {source}")]
    SecretFile {
        var: String,
        path: String,
        source: std::io::Error,
    },
}

/// A value that must not appear in logs.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueBackend {
    /// apalis on SQLite, in its own file (never the main database's pool:
    /// apalis sets `synchronous=OFF` on the pool it is given).
    Sqlite,
    /// apalis on Redis, for production.
    Redis,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QueueConfig {
    pub backend: QueueBackend,
    /// The queue's SQLite file (backend `sqlite`).
    pub sqlite_path: PathBuf,
    /// Redis URL (backend `redis`); may carry a password, hence secret.
    pub redis_url: Secret,
    /// Prefix of the Redis keys, so several deployments can share a server.
    pub namespace: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Empty: no SMTP; alerts are written as `.eml` files under `mail_dir`.
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub password: Secret,
    pub from: String,
    /// Where alerts go when `host` is empty (the embedded default).
    pub mail_dir: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxConfig {
    /// Path of the `adal-rules` binary. Empty: next to the `adal` binary.
    pub binary: PathBuf,
    pub processes: usize,
    pub deadline_ms: u64,
    pub memory_mb: u64,
}

/// The anonymous feedback channel (docs/reporting.md).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingConfig {
    /// The key-encryption key: 64 hex characters or base64 of 32 bytes.
    /// Report keys are wrapped under keys derived from it per tenant; the
    /// database never holds it. Empty: read from (or, on first start,
    /// written to) `data_dir/reporting.key`, for the embedded setup.
    pub key: Secret,
    /// During a rotation, the key `key` replaces: report keys wrapped
    /// under it stay readable until `adal reporting-rekey` has rewrapped
    /// them. Empty otherwise.
    pub previous_key: Secret,
    /// At least 32 characters: the receipts' hashing pepper and the key
    /// that signs challenges and reporters' tokens. Changing it makes
    /// every receipt stop working. Empty: as `key`, in
    /// `data_dir/reporting.secret`.
    pub secret: Secret,
    /// The Agency's Ed25519 signing key (its 32-byte seed: 64 hex
    /// characters or base64), which cosigns the platform log's checkpoints
    /// and with them every tenant checkpoint deposited there
    /// (docs/audit.md). The Agency's own secret, mounted for it; empty:
    /// the platform log is signed by the operator's key alone.
    pub agency_key: Secret,
    /// Leading zero bits the proof of work asks for (0 to 28; each bit
    /// doubles the reporter's work: 18 takes a phone about a second).
    pub pow_bits: u8,
    /// How long a challenge can be used.
    pub challenge_ttl_secs: u64,
    /// Reports a tenant's channel takes per hour, across all senders.
    pub reports_per_hour_per_tenant: u32,
    /// Reports the whole service takes per hour.
    pub reports_per_hour: u32,
    /// Default days to acknowledge a report (EU Directive 2019/1937: 7).
    pub acknowledge_days: u32,
    /// Default days to give the reporter feedback (the Directive: within
    /// three months).
    pub feedback_days: u32,
    /// How often a worker looks for cases near or past a deadline and
    /// queues their reminders (each goes once); 0: never.
    pub clock_interval_secs: u64,
    /// The WhatsApp Cloud API bot (docs/reporting.md, "Messaging bots").
    pub whatsapp: WhatsAppConfig,
    /// The Telegram bots, one per tenant that has one.
    pub telegram: TelegramConfig,
    /// A bot conversation left this long without a message starts over
    /// (its draft is deleted).
    pub bot_idle_secs: u64,
    /// How often a worker looks for bot messages to process and replies
    /// to send, when it found none the last time.
    pub bot_poll_ms: u64,
}

/// One WhatsApp Business account for the whole installation; each of its
/// phone numbers serves one tenant.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WhatsAppConfig {
    /// The Meta app's secret: the key of `X-Hub-Signature-256`. Empty:
    /// the WhatsApp webhook refuses every delivery.
    pub app_secret: Secret,
    /// The token Meta's verification request must bring.
    pub verify_token: Secret,
    /// The access token the replies are sent with (`Authorization:
    /// Bearer`).
    pub access_token: Secret,
    /// The Graph API's base URL, version included.
    pub api_base: String,
    /// `phone_number_id` (from the webhook's metadata) -> tenant id.
    pub numbers: std::collections::BTreeMap<String, String>,
}

/// The Telegram bots: each tenant has its own bot (its own token and
/// webhook URL, `/api/v1/webhooks/telegram/{tenant_id}`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramConfig {
    /// The Bot API's base URL.
    pub api_base: String,
    /// Tenant id -> its bot.
    pub bots: std::collections::BTreeMap<String, TelegramBotConfig>,
}

/// One tenant's Telegram bot. Each secret can be given inline or, as
/// Kubernetes mounts secrets, by the path of a file holding it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TelegramBotConfig {
    /// The `secret_token` given to `setWebhook`, which Telegram sends back
    /// in `X-Telegram-Bot-Api-Secret-Token`.
    pub secret_token: Secret,
    pub secret_token_file: PathBuf,
    /// The bot's token from @BotFather, for `sendMessage`.
    pub bot_token: Secret,
    pub bot_token_file: PathBuf,
}

impl TelegramBotConfig {
    /// The secret token and the bot token, read from their files where
    /// given.
    pub fn secrets(&self) -> Result<(Secret, Secret), ConfigError> {
        let read = |inline: &Secret, file: &Path, what: &str| {
            if file.as_os_str().is_empty() {
                return Ok(inline.clone());
            }
            std::fs::read_to_string(file)
                .map(|s| Secret::new(s.trim_end()))
                .map_err(|source| ConfigError::SecretFile {
                    var: format!("reporting.telegram.bots.*.{what}_file"),
                    path: file.display().to_string(),
                    source,
                })
        };
        Ok((
            read(&self.secret_token, &self.secret_token_file, "secret_token")?,
            read(&self.bot_token, &self.bot_token_file, "bot_token")?,
        ))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerConfig {
    /// Where `adal worker` serves `/healthz`, `/readyz` and `/metrics`;
    /// empty: nowhere. (`adal serve` with its worker has the API's.)
    pub listen: String,
    /// Evaluation jobs run at once per worker process.
    pub concurrency: usize,
    /// Most submissions of one tenant a job evaluates together: claimed
    /// at once, one sandbox request, one transaction (0 counts as 1).
    pub batch_size: u64,
    /// How long a claimed batch is held: a worker that dies mid-batch
    /// leaves its rows to others after this.
    pub claim_lease_secs: u64,
    /// How often the sweeper looks for submissions a lost job left behind.
    pub sweep_interval_secs: u64,
    /// A submission still `received` after this long is re-enqueued.
    pub stale_after_secs: u64,
    /// How often the mailer looks at the outbox.
    pub mail_interval_secs: u64,
    /// First retry delay of an alert the SMTP server did not accept; it
    /// doubles with each attempt.
    pub mail_retry_base_secs: u64,
    /// Longest delay between retries.
    pub mail_retry_max_secs: u64,
    /// Attempts after which an alert is given up (`dead`, with the last
    /// error, listed under the tenant's alerts).
    pub mail_max_attempts: u32,
    /// Alerts in flight at once, each over its own pooled SMTP connection.
    pub mail_concurrency: usize,
    /// How long a mailer's claim on outbox messages holds: a worker that
    /// dies while sending leaves its messages to others after this. Longer
    /// than any send takes (0 counts as 1, more than a day as a day).
    pub mail_lease_secs: u64,
    /// How often each tenant's dataset rules run on their own (missing
    /// declarations, repeated gifts); 0 runs them only on request.
    pub dataset_interval_secs: u64,
    /// How often the retention pass erases what each tenant's retention
    /// periods say has expired (docs/privacy.md); 0 never.
    pub retention_interval_secs: u64,
    /// How often the sequencer gives the audit entries written since its
    /// last pass their places in their tenants' logs (docs/audit.md), in
    /// milliseconds; 0 never (reads of the log still sequence first).
    pub audit_sequence_interval_ms: u64,
    /// How often every tenant log that grew gets a signed checkpoint,
    /// deposited with the Agency; 0 only on request.
    pub checkpoint_interval_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `sqlite://path?mode=rwc` or `postgres://user:pass@host/db`.
    pub database_url: Secret,
    pub listen: String,
    /// The URL people reach the service at, for links in alert emails.
    pub public_url: String,
    pub data_dir: PathBuf,
    /// `text` or `json`.
    pub log_format: String,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Requests a minute each client address may make to the endpoints
    /// open without an account (the registry, signing in); 0: no limit.
    pub public_requests_per_minute: u32,
    /// When set, `/metrics` (on the API and on a worker's own address)
    /// answers only requests bearing it (`Authorization: Bearer ...`).
    pub metrics_token: Secret,
    /// The TrueType font PDF documents are set in (a person's data export);
    /// empty: the first system font found (DejaVu Sans, Liberation Sans or
    /// Noto Sans, which cover Kazakh and Russian).
    pub pdf_font: String,
    /// Whether platform administrators and Agency auditors must sign in
    /// with a second factor (TOTP): until theirs is on, only their own
    /// account is open to them. Off in the embedded default (the demo's
    /// accounts have none); the Helm chart turns it on.
    pub require_second_factor_platform: bool,
    pub queue: QueueConfig,
    pub smtp: SmtpConfig,
    pub sandbox: SandboxConfig,
    pub worker: WorkerConfig,
    pub reporting: ReportingConfig,
    pub imports: ImportsConfig,
}

/// What each tenant may import: the operator's protection of a service
/// the tenants share.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportsConfig {
    /// The largest file one import may carry, in bytes; at most 64 MiB
    /// (the upload limit), whatever is set here.
    pub max_file_bytes: usize,
    /// Rows each tenant's imports may process in any 24 hours; 0: no
    /// limit.
    pub rows_per_day: u64,
    /// How long one import transaction aims to hold the database (on the
    /// embedded database, every other write waits for it): batches of
    /// rows are sized to fit. 1 to 10,000 ms.
    pub lock_budget_ms: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: Secret::new("sqlite://adal-data/adal.sqlite?mode=rwc"),
            listen: "127.0.0.1:8080".into(),
            public_url: "http://127.0.0.1:8080".into(),
            data_dir: "adal-data".into(),
            log_format: "text".into(),
            max_body_bytes: 256 * 1024,
            public_requests_per_minute: 120,
            metrics_token: Secret::default(),
            pdf_font: String::new(),
            require_second_factor_platform: false,
            queue: QueueConfig {
                backend: QueueBackend::Sqlite,
                sqlite_path: "adal-data/queue.sqlite".into(),
                redis_url: Secret::new("redis://127.0.0.1:6379"),
                namespace: "adal".into(),
            },
            smtp: SmtpConfig {
                host: String::new(),
                port: 25,
                security: SmtpSecurity::None,
                username: String::new(),
                password: Secret::default(),
                from: "Adal <alerts@adal.local>".into(),
                mail_dir: "adal-data/mail".into(),
            },
            sandbox: SandboxConfig {
                binary: PathBuf::new(),
                processes: 2,
                deadline_ms: 2000,
                memory_mb: 512,
            },
            worker: WorkerConfig {
                listen: "127.0.0.1:9091".into(),
                concurrency: 4,
                batch_size: 200,
                claim_lease_secs: 60,
                sweep_interval_secs: 30,
                stale_after_secs: 60,
                mail_interval_secs: 5,
                mail_retry_base_secs: 5,
                mail_retry_max_secs: 3600,
                mail_max_attempts: 12,
                mail_concurrency: 16,
                mail_lease_secs: 300,
                dataset_interval_secs: 3600,
                retention_interval_secs: 3600,
                audit_sequence_interval_ms: 1000,
                checkpoint_interval_secs: 3600,
            },
            reporting: ReportingConfig {
                key: Secret::default(),
                previous_key: Secret::default(),
                secret: Secret::default(),
                agency_key: Secret::default(),
                pow_bits: 18,
                challenge_ttl_secs: 600,
                reports_per_hour_per_tenant: 60,
                reports_per_hour: 600,
                acknowledge_days: 7,
                feedback_days: 90,
                clock_interval_secs: 3600,
                whatsapp: WhatsAppConfig {
                    api_base: "https://graph.facebook.com/v21.0".into(),
                    ..WhatsAppConfig::default()
                },
                telegram: TelegramConfig {
                    api_base: "https://api.telegram.org".into(),
                    ..TelegramConfig::default()
                },
                bot_idle_secs: 86_400,
                bot_poll_ms: 1000,
            },
            imports: ImportsConfig {
                max_file_bytes: 64 * 1024 * 1024,
                rows_per_day: 1_000_000,
                lock_budget_ms: 150,
            },
        }
    }
}

/// `ADAL_*` variables that are read elsewhere, not configuration keys.
const NOT_CONFIG: [&str; 5] = [
    "ADAL_CONFIG",
    "ADAL_LOG",
    "ADAL_ADMIN_PASSWORD",
    "ADAL_BIN",
    "ADAL_RULES_BIN",
];

/// Secrets that may come from `*_FILE` variables.
const SECRET_VARS: [(&str, &str); 11] = [
    ("ADAL_DATABASE_URL", "database_url"),
    ("ADAL_QUEUE__REDIS_URL", "queue.redis_url"),
    ("ADAL_SMTP__PASSWORD", "smtp.password"),
    ("ADAL_METRICS_TOKEN", "metrics_token"),
    ("ADAL_REPORTING__KEY", "reporting.key"),
    ("ADAL_REPORTING__PREVIOUS_KEY", "reporting.previous_key"),
    ("ADAL_REPORTING__SECRET", "reporting.secret"),
    ("ADAL_REPORTING__AGENCY_KEY", "reporting.agency_key"),
    (
        "ADAL_REPORTING__WHATSAPP__APP_SECRET",
        "reporting.whatsapp.app_secret",
    ),
    (
        "ADAL_REPORTING__WHATSAPP__VERIFY_TOKEN",
        "reporting.whatsapp.verify_token",
    ),
    (
        "ADAL_REPORTING__WHATSAPP__ACCESS_TOKEN",
        "reporting.whatsapp.access_token",
    ),
];

impl Config {
    /// Loads from defaults, then `file` if given (it must exist), then the
    /// process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, std::env::vars())
    }

    /// As [`Config::load`], with the environment given explicitly (tests).
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        let shape = serde_json::to_value(Config::default()).unwrap_or_default();
        if let Some(f) = file {
            fig = fig.merge(Toml::file_exact(f));
        }
        // The environment is read from `env` rather than figment's `Env`
        // provider, so tests can pass their own; `__` nests as `.`.
        for (k, v) in &env {
            if let Some(rest) = k.strip_prefix("ADAL_") {
                if k.ends_with("_FILE") || NOT_CONFIG.contains(&k.as_str()) {
                    continue;
                }
                let key = rest.to_ascii_lowercase().replace("__", ".");
                let pointer = format!("/{}", key.replace('.', "/"));
                fig = fig.merge(Serialized::global(&key, coerce(shape.pointer(&pointer), v)));
            }
        }
        for (var, key) in SECRET_VARS {
            let file_var = format!("{var}_FILE");
            if let Some((_, path)) = env.iter().find(|(k, _)| *k == file_var) {
                let value =
                    std::fs::read_to_string(path).map_err(|source| ConfigError::SecretFile {
                        var: file_var.clone(),
                        path: path.clone(),
                        source,
                    })?;
                fig = fig.merge(Serialized::global(key, value.trim_end().to_owned()));
            }
        }
        fig.extract().map_err(|e| ConfigError::Invalid(Box::new(e)))
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.expose().starts_with("sqlite:")
    }
}

/// Environment values are strings. Where the setting is a number or a
/// boolean, parse it as one; everything else stays a string, so that an
/// all-digit user name is still a name. An unparsable number stays a string
/// and figment reports it with the setting's path.
fn coerce(setting: Option<&serde_json::Value>, v: &str) -> figment::value::Value {
    match setting {
        Some(serde_json::Value::Number(_)) => {
            if let Ok(n) = v.parse::<u64>() {
                return n.into();
            }
            if let Ok(n) = v.parse::<i64>() {
                return n.into();
            }
        }
        Some(serde_json::Value::Bool(_)) => match v {
            "true" => return true.into(),
            "false" => return false.into(),
            _ => {}
        },
        _ => {}
    }
    v.to_owned().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn defaults_are_the_embedded_setup() {
        let c = Config::load_from(None, env(&[])).unwrap();
        assert!(c.is_sqlite());
        assert_eq!(c.queue.backend, QueueBackend::Sqlite);
    }

    #[test]
    fn environment_overrides_nested_values() {
        let c = Config::load_from(
            None,
            env(&[
                ("ADAL_QUEUE__BACKEND", "redis"),
                ("ADAL_SMTP__PORT", "2525"),
                ("ADAL_LISTEN", "0.0.0.0:9000"),
                ("ADAL_LOG", "debug"),
                ("PATH", "/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(c.queue.backend, QueueBackend::Redis);
        assert_eq!(c.smtp.port, 2525);
        assert_eq!(c.listen, "0.0.0.0:9000");
    }

    #[test]
    fn digits_stay_strings_where_the_setting_is_a_string() {
        let c = Config::load_from(
            None,
            env(&[("ADAL_SMTP__USERNAME", "12345"), ("ADAL_SMTP__PORT", "587")]),
        )
        .unwrap();
        assert_eq!(c.smtp.username, "12345");
        assert_eq!(c.smtp.port, 587);
        let e = Config::load_from(None, env(&[("ADAL_SMTP__PORT", "lots")])).unwrap_err();
        assert!(e.to_string().contains("port"), "{e}");
    }

    #[test]
    fn file_then_env_precedence_and_unknown_keys_rejected() {
        let dir = std::env::temp_dir().join(format!("adal-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("adal.toml");
        std::fs::write(&f, "listen = \"10.0.0.1:1\"\n[worker]\nconcurrency = 9\n").unwrap();
        let c = Config::load_from(Some(&f), env(&[("ADAL_LISTEN", "10.0.0.2:2")])).unwrap();
        assert_eq!(c.listen, "10.0.0.2:2");
        assert_eq!(c.worker.concurrency, 9);
        std::fs::write(&f, "[worker]\nconcurency = 9\n").unwrap();
        let e = Config::load_from(Some(&f), env(&[])).unwrap_err();
        assert!(e.to_string().contains("concurency"), "{e}");
    }

    #[test]
    fn bots_come_from_the_file_the_environment_and_secret_files() {
        let dir = std::env::temp_dir().join(format!("adal-bots-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let token = dir.join("tg-token");
        std::fs::write(&token, "123:bot-token-from-file\n").unwrap();
        let app_secret = dir.join("wa-secret");
        std::fs::write(&app_secret, "wa-app-secret\n").unwrap();
        let f = dir.join("adal.toml");
        let tenant = "0193a1c2-0000-7000-8000-000000000001";
        std::fs::write(
            &f,
            format!(
                "[reporting.whatsapp.numbers]\n\"106540352242922\" = \"{tenant}\"\n\
                 [reporting.telegram.bots.\"{tenant}\"]\nsecret_token = \"tg-secret\"\n\
                 bot_token_file = \"{}\"\n",
                token.display()
            ),
        )
        .unwrap();
        let c = Config::load_from(
            Some(&f),
            env(&[
                (
                    "ADAL_REPORTING__WHATSAPP__APP_SECRET_FILE",
                    app_secret.to_str().unwrap(),
                ),
                ("ADAL_REPORTING__WHATSAPP__NUMBERS__106540352242999", tenant),
            ]),
        )
        .unwrap();
        let wa = &c.reporting.whatsapp;
        assert_eq!(wa.app_secret.expose(), "wa-app-secret");
        assert_eq!(wa.api_base, "https://graph.facebook.com/v21.0");
        assert_eq!(wa.numbers.len(), 2);
        assert_eq!(wa.numbers["106540352242922"], tenant);
        assert_eq!(wa.numbers["106540352242999"], tenant);
        let (secret, bot) = c.reporting.telegram.bots[tenant].secrets().unwrap();
        assert_eq!(secret.expose(), "tg-secret");
        assert_eq!(bot.expose(), "123:bot-token-from-file");
        assert!(!format!("{c:?}").contains("bot-token"));
        // A missing secret file is named.
        std::fs::remove_file(&token).unwrap();
        let e = c.reporting.telegram.bots[tenant].secrets().unwrap_err();
        assert!(e.to_string().contains("tg-token"), "{e}");
    }

    #[test]
    fn secrets_come_from_files_and_never_print() {
        let dir = std::env::temp_dir().join(format!("adal-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("db");
        std::fs::write(&f, "postgres://adal:hunter2@db/adal\n").unwrap();
        let c = Config::load_from(
            None,
            env(&[("ADAL_DATABASE_URL_FILE", f.to_str().unwrap())]),
        )
        .unwrap();
        assert_eq!(c.database_url.expose(), "postgres://adal:hunter2@db/adal");
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
