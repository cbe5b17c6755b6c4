use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "findings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub submission_id: Uuid,
    pub rule_set_version_id: Uuid,
    pub rule_id: String,
    pub area: String,
    pub severity: String,
    pub likelihood: i16,
    pub impact: i16,
    pub explanation: String,
    /// The facts the explanation was written from, a JSON object of
    /// strings (`adal_sandbox_protocol::Facts`); `None` when the rule gave
    /// none or the record was erased.
    pub facts: Option<String>,
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub status: String,
    pub created_at: DateTimeUtc,
    /// When the finding should be decided: found (or reopened) plus the
    /// tenant's days for its severity (`tenants::TriageDays`).
    pub due_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
