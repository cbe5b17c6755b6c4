use sea_orm::entity::prelude::*;

/// A tenant's Merkle log: its name and the right edge of its tree.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_trees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    pub origin: String,
    pub size: i64,
    /// Hex of the perfect subtrees' roots, largest first, concatenated.
    pub frontier: String,
    pub root: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
