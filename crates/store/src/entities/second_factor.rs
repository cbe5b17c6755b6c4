use sea_orm::entity::prelude::*;

/// An account's TOTP secret; unconfirmed until the holder has entered a
/// code from it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "second_factors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    /// Base32, as authenticator apps take it.
    pub secret: String,
    pub confirmed_at: Option<DateTimeUtc>,
    /// The last 30-second step a code was accepted for: a code is good
    /// once.
    pub last_step: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
