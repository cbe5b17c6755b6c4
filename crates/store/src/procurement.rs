//! Procurement: OCDS compiled releases, each stored as a submission of kind
//! `procurement` (so the rules evaluate it like any other record and a
//! changed release becomes a correction), with an index row per `ocid` to
//! list, filter and match parties by BIN and IIN.

use crate::entities::procurement_index;
use crate::submissions::{self, NewSubmission, like_anywhere};
use crate::{Result, StoreError, TenantId, new_id, now};
use adal_domain::Kind;
use adal_domain::records::ocds::CompiledRelease;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

pub use procurement_index::Model as Procurement;

/// Tender statuses during which bidders are still in play.
pub const OPEN_STATUSES: [&str; 3] = ["planning", "planned", "active"];

/// What storing a compiled release did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    /// A new contracting process.
    Created(Uuid),
    /// A changed release: a new version superseding the previous one.
    Corrected(Uuid),
    /// The same content as the current version: nothing written.
    Unchanged(Uuid),
}

impl Upserted {
    pub fn submission_id(self) -> Uuid {
        match self {
            Upserted::Created(id) | Upserted::Corrected(id) | Upserted::Unchanged(id) => id,
        }
    }
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

/// Stores a compiled release within the caller's transaction. Idempotent
/// by `ocid` and content: importing the same file twice writes nothing the
/// second time.
pub async fn upsert_in(
    txn: &DatabaseTransaction,
    tenant: TenantId,
    actor: Uuid,
    release: &CompiledRelease,
    enqueued: bool,
) -> Result<Upserted> {
    // serde_json's map is ordered by key, so this text is canonical.
    let payload = serde_json::to_value(release).map_err(corrupt)?;
    let hash = hex::encode(Sha256::digest(payload.to_string().as_bytes()));
    let summary = release.summary();
    let existing = procurement_index::Entity::find()
        .filter(procurement_index::Column::TenantId.eq(tenant.uuid()))
        .filter(procurement_index::Column::Ocid.eq(summary.ocid.clone()))
        .one(txn)
        .await?;
    if let Some(e) = &existing
        && e.content_hash == hash
    {
        return Ok(Upserted::Unchanged(e.submission_id));
    }
    let submission_id = submissions::insert_in(
        txn,
        None,
        tenant,
        NewSubmission {
            kind: Kind::Procurement.as_str().to_owned(),
            schema_version: Kind::Procurement.schema_version(),
            submitted_by: actor,
            department_id: None,
            position_id: None,
            payload,
            reference: Some(summary.ocid.clone()),
            subject_iin: None,
            supersedes: existing.as_ref().map(|e| e.submission_id),
        },
        enqueued,
    )
    .await?;
    let bins = serde_json::to_string(&summary.counterparty_bins).map_err(corrupt)?;
    let iins = serde_json::to_string(&summary.person_iins).map_err(corrupt)?;
    let mut row = procurement_index::ActiveModel {
        id: Set(existing.as_ref().map_or_else(new_id, |e| e.id)),
        tenant_id: Set(tenant.uuid()),
        ocid: Set(summary.ocid),
        submission_id: Set(submission_id),
        content_hash: Set(hash),
        title: Set(summary.title),
        buyer_id: Set(summary.buyer_id),
        buyer_name: Set(summary.buyer_name),
        status: Set(summary.status),
        method: Set(summary.method),
        value_amount: Set(summary.value_amount),
        currency: Set(summary.currency),
        tender_end: Set(summary.tender_end),
        counterparty_bins: Set(bins),
        person_iins: Set(iins),
        updated_at: Set(now()),
    };
    if existing.is_some() {
        row.tenant_id = sea_orm::ActiveValue::Unchanged(tenant.uuid());
        procurement_index::Entity::update(row).exec(txn).await?;
        Ok(Upserted::Corrected(submission_id))
    } else {
        procurement_index::Entity::insert(row)
            .exec_without_returning(txn)
            .await
            .map_err(|e| StoreError::from_insert(e, "this ocid was stored concurrently"))?;
        Ok(Upserted::Created(submission_id))
    }
}

/// Stores one compiled release in its own transaction (the API's create).
pub async fn upsert(
    store: &crate::Store,
    tenant: TenantId,
    actor: Uuid,
    release: &CompiledRelease,
) -> Result<Upserted> {
    let txn = store.begin_write_for(tenant).await?;
    let r = upsert_in(&txn, tenant, actor, release, true).await?;
    txn.commit().await?;
    Ok(r)
}

/// Checks a compiled release as the API does, for callers holding JSON.
pub fn parse(
    v: &serde_json::Value,
    today: chrono::NaiveDate,
) -> Result<CompiledRelease, Vec<adal_domain::FieldError>> {
    adal_domain::records::parse_value::<CompiledRelease>(v, today)
}

#[derive(Debug, Clone, Default)]
pub struct ProcurementFilter {
    pub status: Option<String>,
    pub buyer_id: Option<String>,
    /// A BIN among the tenderers and suppliers.
    pub counterparty_bin: Option<String>,
    /// Part of the title or buyer name.
    pub text: Option<String>,
}

pub async fn list(
    store: &crate::Store,
    tenant: TenantId,
    filter: &ProcurementFilter,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Procurement>, u64)> {
    let mut q = procurement_index::Entity::find()
        .filter(procurement_index::Column::TenantId.eq(tenant.uuid()));
    if let Some(s) = &filter.status {
        q = q.filter(procurement_index::Column::Status.eq(s.clone()));
    }
    if let Some(b) = &filter.buyer_id {
        q = q.filter(procurement_index::Column::BuyerId.eq(b.clone()));
    }
    if let Some(b) = &filter.counterparty_bin {
        // BINs are 12 digits, so a quoted match in the JSON array is exact.
        q = q.filter(procurement_index::Column::CounterpartyBins.contains(format!("\"{b}\"")));
    }
    if let Some(t) = &filter.text {
        q = q.filter(
            Condition::any()
                .add(procurement_index::Column::Title.like(like_anywhere(t)))
                .add(procurement_index::Column::BuyerName.like(like_anywhere(t)))
                .add(procurement_index::Column::Ocid.like(like_anywhere(t))),
        );
    }
    let total = q.clone().count(&store.scoped(tenant)).await?;
    let rows = q
        .order_by_asc(procurement_index::Column::Ocid)
        .offset(offset)
        .limit(limit)
        .all(&store.scoped(tenant))
        .await?;
    Ok((rows, total))
}

/// The tenant's buyers, each id once with a name it was given, by name:
/// the choices of the buyer filter.
pub async fn buyers(
    store: &crate::Store,
    tenant: TenantId,
) -> Result<Vec<(String, Option<String>)>> {
    let rows: Vec<(Option<String>, Option<String>)> = procurement_index::Entity::find()
        .select_only()
        .column(procurement_index::Column::BuyerId)
        .column(procurement_index::Column::BuyerName)
        .distinct()
        .filter(procurement_index::Column::TenantId.eq(tenant.uuid()))
        .filter(procurement_index::Column::BuyerId.is_not_null())
        .order_by_asc(procurement_index::Column::BuyerName)
        .order_by_asc(procurement_index::Column::BuyerId)
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    let mut out: Vec<(String, Option<String>)> = Vec::new();
    for (id, name) in rows {
        // A buyer renamed between releases is listed once.
        if let Some(id) = id
            && !out.iter().any(|(seen, _)| *seen == id)
        {
            out.push((id, name));
        }
    }
    Ok(out)
}

pub async fn get_by_ocid(
    store: &crate::Store,
    tenant: TenantId,
    ocid: &str,
) -> Result<Procurement> {
    procurement_index::Entity::find()
        .filter(procurement_index::Column::TenantId.eq(tenant.uuid()))
        .filter(procurement_index::Column::Ocid.eq(ocid))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)
}

/// How a contracting process involves a person.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Involvement {
    /// The process names the person by IIN (a committee member, an
    /// individual party).
    Named,
    /// A tenderer or supplier is a company the person declared an
    /// interest in.
    Interest { company_bin: String },
    /// The process names a relative the person declared, by IIN.
    Relative { iin: String, relation: String },
}

/// Most terms (IINs and BINs) one involvement query looks for; a person
/// declares at most 50 relatives and 50 interests.
const MAX_TERMS: usize = 101;

/// The tenant's contracting processes that involve the person `rec`: that
/// name them or a declared relative by IIN, or whose tenderers or
/// suppliers include a company they declared an interest in. Each with
/// how; ordered by ocid.
pub async fn involving(
    store: &crate::Store,
    tenant: TenantId,
    rec: &crate::people::PersonRecord,
) -> Result<Vec<(Procurement, Vec<Involvement>)>> {
    let mut iins: Vec<(String, Option<String>)> = vec![(rec.person.iin.clone(), None)];
    iins.extend(
        rec.relatives
            .iter()
            .filter_map(|r| r.iin.clone().map(|i| (i, Some(r.relation.clone())))),
    );
    let bins: Vec<String> = rec
        .interests
        .iter()
        .map(|i| i.company_bin.clone())
        .collect();
    let mut any = Condition::any();
    // Identifiers are digits only, so a quoted match in the JSON array is
    // exact.
    for (i, _) in iins.iter().take(MAX_TERMS) {
        any = any.add(procurement_index::Column::PersonIins.contains(format!("\"{i}\"")));
    }
    for b in bins.iter().take(MAX_TERMS) {
        any = any.add(procurement_index::Column::CounterpartyBins.contains(format!("\"{b}\"")));
    }
    let rows = procurement_index::Entity::find()
        .filter(procurement_index::Column::TenantId.eq(tenant.uuid()))
        .filter(any)
        .order_by_asc(procurement_index::Column::Ocid)
        .all(&store.scoped(tenant))
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for p in rows {
        let named: Vec<String> = serde_json::from_str(&p.person_iins).map_err(corrupt)?;
        let parties: Vec<String> = serde_json::from_str(&p.counterparty_bins).map_err(corrupt)?;
        let mut why = Vec::new();
        for (iin, relation) in &iins {
            if named.contains(iin) {
                why.push(match relation {
                    None => Involvement::Named,
                    Some(r) => Involvement::Relative {
                        iin: iin.clone(),
                        relation: r.clone(),
                    },
                });
            }
        }
        for b in &bins {
            if parties.contains(b) {
                why.push(Involvement::Interest {
                    company_bin: b.clone(),
                });
            }
        }
        out.push((p, why));
    }
    Ok(out)
}

/// BINs of the tenderers and suppliers of the tenant's procurements that
/// are still open: what the gift rules compare givers against.
pub async fn open_counterparty_bins(store: &crate::Store, tenant: TenantId) -> Result<Vec<String>> {
    let rows: Vec<String> = procurement_index::Entity::find()
        .select_only()
        .column(procurement_index::Column::CounterpartyBins)
        .filter(procurement_index::Column::TenantId.eq(tenant.uuid()))
        .filter(procurement_index::Column::Status.is_in(OPEN_STATUSES))
        .into_tuple()
        .all(&store.scoped(tenant))
        .await?;
    let mut out = Vec::new();
    for r in rows {
        let bins: Vec<String> = serde_json::from_str(&r).map_err(corrupt)?;
        out.extend(bins);
    }
    out.sort();
    out.dedup();
    Ok(out)
}
