use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "submissions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: String,
    pub schema_version: i32,
    pub submitted_by: Uuid,
    pub department_id: Option<Uuid>,
    pub position_id: Option<Uuid>,
    pub payload: String,
    pub status: String,
    pub rule_set_version_id: Option<Uuid>,
    pub attempts: i32,
    pub received_at: DateTimeUtc,
    pub evaluated_at: Option<DateTimeUtc>,
    /// Last handed to the queue; `None` when the queue refused it.
    pub enqueued_at: Option<DateTimeUtc>,
    /// Natural key within the kind (a procurement's ocid, a declaration's
    /// year and IIN): what a re-import or a correction is matched by.
    pub reference: Option<String>,
    /// The version this one corrects.
    pub supersedes: Option<Uuid>,
    /// The correction that replaced this version, if any.
    pub superseded_by: Option<Uuid>,
    /// The person the record is about, when not the filer.
    pub subject_iin: Option<String>,
    /// A worker evaluating it holds it until then (batched evaluation).
    pub claimed_until: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
