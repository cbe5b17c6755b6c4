//! Tenants and their compliance settings.

use crate::entities::{tenant, token, user};
use crate::{Result, StoreError, TenantId, audit, new_id, now};
use adal_sandbox_protocol::Severity;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
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
    /// Days a finding has before it is overdue, by severity. Always set
    /// when read; `None` in an update keeps it.
    pub triage_days: Option<TriageDays>,
    /// Whether alerts go out one per finding or gathered per period.
    /// Always set when read; `None` in an update keeps it.
    pub alert_digest: Option<AlertDigest>,
}

/// How a tenant's alerts reach its compliance unit: one email per
/// qualifying finding, or one digest per UTC hour or UTC day listing the
/// period's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlertDigest {
    #[default]
    Immediate,
    Hourly,
    Daily,
}

impl AlertDigest {
    pub const ALL: [AlertDigest; 3] = [Self::Immediate, Self::Hourly, Self::Daily];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Immediate => "immediate",
            Self::Hourly => "hourly",
            Self::Daily => "daily",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// The period `at` falls in, `[start, end)`: UTC clock hours or UTC
    /// days, so every worker and every restart agrees on the boundaries.
    /// `None` for `immediate`, which has no periods.
    pub fn period_of(self, at: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        use chrono::{DurationRound, TimeDelta};
        let length = match self {
            Self::Immediate => return None,
            Self::Hourly => TimeDelta::hours(1),
            Self::Daily => TimeDelta::days(1),
        };
        // Truncating to whole hours or days of the Unix epoch is exact
        // in UTC (no leap seconds in chrono's arithmetic).
        let start = at.duration_trunc(length).ok()?;
        Some((start, start + length))
    }
}

/// Days a finding of each severity has, from when it is found (or
/// reopened), before it is overdue: each from 1 to
/// [`TriageDays::MAX_DAYS`]. The defaults (critical 3, high 7, medium 14,
/// low 30) are a starting point for a compliance unit to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TriageDays {
    /// Indexed by severity, lowest first.
    days: [u16; 4],
}

/// A number of days outside 1..=365.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be from 1 to 365 days")]
pub struct TriageDaysError;

const SEVERITIES: [Severity; 4] = [
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

impl Default for TriageDays {
    fn default() -> Self {
        Self {
            days: [30, 14, 7, 3],
        }
    }
}

impl TriageDays {
    pub const MAX_DAYS: u32 = 365;

    /// The days for each severity, `(severity, days)`, lowest first.
    pub fn new(
        days: impl IntoIterator<Item = (Severity, u32)>,
    ) -> std::result::Result<Self, TriageDaysError> {
        let mut out = Self::default();
        for (s, d) in days {
            if !(1..=Self::MAX_DAYS).contains(&d) {
                return Err(TriageDaysError);
            }
            out.days[s as usize] = u16::try_from(d).map_err(|_| TriageDaysError)?;
        }
        Ok(out)
    }

    pub fn days(&self, severity: Severity) -> u32 {
        u32::from(self.days[severity as usize])
    }

    /// When a finding of `severity` found (or reopened) at `from` is due.
    pub fn due(&self, severity: Severity, from: DateTime<Utc>) -> DateTime<Utc> {
        from + chrono::Duration::days(i64::from(self.days(severity)))
    }

    /// Each severity with its days, lowest first.
    pub fn each(&self) -> impl Iterator<Item = (Severity, u32)> + '_ {
        SEVERITIES.iter().map(|s| (*s, self.days(*s)))
    }

    /// As stored: `{"low": 30, ...}`.
    fn to_json(self) -> String {
        let m: BTreeMap<&str, u32> = self.each().map(|(s, d)| (s.as_str(), d)).collect();
        serde_json::to_string(&m).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Reads the stored form: a severity missing has its default; a bad
    /// value is a corrupt row.
    fn from_json(s: &str) -> Result<Self> {
        let m: BTreeMap<String, u32> = serde_json::from_str(s)
            .map_err(|e| StoreError::Corrupt(format!("tenant triage_days: {e}")))?;
        let mut days = Vec::new();
        for (k, v) in m {
            let s = Severity::parse(&k).ok_or_else(|| {
                StoreError::Corrupt(format!("tenant triage_days: unknown severity {k}"))
            })?;
            days.push((s, v));
        }
        Self::new(days).map_err(|e| StoreError::Corrupt(format!("tenant triage_days: {e}")))
    }
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
    pub fn triage_days(&self) -> TriageDays {
        self.triage_days.unwrap_or_default()
    }

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
        triage_days: Some(TriageDays::from_json(&t.triage_days)?),
        alert_digest: Some(AlertDigest::parse(&t.alert_digest).ok_or_else(|| {
            StoreError::Corrupt(format!("tenant alert_digest: {}", t.alert_digest))
        })?),
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
        alert_digest: Set(AlertDigest::default().as_str().to_owned()),
        mci_by_year: Set(serde_json::to_string(&default_mci())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?),
        declaration_due_by_year: Set("{}".to_owned()),
        feedback_answer_days: Set(i32::try_from(DEFAULT_FEEDBACK_ANSWER_DAYS).unwrap_or(15)),
        require_second_factor: Set(false),
        triage_days: Set(TriageDays::default().to_json()),
        retention_years: Set("{}".to_owned()),
        import_rows_per_day: Set(None),
        import_max_file_bytes: Set(None),
        created_at: Set(now()),
        suspended_at: Set(None),
        suspended_reason: Set(None),
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
    if let Some(days) = settings.triage_days {
        am.triage_days = Set(days.to_json());
    }
    if let Some(digest) = settings.alert_digest {
        am.alert_digest = Set(digest.as_str().to_owned());
    }
    let t = am.update(&txn).await?;
    audit::append(
        &txn,
        tenant,
        actor,
        "tenant.settings",
        &format!("tenant/{}", tenant.uuid()),
        serde_json::json!({"alert_threshold": settings.alert_threshold, "alert_emails": settings.alert_emails, "mci_by_year": settings.mci_by_year, "declaration_due_by_year": settings.declaration_due_by_year, "feedback_answer_days": settings.feedback_answer_days, "require_second_factor": settings.require_second_factor, "triage_days": settings.triage_days.map(|d| d.each().map(|(s, d)| (s.as_str(), d)).collect::<BTreeMap<_, _>>()), "alert_digest": settings.alert_digest.map(AlertDigest::as_str)}),
    )
    .await?;
    txn.commit().await?;
    Ok(t)
}

/// Longest reason a suspension records, in characters.
pub const MAX_SUSPENSION_REASON: usize = 500;

/// Suspends a tenant (the platform's decision, with its reason): its
/// people can no longer sign in, and every token they hold is revoked in
/// the same transaction, so no session outlives the decision. Its data is
/// kept, the Agency still reads it, and reports to its channel are still
/// taken. Logged in the platform's and the tenant's audit logs.
/// `Conflict` when it is suspended already.
pub async fn suspend(
    store: &crate::Store,
    tenant: TenantId,
    actor: &str,
    reason: &str,
) -> Result<Tenant> {
    let txn = store.begin_write_across().await?;
    let t = tenant::Entity::find_by_id(tenant.uuid())
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if t.suspended_at.is_some() {
        return Err(StoreError::Conflict(
            "the tenant is suspended already".into(),
        ));
    }
    let at = now();
    let mut am: tenant::ActiveModel = t.into();
    am.suspended_at = Set(Some(at));
    am.suspended_reason = Set(Some(reason.to_owned()));
    let t = am.update(&txn).await?;
    let members: Vec<uuid::Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::TenantId.eq(tenant.uuid()))
        .into_tuple()
        .all(&txn)
        .await?;
    let mut revoked = 0u64;
    // Bounded IN lists: SQLite takes at most 32,766 parameters.
    for chunk in members.chunks(500) {
        revoked += token::Entity::update_many()
            .col_expr(token::Column::RevokedAt, Expr::value(Some(at)))
            .filter(token::Column::UserId.is_in(chunk.iter().copied()))
            .filter(token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
    }
    let detail = serde_json::json!({"reason": reason, "tokens_revoked": revoked});
    for log in [audit::PLATFORM, tenant] {
        audit::append(
            &txn,
            log,
            actor,
            "tenant.suspend",
            &format!("tenant/{}", tenant.uuid()),
            detail.clone(),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(t)
}

/// Lifts a suspension; `Conflict` when the tenant is not suspended.
pub async fn reactivate(store: &crate::Store, tenant: TenantId, actor: &str) -> Result<Tenant> {
    let txn = store.begin_write_across().await?;
    let t = tenant::Entity::find_by_id(tenant.uuid())
        .one(&txn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if t.suspended_at.is_none() {
        return Err(StoreError::Conflict("the tenant is not suspended".into()));
    }
    let mut am: tenant::ActiveModel = t.into();
    am.suspended_at = Set(None);
    am.suspended_reason = Set(None);
    let t = am.update(&txn).await?;
    for log in [audit::PLATFORM, tenant] {
        audit::append(
            &txn,
            log,
            actor,
            "tenant.reactivate",
            &format!("tenant/{}", tenant.uuid()),
            serde_json::json!({}),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(t)
}

/// Whether the tenant is suspended; `false` for one that does not exist.
pub async fn is_suspended(store: &crate::Store, tenant: TenantId) -> Result<bool> {
    let at: Option<Option<chrono::DateTime<chrono::Utc>>> =
        tenant::Entity::find_by_id(tenant.uuid())
            .select_only()
            .column(tenant::Column::SuspendedAt)
            .into_tuple()
            .one(&store.across_tenants())
            .await?;
    Ok(at.flatten().is_some())
}

/// What a tenant uses of the service, for the platform's operator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Usage {
    pub accounts: u64,
    pub active_accounts: u64,
    pub people: u64,
    pub submissions: u64,
    pub submissions_last_30_days: u64,
    pub open_findings: u64,
    pub last_filed_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Every tenant's usage, by tenant id: a handful of grouped counts, however
/// many tenants and records there are.
pub async fn usage_by_tenant(
    store: &crate::Store,
) -> Result<std::collections::HashMap<uuid::Uuid, Usage>> {
    use crate::entities::{person, risk_count, submission};
    let conn = &store.across_tenants();
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let mut out: std::collections::HashMap<uuid::Uuid, Usage> = Default::default();
    // Accounts by tenant, then the active ones: two grouped counts.
    for active_only in [false, true] {
        let mut q = user::Entity::find()
            .select_only()
            .column(user::Column::TenantId)
            .column_as(user::Column::Id.count(), "n")
            .filter(user::Column::TenantId.is_not_null())
            .group_by(user::Column::TenantId);
        if active_only {
            q = q.filter(user::Column::DisabledAt.is_null());
        }
        let counts: Vec<(Option<uuid::Uuid>, i64)> = q.into_tuple().all(conn).await?;
        for (t, c) in counts {
            let Some(t) = t else { continue };
            let u = out.entry(t).or_default();
            if active_only {
                u.active_accounts = n(c);
            } else {
                u.accounts = n(c);
            }
        }
    }
    let people: Vec<(uuid::Uuid, i64)> = person::Entity::find()
        .select_only()
        .column(person::Column::TenantId)
        .column_as(person::Column::Id.count(), "n")
        .group_by(person::Column::TenantId)
        .into_tuple()
        .all(conn)
        .await?;
    for (t, c) in people {
        out.entry(t).or_default().people = n(c);
    }
    let since = now() - chrono::Duration::days(30);
    let filed: Vec<(uuid::Uuid, i64, Option<chrono::DateTime<chrono::Utc>>)> =
        submission::Entity::find()
            .select_only()
            .column(submission::Column::TenantId)
            .column_as(submission::Column::Id.count(), "n")
            .column_as(submission::Column::ReceivedAt.max(), "last")
            .group_by(submission::Column::TenantId)
            .into_tuple()
            .all(conn)
            .await?;
    for (t, c, last) in filed {
        let u = out.entry(t).or_default();
        u.submissions = n(c);
        u.last_filed_at = last;
    }
    let recent: Vec<(uuid::Uuid, i64)> = submission::Entity::find()
        .select_only()
        .column(submission::Column::TenantId)
        .column_as(submission::Column::Id.count(), "n")
        .filter(submission::Column::ReceivedAt.gte(since))
        .group_by(submission::Column::TenantId)
        .into_tuple()
        .all(conn)
        .await?;
    for (t, c) in recent {
        out.entry(t).or_default().submissions_last_30_days = n(c);
    }
    // The risk counters: a few cells a tenant (summed here, as SUM's type
    // differs between the backends).
    let open: Vec<(uuid::Uuid, i64)> = risk_count::Entity::find()
        .select_only()
        .column(risk_count::Column::TenantId)
        .column(risk_count::Column::OpenCount)
        .filter(risk_count::Column::OpenCount.gt(0))
        .into_tuple()
        .all(conn)
        .await?;
    for (t, c) in open {
        out.entry(t).or_default().open_findings += n(c);
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn triage_days_default_set_and_bounded() {
        let d = TriageDays::default();
        assert_eq!(d.days(Severity::Critical), 3);
        assert_eq!(d.days(Severity::Low), 30);
        let set = TriageDays::new([(Severity::High, 5)]).unwrap();
        assert_eq!(set.days(Severity::High), 5);
        assert_eq!(
            set.days(Severity::Medium),
            14,
            "the others keep their default"
        );
        assert_eq!(TriageDays::new([(Severity::Low, 0)]), Err(TriageDaysError));
        assert_eq!(
            TriageDays::new([(Severity::Low, 366)]),
            Err(TriageDaysError)
        );
        assert!(TriageDays::new([(Severity::Low, 365)]).is_ok());
        let from = chrono::DateTime::parse_from_rfc3339("2026-12-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            set.due(Severity::High, from).to_rfc3339(),
            "2026-12-06T10:00:00+00:00"
        );
    }

    #[test]
    fn triage_days_stored_form_round_trips_and_refuses_nonsense() {
        let set = TriageDays::new([(Severity::Critical, 2), (Severity::Low, 60)]).unwrap();
        let json = set.to_json();
        assert_eq!(json, r#"{"critical":2,"high":7,"low":60,"medium":14}"#);
        assert_eq!(TriageDays::from_json(&json).unwrap(), set);
        assert_eq!(TriageDays::from_json("{}").unwrap(), TriageDays::default());
        assert!(TriageDays::from_json(r#"{"urgent":2}"#).is_err());
        assert!(TriageDays::from_json(r#"{"low":0}"#).is_err());
    }
}
