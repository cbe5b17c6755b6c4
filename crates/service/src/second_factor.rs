//! A second factor for signing in: TOTP (RFC 6238: SHA-1, 6 digits, 30 s
//! steps, one step of clock drift either way), computed by `totp-rs`, with
//! ten single-use recovery codes. A code is accepted once (the store keeps
//! the last step used). A tenant may require it of its administrators and
//! compliance officers: until they turn it on, their sign-in opens only
//! their own account's pages and endpoints.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ServiceError, ServiceResult};
use crate::reporting::account_secrets;
use adal_domain::Role;
use adal_store::{TenantId, audit, second_factor as store, tenants};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Recovery codes issued at a time.
pub const RECOVERY_CODES: usize = 10;

/// The issuer authenticator apps show beside the account.
const ISSUER: &str = "Adal";

/// What an authenticator app needs to add the account.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// Base32, for typing in by hand.
    pub secret: String,
    /// `otpauth://totp/...`, for a QR code or a link.
    pub otpauth_uri: String,
}

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub enabled: bool,
    /// Its organisation requires it of the account's role.
    pub required: bool,
    pub recovery_codes_left: u64,
}

/// Roles a tenant's requirement covers: those who read and decide on
/// everyone's records.
pub fn covered(role: Role) -> bool {
    matches!(role, Role::TenantAdmin | Role::ComplianceOfficer)
}

fn totp(secret_base32: &str) -> ServiceResult<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).map_err(ServiceError::internal)?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .map_err(ServiceError::internal)
}

fn unix_now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

/// The step a TOTP code is good for now, if it is good.
fn step_of(secret_base32: &str, code: &str) -> ServiceResult<Option<i64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    Ok(totp(secret_base32)?
        .check(&code, unix_now())
        .and_then(|s| i64::try_from(s).ok()))
}

/// A recovery code as the holder types it (any case, with or without the
/// dash and spaces) reduced to what is hashed.
fn normal(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn digest(code: &str) -> String {
    hex::encode(Sha256::digest(normal(code).as_bytes()))
}

/// Ten codes of 50 random bits each, as `xxxxx-xxxxx` (lower-case base32
/// without the letters people confuse), with their digests.
fn new_recovery_codes() -> (Vec<String>, Vec<String>) {
    const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut raw = [0u8; 10];
        rand::rng().fill_bytes(&mut raw);
        let chars: String = raw
            .iter()
            .map(|b| char::from(ALPHABET[usize::from(b & 31)]))
            .collect();
        codes.push(format!("{}-{}", &chars[..5], &chars[5..]));
    }
    let digests = codes.iter().map(|c| digest(c)).collect();
    (codes, digests)
}

fn audit_tenant(caller: &Caller) -> TenantId {
    caller
        .tenant_id
        .map_or(audit::PLATFORM, TenantId::from_uuid)
}

fn code_error(code: &'static str, message: &str) -> ServiceError {
    ServiceError::field("/code", code, message)
}

/// An account's second factor with its secret opened (it is sealed at
/// rest: `reporting::account_secrets`).
async fn factor(state: &AppState, user: uuid::Uuid) -> ServiceResult<Option<store::SecondFactor>> {
    let Some(mut f) = store::get(&state.store, user).await? else {
        return Ok(None);
    };
    f.secret = account_secrets::open(&state.reporting, user, &f.secret)?;
    Ok(Some(f))
}

/// Whether the caller's organisation requires a second factor of them:
/// for platform administrators and Agency auditors (no tenant), the
/// operator's `require_second_factor_platform`.
pub async fn required_for(state: &AppState, caller: &Caller) -> ServiceResult<bool> {
    let Some(tenant) = caller.tenant_id else {
        return Ok(state.platform_second_factor);
    };
    if !covered(caller.role) {
        return Ok(false);
    }
    let t = tenants::get(&state.store, TenantId::from_uuid(tenant)).await?;
    Ok(t.require_second_factor)
}

pub async fn status(state: &AppState, caller: &Caller) -> ServiceResult<Status> {
    // Whether it is on needs no secret opened.
    let f = store::get(&state.store, caller.user_id).await?;
    let enabled = f.as_ref().is_some_and(|f| f.confirmed);
    Ok(Status {
        enabled,
        required: required_for(state, caller).await?,
        recovery_codes_left: if enabled {
            store::recovery_codes_left(&state.store, caller.user_id).await?
        } else {
            0
        },
    })
}

/// Starts turning the second factor on: a new secret, shown to the holder
/// until they confirm it with a code. `409` when it is already on.
pub async fn begin(state: &AppState, caller: &Caller) -> ServiceResult<Enrolment> {
    let mut raw = [0u8; 20];
    rand::rng().fill_bytes(&mut raw);
    let secret = totp_rs::Secret::from(raw.to_vec()).to_base32();
    let sealed = account_secrets::seal(&state.reporting, caller.user_id, &secret)?;
    store::begin(&state.store, caller.user_id, sealed)
        .await
        .map_err(|e| match e {
            adal_store::StoreError::Conflict(_) => ServiceError::conflict_at(
                "",
                "second_factor.already_on",
                "the second factor is already on; turn it off first to change it",
            ),
            e => e.into(),
        })?;
    Ok(enrolment_of(caller, secret))
}

/// The enrolment started and not yet confirmed, if any (to show its
/// secret again after a mistyped code).
pub async fn pending(state: &AppState, caller: &Caller) -> ServiceResult<Option<Enrolment>> {
    Ok(factor(state, caller.user_id)
        .await?
        .filter(|f| !f.confirmed)
        .map(|f| enrolment_of(caller, f.secret)))
}

fn enrolment_of(caller: &Caller, secret: String) -> Enrolment {
    let label = format!("{ISSUER}:{}", caller.email);
    let otpauth_uri = format!(
        "otpauth://totp/{}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits=6&period=30",
        percent(&label)
    );
    Enrolment {
        secret,
        otpauth_uri,
    }
}

/// Percent-encodes a URI path segment (RFC 3986 unreserved characters
/// stay; `:` too, as authenticator apps expect it between issuer and
/// account).
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b':' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Confirms the secret from [`begin`] with a code from the app; returns
/// the recovery codes, shown this once.
pub async fn confirm(state: &AppState, caller: &Caller, code: &str) -> ServiceResult<Vec<String>> {
    let Some(f) = factor(state, caller.user_id).await? else {
        return Err(ServiceError::conflict_at(
            "",
            "second_factor.not_started",
            "start with POST /auth/second-factor to get a secret first",
        ));
    };
    if f.confirmed {
        return Err(ServiceError::conflict_at(
            "",
            "second_factor.already_on",
            "the second factor is already on",
        ));
    }
    let Some(step) = step_of(&f.secret, code)? else {
        return Err(code_error(
            "second_factor.invalid",
            "not the current code of this secret; check the app's clock",
        ));
    };
    let (codes, digests) = new_recovery_codes();
    store::confirm(
        &state.store,
        audit_tenant(caller),
        &caller.user_id.to_string(),
        caller.user_id,
        step,
        digests,
    )
    .await?;
    Ok(codes)
}

/// Whether `code` (a TOTP code or an unused recovery code) is good for
/// the account now; uses it up either way.
async fn spend(
    state: &AppState,
    user: uuid::Uuid,
    secret: &str,
    code: &str,
) -> ServiceResult<bool> {
    if let Some(step) = step_of(secret, code)? {
        return Ok(store::accept_step(&state.store, user, step).await?);
    }
    Ok(store::use_recovery_code(&state.store, user, &digest(code)).await?)
}

/// A code the holder must give to change the second factor: the current
/// TOTP code or a recovery code.
async fn require_code(state: &AppState, caller: &Caller, code: &str) -> ServiceResult<()> {
    let Some(f) = factor(state, caller.user_id).await?.filter(|f| f.confirmed) else {
        return Err(ServiceError::conflict_at(
            "",
            "second_factor.off",
            "the second factor is not on",
        ));
    };
    if spend(state, caller.user_id, &f.secret, code).await? {
        Ok(())
    } else {
        Err(code_error(
            "second_factor.invalid",
            "not a current code or an unused recovery code",
        ))
    }
}

/// Turns the second factor off, with a code; refused while the
/// organisation requires it of the caller.
pub async fn disable(state: &AppState, caller: &Caller, code: &str) -> ServiceResult<()> {
    if required_for(state, caller).await? {
        return Err(ServiceError::conflict_at(
            "",
            "second_factor.required",
            "your organisation requires a second factor for your role",
        ));
    }
    require_code(state, caller, code).await?;
    store::remove(
        &state.store,
        audit_tenant(caller),
        &caller.user_id.to_string(),
        caller.user_id,
    )
    .await?;
    Ok(())
}

/// New recovery codes, with a code; the old ones stop working.
pub async fn renew_recovery_codes(
    state: &AppState,
    caller: &Caller,
    code: &str,
) -> ServiceResult<Vec<String>> {
    require_code(state, caller, code).await?;
    let (codes, digests) = new_recovery_codes();
    store::replace_recovery_codes(
        &state.store,
        audit_tenant(caller),
        &caller.user_id.to_string(),
        caller.user_id,
        digests,
    )
    .await?;
    Ok(codes)
}

/// What signing in needs beyond the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// No second factor on the account, or a good code.
    Passed,
    /// The account has one and no code came.
    Missing,
    /// A code came and it is not good (or was used already).
    Wrong,
}

/// Checks the code given at sign-in for `user`.
pub async fn check_at_sign_in(
    state: &AppState,
    user: uuid::Uuid,
    code: Option<&str>,
) -> ServiceResult<Check> {
    let Some(f) = factor(state, user).await?.filter(|f| f.confirmed) else {
        return Ok(Check::Passed);
    };
    let Some(code) = code.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(Check::Missing);
    };
    if code.len() > 64 {
        return Ok(Check::Wrong);
    }
    Ok(if spend(state, user, &f.secret, code).await? {
        Check::Passed
    } else {
        Check::Wrong
    })
}

/// Whether the caller may act now: `SecondFactorRequired` while their
/// organisation requires a second factor of their role and it is not on.
pub async fn gate(state: &AppState, caller: &Caller) -> ServiceResult<()> {
    if !required_for(state, caller).await? {
        return Ok(());
    }
    let on = store::get(&state.store, caller.user_id)
        .await?
        .is_some_and(|f| f.confirmed);
    if on {
        Ok(())
    } else {
        Err(ServiceError::SecondFactorRequired)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_against_the_secret_and_the_clock() {
        let secret = totp_rs::Secret::from(vec![7u8; 20]).to_base32();
        let t = totp(&secret).unwrap();
        let now = unix_now();
        let good = t.generate(now).to_string();
        assert!(step_of(&secret, &good).unwrap().is_some());
        assert!(step_of(&secret, &format!(" {} ", good)).unwrap().is_some());
        let old = t.generate(now - 300).to_string();
        assert!(old == good || step_of(&secret, &old).unwrap().is_none());
        assert!(step_of(&secret, "12345").unwrap().is_none());
        assert!(step_of(&secret, "abcdef").unwrap().is_none());
    }

    #[test]
    fn recovery_codes_are_random_and_typed_loosely() {
        let (codes, digests) = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), RECOVERY_CODES);
        assert_eq!(codes[0].len(), 11);
        assert_eq!(
            digest(&codes[0].to_uppercase().replace('-', " ")),
            digests[0]
        );
    }

    #[test]
    fn labels_are_percent_encoded() {
        assert_eq!(percent("Adal:a b@x.kz"), "Adal:a%20b%40x.kz");
    }
}
