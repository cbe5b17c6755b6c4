//! Procurements, as far as the foundation needs them: which counterparties
//! (by BIN) take part in the tenant's open procurements. The full OCDS
//! model replaces this table's role later without changing its readers.

use crate::entities::procurement;
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

pub use procurement::Model as Procurement;

pub const OPEN: &str = "open";
pub const CLOSED: &str = "closed";

pub struct NewProcurement {
    pub reference: String,
    pub title: String,
    pub status: String,
    pub participant_bins: Vec<String>,
}

pub async fn create(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    new: NewProcurement,
) -> Result<Procurement> {
    let txn = store.begin_write().await?;
    let id = new_id();
    procurement::Entity::insert(procurement::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.0),
        reference: Set(new.reference.clone()),
        title: Set(new.title),
        status: Set(new.status),
        participant_bins: Set(serde_json::to_string(&new.participant_bins)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?),
        created_at: Set(now()),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(|e| StoreError::from_insert(e, "a procurement with this reference exists"))?;
    audit::append(
        &txn,
        tenant,
        actor,
        "procurement.create",
        &format!("procurement/{id}"),
        serde_json::json!({"reference": new.reference}),
    )
    .await?;
    let p = procurement::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(p)
}

pub async fn list(store: &crate::Store, tenant: TenantId) -> Result<Vec<Procurement>> {
    Ok(procurement::Entity::find()
        .filter(procurement::Column::TenantId.eq(tenant.0))
        .order_by_asc(procurement::Column::Reference)
        .all(store.connection())
        .await?)
}

/// BINs of everyone bidding or supplying in the tenant's open procurements.
pub async fn open_counterparty_bins(store: &crate::Store, tenant: TenantId) -> Result<Vec<String>> {
    let rows = procurement::Entity::find()
        .filter(procurement::Column::TenantId.eq(tenant.0))
        .filter(procurement::Column::Status.eq(OPEN))
        .all(store.connection())
        .await?;
    let mut bins = Vec::new();
    for r in rows {
        let v: Vec<String> = serde_json::from_str(&r.participant_bins)
            .map_err(|e| StoreError::Corrupt(format!("procurement {}: {e}", r.id)))?;
        bins.extend(v);
    }
    bins.sort();
    bins.dedup();
    Ok(bins)
}
