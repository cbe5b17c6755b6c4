//! Who is asking, in which language, and the CSRF token of their forms.
//!
//! The session cookie holds a session token of the same kind the API's
//! `POST /auth/login` returns (stored as a SHA-256 digest, expiring after
//! the same hours), so signing out or changing the password ends it for
//! both. The CSRF token is derived from the session token (or, before
//! sign-in, from a random pre-session cookie): it is per session, needs no
//! storage, and a page of another origin can neither read nor compute it.

use crate::i18n::{Lang, Tr};
use adal_service::{AppState, Caller};
use poem::Request;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const SESSION_COOKIE: &str = "adal_session";
pub const PRE_COOKIE: &str = "adal_pre";
pub const LANG_COOKIE: &str = "adal_lang";

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(poem::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value. Always `Secure` (browsers accept secure cookies
/// from `http://localhost` and `127.0.0.1`, and everywhere else Adal is
/// behind TLS), `HttpOnly` (no script of ours needs them) and
/// `SameSite=Lax` (a link from an alert email still opens the dashboard
/// signed in; every state change is a POST with a CSRF token).
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64) -> String {
    format!("{name}={value}; Path=/; Max-Age={max_age_secs}; Secure; HttpOnly; SameSite=Lax")
}

pub fn random_hex() -> String {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    hex::encode(raw)
}

fn derive_csrf(secret: &str) -> String {
    hex::encode(Sha256::digest(format!("adal-csrf\0{secret}").as_bytes()))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Only cookie values we could have set: hex and the `adal_` token prefix.
fn plausible(v: &str) -> bool {
    !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Everything a page needs to know about the request.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub tr: Tr,
    pub caller: Option<Caller>,
    pub csrf: String,
    /// The raw session token, to revoke it or keep it on a password change.
    pub session_hash: Option<String>,
    /// Cookies to set on the response (a new pre-session cookie).
    pub set_cookies: Vec<String>,
    /// The path and query of this request, to come back to after a switch
    /// of language.
    pub here: String,
}

impl Visitor {
    /// The reporter of the feedback channel: no session is looked at, no
    /// cookie is set, nothing about the request is kept. The language is
    /// `?lang=` (the page's links), a form's `lang` field (`form_lang`),
    /// the language cookie if the browser has one, or `Accept-Language`.
    /// There is no CSRF token: those pages hold no ambient authority (a
    /// report costs a proof of work, a follow-up needs the receipt's token
    /// in the form itself).
    pub fn anonymous(req: &Request, form_lang: Option<&str>) -> Self {
        let asked = req
            .uri()
            .query()
            .into_iter()
            .flat_map(|q| q.split('&'))
            .find_map(|kv| kv.strip_prefix("lang="))
            .or(form_lang)
            .and_then(Lang::parse);
        let lang = asked.unwrap_or_else(|| {
            Lang::negotiate(
                cookie(req, LANG_COOKIE).as_deref(),
                req.headers()
                    .get(poem::http::header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok()),
            )
        });
        Self {
            tr: Tr::new(lang),
            caller: None,
            csrf: String::new(),
            session_hash: None,
            set_cookies: Vec::new(),
            here: req.uri().path().to_owned(),
        }
    }

    pub async fn load(req: &Request, state: &AppState) -> Self {
        let lang = Lang::negotiate(
            cookie(req, LANG_COOKIE).as_deref(),
            req.headers()
                .get(poem::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        );
        let mut set_cookies = Vec::new();
        let mut caller = None;
        let mut session_hash = None;
        let mut secret = None;
        if let Some(token) = cookie(req, SESSION_COOKIE).filter(|t| plausible(t)) {
            // A lookup that fails was logged by the service; the visitor
            // is then treated as signed out.
            if let Ok(Some(c)) = adal_service::caller_of_session(state, &token).await {
                session_hash = Some(c.token_hash.clone());
                caller = Some(c);
                secret = Some(token);
            }
        }
        let secret = match secret {
            Some(s) => s,
            None => match cookie(req, PRE_COOKIE).filter(|p| plausible(p)) {
                Some(p) => p,
                None => {
                    let p = random_hex();
                    set_cookies.push(set_cookie(PRE_COOKIE, &p, 12 * 3600));
                    p
                }
            },
        };
        let here = req
            .uri()
            .path_and_query()
            .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        Self {
            tr: Tr::new(lang),
            caller,
            csrf: derive_csrf(&secret),
            session_hash,
            set_cookies,
            here,
        }
    }

    /// Does the submitted form carry this session's CSRF token?
    pub fn csrf_ok(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|s| constant_time_eq(s.as_bytes(), self.csrf.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csrf_tokens_differ_per_session_and_compare_exactly() {
        let a = derive_csrf("adal_aaaa");
        let b = derive_csrf("adal_bbbb");
        assert_ne!(a, b);
        assert_eq!(a, derive_csrf("adal_aaaa"));
        assert!(!a.contains("aaaa"));
        assert!(constant_time_eq(a.as_bytes(), a.as_bytes()));
        assert!(!constant_time_eq(a.as_bytes(), b.as_bytes()));
        assert!(!constant_time_eq(a.as_bytes(), &a.as_bytes()[1..]));
    }

    #[test]
    fn cookies_are_parsed_and_set_safely() {
        let req = Request::builder()
            .header("cookie", "a=1; adal_session=adal_ff00")
            .header("cookie", "adal_lang=ru")
            .finish();
        assert_eq!(cookie(&req, SESSION_COOKIE).as_deref(), Some("adal_ff00"));
        assert_eq!(cookie(&req, LANG_COOKIE).as_deref(), Some("ru"));
        assert_eq!(cookie(&req, "b"), None);
        let c = set_cookie(SESSION_COOKIE, "x", 60);
        for attr in ["Secure", "HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(c.contains(attr), "{c}");
        }
        assert!(!plausible("a;b") && !plausible("") && plausible("adal_0f"));
    }
}
