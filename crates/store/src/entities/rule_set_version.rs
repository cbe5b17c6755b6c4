use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "rule_set_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub version: i32,
    pub status: String,
    pub content_hash: String,
    /// JSON array of rule definitions.
    pub rules: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub activated_at: Option<DateTimeUtc>,
    /// The library version adopted; `None` for a version uploaded whole.
    pub library_version: Option<String>,
    /// JSON: the tenant's overrides, disabled rules and own rules.
    pub adoption: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
