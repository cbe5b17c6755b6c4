//! Second-factor (TOTP) secrets sealed at rest, as reports are: each under
//! its own data key, wrapped by the service's key (`reporting.key`) for the
//! label `adal/second-factor`, both bound to the account by their
//! associated data, so a secret copied to another account's row does not
//! open. Someone who reads the database (a backup, a replica) learns no
//! secret without the key, which never is in the database.
//!
//! Stored as `v1:<wrapped key, hex>:<sealed secret, hex>`. A secret stored
//! before this (plain base32) is still read, and sealed at the next start
//! ([`seal_plain`]); [`reseal_all`] also moves secrets off
//! `reporting.previous_key` during a rotation (`adal reporting-rekey`).

use super::{ReportingKeys, internal, kek_for};
use crate::ServiceResult;
use adal_reporting::envelope::{ReportKey, Sealed, WrappedKey};
use uuid::Uuid;

const VERSION: &str = "v1:";
const LABEL: &[u8] = b"adal/second-factor";

fn key_aad(user: Uuid) -> Vec<u8> {
    format!("adal/second-factor/{user}/key").into_bytes()
}

fn secret_aad(user: Uuid) -> Vec<u8> {
    format!("adal/second-factor/{user}/secret").into_bytes()
}

/// `user`'s secret as it is stored.
pub fn seal(keys: &ReportingKeys, user: Uuid, secret: &str) -> ServiceResult<String> {
    let key = ReportKey::generate().map_err(|e| internal("a second-factor key", e))?;
    let sealed = key
        .seal(secret.as_bytes(), &secret_aad(user))
        .map_err(|e| internal("sealing a second-factor secret", e))?;
    let wrapped = keys
        .kek
        .for_tenant(LABEL)
        .wrap(&key, &key_aad(user))
        .map_err(|e| internal("wrapping a second-factor key", e))?;
    Ok(format!(
        "{VERSION}{}:{}",
        hex::encode(wrapped.to_bytes()),
        hex::encode(sealed.to_bytes())
    ))
}

/// The wrapped key and the sealed secret of a stored value, or `None` for
/// a secret stored in the clear (before sealing).
fn parts(stored: &str) -> ServiceResult<Option<(WrappedKey, Sealed)>> {
    let Some(rest) = stored.strip_prefix(VERSION) else {
        return Ok(None);
    };
    let corrupt = |e: &dyn std::fmt::Display| internal("a stored second-factor secret", e);
    let (w, s) = rest
        .split_once(':')
        .ok_or_else(|| corrupt(&"no separator"))?;
    let w = hex::decode(w).map_err(|e| corrupt(&e))?;
    let s = hex::decode(s).map_err(|e| corrupt(&e))?;
    Ok(Some((
        WrappedKey::from_bytes(&w).map_err(|e| corrupt(&e))?,
        Sealed::from_bytes(&s).map_err(|e| corrupt(&e))?,
    )))
}

/// `user`'s secret from its stored value.
pub fn open(keys: &ReportingKeys, user: Uuid, stored: &str) -> ServiceResult<String> {
    let Some((wrapped, sealed)) = parts(stored)? else {
        return Ok(stored.to_owned());
    };
    let key = kek_for(keys, &wrapped.kek_id().to_string())?
        .for_tenant(LABEL)
        .unwrap(&wrapped, &key_aad(user))
        .map_err(|e| internal("unwrapping a second-factor key", e))?;
    let plain = key
        .open(&sealed, &secret_aad(user))
        .map_err(|e| internal("opening a second-factor secret", e))?;
    String::from_utf8(plain).map_err(|e| internal("a second-factor secret", e))
}

/// Seals every secret stored in the clear (at start: one query that finds
/// none once they are sealed); returns how many.
pub async fn seal_plain(store: &adal_store::Store, keys: &ReportingKeys) -> ServiceResult<u64> {
    reseal(store, keys, Some(VERSION)).await
}

/// Seals every secret stored in the clear and moves every one sealed
/// under another key than `reporting.key` onto it (`adal
/// reporting-rekey`); returns how many it changed.
pub async fn reseal_all(store: &adal_store::Store, keys: &ReportingKeys) -> ServiceResult<u64> {
    reseal(store, keys, None).await
}

/// Safe to run again and while the service runs: each change is made
/// only if the stored value is still the one read.
async fn reseal(
    store: &adal_store::Store,
    keys: &ReportingKeys,
    unsealed_only: Option<&str>,
) -> ServiceResult<u64> {
    let current = keys.kek.id();
    let mut changed = 0;
    for (user, stored) in adal_store::second_factor::secrets(store, unsealed_only).await? {
        let up_to_date = parts(&stored)?.is_some_and(|(w, _)| w.kek_id() == current);
        if up_to_date {
            continue;
        }
        let sealed = seal(keys, user, &open(keys, user, &stored)?)?;
        if adal_store::second_factor::replace_secret(store, user, &stored, &sealed).await? {
            changed += 1;
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reporting::ReportingSettings;

    #[test]
    fn a_secret_opens_for_its_account_only_and_under_its_key_only() {
        let keys = ReportingKeys::ephemeral(&ReportingSettings::default()).unwrap();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let stored = seal(&keys, a, "JBSWY3DPEHPK3PXP").unwrap();
        assert!(stored.starts_with("v1:"), "{stored}");
        assert!(!stored.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(open(&keys, a, &stored).unwrap(), "JBSWY3DPEHPK3PXP");
        assert!(open(&keys, b, &stored).is_err(), "another account's row");
        let other = ReportingKeys::ephemeral(&ReportingSettings::default()).unwrap();
        assert!(open(&other, a, &stored).is_err(), "another key");
        // Stored in the clear before sealing: read as it is.
        assert_eq!(
            open(&keys, a, "JBSWY3DPEHPK3PXP").unwrap(),
            "JBSWY3DPEHPK3PXP"
        );
        // Sealing twice gives different values (fresh key and nonce).
        assert_ne!(seal(&keys, a, "JBSWY3DPEHPK3PXP").unwrap(), stored);
    }
}
