use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub bin: String,
    pub sector: String,
    pub region: String,
    pub alert_threshold: String,
    /// JSON array of addresses.
    pub alert_emails: String,
    /// `immediate`, `hourly` or `daily`: one email per finding, or one
    /// digest per period (`tenants::AlertDigest`).
    pub alert_digest: String,
    /// JSON object: year -> MCI in KZT as a decimal string.
    pub mci_by_year: String,
    /// JSON object: reporting year -> due date of asset declarations.
    pub declaration_due_by_year: String,
    /// Days to answer a report received through a feedback channel.
    pub feedback_answer_days: i32,
    /// Whether the tenant's administrators and compliance officers must
    /// sign in with a second factor.
    pub require_second_factor: bool,
    /// JSON object: severity -> days a finding has before it is overdue;
    /// `{}` or a missing severity: the default (`tenants::TriageDays`).
    pub triage_days: String,
    /// JSON object: kind of record -> years it is kept (docs/privacy.md).
    pub retention_years: String,
    /// The tenant's own daily import row quota; `None`: the installation's.
    pub import_rows_per_day: Option<i64>,
    /// The tenant's own largest import file; `None`: the installation's.
    pub import_max_file_bytes: Option<i64>,
    pub created_at: DateTimeUtc,
    /// Set while the platform's operator has suspended the tenant: its
    /// people cannot sign in and their tokens were revoked.
    pub suspended_at: Option<DateTimeUtc>,
    pub suspended_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
