//! Delivers the outbox. The mailer claims due messages (so that two
//! worker processes never send the same alert, see `adal_store::outbox`),
//! sends them concurrently over pooled SMTP connections, and marks them
//! sent only after the SMTP server accepted them; on failure a message is
//! retried with exponential backoff (`adal_store::outbox::RetryPolicy`)
//! and, after too many attempts, kept as `dead` with the reason. Every
//! email carries a Message-ID derived from its outbox row, so a repeat
//! after a crash between "accepted" and "marked sent" is recognisable.

use adal_config::{SmtpConfig, SmtpSecurity};
use adal_store::{Store, outbox};
use async_trait::async_trait;
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::PoolConfig;
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
    /// A transport keeping up to `connections` SMTP connections open, so
    /// that as many messages can be in flight at once.
    pub fn new(cfg: &SmtpConfig, connections: u32) -> Result<Self, MailError> {
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.clone())
            .port(cfg.port)
            .timeout(Some(Duration::from_secs(20)))
            .pool_config(PoolConfig::new().max_size(connections.max(1)));
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

/// The mailer the configuration asks for; `connections` SMTP connections
/// at most.
pub fn from_config(cfg: &SmtpConfig, connections: u32) -> Result<Box<dyn Mailer>, MailError> {
    if cfg.host.is_empty() {
        Ok(Box::new(DirectoryMailer::new(cfg.mail_dir.clone())))
    } else {
        Ok(Box::new(SmtpMailer::new(cfg, connections)?))
    }
}

fn mailbox(s: &str) -> Result<Mailbox, MailError> {
    s.parse()
        .map_err(|e: lettre::address::AddressError| MailError::Address(s.to_owned(), e.to_string()))
}

/// The Message-ID of the email for outbox row `id`: the same for every
/// attempt, so a receiving server (or a person) can tell a repeat. The
/// domain is the sender's.
pub fn message_id(id: uuid::Uuid, from: &str) -> Result<String, MailError> {
    let from = mailbox(from)?;
    Ok(format!("<{}@{}>", id.simple(), from.email.domain()))
}

pub fn build_message(
    from: &str,
    to: &[String],
    subject: &str,
    body: &str,
) -> Result<Message, MailError> {
    build(from, to, subject, body, None)
}

fn build(
    from: &str,
    to: &[String],
    subject: &str,
    body: &str,
    id: Option<String>,
) -> Result<Message, MailError> {
    let mut b = Message::builder()
        .from(mailbox(from)?)
        .subject(subject)
        .message_id(id);
    for t in to {
        b = b.to(mailbox(t)?);
    }
    b.header(ContentType::TEXT_PLAIN)
        .body(body.to_owned())
        .map_err(|e| MailError::Build(e.to_string()))
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct DeliveryReport {
    /// Accepted by the SMTP server and marked sent.
    pub sent: usize,
    /// Not accepted; pending again for a later attempt.
    pub failed: usize,
    /// Not accepted and out of attempts: `dead`.
    pub dead: usize,
    /// Claimed but taken over by another mailer before this one finished
    /// (its lease ran out): whatever happened is not recorded here.
    pub lost: usize,
    /// Seconds from each sent alert's creation to its acceptance.
    pub sent_after_secs: Vec<f64>,
}

impl DeliveryReport {
    /// Messages this call claimed.
    pub fn claimed(&self) -> usize {
        self.sent + self.failed + self.dead + self.lost
    }
}

/// How a mailer drains the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// Messages claimed at once.
    pub batch: u64,
    /// Messages in flight at once (and SMTP connections kept open).
    pub concurrency: usize,
    /// How long a claim holds its messages; longer than any send takes.
    pub lease: chrono::Duration,
    pub retry: outbox::RetryPolicy,
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            batch: 200,
            concurrency: 16,
            lease: chrono::Duration::minutes(5),
            retry: outbox::RetryPolicy::default(),
        }
    }
}

/// Claims up to one batch of due outbox messages and sends them, several
/// at once. A message that cannot be sent is rescheduled with backoff (or
/// given up as `dead`); one failure does not stop the others.
pub async fn deliver_due(
    store: &Store,
    mailer: &dyn Mailer,
    from: &str,
    how: Delivery,
) -> Result<DeliveryReport, MailError> {
    use futures::StreamExt;
    let claim = outbox::claim_due_across_tenants(store, how.batch, how.lease).await?;
    let results: Vec<(outbox::OutboxMessage, Result<(), MailError>)> =
        futures::stream::iter(claim.messages)
            .map(|m| async move {
                let r = send_one(mailer, from, &m).await;
                (m, r)
            })
            .buffer_unordered(how.concurrency.max(1))
            .collect()
            .await;
    let mut report = DeliveryReport::default();
    let mut sent = Vec::new();
    let accepted_at = chrono::Utc::now();
    for (m, r) in results {
        match r {
            Ok(()) => {
                tracing::info!(outbox_id = %m.id, tenant_id = %m.tenant_id, "alert sent");
                sent.push(m.id);
                let age = (accepted_at - m.created_at).num_milliseconds();
                report.sent_after_secs.push(age.max(0) as f64 / 1000.0);
            }
            Err(e) => {
                match outbox::mark_failed_with(store, claim.token, &m, &e.to_string(), how.retry)
                    .await?
                {
                    outbox::Failed::Retry => {
                        tracing::warn!(outbox_id = %m.id, attempts = m.attempts, error = %e, "alert not sent; will retry");
                        report.failed += 1;
                    }
                    outbox::Failed::Dead => {
                        tracing::error!(outbox_id = %m.id, tenant_id = %m.tenant_id, attempts = m.attempts, error = %e, "alert not sent; giving up");
                        report.dead += 1;
                    }
                    outbox::Failed::NotHeld => report.lost += 1,
                }
            }
        }
    }
    let marked = mark_sent_within_lease(store, claim.token, &sent, how.lease).await?;
    let marked = usize::try_from(marked)
        .unwrap_or(usize::MAX)
        .min(sent.len());
    if marked < sent.len() {
        tracing::warn!(
            accepted = sent.len(),
            marked,
            "some alerts were accepted after their claim ran out; another mailer may repeat them (same Message-ID)"
        );
    }
    report.sent += marked;
    report.lost += sent.len() - marked;
    Ok(report)
}

/// Records what the SMTP server accepted. A database that is briefly
/// away (a restart, a failover) is waited for while the claim lasts: given
/// up, the messages would stay claimed until the lease ran out and then go
/// out a second time from whichever mailer claimed them next. The fault
/// test caught that: ten alerts sent just as PostgreSQL went away arrived
/// twice. Past the lease, the claim token keeps a late mark from touching
/// a message another mailer took over.
async fn mark_sent_within_lease(
    store: &Store,
    claim: uuid::Uuid,
    sent: &[uuid::Uuid],
    lease: chrono::Duration,
) -> Result<u64, MailError> {
    let lease = lease.to_std().unwrap_or(std::time::Duration::from_secs(15));
    let deadline = std::time::Instant::now() + lease;
    let mut wait = std::time::Duration::from_millis(100);
    loop {
        match outbox::mark_sent_across_tenants(store, claim, sent).await {
            Ok(n) => return Ok(n),
            Err(e) if e.is_unavailable() && std::time::Instant::now() + wait < deadline => {
                tracing::warn!(error = %e, accepted = sent.len(), "cannot record sent alerts yet; retrying");
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(2));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

async fn send_one(
    mailer: &dyn Mailer,
    from: &str,
    m: &outbox::OutboxMessage,
) -> Result<(), MailError> {
    let to = outbox::recipients_of(m)?;
    let msg = build(
        from,
        &to,
        &m.subject,
        &m.body,
        Some(message_id(m.id, from)?),
    )?;
    mailer.send(msg).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_id_is_stable_and_uses_the_senders_domain() {
        let id = uuid::Uuid::from_u128(0x1234);
        let a = message_id(id, "Adal <alerts@adal.kz>").unwrap();
        assert_eq!(a, "<00000000000000000000000000001234@adal.kz>");
        assert_eq!(message_id(id, "alerts@adal.kz").unwrap(), a);
        let msg = build(
            "alerts@adal.kz",
            &["x@y.kz".into()],
            "s",
            "b",
            Some(a.clone()),
        )
        .unwrap();
        let text = String::from_utf8(msg.formatted()).unwrap();
        assert!(text.contains(&format!("Message-ID: {a}")), "{text}");
    }

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
