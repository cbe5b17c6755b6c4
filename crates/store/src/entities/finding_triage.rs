use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "finding_triage")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub finding_id: Uuid,
    pub tenant_id: Uuid,
    pub assigned_to: Option<Uuid>,
    pub reason: Option<String>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
