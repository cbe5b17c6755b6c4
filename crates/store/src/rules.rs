//! Rule-set versions. A version is immutable: its rules are written once,
//! and activation only changes which version is the tenant's active one.

use crate::entities::rule_set_version;
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use adal_sandbox_protocol::{RuleSource, Severity};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use uuid::Uuid;

pub use rule_set_version::Model as RuleSetVersion;

/// One rule as a tenant stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleDefinition {
    pub id: String,
    pub title: String,
    pub area: String,
    #[serde(default)]
    pub kinds: Vec<String>,
    pub severity: Severity,
    pub likelihood: u8,
    pub impact: u8,
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Value>,
    pub script: String,
}

impl RuleDefinition {
    pub fn to_source(&self) -> RuleSource {
        RuleSource {
            id: self.id.clone(),
            kinds: self.kinds.clone(),
            script: self.script.clone(),
            severity: self.severity,
            likelihood: self.likelihood,
            impact: self.impact,
            params: self.params.clone(),
        }
    }
}

pub const DRAFT: &str = "draft";
pub const ACTIVE: &str = "active";
pub const RETIRED: &str = "retired";

pub fn rules_of(v: &RuleSetVersion) -> Result<Vec<RuleDefinition>> {
    serde_json::from_str(&v.rules)
        .map_err(|e| StoreError::Corrupt(format!("rule set version {}: {e}", v.id)))
}

/// Stores a new draft version numbered after the tenant's latest one.
pub async fn create_version(
    store: &crate::Store,
    tenant: TenantId,
    actor: Uuid,
    rules: &[RuleDefinition],
) -> Result<RuleSetVersion> {
    let body = serde_json::to_string(rules).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let hash = hex::encode(Sha256::digest(body.as_bytes()));
    let txn = store.begin_write().await?;
    let latest: Option<i32> = rule_set_version::Entity::find()
        .select_only()
        .column_as(rule_set_version::Column::Version.max(), "max")
        .filter(rule_set_version::Column::TenantId.eq(tenant.0))
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten();
    let version = latest.unwrap_or(0) + 1;
    let id = new_id();
    rule_set_version::Entity::insert(rule_set_version::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.0),
        version: Set(version),
        status: Set(DRAFT.to_owned()),
        content_hash: Set(hash.clone()),
        rules: Set(body),
        created_by: Set(actor),
        created_at: Set(now()),
        activated_at: Set(None),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(|e| StoreError::from_insert(e, "rule set version number"))?;
    audit::append(
        &txn,
        tenant,
        &actor.to_string(),
        "rule_set.create",
        &format!("rule_set_version/{version}"),
        serde_json::json!({"content_hash": hash, "rules": rules.iter().map(|r| &r.id).collect::<Vec<_>>()}),
    )
    .await?;
    let v = rule_set_version::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    txn.commit().await?;
    Ok(v)
}

pub async fn get_version(
    store: &crate::Store,
    tenant: TenantId,
    version: i32,
) -> Result<RuleSetVersion> {
    rule_set_version::Entity::find()
        .filter(rule_set_version::Column::TenantId.eq(tenant.0))
        .filter(rule_set_version::Column::Version.eq(version))
        .one(store.connection())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn get_version_by_id(
    store: &crate::Store,
    tenant: TenantId,
    id: Uuid,
) -> Result<RuleSetVersion> {
    rule_set_version::Entity::find_by_id(id)
        .filter(rule_set_version::Column::TenantId.eq(tenant.0))
        .one(store.connection())
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list_versions(store: &crate::Store, tenant: TenantId) -> Result<Vec<RuleSetVersion>> {
    Ok(rule_set_version::Entity::find()
        .filter(rule_set_version::Column::TenantId.eq(tenant.0))
        .order_by_desc(rule_set_version::Column::Version)
        .all(store.connection())
        .await?)
}

pub async fn active_version(
    store: &crate::Store,
    tenant: TenantId,
) -> Result<Option<RuleSetVersion>> {
    Ok(rule_set_version::Entity::find()
        .filter(rule_set_version::Column::TenantId.eq(tenant.0))
        .filter(rule_set_version::Column::Status.eq(ACTIVE))
        .one(store.connection())
        .await?)
}

/// Makes `version` the active one and retires the previous active version.
/// A retired version cannot come back: activate a new copy instead, so the
/// history of what was in force when stays linear.
pub async fn activate(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    version: i32,
) -> Result<RuleSetVersion> {
    let txn = store.begin_write().await?;
    let v = rule_set_version::Entity::find()
        .filter(rule_set_version::Column::TenantId.eq(tenant.0))
        .filter(rule_set_version::Column::Version.eq(version))
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    match v.status.as_str() {
        ACTIVE => return Ok(v),
        DRAFT => {}
        _ => {
            return Err(StoreError::Conflict(format!(
                "version {version} is {} and cannot be activated",
                v.status
            )));
        }
    }
    if let Some(old) = rule_set_version::Entity::find()
        .filter(rule_set_version::Column::TenantId.eq(tenant.0))
        .filter(rule_set_version::Column::Status.eq(ACTIVE))
        .one(&txn)
        .await?
    {
        let mut am: rule_set_version::ActiveModel = old.into();
        am.status = Set(RETIRED.to_owned());
        am.update(&txn).await?;
    }
    let mut am: rule_set_version::ActiveModel = v.into();
    am.status = Set(ACTIVE.to_owned());
    am.activated_at = Set(Some(now()));
    let v = am.update(&txn).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "rule_set.activate",
        &format!("rule_set_version/{version}"),
        serde_json::json!({"content_hash": v.content_hash}),
    )
    .await?;
    txn.commit().await?;
    Ok(v)
}
