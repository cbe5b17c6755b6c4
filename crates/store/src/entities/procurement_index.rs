use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "procurement_index")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub ocid: String,
    /// The current version of the compiled release (a submission).
    pub submission_id: Uuid,
    pub content_hash: String,
    pub title: Option<String>,
    pub buyer_id: Option<String>,
    pub buyer_name: Option<String>,
    pub status: Option<String>,
    pub method: Option<String>,
    pub value_amount: Option<String>,
    pub currency: Option<String>,
    pub tender_end: Option<String>,
    /// JSON array of tenderers' and suppliers' BINs.
    pub counterparty_bins: String,
    /// JSON array of IINs: committee members and individual parties.
    pub person_iins: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
