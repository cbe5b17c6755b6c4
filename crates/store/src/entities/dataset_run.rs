use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dataset_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    /// `scheduled`, `manual`, or `import` (an OCDS import finished).
    pub trigger: String,
    /// A user id, or `scheduler`.
    pub requested_by: String,
    pub status: String,
    pub created: i64,
    pub corrected: i64,
    pub unchanged: i64,
    pub error: Option<String>,
    /// JSON: what the run computed besides records (red-flag fences and
    /// counts); absent for runs before it was recorded.
    pub computed: Option<String>,
    pub requested_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub heartbeat_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
