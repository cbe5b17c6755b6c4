use sea_orm::entity::prelude::*;

/// A report filed through a feedback channel, and the case it became.
/// `content` is sealed with the report's key; `wrapped_key` is that key
/// wrapped under the tenant's key-encryption key (`kek_id` says which).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// `tenant` or `agency`.
    pub channel: String,
    /// `web`, `api`, `whatsapp` or `telegram`.
    pub source: String,
    /// Hex of the receipt's argon2id hash.
    #[sea_orm(unique)]
    pub receipt_hash: String,
    pub kek_id: String,
    pub wrapped_key: Vec<u8>,
    pub content: Vec<u8>,
    pub has_contact: bool,
    pub status: String,
    pub assignee_id: Option<Uuid>,
    pub outcome: Option<String>,
    pub received_on: Date,
    pub ack_due: Date,
    pub feedback_due: Date,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub escalated_at: Option<DateTimeUtc>,
    /// What the tenant shared with the Agency, sealed with the report key.
    pub escalation: Option<Vec<u8>>,
    pub updated_at: DateTimeUtc,
    /// The measures taken, given on closing, sealed with the report key.
    pub measures: Option<Vec<u8>>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
