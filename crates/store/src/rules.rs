//! Rule-set versions. A version is immutable: its rules are written once,
//! and activation only changes which version is the tenant's active one.

use crate::entities::rule_set_version;
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use adal_sandbox_protocol::params::ParamSpec;
use adal_sandbox_protocol::{Fixture, RuleSource, RuleUnderTest, Severity};
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
    /// The section of the Agency's guidelines the rule implements, as the
    /// guidelines title it (`Conflict of interest: relatives`). Library
    /// rules carry it; versions stored before it existed do not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guideline_section: Option<String>,
    #[serde(default)]
    pub kinds: Vec<String>,
    pub severity: Severity,
    pub likelihood: u8,
    pub impact: u8,
    /// The values the script reads as `params.NAME`: declared defaults
    /// with the tenant's overrides.
    #[serde(default)]
    pub params: BTreeMap<String, serde_json::Value>,
    pub script: String,
    /// The parameters' declarations (type, default, unit, range). Empty for
    /// rules uploaded before declarations existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub declared: BTreeMap<String, ParamSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixtures: Vec<Fixture>,
}

impl RuleDefinition {
    /// The rule as its fixtures run: with the declared defaults, never the
    /// tenant's overrides, because a fixture's expectation is written for
    /// the values it was written with (see docs/rules.md).
    pub fn under_test(&self) -> RuleUnderTest {
        let mut rule = self.to_source();
        if !self.declared.is_empty() {
            rule.params = self
                .declared
                .iter()
                .map(|(k, spec)| {
                    let v = adal_sandbox_protocol::params::check_param(spec, &spec.default)
                        .unwrap_or_else(|_| spec.default.clone());
                    (k.clone(), v)
                })
                .collect();
        }
        RuleUnderTest {
            rule,
            fixtures: self.fixtures.clone(),
            inputs: Vec::new(),
        }
    }

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

/// The standard library of rules as this build ships it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Library {
    /// `rules/VERSION`, recorded with every version adopted from it.
    pub version: String,
    /// Sorted by id, with their declared defaults as `params`.
    pub rules: Vec<RuleDefinition>,
}

impl Library {
    pub fn rule(&self, id: &str) -> Option<&RuleDefinition> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// What a tenant chose when it made a version from the library. Stored
/// with the version, so it can be shown and compared with another version.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Adoption {
    /// Rule id → parameter → value, as validated (decimals as strings).
    #[serde(default)]
    pub overrides: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// Library rules left out, each with the reason given.
    #[serde(default)]
    pub disabled: BTreeMap<String, String>,
    /// The ids of the tenant's own rules in the version.
    #[serde(default)]
    pub own_rules: Vec<String>,
}

pub fn adoption_of(v: &RuleSetVersion) -> Result<Option<Adoption>> {
    v.adoption
        .as_deref()
        .map(|a| {
            serde_json::from_str(a)
                .map_err(|e| StoreError::Corrupt(format!("rule set version {}: {e}", v.id)))
        })
        .transpose()
}

/// Stores a new draft version numbered after the tenant's latest one.
pub async fn create_version(
    store: &crate::Store,
    tenant: TenantId,
    actor: Uuid,
    rules: &[RuleDefinition],
) -> Result<RuleSetVersion> {
    create_version_from(store, tenant, actor, rules, None).await
}

/// Stores a new draft version; with `adopted`, the library version it was
/// made from and what the tenant chose.
pub async fn create_version_from(
    store: &crate::Store,
    tenant: TenantId,
    actor: Uuid,
    rules: &[RuleDefinition],
    adopted: Option<(&str, &Adoption)>,
) -> Result<RuleSetVersion> {
    let body = serde_json::to_string(rules).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let adoption = adopted
        .map(|(_, a)| serde_json::to_string(a))
        .transpose()
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let hash = hex::encode(Sha256::digest(body.as_bytes()));
    let txn = store.begin_write_for(tenant).await?;
    let latest: Option<i32> = rule_set_version::Entity::find()
        .select_only()
        .column_as(rule_set_version::Column::Version.max(), "max")
        .filter(rule_set_version::Column::TenantId.eq(tenant.uuid()))
        .into_tuple::<Option<i32>>()
        .one(&txn)
        .await?
        .flatten();
    let version = latest.unwrap_or(0) + 1;
    let id = new_id();
    rule_set_version::Entity::insert(rule_set_version::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant.uuid()),
        version: Set(version),
        status: Set(DRAFT.to_owned()),
        content_hash: Set(hash.clone()),
        rules: Set(body),
        created_by: Set(actor),
        created_at: Set(now()),
        activated_at: Set(None),
        library_version: Set(adopted.map(|(v, _)| v.to_owned())),
        adoption: Set(adoption),
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
        serde_json::json!({
            "content_hash": hash,
            "rules": rules.iter().map(|r| &r.id).collect::<Vec<_>>(),
            "library_version": adopted.map(|(v, _)| v),
            "disabled": adopted.map(|(_, a)| &a.disabled),
        }),
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
        .filter(rule_set_version::Column::TenantId.eq(tenant.uuid()))
        .filter(rule_set_version::Column::Version.eq(version))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn get_version_by_id(
    store: &crate::Store,
    tenant: TenantId,
    id: Uuid,
) -> Result<RuleSetVersion> {
    rule_set_version::Entity::find_by_id(id)
        .filter(rule_set_version::Column::TenantId.eq(tenant.uuid()))
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)
}

pub async fn list_versions(store: &crate::Store, tenant: TenantId) -> Result<Vec<RuleSetVersion>> {
    Ok(rule_set_version::Entity::find()
        .filter(rule_set_version::Column::TenantId.eq(tenant.uuid()))
        .order_by_desc(rule_set_version::Column::Version)
        .all(&store.scoped(tenant))
        .await?)
}

pub async fn active_version(
    store: &crate::Store,
    tenant: TenantId,
) -> Result<Option<RuleSetVersion>> {
    Ok(rule_set_version::Entity::find()
        .filter(rule_set_version::Column::TenantId.eq(tenant.uuid()))
        .filter(rule_set_version::Column::Status.eq(ACTIVE))
        .one(&store.scoped(tenant))
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
    let txn = store.begin_write_for(tenant).await?;
    let v = rule_set_version::Entity::find()
        .filter(rule_set_version::Column::TenantId.eq(tenant.uuid()))
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
        .filter(rule_set_version::Column::TenantId.eq(tenant.uuid()))
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

/// Records in the audit log that a dry run of `version` happened (nothing
/// else is written by a dry run).
pub async fn audit_dry_run(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    version: i32,
    detail: serde_json::Value,
) -> Result<()> {
    let txn = store.begin_write_for(tenant).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "rule_set.dry_run",
        &format!("rule_set_version/{version}"),
        detail,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
