//! Request-rate limits on the endpoints anyone may call without an
//! account (the convicted-persons registry, signing in, the public
//! cartogram): per client
//! address, in this process's memory, answering `429 too_many_requests`
//! with `Retry-After`. Failed sign-ins are throttled separately and across
//! processes by the service (`adal_service::auth`); this limit holds back
//! floods of any request, right or wrong, before they reach the database.
//! Behind a reverse proxy every client has the proxy's address, so the
//! proxy must limit per client itself (docs/operations.md).

use crate::error::ErrorBody;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use poem::http::{StatusCode, header};
use poem::{IntoResponse, Request, Response};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

/// Paths the limit applies to: what an anonymous client can reach.
const LIMITED: [&str; 4] = [
    "/api/v1/registry",
    // The registry's public search page.
    "/registry",
    "/api/v1/auth/login",
    "/api/v1/public/cartogram",
];

/// Keys kept before forgetting the clients that stopped asking.
const MAX_TRACKED: usize = 10_000;

/// Requests per minute per client address on the public endpoints; `None`
/// turns the limit off.
#[derive(Clone)]
pub struct PublicLimit(Option<Arc<DefaultKeyedRateLimiter<IpAddr>>>);

impl PublicLimit {
    /// `per_minute` requests a minute per address, all of them allowed in
    /// a burst; 0 turns the limit off.
    pub fn per_minute(per_minute: u32) -> Self {
        Self(
            NonZeroU32::new(per_minute).map(|n| Arc::new(RateLimiter::keyed(Quota::per_minute(n)))),
        )
    }

    /// `None` to go on, or the seconds the client must wait.
    fn check(&self, ip: IpAddr) -> Option<u64> {
        let limiter = self.0.as_ref()?;
        if limiter.len() > MAX_TRACKED {
            limiter.retain_recent();
        }
        match limiter.check_key(&ip) {
            Ok(()) => None,
            Err(not_until) => {
                let wait = not_until.wait_time_from(DefaultClock::default().now());
                Some(wait.as_secs().max(1))
            }
        }
    }

    /// The `429` for a request to a public endpoint whose client has
    /// used up its allowance; `None` to serve it.
    pub fn refuse(&self, req: &Request) -> Option<Response> {
        let path = req.uri().path();
        if !LIMITED.iter().any(|p| path.starts_with(p)) {
            return None;
        }
        let ip = req.remote_addr().as_socket_addr()?.ip();
        let secs = self.check(ip)?;
        let body = ErrorBody {
            error: "too_many_requests".into(),
            message: format!("too many requests from this address; retry in {secs} s"),
            details: Vec::new(),
        };
        let mut resp = poem_openapi::payload::Json(body).into_response();
        resp.set_status(StatusCode::TOO_MANY_REQUESTS);
        if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        Some(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::PublicLimit;
    use std::net::{IpAddr, Ipv4Addr};

    #[test]
    fn a_client_gets_its_allowance_then_waits_and_others_are_unaffected() {
        let l = PublicLimit::per_minute(3);
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2));
        for _ in 0..3 {
            assert_eq!(l.check(a), None);
        }
        let wait = l.check(a).unwrap();
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(l.check(b), None);
        let off = PublicLimit::per_minute(0);
        for _ in 0..1000 {
            assert_eq!(off.check(a), None);
        }
    }
}
