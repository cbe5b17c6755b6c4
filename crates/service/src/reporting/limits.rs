//! Limits on the public reporting routes that identify no one (the API's
//! `/api/v1/public/...` and the reporter's pages share them): reports per
//! tenant and for the whole service, challenges for the whole service, per
//! hour; a reporter's reads and messages per token (a new token costs a
//! proof of work). A per-address limit would need the reporter's address,
//! which the channel never looks at.

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use std::num::NonZeroU32;
use std::sync::Arc;
use uuid::Uuid;

/// A reporter's reads of their case per token and hour.
pub const READS_PER_HOUR: u32 = 240;
/// A reporter's messages per token and hour.
pub const MESSAGES_PER_HOUR: u32 = 30;
/// Challenges handed out per report the service takes: a page may fetch a
/// few it never uses.
const CHALLENGES_PER_REPORT: u32 = 10;
/// Tokens tracked before forgetting the idle ones.
const MAX_TRACKED: usize = 10_000;
/// What a refused caller is told to wait, in seconds.
pub const RETRY_AFTER_SECS: u64 = 60;

/// Which limit refused a request; its message says what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the service takes no more reports this hour; try again later")]
    ServiceFull,
    #[error("this organisation's channel takes no more reports this hour; try again later")]
    TenantFull,
    #[error("the service hands out no more challenges this hour; try again later")]
    Challenges,
    #[error("at most {READS_PER_HOUR} reads an hour; try again later")]
    Reads,
    #[error("at most {MESSAGES_PER_HOUR} messages an hour; try again later")]
    Messages,
}

/// The limits, shared by every front door of one process.
#[derive(Clone)]
pub struct ReportLimits {
    per_tenant: Option<Arc<DefaultKeyedRateLimiter<Uuid>>>,
    global: Option<Arc<DefaultDirectRateLimiter>>,
    challenges: Option<Arc<DefaultDirectRateLimiter>>,
    reads: Arc<DefaultKeyedRateLimiter<String>>,
    writes: Arc<DefaultKeyedRateLimiter<String>>,
}

fn keyed(per_hour: u32) -> Arc<DefaultKeyedRateLimiter<String>> {
    let n = NonZeroU32::new(per_hour).unwrap_or(NonZeroU32::MIN);
    Arc::new(RateLimiter::keyed(Quota::per_hour(n)))
}

impl ReportLimits {
    /// `per_tenant` and `global` reports an hour; 0 turns a limit off (the
    /// per-token ones stay).
    pub fn per_hour(per_tenant: u32, global: u32) -> Self {
        Self {
            per_tenant: NonZeroU32::new(per_tenant)
                .map(|n| Arc::new(RateLimiter::keyed(Quota::per_hour(n)))),
            global: NonZeroU32::new(global)
                .map(|n| Arc::new(RateLimiter::direct(Quota::per_hour(n)))),
            challenges: NonZeroU32::new(global.saturating_mul(CHALLENGES_PER_REPORT))
                .map(|n| Arc::new(RateLimiter::direct(Quota::per_hour(n)))),
            reads: keyed(READS_PER_HOUR),
            writes: keyed(MESSAGES_PER_HOUR),
        }
    }

    /// One more report to `tenant`'s channel.
    pub fn check_report(&self, tenant: Uuid) -> Result<(), Refused> {
        if let Some(g) = &self.global
            && g.check().is_err()
        {
            return Err(Refused::ServiceFull);
        }
        if let Some(t) = &self.per_tenant
            && t.check_key(&tenant).is_err()
        {
            return Err(Refused::TenantFull);
        }
        Ok(())
    }

    /// One more challenge handed out.
    pub fn check_challenge(&self) -> Result<(), Refused> {
        match &self.challenges {
            Some(c) if c.check().is_err() => Err(Refused::Challenges),
            _ => Ok(()),
        }
    }

    /// A reporter's read (`write` false) or message with `token`.
    pub fn check_reporter(&self, token: &str, write: bool) -> Result<(), Refused> {
        let limiter = if write { &self.writes } else { &self.reads };
        if limiter.len() > MAX_TRACKED {
            limiter.retain_recent();
        }
        // The token's first part names the report and expiry; the key
        // need not be the whole token.
        let key = token.split('.').next().unwrap_or(token).to_owned();
        limiter.check_key(&key).map_err(|_| {
            if write {
                Refused::Messages
            } else {
                Refused::Reads
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_hold_back_reports_challenges_and_a_reporters_requests() {
        let l = ReportLimits::per_hour(2, 3);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(l.check_report(a).is_ok() && l.check_report(a).is_ok());
        assert_eq!(
            l.check_report(a),
            Err(Refused::TenantFull),
            "a third report to one tenant"
        );
        assert_eq!(
            l.check_report(b),
            Err(Refused::ServiceFull),
            "the service's three an hour are used up"
        );
        // 3 reports an hour: 30 challenges.
        for _ in 0..30 {
            assert!(l.check_challenge().is_ok());
        }
        assert_eq!(l.check_challenge(), Err(Refused::Challenges));
        for _ in 0..MESSAGES_PER_HOUR {
            assert!(l.check_reporter("body.tag", true).is_ok());
        }
        assert_eq!(
            l.check_reporter("body.other-tag", true),
            Err(Refused::Messages),
            "keyed by the token's body"
        );
        assert!(l.check_reporter("another.tag", true).is_ok());
        assert!(
            l.check_reporter("body.tag", false).is_ok(),
            "reads count apart"
        );
        // Off means off for the hourly ones.
        let off = ReportLimits::per_hour(0, 0);
        for _ in 0..1000 {
            assert!(off.check_report(a).is_ok() && off.check_challenge().is_ok());
        }
    }
}
