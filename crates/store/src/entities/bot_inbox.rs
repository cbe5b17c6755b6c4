use sea_orm::entity::prelude::*;

/// A message a bot received, waiting for (or done with) processing.
/// `sender` and `body` are sealed; `sender_key` is a keyed HMAC of the
/// sender, never the sender itself.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "bot_inbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// `whatsapp` or `telegram`.
    pub channel: String,
    /// The platform's id of the delivery (`wamid`, `update_id`).
    pub message_id: String,
    pub sender_key: String,
    pub sender: Vec<u8>,
    /// `None` for media without text, and once processed.
    pub body: Option<Vec<u8>>,
    pub received_at: DateTimeUtc,
    pub attempts: i32,
    pub lease_until: Option<DateTimeUtc>,
    pub processed_at: Option<DateTimeUtc>,
    /// Why processing gave up, without content.
    pub failure: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
