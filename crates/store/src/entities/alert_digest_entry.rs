use sea_orm::entity::prelude::*;

/// A finding waiting for its tenant's alert digest, and then the digest
/// it went out in.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alert_digest_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub finding_id: Uuid,
    /// The rule's own title when the finding was recorded (the rule set
    /// may change before the digest goes out).
    pub title: String,
    /// `hourly` or `daily`: the tenant's setting when it was recorded.
    pub period: String,
    /// The end of its period: from then on the worker sends it.
    pub due_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    /// The digest it is in; `None` while it waits.
    pub digest_id: Option<Uuid>,
    pub digested_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
