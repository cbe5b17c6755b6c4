//! `adal`: the Adal service binary.

use adal_app::{Service, read_password, seed, shutdown_signal};
use adal_config::Config;
use adal_domain::Role;
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "adal",
    version,
    about = "Anti-corruption compliance as a service"
)]
struct Cli {
    /// Configuration file (TOML). Also `ADAL_CONFIG`.
    #[arg(long, env = "ADAL_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API; also runs the worker in-process unless --api-only.
    Serve {
        /// Only the API: run workers separately with `adal worker`.
        #[arg(long)]
        api_only: bool,
    },
    /// Run the evaluation worker, the sweeper and the mailer.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the OpenAPI document.
    Openapi,
    /// Seed a demo tenant (once) and serve it with an in-process worker.
    Demo {
        /// Only seed, then exit (to serve with `adal serve` and `adal worker`).
        #[arg(long)]
        seed_only: bool,
    },
    /// Rewrap every report key under `reporting.key`, from
    /// `reporting.previous_key` (the second step of a key rotation,
    /// docs/reporting.md). Safe to run again, and while the service runs.
    ReportingRekey,
    /// Queue the alert digests that are due (docs/operations.md, "Alert
    /// digests"): what the worker does every mail interval, at once.
    /// Safe to run beside the workers; each finding is in one digest.
    SendDigests {
        /// Send as if it were this time (RFC 3339), e.g. the end of today
        /// to send today's digests early; default now.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// The verifiable audit log (docs/audit.md).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Create a platform-level user: a platform admin or an Agency auditor.
    /// The password is read from ADAL_ADMIN_PASSWORD or standard input.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Platform admin")]
        name: String,
        /// `platform_admin` or `agency_auditor`.
        #[arg(long, default_value = "platform_admin")]
        role: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Write a tenant's log for offline verification with `adal-verify
    /// DIR`: its entries, every signed checkpoint (a new one first if the
    /// log grew), the newest as DIR/checkpoint, and the public keys.
    Export {
        /// The tenant's id; `platform` for the platform's own log.
        #[arg(long)]
        tenant: String,
        /// The directory to write (created if missing).
        #[arg(long)]
        out: PathBuf,
    },
}

/// The database, migrated, with the keys personal data is sealed under:
/// what the commands that open sealed data start from.
async fn keyed_store(
    config: &Config,
    keys: &adal_service::reporting::ReportingKeys,
) -> Result<adal_store::Store> {
    let store = adal_store::Store::connect(config.database_url.expose())
        .await?
        .with_data_keys(keys.data_keys());
    store.migrate().await?;
    Ok(store)
}

async fn run_service(svc: Service, with_worker: bool) -> Result<()> {
    let shutdown = shutdown_signal();
    if with_worker {
        let worker_rx = shutdown.clone();
        let (api, work) = tokio::join!(svc.serve(shutdown), svc.work(worker_rx));
        api?;
        work?;
        Ok(())
    } else {
        svc.serve(shutdown).await
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref()).context("loading configuration")?;
    adal_telemetry::init_logging(&config.log_format);
    adal_telemetry::install_panic_hook();
    tracing::debug!(?config, "configuration");
    match cli.command {
        Command::Openapi => {
            println!("{}", adal_api::openapi_json());
            Ok(())
        }
        Command::ReportingRekey => {
            let keys = adal_app::reporting_keys(&config)?;
            let store = keyed_store(&config, &keys).await?;
            let done = adal_service::reporting::rekey(&store, &keys)
                .await
                .map_err(|e| anyhow::anyhow!("rekey: {e} (the log above says why)"))?;
            println!(
                "{} report keys rewrapped under reporting.key",
                done.rewrapped
            );
            let secrets = adal_service::reporting::account_secrets::reseal_all(&store, &keys)
                .await
                .map_err(|e| anyhow::anyhow!("rekey: {e} (the log above says why)"))?;
            println!("{secrets} second-factor secrets sealed under reporting.key");
            let people = adal_store::sealing::rewrap_all(&store)
                .await
                .map_err(|e| anyhow::anyhow!("rekey: {e}"))?;
            println!("{people} personal data keys rewrapped under reporting.key");
            let bots = adal_service::reporting::bots::rekey(&store, &keys)
                .await
                .map_err(|e| anyhow::anyhow!("rekey: {e} (the log above says why)"))?;
            println!("{bots} messaging-bot envelopes rewrapped under reporting.key");
            Ok(())
        }
        Command::Audit(AuditCommand::Export { tenant, out }) => {
            let tenant =
                if tenant == "platform" {
                    adal_store::audit::PLATFORM
                } else {
                    adal_store::TenantId::from_uuid(uuid::Uuid::parse_str(&tenant).map_err(
                        |e| anyhow::anyhow!("--tenant {tenant:?}: not a tenant id: {e}"),
                    )?)
                };
            let keys = adal_app::reporting_keys(&config)?;
            let store = keyed_store(&config, &keys)
                .await?
                .with_log_keys(adal_app::log_keys(&config, &keys)?);
            if tenant != adal_store::audit::PLATFORM
                && adal_store::tenants::get(&store, tenant).await.is_err()
            {
                bail!("no tenant {} on this installation", tenant.uuid());
            }
            let done = adal_store::audit::export(&store, tenant, &out)
                .await
                .map_err(|e| anyhow::anyhow!("audit export: {e}"))?;
            println!(
                "{} entries and {} checkpoints written to {}; newest checkpoint: size {}",
                done.entries,
                done.checkpoints,
                out.display(),
                done.newest.size
            );
            if let Some(why) = done.refused {
                eprintln!("warning: no checkpoint of the log as it is now was signed: {why}");
            }
            Ok(())
        }
        Command::SendDigests { as_of } => {
            let at = match as_of {
                Some(t) => chrono::DateTime::parse_from_rfc3339(&t)
                    .map_err(|e| anyhow::anyhow!("--as-of {t:?}: not an RFC 3339 time: {e}"))?
                    .with_timezone(&chrono::Utc),
                None => chrono::Utc::now(),
            };
            let store = adal_store::Store::connect(config.database_url.expose()).await?;
            store.migrate().await?;
            let run = adal_store::digests::send_due(&store, at, &config.public_url)
                .await
                .map_err(|e| anyhow::anyhow!("send-digests: {e}"))?;
            println!(
                "{} digests queued listing {} findings in {} emails",
                run.digests, run.findings, run.emails
            );
            if run.failed_tenants > 0 {
                bail!(
                    "the digests of {} tenants could not be gathered (the log above says why); run again",
                    run.failed_tenants
                );
            }
            Ok(())
        }
        Command::Migrate => {
            let store = adal_store::Store::connect(config.database_url.expose()).await?;
            store.migrate().await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Serve { api_only } => {
            let svc = Service::connect(config).await?;
            run_service(svc, !api_only).await
        }
        Command::Worker => {
            let svc = Service::connect(config).await?;
            let shutdown = shutdown_signal();
            // An address that cannot be bound stops the worker at once:
            // a worker that cannot be probed or scraped is misconfigured.
            tokio::try_join!(svc.serve_ops(shutdown.clone()), svc.work(shutdown))?;
            Ok(())
        }
        Command::Demo { seed_only } => {
            let svc = Service::connect(config).await?;
            let demo = seed::seed_demo(&svc).await?;
            if seed_only {
                println!("{}", demo.tenant_id);
                return Ok(());
            }
            let url = format!("http://{}", svc.config.listen);
            println!("Adal demo is running at {url}");
            println!("  API docs:    {url}/api/docs");
            println!("  Demo tenant: {}", demo.tenant_id);
            println!("  Accounts (password {:?}):", seed::DEMO_PASSWORD);
            for (email, role) in &demo.accounts {
                println!("    {email:<26} {role}");
            }
            run_service(svc, true).await
        }
        Command::CreateAdmin { email, name, role } => {
            let role = Role::parse(&role)?;
            if role != Role::PlatformAdmin && role != Role::AgencyAuditor {
                bail!("--role must be platform_admin or agency_auditor");
            }
            let password = read_password("ADAL_ADMIN_PASSWORD")?;
            if password.chars().count() < 12 {
                bail!("the password must be at least 12 characters");
            }
            let store = adal_store::Store::connect(config.database_url.expose()).await?;
            store.migrate().await?;
            let authz = adal_authz::Authz::load(store.clone()).await?;
            let hash = adal_service::hash_password(&password)
                .map_err(|e| anyhow::anyhow!("hashing the password: {e:?}"))?;
            let u = adal_store::users::create(
                &store,
                None,
                "cli",
                adal_store::users::NewUser {
                    email,
                    display_name: name,
                    password_hash: hash,
                    role: role.as_str().to_owned(),
                    department_id: None,
                    position_id: None,
                    person_iin: None,
                },
            )
            .await?;
            let domain = if role == Role::PlatformAdmin {
                adal_authz::PLATFORM_DOMAIN
            } else {
                "*"
            };
            authz.assign(&u.id.to_string(), role, domain).await?;
            println!("{}", u.id);
            Ok(())
        }
    }
}
