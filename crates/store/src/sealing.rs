//! Personal data sealed at rest under a key per person.
//!
//! Each person (data subject) of a tenant has a data key, created the first
//! time something about them is sealed. The key is stored only wrapped
//! under the tenant's key-encryption key, derived from the installation's
//! `reporting.key` (a file, never the database), in `subject_keys`. Sealed
//! now: asset declarations' content, and the audit log's copies of a
//! person's record (IIN, name, relatives, interests).
//!
//! Why a key per person and not one per tenant: erasure. Destroying a
//! person's key ([`shred`]) makes every copy sealed under it unreadable at
//! once, including the copies in the audit log, which is append-only and
//! hash-chained and so cannot have entries removed: the log keeps its
//! hashes and verifies as before, the content is gone (crypto-shredding).
//!
//! A sealed value is text: `sealed:v1:<key id>:<base64 of the sealed
//! bytes>` (docs/privacy.md), where the sealed bytes are
//! `adal_reporting::envelope::Sealed`. Every seal binds the tenant and a
//! context naming the row and column it belongs to, so a value copied into
//! another row or tenant fails to open instead of showing the wrong
//! content. JSON never starts with `s`, so a column holding JSON tells a
//! sealed value from a plain one by its first bytes.

use crate::entities::subject_key;
use crate::{Result, StoreError, TenantId, new_id, now};
use adal_reporting::envelope::{Kek, ReportKey, Sealed, WrappedKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

const PREFIX: &str = "sealed:v1:";
const WRAP_LABEL: &[u8] = b"adal/subject-key/v1";
const SEAL_LABEL: &[u8] = b"adal/personal-data/v1";

/// The installation's key-encryption keys: the current one, which seals,
/// and during a rotation the previous one, which still opens.
#[derive(Clone, Debug)]
pub struct DataKeys {
    current: Kek,
    previous: Option<Kek>,
}

impl DataKeys {
    pub fn new(current: Kek, previous: Option<Kek>) -> Self {
        Self { current, previous }
    }

    fn tenant_kek(kek: &Kek, tenant: TenantId) -> Kek {
        kek.for_tenant(tenant.uuid().as_bytes())
    }

    /// The configured key a key row was wrapped under, named in the error
    /// when neither is.
    fn kek_for(&self, kek_id: &str) -> Result<&Kek> {
        [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .find(|k| k.id().to_string() == kek_id)
            .ok_or_else(|| {
                StoreError::Corrupt(format!(
                    "a person's data key is wrapped under key {kek_id}, which is neither \
                     reporting.key nor reporting.previous_key"
                ))
            })
    }
}

/// Whether `value` is a sealed value rather than plain text or JSON.
pub fn is_sealed(value: &str) -> bool {
    value.starts_with(PREFIX)
}

/// The subject a person's IIN names.
pub fn subject_of_iin(iin: &str) -> String {
    format!("iin:{iin}")
}

fn wrap_aad(tenant: TenantId, key_id: Uuid) -> Vec<u8> {
    [WRAP_LABEL, tenant.uuid().as_bytes(), key_id.as_bytes()].concat()
}

fn seal_aad(tenant: TenantId, context: &str) -> Vec<u8> {
    [SEAL_LABEL, tenant.uuid().as_bytes(), context.as_bytes()].concat()
}

fn crypto(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("personal data sealing: {e}"))
}

fn unwrap_row(keys: &DataKeys, tenant: TenantId, row: &subject_key::Model) -> Result<ReportKey> {
    let kek = DataKeys::tenant_kek(keys.kek_for(&row.kek_id)?, tenant);
    let bytes = hex::decode(&row.wrapped).map_err(crypto)?;
    let wrapped = WrappedKey::from_bytes(&bytes).map_err(crypto)?;
    kek.unwrap(&wrapped, &wrap_aad(tenant, row.id))
        .map_err(crypto)
}

/// The subject's key, created (and stored wrapped) when they have none.
async fn key_for<C: ConnectionTrait>(
    db: &C,
    keys: &DataKeys,
    tenant: TenantId,
    subject: &str,
) -> Result<(Uuid, ReportKey)> {
    let existing = subject_key::Entity::find()
        .filter(subject_key::Column::TenantId.eq(tenant.uuid()))
        .filter(subject_key::Column::Subject.eq(subject))
        .one(db)
        .await?;
    if let Some(row) = existing {
        return Ok((row.id, unwrap_row(keys, tenant, &row)?));
    }
    let id = new_id();
    let key = ReportKey::generate().map_err(crypto)?;
    let kek = DataKeys::tenant_kek(&keys.current, tenant);
    let wrapped = kek.wrap(&key, &wrap_aad(tenant, id)).map_err(crypto)?;
    // Within the caller's write transaction: a concurrent first seal for
    // the same person fails on the unique index and is retried by the
    // caller like any conflict, never leaving two keys.
    subject_key::Entity::insert(subject_key::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.uuid()),
        subject: Set(subject.to_owned()),
        wrapped: Set(hex::encode(wrapped.to_bytes())),
        kek_id: Set(keys.current.id().to_string()),
        created_at: Set(now()),
    })
    .exec_without_returning(db)
    .await
    .map_err(|e| {
        StoreError::from_insert(e, "a data key for this person was created concurrently")
    })?;
    Ok((id, key))
}

/// Seals `plain` under `subject`'s key, bound to `context` (what row and
/// column it is stored in, e.g. `submission/<id>/payload`).
pub(crate) async fn seal<C: ConnectionTrait>(
    db: &C,
    keys: &DataKeys,
    tenant: TenantId,
    subject: &str,
    context: &str,
    plain: &str,
) -> Result<String> {
    let (id, key) = key_for(db, keys, tenant, subject).await?;
    let sealed = key
        .seal(plain.as_bytes(), &seal_aad(tenant, context))
        .map_err(crypto)?;
    Ok(format!(
        "{PREFIX}{id}:{}",
        STANDARD.encode(sealed.to_bytes())
    ))
}

fn parse(value: &str) -> Result<(Uuid, Sealed)> {
    let rest = value
        .strip_prefix(PREFIX)
        .ok_or_else(|| crypto("not a sealed value"))?;
    let (id, body) = rest
        .split_once(':')
        .ok_or_else(|| crypto("a sealed value has no key id"))?;
    let id = Uuid::parse_str(id).map_err(crypto)?;
    let bytes = STANDARD.decode(body).map_err(crypto)?;
    Ok((id, Sealed::from_bytes(&bytes).map_err(crypto)?))
}

/// Opens sealed values of one tenant, loading each key once.
pub(crate) struct Opener<'a> {
    keys: Option<&'a DataKeys>,
    tenant: TenantId,
    /// `None`: the key was destroyed (the person's data was erased).
    loaded: HashMap<Uuid, Option<ReportKey>>,
}

impl<'a> Opener<'a> {
    pub(crate) fn new(store: &'a crate::Store, tenant: TenantId) -> Self {
        Self {
            keys: store.data_keys(),
            tenant,
            loaded: HashMap::new(),
        }
    }

    /// Loads the keys of every sealed value among `values` in one query.
    pub(crate) async fn preload<C: ConnectionTrait>(
        &mut self,
        db: &C,
        values: impl IntoIterator<Item = &str>,
    ) -> Result<()> {
        let ids: Vec<Uuid> = values
            .into_iter()
            .filter(|v| is_sealed(v))
            .filter_map(|v| parse(v).ok().map(|(id, _)| id))
            .filter(|id| !self.loaded.contains_key(id))
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        let keys = self.keys.ok_or_else(no_keys)?;
        let rows = subject_key::Entity::find()
            .filter(subject_key::Column::TenantId.eq(self.tenant.uuid()))
            .filter(subject_key::Column::Id.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        for row in &rows {
            self.loaded
                .insert(row.id, Some(unwrap_row(keys, self.tenant, row)?));
        }
        for id in ids {
            self.loaded.entry(id).or_insert(None);
        }
        Ok(())
    }

    /// `value` itself when it is not sealed; its plain text when it is;
    /// `None` when the key it was sealed under was destroyed.
    pub(crate) async fn open<C: ConnectionTrait>(
        &mut self,
        db: &C,
        context: &str,
        value: &str,
    ) -> Result<Option<String>> {
        if !is_sealed(value) {
            return Ok(Some(value.to_owned()));
        }
        self.preload(db, [value]).await?;
        let (id, sealed) = parse(value)?;
        let Some(Some(key)) = self.loaded.get(&id) else {
            return Ok(None);
        };
        let plain = key
            .open(&sealed, &seal_aad(self.tenant, context))
            .map_err(|e| crypto(format!("{context}: {e}")))?;
        String::from_utf8(plain)
            .map(Some)
            .map_err(|_| crypto(format!("{context}: not UTF-8")))
    }
}

fn no_keys() -> StoreError {
    StoreError::Corrupt(
        "a value is sealed but this process was given no reporting.key to open it".into(),
    )
}

/// An audit entry's detail that names the person with `iin`, sealed under
/// their key (when the store has keys), so that erasing them leaves the
/// append-only log verifiable and their details unreadable. `object` is
/// the entry's object, which the seal is bound to.
pub(crate) async fn audit_detail<C: ConnectionTrait>(
    store: &crate::Store,
    db: &C,
    tenant: TenantId,
    iin: Option<&str>,
    object: &str,
    detail: serde_json::Value,
) -> Result<serde_json::Value> {
    let (Some(keys), Some(iin)) = (store.data_keys(), iin) else {
        return Ok(detail);
    };
    let sealed = seal(
        db,
        keys,
        tenant,
        &subject_of_iin(iin),
        &audit_context(object),
        &detail.to_string(),
    )
    .await?;
    Ok(serde_json::json!({ "sealed": sealed }))
}

/// What a sealed audit detail about `object` is bound to.
pub(crate) fn audit_context(object: &str) -> String {
    format!("audit/{object}")
}

/// Destroys `subject`'s key: everything sealed under it becomes
/// unreadable, wherever it is stored. Returns whether there was one.
pub(crate) async fn shred<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    subject: &str,
) -> Result<bool> {
    Ok(subject_key::Entity::delete_many()
        .filter(subject_key::Column::TenantId.eq(tenant.uuid()))
        .filter(subject_key::Column::Subject.eq(subject))
        .exec(db)
        .await?
        .rows_affected
        > 0)
}

/// Rewraps every person's key still wrapped under an older key with the
/// current one, in batches; returns how many. Safe to interrupt and run
/// again. The sealed content is untouched.
pub async fn rewrap_all(store: &crate::Store) -> Result<u64> {
    let keys = store.data_keys().ok_or_else(no_keys)?;
    let current = keys.current.id().to_string();
    let mut done = 0;
    loop {
        let rows = subject_key::Entity::find()
            .filter(subject_key::Column::KekId.ne(current.clone()))
            .limit(500)
            .all(&store.across_tenants())
            .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        let txn = store.begin_write_across().await?;
        for row in rows {
            let tenant = TenantId::from_uuid(row.tenant_id);
            let key = unwrap_row(keys, tenant, &row)?;
            let wrapped = DataKeys::tenant_kek(&keys.current, tenant)
                .wrap(&key, &wrap_aad(tenant, row.id))
                .map_err(crypto)?;
            subject_key::Entity::update_many()
                .col_expr(
                    subject_key::Column::Wrapped,
                    sea_orm::sea_query::Expr::value(hex::encode(wrapped.to_bytes())),
                )
                .col_expr(
                    subject_key::Column::KekId,
                    sea_orm::sea_query::Expr::value(current.clone()),
                )
                .filter(subject_key::Column::Id.eq(row.id))
                .exec(&txn)
                .await?;
            done += 1;
        }
        txn.commit().await?;
    }
}
