use sea_orm::entity::prelude::*;

/// A destructive action on a case waiting for, or decided by, a second
/// officer. `reason` is sealed with the report's key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub report_id: Uuid,
    pub tenant_id: Uuid,
    /// `remove_attachment`.
    pub action: String,
    pub target_id: Uuid,
    pub reason: Vec<u8>,
    pub requested_by: Uuid,
    pub requested_at: DateTimeUtc,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub approved: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
