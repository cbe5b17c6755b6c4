use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: String,
    pub file_name: String,
    pub status: String,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub accepted: i64,
    pub unchanged: i64,
    pub rejected: i64,
    /// JSON array of rejected rows: row, column, reason.
    pub report: String,
    pub error: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub heartbeat_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
