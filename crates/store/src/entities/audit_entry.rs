use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// The entry's position in its tenant's log, from 1; `None` until the
    /// sequencer integrates it.
    pub seq: Option<i64>,
    pub at: DateTimeUtc,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub detail: String,
    /// Hex of the entry's RFC 6962 leaf hash, recorded at integration.
    pub leaf_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
