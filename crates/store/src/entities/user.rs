use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    /// The IIN of the person on file this account belongs to, if linked.
    pub person_iin: Option<String>,
    pub created_at: DateTimeUtc,
    /// Set when the account was disabled: no sign-in, no live token.
    pub disabled_at: Option<DateTimeUtc>,
    /// The language the person chose on the dashboard (`kk`, `ru`, `en`),
    /// which their emails are written in; `None` until they choose.
    pub lang: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
