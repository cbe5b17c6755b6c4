//! Delivers the outbox. A message is marked sent only after the SMTP
//! server accepted it; on failure it stays pending and is retried with
//! exponential backoff (`adal_store::outbox::RetryPolicy`), so alerts
//! survive an SMTP outage and a worker restart.

use adal_config::{SmtpConfig, SmtpSecurity};
use adal_store::{Store, outbox};
use async_trait::async_trait;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("invalid address {0:?}: {1}")]
    Address(String, String),
    #[error("cannot build message: {0}")]
    Build(String),
    #[error("SMTP: {0}")]
    Smtp(String),
    #[error("writing mail file: {0}")]
    Io(#[from] std::io::Error),
    #[error("store: {0}")]
    Store(#[from] adal_store::StoreError),
}

/// Where messages go: an SMTP relay in production and tests, a directory
/// of `.eml` files for the embedded default without SMTP.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, message: Message) -> Result<(), MailError>;
}

pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpMailer {
    pub fn new(cfg: &SmtpConfig) -> Result<Self, MailError> {
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.clone())
            .port(cfg.port)
            .timeout(Some(Duration::from_secs(20)));
        let tls =
            || TlsParameters::new(cfg.host.clone()).map_err(|e| MailError::Smtp(e.to_string()));
        b = match cfg.security {
            SmtpSecurity::None => b.tls(Tls::None),
            SmtpSecurity::Starttls => b.tls(Tls::Required(tls()?)),
            SmtpSecurity::Tls => b.tls(Tls::Wrapper(tls()?)),
        };
        if !cfg.username.is_empty() {
            b = b.credentials(Credentials::new(
                cfg.username.clone(),
                cfg.password.expose().to_owned(),
            ));
        }
        Ok(Self {
            transport: b.build(),
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: Message) -> Result<(), MailError> {
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError::Smtp(e.to_string()))
    }
}

pub struct DirectoryMailer {
    dir: PathBuf,
}

impl DirectoryMailer {
    pub fn new(dir: PathBuf) -> Self {
        Self { dir }
    }
}

#[async_trait]
impl Mailer for DirectoryMailer {
    async fn send(&self, message: Message) -> Result<(), MailError> {
        tokio::fs::create_dir_all(&self.dir).await?;
        let name = format!("{}.eml", uuid::Uuid::now_v7());
        let tmp = self.dir.join(format!(".{name}.tmp"));
        // Write then rename, so a reader never sees half a message.
        tokio::fs::write(&tmp, message.formatted()).await?;
        tokio::fs::rename(&tmp, self.dir.join(name)).await?;
        Ok(())
    }
}

/// The mailer the configuration asks for.
pub fn from_config(cfg: &SmtpConfig) -> Result<Box<dyn Mailer>, MailError> {
    if cfg.host.is_empty() {
        Ok(Box::new(DirectoryMailer::new(cfg.mail_dir.clone())))
    } else {
        Ok(Box::new(SmtpMailer::new(cfg)?))
    }
}

fn mailbox(s: &str) -> Result<Mailbox, MailError> {
    s.parse()
        .map_err(|e: lettre::address::AddressError| MailError::Address(s.to_owned(), e.to_string()))
}

pub fn build_message(
    from: &str,
    to: &[String],
    subject: &str,
    body: &str,
) -> Result<Message, MailError> {
    let mut b = Message::builder().from(mailbox(from)?).subject(subject);
    for t in to {
        b = b.to(mailbox(t)?);
    }
    b.header(ContentType::TEXT_PLAIN)
        .body(body.to_owned())
        .map_err(|e| MailError::Build(e.to_string()))
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryReport {
    pub sent: usize,
    pub failed: usize,
}

/// Sends every due outbox message once. A message that cannot be sent is
/// rescheduled with backoff; one failure does not stop the others.
pub async fn deliver_due(
    store: &Store,
    mailer: &dyn Mailer,
    from: &str,
    batch: u64,
    retry: outbox::RetryPolicy,
) -> Result<DeliveryReport, MailError> {
    let mut report = DeliveryReport::default();
    for m in outbox::due_across_tenants(store, batch).await? {
        let result = match outbox::recipients_of(&m) {
            Ok(to) => match build_message(from, &to, &m.subject, &m.body) {
                Ok(msg) => mailer.send(msg).await,
                Err(e) => Err(e),
            },
            Err(e) => Err(e.into()),
        };
        match result {
            Ok(()) => {
                outbox::mark_sent_across_tenants(store, m.id).await?;
                report.sent += 1;
                tracing::info!(outbox_id = %m.id, tenant_id = %m.tenant_id, "alert sent");
            }
            Err(e) => {
                tracing::warn!(outbox_id = %m.id, attempts = m.attempts + 1, error = %e, "alert not sent; will retry");
                outbox::mark_failed_with(store, m.id, &e.to_string(), retry).await?;
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_recipient_is_a_clear_error() {
        let e = build_message("a@b.kz", &["not an address".into()], "s", "b").unwrap_err();
        assert!(e.to_string().contains("not an address"));
    }

    #[tokio::test]
    async fn directory_mailer_writes_whole_messages() {
        let dir = std::env::temp_dir().join(format!("adal-mail-{}", uuid::Uuid::now_v7()));
        let m = DirectoryMailer::new(dir.clone());
        let msg = build_message(
            "Adal <a@adal.kz>",
            &["co@example.kz".into()],
            "Alert",
            "Body",
        )
        .unwrap();
        m.send(msg).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1);
        let text = std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap();
        assert!(text.contains("Subject: Alert"));
        assert!(text.contains("co@example.kz"));
    }
}
