use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "people")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub iin: String,
    pub full_name: String,
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub started_on: Option<Date>,
    pub ended_on: Option<Date>,
    /// SHA-256 of the normalised core fields: a re-import that changes
    /// nothing is detected without comparing column by column.
    pub content_hash: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
