use sea_orm::entity::prelude::*;

/// A message on a report: from the reporter, from a handler to the
/// reporter, or a handler's internal note. `body` is sealed with the
/// report's key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub report_id: Uuid,
    pub tenant_id: Uuid,
    /// Order within the report (the reporter's times are only days).
    pub seq: i32,
    /// `reporter`, `handler` or `note`.
    pub author: String,
    pub author_id: Option<Uuid>,
    pub body: Vec<u8>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
