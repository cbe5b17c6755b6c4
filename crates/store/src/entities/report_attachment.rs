use sea_orm::entity::prelude::*;

/// A file attached to a report by its reporter or to a case by a handler.
/// `name` and `content` are sealed with the report's key; both are emptied
/// when the file is removed (the row stays as a tombstone).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "report_attachments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub report_id: Uuid,
    pub tenant_id: Uuid,
    /// Order within the report (the reporter's times are only days).
    pub seq: i32,
    /// `reporter` or `handler`.
    pub author: String,
    pub author_id: Option<Uuid>,
    /// Seen by the handlers only, like a note.
    pub internal: bool,
    /// `adal_reporting::attachment::FileKind`, found from the content.
    pub kind: String,
    pub size_bytes: i64,
    pub name: Option<Vec<u8>>,
    pub content: Option<Vec<u8>>,
    pub created_at: DateTimeUtc,
    pub removed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
