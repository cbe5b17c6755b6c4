//! Authentication: argon2id passwords, random bearer tokens stored as
//! SHA-256 digests. Authorisation: obtaining a [`TenantCtx`] *is* the
//! check, and it fails closed.

use crate::AppState;
use crate::error::{ServiceError, ServiceResult};
use adal_authz::{Act, Obj};
use adal_domain::Role;
use adal_store::submissions::ReadScope;
use adal_store::{TenantId, throttle, users};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Who is calling.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub role: Role,
    pub email: String,
    /// Where the account sits in the organisation, and the person on file
    /// it belongs to, as read with the token.
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub person_iin: Option<String>,
    pub token_hash: String,
}

/// The caller a bearer token (session or API token) belongs to: `None`
/// for an unknown, expired or revoked token, or a disabled account. The
/// account's placement comes with it, so an operation never reads the
/// caller's row again.
pub async fn caller_of_token(state: &AppState, token: &str) -> ServiceResult<Option<Caller>> {
    caller_of(state, token, false).await
}

/// Like [`caller_of_token`] for the dashboard's cookie, which must hold a
/// session: an API token pasted into a cookie opens nothing.
pub async fn caller_of_session(state: &AppState, token: &str) -> ServiceResult<Option<Caller>> {
    caller_of(state, token, true).await
}

async fn caller_of(
    state: &AppState,
    token: &str,
    session_only: bool,
) -> ServiceResult<Option<Caller>> {
    let hash = token_digest(token);
    match users::find_by_token(&state.store, &hash).await {
        Ok(Some((t, u))) if !session_only || t.kind == "session" => {
            let Ok(role) = Role::parse(&u.role) else {
                // A role no build knows: fail closed, and say so.
                tracing::error!(user_id = %u.id, role = %u.role, "unknown role on an account; refused");
                return Ok(None);
            };
            Ok(Some(Caller {
                user_id: u.id,
                tenant_id: u.tenant_id,
                role,
                email: u.email,
                department_id: u.department_id,
                position_id: u.position_id,
                person_iin: u.person_iin,
                token_hash: hash,
            }))
        }
        Ok(_) => Ok(None),
        Err(e) => Err(ServiceError::unavailable(format!(
            "token lookup failed: {e}"
        ))),
    }
}

pub fn hash_password(password: &str) -> ServiceResult<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(ServiceError::internal)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ServiceError::internal)
}

/// A fixed hash to verify against when the user does not exist, so that
/// a login for an unknown email costs as much as one for a known email.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$8Zr0gFGnnC1tTS9PEu0VGHGpEasRTyP3VuTxg5ZJe1M";

pub fn verify_password(password: &str, hash: Option<&str>) -> bool {
    let h = hash.unwrap_or(DUMMY_HASH);
    let ok = PasswordHash::new(h)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && hash.is_some()
}

/// A session opened by [`sign_in`]: the secret to hand to the client
/// (only its digest is stored), when it expires, and whose it is.
pub struct Session {
    pub token: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub user: adal_store::users::User,
}

/// Failed sign-ins per account: five are free, then each locks the
/// account for 30 s, doubling up to 15 minutes; an hour without failures
/// forgets them. The first lock emails the account holder.
pub const ACCOUNT_THROTTLE: throttle::Policy = throttle::Policy {
    free: 5,
    base: chrono::Duration::seconds(30),
    max: chrono::Duration::minutes(15),
    window: chrono::Duration::hours(1),
};

/// Failed sign-ins per client address, across accounts (one address
/// trying many accounts): twenty are free, then the same doubling.
pub const CLIENT_THROTTLE: throttle::Policy = throttle::Policy {
    free: 20,
    base: chrono::Duration::seconds(30),
    max: chrono::Duration::minutes(15),
    window: chrono::Duration::hours(1),
};

/// Checks an email and password and opens a session token named `name`
/// (`login` for the API, `dashboard` for the web), valid for
/// [`crate::SESSION_HOURS`]. `None` for a wrong email or password, and for
/// a disabled account, which is answered the same way so the answer does
/// not tell a stranger which accounts exist. Both sign-in paths call this.
///
/// Failed attempts are counted per account and per `client` address
/// ([`ACCOUNT_THROTTLE`], [`CLIENT_THROTTLE`]); while either is locked the
/// answer is `TooManyRequests`, even for the right password, and the
/// password is not checked. Unknown emails are counted like known ones,
/// so the lock does not tell which accounts exist either.
pub async fn sign_in(
    state: &AppState,
    email: &str,
    password: &str,
    code: Option<&str>,
    name: &str,
    client: Option<&str>,
) -> ServiceResult<Option<Session>> {
    let account_key = throttle::Subject::Account(email).key();
    let client_key = client.map(|c| throttle::Subject::Client(c).key());
    let keys: Vec<String> = std::iter::once(account_key.clone())
        .chain(client_key.clone())
        .collect();
    if let Some(until) = throttle::locked_until(&state.store, &keys).await? {
        return Err(too_many(until));
    }
    let user = users::find_by_email(&state.store, email).await?;
    let password = password.to_owned();
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    // argon2 is slow on purpose: off the async executor, and as slow for
    // an unknown email as for a known one.
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, hash.as_deref()))
        .await
        .map_err(ServiceError::internal)?;
    let Some(user) = user.filter(|u| ok && u.disabled_at.is_none()) else {
        let failure =
            throttle::record_failure(&state.store, &account_key, ACCOUNT_THROTTLE).await?;
        if let Some(k) = &client_key {
            throttle::record_failure(&state.store, k, CLIENT_THROTTLE).await?;
        }
        if failure.failures == ACCOUNT_THROTTLE.free
            && let Some(until) = failure.locked_until
        {
            notify_lockout(state, email, until).await;
        }
        tracing::warn!(
            failures = failure.failures,
            locked = failure.locked_until.is_some(),
            "sign-in failed"
        );
        return Ok(None);
    };
    // The second factor, after the password: a missing code says so (at
    // `/code`); a wrong one counts as a failed sign-in.
    match crate::second_factor::check_at_sign_in(state, user.id, code).await? {
        crate::second_factor::Check::Passed => {}
        crate::second_factor::Check::Missing => {
            return Err(ServiceError::field(
                "/code",
                "second_factor.required",
                "this account signs in with a code from its authenticator app (or a recovery code)",
            ));
        }
        crate::second_factor::Check::Wrong => {
            throttle::record_failure(&state.store, &account_key, ACCOUNT_THROTTLE).await?;
            if let Some(k) = &client_key {
                throttle::record_failure(&state.store, k, CLIENT_THROTTLE).await?;
            }
            tracing::warn!("sign-in failed at the second factor");
            return Err(ServiceError::field(
                "/code",
                "second_factor.invalid",
                "not the current code or an unused recovery code",
            ));
        }
    }
    throttle::clear(&state.store, &account_key).await?;
    let tenant = user.tenant_id.map(TenantId::from_uuid);
    if let Some(t) = tenant
        && adal_store::tenants::is_suspended(&state.store, t).await?
    {
        return Err(suspended());
    }
    let (token, digest) = new_token();
    let expires_at = chrono::Utc::now() + chrono::Duration::hours(crate::SESSION_HOURS);
    users::insert_token(
        &state.store,
        user.id,
        digest,
        "session",
        name,
        Some(expires_at),
    )
    .await?;
    // A suspension that committed while this sign-in ran revoked the
    // tokens it could see; this one, written since, is revoked here.
    if let Some(t) = tenant
        && adal_store::tenants::is_suspended(&state.store, t).await?
    {
        users::revoke_token(&state.store, &token_digest(&token)).await?;
        return Err(suspended());
    }
    Ok(Some(Session {
        token,
        expires_at,
        user,
    }))
}

/// The code of the refusal to sign in to a suspended tenant.
pub const TENANT_SUSPENDED: &str = "tenant.suspended";

fn suspended() -> ServiceError {
    ServiceError::field(
        "/email",
        TENANT_SUSPENDED,
        "your organisation's access to Adal is suspended; ask the platform's operator",
    )
}

fn too_many(until: chrono::DateTime<chrono::Utc>) -> ServiceError {
    let secs = (until - chrono::Utc::now()).num_seconds().max(1);
    ServiceError::TooManyRequests {
        retry_after_secs: u64::try_from(secs).unwrap_or(1),
    }
}

/// Tells the holder of `email` (if it is an account) that its sign-in is
/// locked, once per lock streak. A failure to queue the notice is logged,
/// never the sign-in's answer.
async fn notify_lockout(state: &AppState, email: &str, until: chrono::DateTime<chrono::Utc>) {
    let user = match users::find_by_email(&state.store, email).await {
        Ok(Some(u)) if u.disabled_at.is_none() => u,
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(error = %e, "could not look up the account to notify of a lockout");
            return;
        }
    };
    let body = format!(
        "Someone entered a wrong password for your Adal account ({email}) {n} times.\n\n\
         Signing in to it is paused until {until} UTC, and longer if the attempts go on.\n\
         If this was you, wait and try again. If it was not, tell your administrator\n\
         and change your password once you can sign in.\n",
        email = user.email,
        n = ACCOUNT_THROTTLE.free,
        until = until.format("%d.%m.%Y %H:%M"),
    );
    let key = format!("lockout/{}/{}", user.id, until.timestamp() / 3600);
    if let Err(e) = adal_store::outbox::enqueue_notice(
        &state.store,
        user.tenant_id.unwrap_or_default(),
        &key,
        &user.email,
        "[Adal] Sign-in to your account is paused",
        &body,
    )
    .await
    {
        tracing::warn!(error = %e, "could not queue the lockout notice");
    }
}

/// A new random token (256 bits) and the digest to store.
pub fn new_token() -> (String, String) {
    let mut raw = [0u8; 32];
    rand::rng().fill_bytes(&mut raw);
    let token = format!("adal_{}", hex::encode(raw));
    let digest = token_digest(&token);
    (token, digest)
}

pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A request's tenant and caller, obtainable only through
/// [`TenantCtx::authorize`] (or [`TenantCtx::authorize_read`]): holding
/// one is the proof that the caller may act in the tenant. Its fields are
/// private, so no front door can build one by hand.
#[derive(Debug, Clone)]
pub struct TenantCtx {
    tenant: TenantId,
    caller: Caller,
}

impl TenantCtx {
    /// May `caller` do `act` on `obj` in tenant `tenant_id`?
    ///
    /// Someone outside the tenant gets 404, exactly as for a tenant that
    /// does not exist, so tenants cannot be discovered; someone inside
    /// whose role lacks the permission gets 403.
    pub async fn authorize(
        state: &AppState,
        caller: &Caller,
        tenant_id: Uuid,
        obj: Obj,
        act: Act,
    ) -> ServiceResult<Self> {
        let member = caller.tenant_id == Some(tenant_id);
        let agency = caller.tenant_id.is_none() && caller.role == Role::AgencyAuditor;
        if !member && !agency {
            return Err(ServiceError::not_found("tenant"));
        }
        // Members by their tenant's requirement, the Agency by the
        // operator's.
        crate::second_factor::gate(state, caller).await?;
        if agency {
            // The Agency reads real tenants only; a made-up id is 404 too.
            adal_store::tenants::get(&state.store, TenantId::from_uuid(tenant_id))
                .await
                .map_err(|_| ServiceError::not_found("tenant"))?;
        }
        let user = caller.user_id.to_string();
        if state
            .authz
            .allowed(&user, &tenant_id.to_string(), obj, act)
            .await
        {
            let tenant = TenantId::from_uuid(tenant_id);
            if agency {
                // Every access by the Agency is an entry in the tenant's
                // own log, which its administrators read (who, what, when).
                adal_store::audit::record(
                    &state.store,
                    tenant,
                    &user,
                    "agency.access",
                    obj.as_str(),
                    serde_json::json!({ "act": act.as_str(), "by": caller.email }),
                )
                .await?;
            }
            Ok(Self {
                tenant,
                caller: caller.clone(),
            })
        } else {
            Err(ServiceError::forbidden())
        }
    }

    /// Like [`TenantCtx::authorize`] for reads of submissions and
    /// findings, which have an "own records" variant: returns the context
    /// and the [`ReadScope`] every list and read of them requires: the
    /// kinds the caller may read (all of a kind's records, or their own),
    /// and, if only `own` is allowed, only what they submitted.
    pub async fn authorize_read(
        state: &AppState,
        caller: &Caller,
        tenant_id: Uuid,
        all: Obj,
        own: Obj,
    ) -> ServiceResult<(Self, ReadScope)> {
        let (ctx, only_own) =
            match Self::authorize(state, caller, tenant_id, all, adal_authz::act::READ).await {
                Ok(ctx) => (ctx, false),
                Err(ServiceError::Forbidden) => (
                    Self::authorize(state, caller, tenant_id, own, adal_authz::act::READ).await?,
                    true,
                ),
                Err(e) => return Err(e),
            };
        let visible = crate::filing::reader_visibility(state, &ctx).await;
        Ok((ctx, ReadScope::Reader { visible, only_own }))
    }

    /// The tenant the caller was authorised in.
    pub fn tenant(&self) -> TenantId {
        self.tenant
    }

    /// Who is acting.
    pub fn caller(&self) -> &Caller {
        &self.caller
    }

    pub fn actor(&self) -> String {
        self.caller.user_id.to_string()
    }

    /// Does the caller also hold `act` on `obj` in this tenant? For an
    /// answer that depends on a second permission (what else to show,
    /// whom a filing may be for).
    pub async fn may(&self, state: &AppState, obj: Obj, act: Act) -> bool {
        state
            .authz
            .allowed(&self.actor(), &self.tenant.to_string(), obj, act)
            .await
    }

    /// A further permission in the same tenant, for an answer that is
    /// about two kinds of thing at once.
    pub async fn require(&self, state: &AppState, obj: Obj, act: Act) -> ServiceResult<()> {
        if state
            .authz
            .allowed(&self.actor(), &self.tenant.to_string(), obj, act)
            .await
        {
            Ok(())
        } else {
            Err(ServiceError::forbidden())
        }
    }
}

/// Platform-level permission (creating and listing tenants).
pub async fn authorize_platform(
    state: &AppState,
    caller: &Caller,
    obj: Obj,
    act: Act,
) -> ServiceResult<()> {
    if caller.tenant_id.is_some() {
        return Err(ServiceError::forbidden());
    }
    crate::second_factor::gate(state, caller).await?;
    if state
        .authz
        .allowed(
            &caller.user_id.to_string(),
            adal_authz::PLATFORM_DOMAIN,
            obj,
            act,
        )
        .await
    {
        Ok(())
    } else {
        Err(ServiceError::forbidden())
    }
}

/// Changes the caller's own password after checking the current one. The
/// checks are those of an administrator's reset (12 to 200 characters);
/// every other session of the account ends, the one in use is kept, and
/// with `also_api_tokens` every API token ends too (the choice is the
/// person's: an integration may depend on one).
/// Errors name `/current`, `/new` and `/confirm`.
pub async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    current: &str,
    new: &str,
    confirm: &str,
    also_api_tokens: bool,
) -> ServiceResult<()> {
    let mut errors = Vec::new();
    crate::validate::validate_password("/new", new, &mut errors);
    if errors.is_empty() && new != confirm {
        errors.push(adal_domain::FieldError::coded(
            "/confirm",
            "password.mismatch",
            "must repeat the new password",
        ));
    }
    let me = users::find_by_email(&state.store, &caller.email)
        .await?
        .filter(|u| u.id == caller.user_id)
        .ok_or(ServiceError::Unauthorized)?;
    let (current, hash) = (current.to_owned(), me.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || verify_password(&current, Some(&hash)))
        .await
        .map_err(ServiceError::internal)?;
    if !ok {
        errors.insert(
            0,
            adal_domain::FieldError::coded("/current", "password.wrong", "is not your password"),
        );
    }
    if !errors.is_empty() {
        return Err(ServiceError::invalid(errors));
    }
    let new = new.to_owned();
    let hashed = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(ServiceError::internal)??;
    // The account is the caller's own, whatever tenant (or none) it is in.
    users::set_password_across_tenants(
        &state.store,
        caller.user_id,
        hashed,
        Some(&caller.token_hash),
        also_api_tokens,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_secret() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", Some(&h)));
        assert!(!verify_password("wrong", Some(&h)));
        assert!(!verify_password("correct horse", None));
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let (a, da) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(da, token_digest(&a));
        assert!(!da.contains(&a));
        assert_eq!(a.len(), "adal_".len() + 64);
    }
}
