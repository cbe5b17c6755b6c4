//! The audit log: per tenant, an append-only Merkle tree log (RFC 6962/9162
//! hashing) with signed checkpoints (C2SP `tlog-checkpoint`), as
//! docs/audit.md describes byte for byte.
//!
//! Writing and ordering are separate, as in transparency logs:
//!
//! - [`append`] inserts the entry in the transaction that makes the change
//!   it records, with no position and no lock, so a tenant's filings are not
//!   serialised on its log (the hash chain this replaces took a per-tenant
//!   lock in every writing transaction);
//! - [`integrate`], the sequencer, takes the entries committed since its
//!   last pass under the log's lock, gives them the next positions, records
//!   their leaf hashes and extends the tree's frontier; the worker runs it
//!   every second, and every reader of proofs or checkpoints runs it first;
//! - [`checkpoint`] signs the tree's size and root, deposits the checkpoint
//!   in the platform's own log (whose checkpoints the Agency's key also
//!   signs), and never signs a root that does not extend the last one.

use crate::entities::{audit_checkpoint, audit_entry, audit_tree};
use crate::{Result, StoreError, TenantId, new_id, now};
use adal_tlog::note::{Checkpoint, Signer, Verifier};
use adal_tlog::{Frontier, Hash, entry::EntryFields};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, prelude::*, sea_query::OnConflict,
};
use std::collections::BTreeMap;

/// The tenant of platform-level entries (tenant creation, platform admin
/// actions, deposited checkpoints).
pub const PLATFORM: TenantId = TenantId::from_uuid(uuid::Uuid::nil());

/// How many pending entries one sequencer transaction integrates.
const BATCH: u64 = 2_000;

/// Labels of the HKDF derivations of the signing keys from
/// `reporting.key`: one purpose each.
const LOG_KEY_LABEL: &[u8] = b"adal audit log signing key/1";

/// The keys the logs are signed with, and the Agency's cosigning key.
///
/// Each tenant's log has its own Ed25519 key, derived from the
/// installation's `reporting.key` and the tenant's id (nothing is stored);
/// its name is the log's origin. The Agency's key is its own secret, given
/// to the installation as a file: without it, the platform log's
/// checkpoints carry the operator's signature only, and say so in
/// docs/audit.md's terms ("not cosigned").
pub struct LogKeys {
    kek: adal_reporting::envelope::Kek,
    host: String,
    agency: Option<Signer>,
}

impl std::fmt::Debug for LogKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogKeys({}, <redacted>)", self.host)
    }
}

impl LogKeys {
    /// `public_url` names the installation in the logs' origins
    /// (`<host>/audit/<tenant id>`); `agency_seed` is the Agency's 32-byte
    /// Ed25519 seed, when the Agency has given one.
    pub fn new(
        kek: adal_reporting::envelope::Kek,
        public_url: &str,
        agency_seed: Option<&[u8; 32]>,
    ) -> Result<Self> {
        let host = public_url
            .split_once("://")
            .map_or(public_url, |(_, rest)| rest)
            .trim_end_matches('/')
            .to_owned();
        let host = if host.is_empty() || host.contains(char::is_whitespace) || host.contains('+') {
            "adal".to_owned()
        } else {
            host
        };
        let agency = agency_seed
            .map(|seed| Signer::from_seed(&format!("{host}/agency"), seed))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("the Agency's key: {e}")))?;
        Ok(Self { kek, host, agency })
    }

    fn origin_for(&self, tenant: TenantId) -> String {
        if tenant == PLATFORM {
            format!("{}/audit/platform", self.host)
        } else {
            format!("{}/audit/{}", self.host, tenant.uuid())
        }
    }

    fn signer(&self, origin: &str, tenant: TenantId) -> Result<Signer> {
        let seed = self
            .kek
            .derive_secret(LOG_KEY_LABEL, tenant.uuid().as_bytes());
        Signer::from_seed(origin, &seed)
            .map_err(|e| StoreError::Corrupt(format!("the log's name {origin:?}: {e}")))
    }

    /// The Agency's verifier key, when the Agency has given its key.
    pub fn agency_verifier(&self) -> Option<Verifier> {
        self.agency.as_ref().map(Signer::verifier)
    }
}

/// The RFC 3339 form of an entry's time that its leaf bytes hold.
fn at_text(at: &DateTimeUtc) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

fn fields(e: &audit_entry::Model) -> (String, String, String) {
    (e.tenant_id.to_string(), e.id.to_string(), at_text(&e.at))
}

/// The leaf hash of a stored entry, recomputed from its content.
pub fn entry_leaf_hash(e: &audit_entry::Model) -> Hash {
    let (tenant, id, at) = fields(e);
    EntryFields {
        tenant: &tenant,
        id: &id,
        at: &at,
        actor: &e.actor,
        action: &e.action,
        object: &e.object,
        detail: &e.detail,
    }
    .leaf_hash()
}

/// Appends an entry. Call it inside the transaction that makes the change
/// it records, so that the change and its audit entry commit together. It
/// takes no lock: the sequencer gives the entry its position.
pub async fn append<C: ConnectionTrait>(
    conn: &C,
    tenant: TenantId,
    actor: &str,
    action: &str,
    object: &str,
    detail: serde_json::Value,
) -> Result<()> {
    audit_entry::Entity::insert(entry(tenant, actor, action, object, &detail))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// [`append`] for several entries (a batch's) in multi-row statements.
pub(crate) async fn append_many<C: ConnectionTrait>(
    conn: &C,
    entries: Vec<audit_entry::ActiveModel>,
) -> Result<()> {
    // 500 rows of 9 columns: far below either database's bound on
    // parameters.
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        let chunk: Vec<_> = entries.by_ref().take(500).collect();
        audit_entry::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// A new entry's row, not yet numbered: what [`append`] and
/// [`append_many`] write.
pub(crate) fn entry(
    tenant: TenantId,
    actor: &str,
    action: &str,
    object: &str,
    detail: &serde_json::Value,
) -> audit_entry::ActiveModel {
    // Stored timestamps keep microseconds (PostgreSQL's precision); the
    // leaf is hashed over what is read back.
    let at = chrono::SubsecRound::trunc_subsecs(now(), 6);
    audit_entry::ActiveModel {
        id: Set(new_id()),
        tenant_id: Set(tenant.uuid()),
        seq: Set(None),
        at: Set(at),
        actor: Set(actor.to_owned()),
        action: Set(action.to_owned()),
        object: Set(object.to_owned()),
        detail: Set(detail.to_string()),
        leaf_hash: Set(None),
    }
}

/// Appends an entry on its own, for an event that changes nothing else (a
/// read by the Agency).
pub async fn record(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    action: &str,
    object: &str,
    detail: serde_json::Value,
) -> Result<()> {
    append(&store.scoped(tenant), tenant, actor, action, object, detail).await
}

/// A log's tree as the sequencer left it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

fn decode_hash(hex_text: &str, what: &str) -> Result<Hash> {
    hex::decode(hex_text)
        .ok()
        .and_then(|b| <Hash>::try_from(b).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("{what} is not a SHA-256 hash")))
}

fn frontier_of(row: &audit_tree::Model) -> Result<Frontier> {
    let text = row.frontier.as_bytes();
    let hashes = text
        .chunks(64)
        .map(|c| decode_hash(std::str::from_utf8(c).unwrap_or(""), "the tree's frontier"))
        .collect::<Result<Vec<_>>>()?;
    let size = u64::try_from(row.size)
        .map_err(|_| StoreError::Corrupt("the tree's size is negative".into()))?;
    Frontier::from_parts(size, hashes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Takes the log's lock for the rest of `txn`: one sequencer (or signer)
/// at a time per log. SQLite's single writer already serialises.
async fn lock_log<C: ConnectionTrait>(txn: &C, tenant: TenantId) -> Result<()> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [format!("adal.audit.{}", tenant.uuid()).into()],
        ))
        .await?;
    }
    Ok(())
}

async fn load_tree<C: ConnectionTrait>(
    txn: &C,
    keys: Option<&LogKeys>,
    tenant: TenantId,
) -> Result<(String, Frontier, bool)> {
    match audit_tree::Entity::find_by_id(tenant.uuid())
        .one(txn)
        .await?
    {
        Some(row) => Ok((row.origin.clone(), frontier_of(&row)?, true)),
        None => {
            let origin = keys.map_or_else(
                || format!("adal/audit/{}", tenant.uuid()),
                |k| k.origin_for(tenant),
            );
            Ok((origin, Frontier::new(), false))
        }
    }
}

async fn save_tree<C: ConnectionTrait>(
    txn: &C,
    tenant: TenantId,
    origin: &str,
    f: &Frontier,
) -> Result<()> {
    let size =
        i64::try_from(f.size()).map_err(|_| StoreError::Corrupt("the log is too long".into()))?;
    audit_tree::Entity::insert(audit_tree::ActiveModel {
        tenant_id: Set(tenant.uuid()),
        origin: Set(origin.to_owned()),
        size: Set(size),
        frontier: Set(f.hashes().iter().map(hex::encode).collect()),
        root: Set(hex::encode(f.root())),
        updated_at: Set(now()),
    })
    .on_conflict(
        OnConflict::column(audit_tree::Column::TenantId)
            .update_columns([
                audit_tree::Column::Size,
                audit_tree::Column::Frontier,
                audit_tree::Column::Root,
                audit_tree::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(txn)
    .await?;
    Ok(())
}

/// Gives positions to up to `limit` entries: first those positioned before
/// the tree existed (the hash chain's, kept by the migration), then pending
/// ones in the order they were written. Returns how many it took.
async fn integrate_batch<C: ConnectionTrait>(
    txn: &C,
    tenant: TenantId,
    f: &mut Frontier,
    limit: u64,
) -> Result<u64> {
    let size = i64::try_from(f.size()).unwrap_or(i64::MAX);
    let mut rows = audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(tenant.uuid()))
        .filter(audit_entry::Column::Seq.gt(size))
        .order_by_asc(audit_entry::Column::Seq)
        .limit(limit)
        .all(txn)
        .await?;
    let positioned = !rows.is_empty();
    if !positioned {
        rows = audit_entry::Entity::find()
            .filter(audit_entry::Column::TenantId.eq(tenant.uuid()))
            .filter(audit_entry::Column::Seq.is_null())
            .order_by_asc(audit_entry::Column::At)
            .order_by_asc(audit_entry::Column::Id)
            .limit(limit)
            .all(txn)
            .await?;
    }
    for e in &rows {
        let seq = i64::try_from(f.size() + 1).unwrap_or(i64::MAX);
        if positioned && e.seq != Some(seq) {
            return Err(StoreError::Corrupt(format!(
                "audit entry {seq} is missing from the log of tenant {}",
                tenant.uuid()
            )));
        }
        let leaf = entry_leaf_hash(e);
        audit_entry::Entity::update_many()
            .col_expr(audit_entry::Column::Seq, Expr::value(seq))
            .col_expr(
                audit_entry::Column::LeafHash,
                Expr::value(hex::encode(leaf)),
            )
            .filter(audit_entry::Column::Id.eq(e.id))
            .exec(txn)
            .await?;
        f.push(leaf);
    }
    Ok(rows.len() as u64)
}

/// The sequencer: integrates every entry of `tenant`'s log written so far
/// and returns the tree. Safe to run from any number of processes at once.
pub async fn integrate(store: &crate::Store, tenant: TenantId) -> Result<Tree> {
    loop {
        let txn = store.begin_write_for(tenant).await?;
        lock_log(&txn, tenant).await?;
        let (origin, mut f, existed) = load_tree(&txn, store.log_keys(), tenant).await?;
        let taken = integrate_batch(&txn, tenant, &mut f, BATCH).await?;
        if taken > 0 || !existed {
            save_tree(&txn, tenant, &origin, &f).await?;
        }
        txn.commit().await?;
        if taken < BATCH {
            return Ok(Tree {
                origin,
                size: f.size(),
                root: f.root(),
            });
        }
    }
}

/// [`integrate`] for the log's checkers: a log the sequencer cannot extend
/// (an entry missing where it expects the next) is what they are there to
/// report, so that is `None`, not an error.
async fn integrate_or_report(store: &crate::Store, tenant: TenantId) -> Result<Option<Tree>> {
    match integrate(store, tenant).await {
        Ok(t) => Ok(Some(t)),
        Err(StoreError::Corrupt(why)) => {
            tracing::warn!(tenant = %tenant.uuid(), %why, "the audit log cannot be sequenced");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// One sequencer pass over every log with pending entries; returns how
/// many logs it extended.
pub async fn integrate_pending(store: &crate::Store) -> Result<usize> {
    let tenants: Vec<Uuid> = audit_entry::Entity::find()
        .select_only()
        .column(audit_entry::Column::TenantId)
        .filter(audit_entry::Column::Seq.is_null())
        .distinct()
        .into_tuple()
        .all(&store.across_tenants())
        .await?;
    for t in &tenants {
        integrate(store, TenantId::from_uuid(*t)).await?;
    }
    Ok(tenants.len())
}

/// A signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub size: u64,
    pub root: Hash,
    /// The signed note, byte for byte.
    pub note: String,
    /// The verifier keys of its signatures.
    pub keys: Vec<String>,
    pub at: DateTimeUtc,
}

fn signed(row: audit_checkpoint::Model) -> Result<SignedCheckpoint> {
    Ok(SignedCheckpoint {
        size: u64::try_from(row.size)
            .map_err(|_| StoreError::Corrupt("a checkpoint's size is negative".into()))?,
        root: decode_hash(&row.root, "a checkpoint's root")?,
        keys: row.key.lines().map(str::to_owned).collect(),
        note: row.note,
        at: row.at,
    })
}

/// The log's checkpoints, oldest first.
pub async fn checkpoints(store: &crate::Store, tenant: TenantId) -> Result<Vec<SignedCheckpoint>> {
    audit_checkpoint::Entity::find()
        .filter(audit_checkpoint::Column::TenantId.eq(tenant.uuid()))
        .order_by_asc(audit_checkpoint::Column::Size)
        .all(&store.scoped(tenant))
        .await?
        .into_iter()
        .map(signed)
        .collect()
}

/// The stored leaf hashes of positions `1..=size`, in order.
async fn leaves<C: ConnectionTrait>(conn: &C, tenant: TenantId, size: u64) -> Result<Vec<Hash>> {
    let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let mut after = 0i64;
    let size = i64::try_from(size).unwrap_or(i64::MAX);
    while after < size {
        let page: Vec<(i64, Option<String>)> = audit_entry::Entity::find()
            .select_only()
            .column(audit_entry::Column::Seq)
            .column(audit_entry::Column::LeafHash)
            .filter(audit_entry::Column::TenantId.eq(tenant.uuid()))
            .filter(audit_entry::Column::Seq.gt(after))
            .filter(audit_entry::Column::Seq.lte(size))
            .order_by_asc(audit_entry::Column::Seq)
            .limit(10_000)
            .into_tuple()
            .all(conn)
            .await?;
        if page.is_empty() {
            break;
        }
        for (seq, hash) in page {
            if seq != after + 1 {
                return Err(StoreError::Corrupt(format!(
                    "audit entry {} is missing from the log",
                    after + 1
                )));
            }
            let hash = hash.ok_or_else(|| {
                StoreError::Corrupt(format!("audit entry {seq} has a position but no hash"))
            })?;
            out.push(decode_hash(&hash, "an entry's leaf hash")?);
            after = seq;
        }
    }
    if after != size {
        return Err(StoreError::Corrupt(format!(
            "the log holds {after} integrated entries, its tree {size}"
        )));
    }
    Ok(out)
}

/// Integrates, then signs the tree unless its size is already signed; the
/// newest checkpoint either way. A tenant's checkpoint is deposited in the
/// platform's log, whose own checkpoint is then signed (and cosigned by the
/// Agency's key when the installation has it).
pub async fn checkpoint(store: &crate::Store, tenant: TenantId) -> Result<SignedCheckpoint> {
    let keys = store.log_keys().ok_or_else(|| {
        StoreError::Corrupt("checkpoints are signed with keys derived from reporting.key, which this process was not given".into())
    })?;
    integrate(store, tenant).await?;
    // Across tenants: the deposit is a row of the platform's log, written
    // in the same transaction so no checkpoint exists undeposited. Every
    // query below names the tenant.
    let txn = store.begin_write_across().await?;
    lock_log(&txn, tenant).await?;
    let (origin, f, _) = load_tree(&txn, Some(keys), tenant).await?;
    let last = audit_checkpoint::Entity::find()
        .filter(audit_checkpoint::Column::TenantId.eq(tenant.uuid()))
        .order_by_desc(audit_checkpoint::Column::Size)
        .one(&txn)
        .await?
        .map(signed)
        .transpose()?;
    if let Some(last) = last.as_ref().filter(|l| l.size == f.size()) {
        return Ok(last.clone());
    }
    // Never sign a root that does not extend the last signed one: recompute
    // both from the recorded leaf hashes (the frontier alone could have been
    // replaced) before signing.
    let all = leaves(&txn, tenant, f.size()).await?;
    if let Some(last) = &last {
        let old = usize::try_from(last.size).unwrap_or(usize::MAX);
        if old > all.len() || adal_tlog::root(&all[..old]) != last.root {
            return Err(StoreError::Corrupt(format!(
                "the log no longer extends its checkpoint of size {}; not signing",
                last.size
            )));
        }
    }
    if adal_tlog::root(&all) != f.root() {
        return Err(StoreError::Corrupt(
            "the tree's frontier does not match its entries; not signing".into(),
        ));
    }
    let text = Checkpoint {
        origin: origin.clone(),
        size: f.size(),
        root: f.root(),
    }
    .to_text();
    let own = keys.signer(&origin, tenant)?;
    let mut signers = vec![&own];
    if tenant == PLATFORM {
        signers.extend(keys.agency.as_ref());
    }
    let mut note = format!("{text}\n");
    for s in signers.iter() {
        note.push_str(&s.signature_line(&text));
    }
    let key_lines: Vec<String> = signers.iter().map(|s| s.verifier().to_vkey()).collect();
    let at = chrono::SubsecRound::trunc_subsecs(now(), 6);
    let size = i64::try_from(f.size()).unwrap_or(i64::MAX);
    audit_checkpoint::Entity::insert(audit_checkpoint::ActiveModel {
        id: Set(new_id()),
        tenant_id: Set(tenant.uuid()),
        size: Set(size),
        root: Set(hex::encode(f.root())),
        note: Set(note.clone()),
        key: Set(key_lines.join("\n")),
        at: Set(at),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(|e| StoreError::from_insert(e, "checkpoint of this size"))?;
    if tenant != PLATFORM {
        // The deposit: the platform's log records the checkpoint, so
        // rewriting this tenant's history later contradicts a log the
        // tenant's operator alone cannot rewrite unseen.
        append(
            &txn,
            PLATFORM,
            "system",
            "audit.checkpoint.deposited",
            &format!("audit-log/{}", tenant.uuid()),
            serde_json::json!({ "origin": origin, "size": f.size(), "note": note }),
        )
        .await?;
    }
    txn.commit().await?;
    if tenant != PLATFORM {
        Box::pin(checkpoint(store, PLATFORM)).await?;
    }
    Ok(SignedCheckpoint {
        size: f.size(),
        root: f.root(),
        note,
        keys: key_lines,
        at,
    })
}

/// Signs a checkpoint for every log that grew since its last one (the
/// worker's schedule); returns how many it signed.
pub async fn checkpoint_grown(store: &crate::Store) -> Result<usize> {
    // Whatever was written since the sequencer's last pass counts as
    // growth now, not at the next schedule.
    integrate_pending(store).await?;
    let conn = &store.across_tenants();
    let sizes: BTreeMap<Uuid, i64> = audit_tree::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.tenant_id, t.size))
        .collect();
    let signed_sizes: BTreeMap<Uuid, i64> = audit_checkpoint::Entity::find()
        .select_only()
        .column(audit_checkpoint::Column::TenantId)
        .column_as(audit_checkpoint::Column::Size.max(), "size")
        .group_by(audit_checkpoint::Column::TenantId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    // Every tenant, not only those with a tree: a log whose entries predate
    // the tree (the hash chain's, kept by the migration) and saw no write
    // since gets its tree and first checkpoint here. The platform's own
    // log is signed with each deposit.
    let tenants: Vec<Uuid> = crate::entities::tenant::Entity::find()
        .select_only()
        .column(crate::entities::tenant::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut n = 0;
    for t in tenants {
        let signed = signed_sizes.get(&t).copied();
        if sizes.get(&t).is_some_and(|s| Some(*s) == signed) {
            continue;
        }
        let c = checkpoint(store, TenantId::from_uuid(t)).await?;
        if signed != i64::try_from(c.size).ok() {
            n += 1;
        }
    }
    Ok(n)
}

/// Integrates, then the recorded leaf hashes of the tree of `size` entries
/// (the whole log when `None`), which must hold entry `at_least` (from 1);
/// `NotFound` for sizes the log does not have.
async fn leaves_of(
    store: &crate::Store,
    tenant: TenantId,
    size: Option<u64>,
    at_least: u64,
) -> Result<Vec<Hash>> {
    let tree = integrate(store, tenant).await?;
    let size = size.unwrap_or(tree.size);
    if size > tree.size || at_least == 0 || at_least > size {
        return Err(StoreError::NotFound);
    }
    leaves(&store.scoped(tenant), tenant, size).await
}

/// An inclusion proof: entry `seq` is in the tree of `size` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InclusionProof {
    pub seq: u64,
    pub size: u64,
    pub leaf_hash: Hash,
    pub hashes: Vec<Hash>,
    pub root: Hash,
}

/// The proof that entry `seq` (from 1) is in the tree of `size` entries
/// (the whole tree when `None`).
pub async fn inclusion(
    store: &crate::Store,
    tenant: TenantId,
    seq: u64,
    size: Option<u64>,
) -> Result<InclusionProof> {
    let all = leaves_of(store, tenant, size, seq).await?;
    let size = all.len() as u64;
    let hashes = adal_tlog::inclusion_proof(&all, seq - 1)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let index = usize::try_from(seq - 1).unwrap_or(usize::MAX);
    Ok(InclusionProof {
        seq,
        size,
        leaf_hash: all.get(index).copied().ok_or(StoreError::NotFound)?,
        hashes,
        root: adal_tlog::root(&all),
    })
}

/// A consistency proof: the tree of `from` entries is a prefix of the one
/// of `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsistencyProof {
    pub from: u64,
    pub to: u64,
    pub from_root: Hash,
    pub to_root: Hash,
    pub hashes: Vec<Hash>,
}

pub async fn consistency(
    store: &crate::Store,
    tenant: TenantId,
    from: u64,
    to: Option<u64>,
) -> Result<ConsistencyProof> {
    let all = leaves_of(store, tenant, to, from).await?;
    let to = all.len() as u64;
    let hashes =
        adal_tlog::consistency_proof(&all, from).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let old = usize::try_from(from).unwrap_or(usize::MAX);
    Ok(ConsistencyProof {
        from,
        to,
        from_root: adal_tlog::root(&all[..old.min(all.len())]),
        to_root: adal_tlog::root(&all),
        hashes,
    })
}

/// Outcome of verifying a tenant's log against its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries: u64,
    /// The first position whose entry does not match its recorded hash, or
    /// that follows a gap.
    pub broken_at: Option<i64>,
    /// The first checkpoint (by size) whose signature or root does not
    /// match the entries.
    pub checkpoint_failed: Option<u64>,
    pub tree_size: u64,
    pub root: Hash,
    pub checkpoints: usize,
}

/// Integrates, then re-hashes every entry from its content, rebuilds the
/// tree and checks every signed checkpoint against it.
pub async fn verify(store: &crate::Store, tenant: TenantId) -> Result<Verification> {
    let tree = integrate_or_report(store, tenant).await?;
    let conn = &store.scoped(tenant);
    let cps = checkpoints(store, tenant).await?;
    let mut by_size: BTreeMap<u64, &SignedCheckpoint> = BTreeMap::new();
    let mut checkpoint_failed = None;
    for c in &cps {
        let verifiers: Vec<Verifier> = c
            .keys
            .iter()
            .filter_map(|k| Verifier::parse(k).ok())
            .collect();
        let opened = adal_tlog::note::open(&c.note, &verifiers)
            .ok()
            .and_then(|o| Checkpoint::parse(&o.text).ok());
        if opened.is_none_or(|cp| {
            cp.size != c.size
                || cp.root != c.root
                || tree.as_ref().is_some_and(|t| cp.origin != t.origin)
        }) {
            checkpoint_failed = checkpoint_failed.or(Some(c.size));
        }
        by_size.insert(c.size, c);
    }
    let mut f = Frontier::new();
    let mut broken_at = None;
    let mut entries = 0u64;
    let mut after: Option<i64> = None;
    loop {
        let mut q = audit_entry::Entity::find()
            .filter(audit_entry::Column::TenantId.eq(tenant.uuid()))
            .filter(audit_entry::Column::Seq.is_not_null())
            .order_by_asc(audit_entry::Column::Seq)
            .limit(5_000);
        if let Some(a) = after {
            q = q.filter(audit_entry::Column::Seq.gt(a));
        }
        let page = q.all(conn).await?;
        if page.is_empty() {
            break;
        }
        for e in &page {
            entries += 1;
            let seq = e.seq.unwrap_or_default();
            let leaf = entry_leaf_hash(e);
            let expected = i64::try_from(f.size() + 1).unwrap_or(i64::MAX);
            let recorded = e
                .leaf_hash
                .as_deref()
                .map(|h| decode_hash(h, "leaf"))
                .transpose()
                .ok()
                .flatten();
            if broken_at.is_none() && (seq != expected || recorded != Some(leaf)) {
                broken_at = Some(seq);
            }
            f.push(leaf);
            if let Some(c) = by_size.get(&f.size())
                && c.root != f.root()
            {
                checkpoint_failed = Some(checkpoint_failed.map_or(c.size, |x: u64| x.min(c.size)));
            }
            after = Some(seq);
        }
    }
    if let Some((&largest, _)) = by_size.iter().next_back()
        && largest > f.size()
    {
        checkpoint_failed = Some(checkpoint_failed.map_or(largest, |x| x.min(largest)));
    }
    if broken_at.is_none() && tree.as_ref().is_some_and(|t| f.root() != t.root) {
        broken_at = Some(i64::try_from(f.size()).unwrap_or(i64::MAX));
    }
    Ok(Verification {
        entries,
        broken_at,
        checkpoint_failed,
        tree_size: tree.as_ref().map_or(f.size(), |t| t.size),
        root: f.root(),
        checkpoints: cps.len(),
    })
}

/// One page of a tenant's log, newest first, for its administrators (who
/// see, among the rest, what the Agency read and when).
pub async fn entries(
    store: &crate::Store,
    tenant: TenantId,
    before: Option<u64>,
    action_prefix: Option<&str>,
    limit: u64,
) -> Result<Vec<audit_entry::Model>> {
    integrate_or_report(store, tenant).await?;
    let mut q = audit_entry::Entity::find()
        .filter(audit_entry::Column::TenantId.eq(tenant.uuid()))
        .filter(audit_entry::Column::Seq.is_not_null())
        .order_by_desc(audit_entry::Column::Seq)
        .limit(limit);
    if let Some(b) = before {
        q = q.filter(audit_entry::Column::Seq.lt(i64::try_from(b).unwrap_or(i64::MAX)));
    }
    if let Some(p) = action_prefix {
        q = q.filter(audit_entry::Column::Action.starts_with(p));
    }
    Ok(q.all(&store.scoped(tenant)).await?)
}

/// What [`export`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub entries: u64,
    pub checkpoints: usize,
    pub newest: SignedCheckpoint,
    /// Why no checkpoint of the log as it is now could be signed, if so.
    pub refused: Option<String>,
}

fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes)
        .map_err(|e| StoreError::Corrupt(format!("cannot write {}: {e}", path.display())))
}

/// Writes the log for offline verification (`adal-verify DIR`), in the
/// layout docs/audit.md fixes: `log.json`, `entries.jsonl`,
/// `checkpoints/<size>`, `checkpoint` (the newest, signed first if the log
/// grew since) and `keys`.
pub async fn export(
    store: &crate::Store,
    tenant: TenantId,
    dir: &std::path::Path,
) -> Result<Exported> {
    // A log the service refuses to sign (it no longer extends what was
    // signed) is exported all the same, with the checkpoints it has: the
    // auditor needs it most then.
    let refused = match checkpoint(store, tenant).await {
        Ok(_) => None,
        Err(StoreError::Corrupt(why)) => Some(why),
        Err(e) => return Err(e),
    };
    let cps = checkpoints(store, tenant).await?;
    let newest = cps.last().cloned().ok_or_else(|| {
        StoreError::Corrupt(
            refused
                .clone()
                .unwrap_or_else(|| "the log has no checkpoint".into()),
        )
    })?;
    let origin = match audit_tree::Entity::find_by_id(tenant.uuid())
        .one(&store.scoped(tenant))
        .await?
    {
        Some(t) => t.origin,
        None => adal_tlog::note::Checkpoint::parse(newest.note.split("\n\n").next().unwrap_or(""))
            .map(|c| c.origin)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
    };
    let io =
        |e: std::io::Error| StoreError::Corrupt(format!("cannot write {}: {e}", dir.display()));
    std::fs::create_dir_all(dir.join("checkpoints")).map_err(io)?;
    let mut keys: Vec<String> = Vec::new();
    for c in &cps {
        write_file(
            &dir.join("checkpoints").join(c.size.to_string()),
            c.note.as_bytes(),
        )?;
        for k in &c.keys {
            if !keys.contains(k) {
                keys.push(k.clone());
            }
        }
    }
    write_file(&dir.join("checkpoint"), newest.note.as_bytes())?;
    write_file(
        &dir.join("keys"),
        format!("{}\n", keys.join("\n")).as_bytes(),
    )?;
    let conn = &store.scoped(tenant);
    let mut out =
        std::io::BufWriter::new(std::fs::File::create(dir.join("entries.jsonl")).map_err(io)?);
    let mut n = 0u64;
    let mut after = 0i64;
    loop {
        let page = audit_entry::Entity::find()
            .filter(audit_entry::Column::TenantId.eq(tenant.uuid()))
            .filter(audit_entry::Column::Seq.gt(after))
            .order_by_asc(audit_entry::Column::Seq)
            .limit(5_000)
            .all(conn)
            .await?;
        let Some(last) = page.last().and_then(|e| e.seq) else {
            break;
        };
        for e in &page {
            let line = serde_json::json!({
                "seq": e.seq,
                "id": e.id,
                "at": at_text(&e.at),
                "actor": e.actor,
                "action": e.action,
                "object": e.object,
                "detail": e.detail,
                "leaf_hash": e.leaf_hash,
            });
            std::io::Write::write_all(&mut out, format!("{line}\n").as_bytes()).map_err(io)?;
            n += 1;
        }
        after = last;
    }
    std::io::Write::flush(&mut out).map_err(io)?;
    let log = serde_json::json!({
        "format": "adal-audit-export/1",
        "tenant": tenant.uuid(),
        "origin": origin,
        "size": newest.size,
    });
    write_file(&dir.join("log.json"), format!("{log:#}\n").as_bytes())?;
    Ok(Exported {
        entries: n,
        checkpoints: cps.len(),
        newest,
        refused,
    })
}
