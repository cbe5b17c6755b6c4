use sea_orm::entity::prelude::*;

/// A person's data key in a tenant, wrapped under the tenant's
/// key-encryption key (see [`crate::sealing`]). Deleting the row erases,
/// for good, everything sealed under it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subject_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// Whose key: `iin:` and the person's IIN.
    pub subject: String,
    /// The wrapped key, hex.
    pub wrapped: String,
    /// The key-encryption key it is wrapped under.
    pub kek_id: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
