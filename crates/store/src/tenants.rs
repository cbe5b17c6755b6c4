//! Tenants and their compliance settings.

use crate::entities::tenant;
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use std::collections::BTreeMap;

pub use tenant::Model as Tenant;

#[derive(Debug, Clone)]
pub struct NewTenant {
    pub name: String,
    pub bin: String,
    pub sector: String,
    pub region: String,
}

/// The compliance unit's settings, decoded from the tenant row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSettings {
    pub alert_threshold: String,
    pub alert_emails: Vec<String>,
    /// Year -> MCI in KZT (decimal string).
    pub mci_by_year: BTreeMap<i32, String>,
    /// Reporting year -> the date its asset declarations are due
    /// (`YYYY-MM-DD`). A year without an entry uses
    /// [`default_declaration_due`].
    pub declaration_due_by_year: BTreeMap<i32, String>,
    /// Days the tenant gives itself to answer a feedback-channel report.
    /// Always set when read; `None` in an update keeps the stored value
    /// (a settings form that does not show it does not reset it).
    pub feedback_answer_days: Option<u32>,
    /// Whether administrators and compliance officers must sign in with a
    /// second factor. Always set when read; `None` in an update keeps it.
    pub require_second_factor: Option<bool>,
}

/// Days to answer a feedback-channel report unless the tenant sets
/// otherwise: the 15 days the Administrative Procedural Code gives public
/// bodies for an appeal, as a starting point.
pub const DEFAULT_FEEDBACK_ANSWER_DAYS: u32 = 15;

/// The due date for a reporting year the tenant has not set: the last day
/// of May of the following year. A default for tenants to override, not a
/// statement of any statutory deadline.
pub fn default_declaration_due(year: i32) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_ymd_opt(year + 1, 5, 31)
}

impl TenantSettings {
    pub fn feedback_answer_days(&self) -> u32 {
        self.feedback_answer_days
            .unwrap_or(DEFAULT_FEEDBACK_ANSWER_DAYS)
    }

    /// When declarations for `year` are due.
    pub fn declaration_due(&self, year: i32) -> Option<chrono::NaiveDate> {
        match self.declaration_due_by_year.get(&year) {
            Some(d) => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok(),
            None => default_declaration_due(year),
        }
    }
}

/// MCI values set by the republican budget laws (KZT); a new tenant starts
/// with these and can change them.
pub fn default_mci() -> BTreeMap<i32, String> {
    BTreeMap::from([
        (2023, "3450".to_owned()),
        (2024, "3692".to_owned()),
        (2025, "3932".to_owned()),
        (2026, "4325".to_owned()),
    ])
}

pub fn settings_of(t: &Tenant) -> Result<TenantSettings> {
    let alert_emails = serde_json::from_str(&t.alert_emails)
        .map_err(|e| StoreError::Corrupt(format!("tenant alert_emails: {e}")))?;
    let mci_by_year = serde_json::from_str(&t.mci_by_year)
        .map_err(|e| StoreError::Corrupt(format!("tenant mci_by_year: {e}")))?;
    let declaration_due_by_year = serde_json::from_str(&t.declaration_due_by_year)
        .map_err(|e| StoreError::Corrupt(format!("tenant declaration_due_by_year: {e}")))?;
    Ok(TenantSettings {
        alert_threshold: t.alert_threshold.clone(),
        alert_emails,
        mci_by_year,
        declaration_due_by_year,
        feedback_answer_days: Some(
            u32::try_from(t.feedback_answer_days).unwrap_or(DEFAULT_FEEDBACK_ANSWER_DAYS),
        ),
        require_second_factor: Some(t.require_second_factor),
    })
}

pub async fn create(store: &crate::Store, actor: &str, new: NewTenant) -> Result<Tenant> {
    let txn = store.begin_write_across().await?;
    let id = new_id();
    let model = tenant::ActiveModel {
        id: Set(id),
        name: Set(new.name),
        bin: Set(new.bin),
        sector: Set(new.sector),
        region: Set(new.region),
        alert_threshold: Set("high".to_owned()),
        alert_emails: Set("[]".to_owned()),
        mci_by_year: Set(serde_json::to_string(&default_mci())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?),
        declaration_due_by_year: Set("{}".to_owned()),
        feedback_answer_days: Set(i32::try_from(DEFAULT_FEEDBACK_ANSWER_DAYS).unwrap_or(15)),
        require_second_factor: Set(false),
        retention_years: Set("{}".to_owned()),
        import_rows_per_day: Set(None),
        import_max_file_bytes: Set(None),
        created_at: Set(now()),
    };
    tenant::Entity::insert(model)
        .exec_without_returning(&txn)
        .await
        .map_err(|e| StoreError::from_insert(e, "a tenant with this BIN exists"))?;
    let t = tenant::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    audit::append(
        &txn,
        audit::PLATFORM,
        actor,
        "tenant.create",
        &format!("tenant/{id}"),
        serde_json::json!({"name": t.name, "bin": t.bin}),
    )
    .await?;
    audit::append(
        &txn,
        TenantId::from_uuid(id),
        actor,
        "tenant.create",
        &format!("tenant/{id}"),
        serde_json::json!({"name": t.name, "bin": t.bin}),
    )
    .await?;
    txn.commit().await?;
    Ok(t)
}

pub async fn get(store: &crate::Store, tenant: TenantId) -> Result<Tenant> {
    tenant::Entity::find_by_id(tenant.uuid())
        .one(&store.scoped(tenant))
        .await?
        .ok_or(StoreError::NotFound)
}

/// A tenant's own import quota, where it differs from the installation's
/// (`None`: the installation's setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportQuota {
    pub rows_per_day: Option<u64>,
    pub max_file_bytes: Option<u64>,
}

impl ImportQuota {
    fn of(t: &Tenant) -> Self {
        Self {
            rows_per_day: t.import_rows_per_day.and_then(|n| u64::try_from(n).ok()),
            max_file_bytes: t.import_max_file_bytes.and_then(|n| u64::try_from(n).ok()),
        }
    }
}

pub async fn import_quota(store: &crate::Store, tenant: TenantId) -> Result<ImportQuota> {
    Ok(ImportQuota::of(&get(store, tenant).await?))
}

/// Sets a tenant's own import quota (the platform's decision), with an
/// entry in the tenant's audit log.
pub async fn set_import_quota(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    quota: ImportQuota,
) -> Result<ImportQuota> {
    let as_i64 = |n: Option<u64>| n.map(|n| i64::try_from(n).unwrap_or(i64::MAX));
    let txn = store.begin_write_for(tenant).await?;
    let updated = tenant::Entity::update_many()
        .col_expr(
            tenant::Column::ImportRowsPerDay,
            sea_orm::sea_query::Expr::value(as_i64(quota.rows_per_day)),
        )
        .col_expr(
            tenant::Column::ImportMaxFileBytes,
            sea_orm::sea_query::Expr::value(as_i64(quota.max_file_bytes)),
        )
        .filter(tenant::Column::Id.eq(tenant.uuid()))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(StoreError::NotFound);
    }
    audit::append(
        &txn,
        tenant,
        actor,
        "tenant.import_quota",
        &format!("tenant/{}", tenant.uuid()),
        serde_json::json!({"rows_per_day": quota.rows_per_day, "max_file_bytes": quota.max_file_bytes}),
    )
    .await?;
    txn.commit().await?;
    Ok(quota)
}

/// Every tenant: for platform operators and the Agency only.
pub async fn list_all_for_platform(store: &crate::Store) -> Result<Vec<Tenant>> {
    Ok(tenant::Entity::find()
        .order_by_asc(tenant::Column::Name)
        .all(&store.across_tenants())
        .await?)
}

pub async fn update_settings(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    settings: &TenantSettings,
) -> Result<Tenant> {
    let txn = store.begin_write_for(tenant).await?;
    let t = tenant::Entity::find_by_id(tenant.uuid())
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut am: tenant::ActiveModel = t.into();
    let emails = serde_json::to_string(&settings.alert_emails)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mci = serde_json::to_string(&settings.mci_by_year)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    am.alert_threshold = Set(settings.alert_threshold.clone());
    am.alert_emails = Set(emails.clone());
    am.mci_by_year = Set(mci.clone());
    am.declaration_due_by_year = Set(serde_json::to_string(&settings.declaration_due_by_year)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?);
    if let Some(days) = settings.feedback_answer_days {
        am.feedback_answer_days = Set(i32::try_from(days).unwrap_or(i32::MAX));
    }
    if let Some(required) = settings.require_second_factor {
        am.require_second_factor = Set(required);
    }
    let t = am.update(&txn).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "tenant.settings",
        &format!("tenant/{}", tenant.uuid()),
        serde_json::json!({"alert_threshold": settings.alert_threshold, "alert_emails": settings.alert_emails, "mci_by_year": settings.mci_by_year, "declaration_due_by_year": settings.declaration_due_by_year, "feedback_answer_days": settings.feedback_answer_days, "require_second_factor": settings.require_second_factor}),
    )
    .await?;
    txn.commit().await?;
    Ok(t)
}
